using System.Buffers.Binary;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using static TorchSharp.torch;

namespace CommLab.Files;

/// <summary>Reads and writes Hugging Face's safetensors files: an 8-byte little-endian header length N,
/// N bytes of UTF-8 JSON mapping each tensor's name to its dtype, shape and data_offsets [begin, end)
/// within the data section (plus an optional "__metadata__" map of strings), then the data section,
/// each tensor's elements row-major and little-endian.</summary>
/// <remarks>The reader is strict in the way the reference implementation (huggingface/safetensors,
/// <c>Metadata::validate</c>) is: the tensors, in offset order, must tile the data section exactly, with
/// no gap, no overlap and nothing after the last one. Any of those would mean a truncated or corrupt file,
/// and a checkpoint read from one would compute silently wrong numbers.</remarks>
public static class Safetensors
{
    /// <summary>The reference reader refuses larger headers; so do we, before allocating them.</summary>
    const long MaxHeaderBytes = 100_000_000;

    const string MetadataKey = "__metadata__";

    /// <summary>The dtypes read and written: the file's name, libtorch's type and the element size.</summary>
    static readonly (string Name, ScalarType Type, int Size)[] Dtypes =
    [
        ("F64", ScalarType.Float64, 8), ("F32", ScalarType.Float32, 4), ("F16", ScalarType.Float16, 2),
        ("BF16", ScalarType.BFloat16, 2), ("I64", ScalarType.Int64, 8), ("I32", ScalarType.Int32, 4),
        ("I16", ScalarType.Int16, 2), ("I8", ScalarType.Int8, 1), ("U8", ScalarType.Byte, 1), ("BOOL", ScalarType.Bool, 1),
    ];

    /// <summary>One tensor's header entry.</summary>
    sealed record Entry(string Name, ScalarType Type, long[] Shape, long Begin, long End);

    /// <summary>Every tensor of the file at <paramref name="path"/>, by name, on the CPU with the file's
    /// dtype, or float32 for F16 and BF16 tensors when <paramref name="halfToFloat32"/>. The tensors
    /// belong to the caller (and to its dispose scope, if any).</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The header or the layout is malformed; the message names
    /// the file, the tensor and what was expected.</exception>
    public static Dictionary<string, Tensor> Read(string path, bool halfToFloat32 = false)
    {
        using var stream = Open(path);
        var (entries, _, dataStart) = ReadHeader(stream, path);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var e in entries)
            {
                var t = empty(e.Shape, e.Type);
                tensors.Add(e.Name, t);
                stream.Position = dataStart + e.Begin;
                stream.ReadExactly(t.bytes);
                if (halfToFloat32 && e.Type is ScalarType.Float16 or ScalarType.BFloat16)
                {
                    tensors[e.Name] = t.to_type(ScalarType.Float32);
                    t.Dispose();
                }
            }
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return tensors;
    }

    /// <summary>The "__metadata__" map of the file at <paramref name="path"/> (empty when it has none),
    /// after the same checks as <see cref="Read"/>, without reading any tensor.</summary>
    public static Dictionary<string, string> ReadMetadata(string path)
    {
        using var stream = Open(path);
        return ReadHeader(stream, path).Metadata;
    }

    /// <summary>Writes <paramref name="tensors"/> (any device, layout or stride; copied to contiguous
    /// CPU memory) and <paramref name="metadata"/> to <paramref name="path"/>, atomically. As the reference
    /// writer does, tensors are laid out by decreasing element size, then by name (ordinal), so every
    /// tensor starts at a multiple of its element size; the header is compact JSON with the metadata
    /// first and the tensors in layout order, padded with spaces to a multiple of 8 bytes.</summary>
    /// <exception cref="ArgumentException">A tensor has a dtype the format has no name for, or a name
    /// is "__metadata__".</exception>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var laidOut = tensors
            .Select(kv => (kv.Key, Tensor: kv.Value, Dtype: DtypeOf(kv.Value, kv.Key)))
            .OrderByDescending(x => x.Dtype.Size)
            .ThenBy(x => x.Key, StringComparer.Ordinal)
            .ToList();
        if (tensors.ContainsKey(MetadataKey))
            throw new ArgumentException($"a tensor cannot be named \"{MetadataKey}\": the format reserves that key for metadata");

        using var header = new MemoryStream();
        using (var w = new Utf8JsonWriter(header, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata) w.WriteString(key, value);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, t, dtype) in laidOut)
            {
                var bytes = t.numel() * dtype.Size;
                w.WriteStartObject(name);
                w.WriteString("dtype", dtype.Name);
                w.WriteStartArray("shape");
                foreach (var d in t.shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + bytes);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += bytes;
            }
            w.WriteEndObject();
        }
        while (header.Length % 8 != 0) header.WriteByte((byte)' ');

        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            header.Position = 0;
            header.CopyTo(stream);
            foreach (var (_, t, _) in laidOut)
            {
                using var scope = NewDisposeScope();
                var cpu = t.detach().cpu().contiguous();
                stream.Write(cpu.bytes);
            }
        });
    }

    static FileStream Open(string path) =>
        File.Exists(path)
            ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20)
            : throw new FileNotFoundException($"safetensors file not found: {path}", path);

    static (string Name, ScalarType Type, int Size) DtypeOf(Tensor t, string name)
    {
        foreach (var d in Dtypes)
            if (d.Type == t.dtype) return d;
        throw new ArgumentException($"tensor '{name}' has dtype {t.dtype}, which safetensors files here cannot hold " +
                                    $"(allowed: {string.Join(", ", Dtypes.Select(d => d.Type))})");
    }

    /// <summary>The validated header: tensors in offset order, the metadata, and where the data section starts.</summary>
    static (List<Entry> Entries, Dictionary<string, string> Metadata, long DataStart) ReadHeader(FileStream stream, string path)
    {
        var fileLength = stream.Length;
        InvalidDataException Bad(string what) => new($"{path}: {what}");

        if (fileLength < 8) throw Bad($"expected an 8-byte header length at the start of a safetensors file, found a {fileLength}-byte file");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)(fileLength - 8))
            throw Bad($"the header length is {headerLength} bytes, but only {fileLength - 8} bytes follow it (truncated, or not a safetensors file)");
        if (headerLength > MaxHeaderBytes)
            throw Bad($"the header length is {headerLength} bytes, more than the format's limit of {MaxHeaderBytes}");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        var dataStart = 8 + (long)headerLength;
        var dataLength = fileLength - dataStart;

        string json;
        try { json = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(headerBytes); }
        catch (DecoderFallbackException) { throw Bad("the header is not valid UTF-8"); }
        if (!json.StartsWith('{')) throw Bad($"the header must be a JSON object starting with '{{', found {Quote(json)}");

        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e) { throw Bad($"the header is not valid JSON: {e.Message}"); }
        using var _ = doc;
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
            throw Bad($"the header must be a JSON object, found {doc.RootElement.ValueKind}");

        var entries = new List<Entry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            // JSON allows repeated keys and the parser keeps them all; the format forbids them.
            if (!seen.Add(p.Name)) throw Bad($"the header names '{p.Name}' twice");
            if (p.Name == MetadataKey)
            {
                if (p.Value.ValueKind != JsonValueKind.Object)
                    throw Bad($"\"{MetadataKey}\" must be an object of strings, found {p.Value.ValueKind}");
                foreach (var m in p.Value.EnumerateObject())
                    metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String
                        ? m.Value.GetString()!
                        : throw Bad($"\"{MetadataKey}\".{m.Name} must be a string, found {m.Value.GetRawText()}");
                continue;
            }
            entries.Add(ParseEntry(p, Bad));
        }

        // In offset order the tensors must tile the data section: each starts where the previous ends.
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expected = 0;
        string? previous = null;
        foreach (var e in entries)
        {
            if (e.Begin != expected)
                throw Bad(e.Begin < expected
                    ? $"tensor '{e.Name}' starts at byte {e.Begin} of the data section, inside tensor '{previous}' (which ends at {expected}): overlapping data_offsets"
                    : $"tensor '{e.Name}' starts at byte {e.Begin} of the data section, but the previous tensor{(previous is null ? "" : $" '{previous}'")} ends at {expected}: a gap of {e.Begin - expected} bytes");
            if (e.End > dataLength)
                throw Bad($"tensor '{e.Name}' ends at byte {e.End} of the data section, which has only {dataLength} bytes (truncated file?)");
            expected = e.End;
            previous = e.Name;
        }
        if (expected != dataLength)
            throw Bad($"the data section has {dataLength} bytes, but the tensors cover only {expected}: {dataLength - expected} bytes belong to no tensor");
        return (entries, metadata, dataStart);
    }

    static Entry ParseEntry(JsonProperty p, Func<string, InvalidDataException> bad)
    {
        var name = p.Name;
        var v = p.Value;
        if (v.ValueKind != JsonValueKind.Object)
            throw bad($"tensor '{name}' must be described by an object with dtype, shape and data_offsets, found {Quote(v.GetRawText())}");

        if (!v.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw bad($"tensor '{name}' has no dtype string");
        var dtypeName = dtypeElement.GetString()!;
        var dtype = Dtypes.FirstOrDefault(d => d.Name == dtypeName);
        if (dtype.Name is null)
            throw bad($"tensor '{name}' has dtype \"{dtypeName}\"; supported: {string.Join(", ", Dtypes.Select(d => d.Name))}");

        var shape = Integers(v, "shape", name, bad);
        var offsets = Integers(v, "data_offsets", name, bad);
        if (offsets.Length != 2 || offsets[0] > offsets[1])
            throw bad($"tensor '{name}' must have data_offsets [begin, end] with begin <= end, found [{string.Join(", ", offsets)}]");

        long bytes;
        try { bytes = checked(shape.Aggregate(1L, (n, d) => n * d) * dtype.Size); }
        catch (OverflowException) { throw bad($"tensor '{name}' has shape [{string.Join(", ", shape)}], too large to address"); }
        if (bytes != offsets[1] - offsets[0])
            throw bad($"tensor '{name}' ({dtype.Name}, shape [{string.Join(", ", shape)}]) needs {bytes} bytes, but its data_offsets [{offsets[0]}, {offsets[1]}] span {offsets[1] - offsets[0]}");
        return new Entry(name, dtype.Type, shape, offsets[0], offsets[1]);
    }

    static long[] Integers(JsonElement v, string field, string name, Func<string, InvalidDataException> bad)
    {
        if (!v.TryGetProperty(field, out var a) || a.ValueKind != JsonValueKind.Array)
            throw bad($"tensor '{name}' has no {field} array");
        return a.EnumerateArray()
            .Select(x => x.ValueKind == JsonValueKind.Number && x.TryGetInt64(out var n) && n >= 0
                ? n
                : throw bad($"tensor '{name}': {field} must hold non-negative integers, found {x.GetRawText()}"))
            .ToArray();
    }

    static string Quote(string text) => text.Length <= 60 ? $"\"{text}\"" : $"\"{text[..60]}...\"";
}

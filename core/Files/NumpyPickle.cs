using System.Buffers.Binary;
using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;
using Razorvine.Pickle;
using Razorvine.Pickle.Objects;
using static CommLab.Files.PickleOpcodes;

namespace CommLab.Files;

/// <summary>Pickled numpy arrays of labels, as EGG's signal-game data keeps them
/// (<c>ours_images_single_sm0.objects</c>: <c>pickle.dump(numpy.array(labels), f, pickle.HIGHEST_PROTOCOL)</c>).
/// Reads pickles of protocols 0-5 written by Python 2 or 3 and numpy 1 or 2: an ndarray of dtype object,
/// <c>'U n'</c> (UCS-4), <c>'S n'</c> (bytes) or integer, or a plain list or tuple of str, bytes or ints.
/// Python 2 strings and bytes become text as UTF-8 (Latin-1 where they are not valid UTF-8); integers
/// become their decimal strings. Anything else is refused, never guessed at.</summary>
public static class NumpyPickle
{
    /// <summary>An array read from a pickle: its shape (one or two dimensions) and its elements as
    /// strings in row-major order.</summary>
    public sealed record StringArray(int[] Shape, string[] Values);

    static NumpyPickle()
    {
        // numpy 2 renamed numpy.core to numpy._core; its pickles name the new modules.
        foreach (var core in new[] { "numpy.core", "numpy._core" })
        {
            Unpickler.registerConstructor($"{core}.multiarray", "_reconstruct", new Constructor(Reconstruct));
            Unpickler.registerConstructor($"{core}.numeric", "_frombuffer", new Constructor(FromBuffer));
        }
        Unpickler.registerConstructor("numpy", "dtype", new Constructor(args => new DType(args)));
    }

    /// <summary>Reads the one-dimensional array (or list or tuple) of labels pickled in <paramref name="path"/>.
    /// A missing file throws <see cref="FileNotFoundException"/>; anything that is not such a pickle
    /// throws <see cref="InvalidDataException"/> naming the file, what was expected and what was found.</summary>
    public static string[] Read(string path)
    {
        var array = ReadArray(path);
        if (array.Shape.Length != 1)
            throw new InvalidDataException($"{path}: expected a one-dimensional array of labels, found an array of shape ({string.Join(", ", array.Shape)})");
        return array.Values;
    }

    /// <summary>Reads the array of one or two dimensions (or list or tuple) pickled in <paramref name="path"/>,
    /// with the errors of <see cref="Read"/>.</summary>
    public static StringArray ReadArray(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file; expected a pickled numpy array of labels", path);
        var pickle = File.ReadAllBytes(path);
        var ops = Walk(pickle, path);
        var protocol = Protocol(pickle, ops);
        if (protocol > 5) throw new InvalidDataException($"{path}: pickle protocol {protocol}; this reader knows protocols 0 to 5");
        object? top;
        try
        {
            using var unpickler = new Unpickler();
            top = unpickler.loads(BytesForPython2Strings(pickle, ops));
        }
        catch (Exception e)
        {
            var reason = Innermost(e);
            throw new InvalidDataException(reason is Refusal
                ? $"{path}: {reason.Message}"
                : $"{path}: cannot unpickle it ({reason.GetType().Name}: {reason.Message}); expected a pickled numpy array of labels", e);
        }
        try
        {
            return top switch
            {
                NdArray a => a.Strings(),
                ArrayList list => new StringArray(new[] { list.Count }, Elements(list.Cast<object?>().ToList())),
                object?[] tuple => new StringArray(new[] { tuple.Length }, Elements(tuple)),
                _ => throw new Refusal($"found {Describe(top)}"),
            };
        }
        catch (Refusal e)
        {
            throw new InvalidDataException($"{path}: {e.Message}; expected a numpy array (dtype object, 'U', 'S' or integer) or a list of labels");
        }
    }

    /// <summary>Writes <paramref name="values"/> to <paramref name="path"/> as the pickled numpy array
    /// <paramref name="layout"/> describes, emitting the opcodes numpy and Python's pickler emit (from
    /// numpy's <c>ndarray.__reduce__</c> and <c>dtype.__reduce__</c>, CPython's <c>_pickle.c</c> and
    /// Python 2's <c>pickle.py</c>). Byte for byte, but for one thing Python decides at run time: it
    /// memoizes by object identity, and equal labels are written here as separate objects, as numpy
    /// writes labels computed at run time (labels Python happens to share, such as identical literals,
    /// would be memo references there). Labels may not contain NUL, which numpy's 'U' and 'S' arrays
    /// drop from the end, nor lone surrogates.</summary>
    public static void Write(string path, string[] values, NumpyLabelLayout layout) =>
        AtomicFile.Write(path, stream => stream.Write(Encode(values, layout)));

    static byte[] Encode(string[] values, NumpyLabelLayout layout)
    {
        if (layout != NumpyLabelLayout.ObjectArray && values.Any(v => v.Contains('\0')))
            throw new ArgumentException($"a label contains NUL, which numpy's '{(layout == NumpyLabelLayout.UnicodeArray ? "U" : "S")}' arrays do not keep: '{values.First(v => v.Contains('\0'))}'");
        var python3 = layout != NumpyLabelLayout.BytesArray;
        var w = new PickleWriter(2);
        void Text(string s) { if (python3) w.Text(s); else w.Python2String(Encoding.UTF8.GetBytes(s)); }
        // Python shares empty and one-byte bytes objects (and Python 2 one-character strs).
        void Bytes(byte[] data)
        {
            var shared = data.Length <= 1 ? "bytes " + Convert.ToHexString(data) : null;
            if (python3) w.Python3Bytes(data, shared); else w.Python2String(data, shared);
        }

        // ndarray.__reduce__: (_reconstruct, (ndarray, (0,), b'b'), state), state = (1, shape, dtype, False, data).
        w.Global("numpy.core.multiarray", "_reconstruct");
        w.Global("numpy", "ndarray");
        w.Int(0); w.Op(Tuple1); w.Memoize();
        Bytes(new[] { (byte)'b' });
        w.Op(Tuple3); w.Memoize();
        w.Op(Reduce); w.Memoize();
        w.Op(Mark);
        w.Int(1);
        w.Int(values.Length); w.Op(Tuple1); w.Memoize();

        var (descr, endian, size, alignment, flags, data) = layout switch
        {
            NumpyLabelLayout.ObjectArray => ("O8", "|", -1, -1, 63, null),
            NumpyLabelLayout.UnicodeArray => Ucs4(values),
            _ => Utf8(values),
        };
        // dtype.__reduce__: (dtype, (descr, False, True), (3, endian, None, None, None, elsize, alignment, flags));
        // numpy before 1.19 passed 0 and 1 instead of False and True, and Python 2 had only numpy 1.16 or older.
        w.Global("numpy", "dtype");
        Text(descr);
        if (python3) { w.Bool(false); w.Bool(true); } else { w.Int(0); w.Int(1); }
        w.Op(Tuple3); w.Memoize();
        w.Op(Reduce); w.Memoize();
        w.Op(Mark);
        w.Int(3); Text(endian); w.None(); w.None(); w.None(); w.Int(size); w.Int(alignment); w.Int(flags);
        w.Op(PickleOpcodes.Tuple); w.Memoize();
        w.Op(Build);
        w.Bool(false);

        if (data is not null) Bytes(data);
        else
        {
            // An object array's data is a list of its elements, appended in batches of 1000 (pickle's BATCHSIZE).
            w.Op(EmptyList); w.Memoize();
            if (values.Length == 1) { w.Text(values[0]); w.Op(Append); }
            for (int start = 0; start < values.Length && values.Length > 1; start += 1000)
            {
                w.Op(Mark);
                foreach (var v in values.Skip(start).Take(1000)) w.Text(v);
                w.Op(Appends);
            }
        }
        w.Op(PickleOpcodes.Tuple); w.Memoize();
        w.Op(Build);
        w.Op(Stop);
        return w.ToArray();
    }

    /// <summary>A '&lt;U n' array's dtype and data: n code points per label, each a little-endian UInt32.</summary>
    static (string, string, int, int, int, byte[]?) Ucs4(string[] values)
    {
        var runes = values.Select(v => v.EnumerateRunes().ToArray()).ToArray();
        var n = Math.Max(1, runes.Max(r => (int?)r.Length) ?? 1);
        var data = new byte[values.Length * n * 4];
        for (int i = 0; i < runes.Length; i++)
            for (int j = 0; j < runes[i].Length; j++)
                BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan((i * n + j) * 4), runes[i][j].Value);
        // NPY_NEEDS_INIT (8) is set on numpy's unicode dtype.
        return ($"U{n}", "<", 4 * n, 4, 8, data);
    }

    /// <summary>A '|S n' array's dtype and data: each label's UTF-8 bytes, padded to n with zeros.</summary>
    static (string, string, int, int, int, byte[]?) Utf8(string[] values)
    {
        var bytes = values.Select(Encoding.UTF8.GetBytes).ToArray();
        var n = Math.Max(1, bytes.Max(b => (int?)b.Length) ?? 1);
        var data = new byte[values.Length * n];
        for (int i = 0; i < bytes.Length; i++) bytes[i].CopyTo(data, i * n);
        return ($"S{n}", "|", n, 1, 0, data);
    }

    // ---- Reading: the objects numpy's pickles rebuild, as Razorvine constructs them. ----

    /// <summary>A complaint about what a pickle holds; the reader prefixes the file's path.</summary>
    sealed class Refusal(string message) : Exception(message);

    sealed class Constructor(Func<object?[], object> build) : IObjectConstructor
    {
        public object construct(object[] args) => build(args);
    }

    static Exception Innermost(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException) if (x is Refusal) return x;
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }

    /// <summary><c>_reconstruct(ndarray, (0,), b'b')</c>: an empty ndarray that BUILD then fills.</summary>
    static object Reconstruct(object?[] args)
    {
        if (args.Length != 3) throw new Refusal($"numpy's _reconstruct was called with {args.Length} arguments, expected 3");
        if (args[0] is not ClassDictConstructor { module: "numpy", name: "ndarray" })
            throw new Refusal($"found an array of class {(args[0] is ClassDictConstructor c ? $"{c.module}.{c.name}" : Describe(args[0]))}, a subclass of numpy.ndarray");
        return new NdArray();
    }

    /// <summary><c>_frombuffer(buffer, dtype, shape, order)</c>: protocol 5's form of an array that is
    /// not of dtype object, its data one buffer in C or Fortran order.</summary>
    static object FromBuffer(object?[] args)
    {
        if (args.Length is not (4 or 5)) throw new Refusal($"numpy's _frombuffer was called with {args.Length} arguments, expected 4");
        var order = args[3] as string;
        if (order is not ("C" or "F") || args.Length == 5 && args[4] is not null)
            throw new Refusal($"found an array stored in order '{order}' with an axis order; expected order 'C' or 'F'");
        return new NdArray { Type = args[1] as DType, Shape = Shape(args[2]), Fortran = order == "F", Data = args[0] };
    }

    static int[] Shape(object? shape) => shape is object?[] dims && dims.All(d => d is int)
        ? dims.Select(d => (int)d!).ToArray()
        : throw new Refusal($"an array's shape is {Describe(shape)}, expected a tuple of ints");

    /// <summary>A numpy dtype: <c>dtype('U5', False, True)</c>, then BUILD with
    /// <c>(version, endian, subarray, names, fields, elsize, alignment, flags[, metadata])</c>.</summary>
    sealed class DType
    {
        public char Kind { get; }
        public int Size { get; private set; }
        public char Endian { get; private set; } = '=';
        readonly string descr;

        public DType(object?[] args)
        {
            descr = args.Length > 0 ? Str(args[0]) ?? Describe(args[0]) : "";
            if (descr.Length < 1 || !int.TryParse(descr.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var size))
                throw new Refusal($"found a dtype '{descr}'; expected object, 'U n', 'S n' or an integer type");
            Kind = descr[0];
            Size = Kind == 'U' ? size * 4 : size;
        }

        public void __setstate__(object?[] state)
        {
            // Versions 3 (8 fields) and 4 (9, with metadata) since numpy 1.7.
            if (state.Length is not (8 or 9) || Str(state[1]) is not { Length: 1 } endian)
                throw new Refusal($"dtype '{descr}' has a state of {state.Length} fields; expected numpy 1.7 or later's 8 or 9");
            if (state[2] is not null || state[3] is not null)
                throw new Refusal($"dtype '{descr}' is a structured or sub-array dtype; expected plain labels");
            Endian = endian[0];
            if (Kind is 'U' or 'S' && state[5] is int elsize && elsize > 0) Size = elsize;
        }

        public override string ToString() => $"{(Endian is '<' or '>' or '|' ? Endian.ToString() : "")}{descr}";
    }

    /// <summary>An ndarray being rebuilt: BUILD gives it <c>(version, shape, dtype, is_fortran, data)</c>
    /// (numpy's version 1; version 0 has no version field).</summary>
    sealed class NdArray
    {
        public int[] Shape = [];
        public DType? Type;
        public bool Fortran;
        public object? Data;

        public void __setstate__(object?[] state)
        {
            var fields = state.Length switch
            {
                5 => state[1..],
                4 => state,
                _ => throw new Refusal($"an ndarray's state has {state.Length} fields, expected 5"),
            };
            Shape = NumpyPickle.Shape(fields[0]);
            Type = fields[1] as DType ?? throw new Refusal($"an ndarray's dtype is {Describe(fields[1])}");
            Fortran = fields[2] is true;
            Data = fields[3];
        }

        public StringArray Strings()
        {
            if (Type is null) throw new Refusal("found an ndarray without a dtype");
            if (Shape.Length is not (1 or 2))
                throw new Refusal($"found an array of shape ({string.Join(", ", Shape)}); expected one or two dimensions");
            var count = Shape.Aggregate(1L, (a, b) => a * b);
            string[] values;
            if (Type.Kind == 'O')
            {
                // Object arrays pickle their elements as a list in C order, whatever the array's order.
                var list = Data is ArrayList l ? l.Cast<object?>().ToList() : throw new Refusal($"an object array's data is {Describe(Data)}, expected a list");
                if (list.Count != count) throw new Refusal($"an object array of shape ({string.Join(", ", Shape)}) holds {list.Count} elements");
                return new StringArray(Shape, Elements(list));
            }
            // Raw data: bytes, or (a Python 2 pickle read without the bytes fix) a str of Latin-1 chars.
            var data = Data switch
            {
                byte[] b => b,
                string s => Encoding.Latin1.GetBytes(s),
                _ => throw new Refusal($"a '{Type}' array's data is {Describe(Data)}, expected bytes"),
            };
            if (data.LongLength != count * Type.Size)
                throw new Refusal($"a '{Type}' array of shape ({string.Join(", ", Shape)}) needs {count * Type.Size} bytes of data, found {data.Length}");
            values = new string[count];
            for (int i = 0; i < count; i++) values[i] = Element(data.AsSpan(i * Type.Size, Type.Size), Type, i);
            if (Fortran && Shape.Length == 2) values = Transposed(values, Shape[0], Shape[1]);
            return new StringArray(Shape, values);
        }

        static string[] Transposed(string[] columnMajor, int rows, int columns)
        {
            var rowMajor = new string[columnMajor.Length];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < columns; c++) rowMajor[r * columns + c] = columnMajor[c * rows + r];
            return rowMajor;
        }
    }

    /// <summary>One element of a fixed-width array, from its bytes.</summary>
    static string Element(ReadOnlySpan<byte> bytes, DType type, int index)
    {
        bool big = type.Endian == '>';
        switch (type.Kind)
        {
            case 'S':
                return Label(bytes[..(bytes.LastIndexOfAnyExcept((byte)0) + 1)]);
            case 'U':
                var text = new StringBuilder(bytes.Length / 4);
                for (int at = 0; at < bytes.Length; at += 4)
                {
                    var point = big ? BinaryPrimitives.ReadUInt32BigEndian(bytes[at..]) : BinaryPrimitives.ReadUInt32LittleEndian(bytes[at..]);
                    if (!Rune.IsValid(point)) throw new Refusal($"element {index} of a '{type}' array holds 0x{point:x}, which is no Unicode character");
                    text.Append(new Rune(point).ToString());
                }
                // numpy drops trailing NULs: they are the padding.
                return text.ToString().TrimEnd('\0');
            case 'i' or 'u' when type.Size is 1 or 2 or 4 or 8:
                return new BigInteger(bytes, isUnsigned: type.Kind == 'u', isBigEndian: big).ToString(CultureInfo.InvariantCulture);
            default:
                throw new Refusal($"found an array of dtype '{type}'; expected object, 'U n', 'S n' or an integer type");
        }
    }

    /// <summary>Labels from the elements of an object array or list: str as is, bytes (Python 2 str) as
    /// UTF-8, ints as decimal strings.</summary>
    static string[] Elements(IList<object?> elements)
    {
        var values = new string[elements.Count];
        for (int i = 0; i < values.Length; i++)
            values[i] = elements[i] switch
            {
                string s => s,
                byte[] b => Label(b),
                int or long or BigInteger => Convert.ToString(elements[i], CultureInfo.InvariantCulture)!,
                var other => throw new Refusal($"element {i} is {Describe(other)}; expected str, bytes or int elements"),
            };
        return values;
    }

    static readonly UTF8Encoding strictUtf8 = new(false, true);

    /// <summary>Bytes as text: UTF-8, or Latin-1 (every byte a char) where they are not valid UTF-8.</summary>
    static string Label(ReadOnlySpan<byte> bytes)
    {
        try { return strictUtf8.GetString(bytes); }
        catch (DecoderFallbackException) { return Encoding.Latin1.GetString(bytes); }
    }

    static string? Str(object? o) => o switch { string s => s, byte[] b => Label(b), _ => null };

    static string Describe(object? o) => o switch
    {
        null => "None",
        string s => $"a str '{(s.Length > 40 ? s[..40] + "..." : s)}'",
        byte[] b => $"bytes of length {b.Length}",
        int or long or BigInteger => $"an int ({o})",
        double d => $"a float ({d.ToString(CultureInfo.InvariantCulture)})",
        bool v => $"a bool ({v})",
        ArrayList l => $"a list of {l.Count} elements",
        object?[] t => $"a tuple of {t.Length} elements",
        Hashtable h => $"a dict of {h.Count} entries",
        ClassDict c => $"an object of class {c.ClassName}",
        ClassDictConstructor c => $"the class {c.module}.{c.name}",
        DType d => $"a dtype '{d}'",
        NdArray => "a numpy array",
        _ => $"a {o.GetType().Name}",
    };
}

using System.Buffers.Binary;
using System.Text;
using static CommLab.Files.PickleOpcodes;

namespace CommLab.Files;

/// <summary>Writes a binary pickle opcode by opcode the way CPython's picklers do (protocol 2, no
/// framing), memo included: every object but None, bools and ints is stored in the memo when written
/// (BINPUT, or LONG_BINPUT from index 256), and an object written again is fetched from it (BINGET).
/// Python memoizes by object identity, so the caller says which writes are the same Python object by
/// giving them one <c>shared</c> key; a write without a key is a new object. Used to produce the files
/// numpy would produce, for tests and stand-ins.</summary>
internal sealed class PickleWriter
{
    static readonly UTF8Encoding strictUtf8 = new(false, true);

    readonly MemoryStream output = new();
    readonly Dictionary<string, int> memo = new();
    int memoCount;

    /// <summary>Starts a pickle of <paramref name="protocol"/> (2 or later: it begins with PROTO).</summary>
    public PickleWriter(int protocol)
    {
        output.WriteByte(Proto);
        output.WriteByte((byte)protocol);
    }

    /// <summary>The pickle so far.</summary>
    public byte[] ToArray() => output.ToArray();

    /// <summary>Writes an opcode that takes no argument.</summary>
    public void Op(byte code) => output.WriteByte(code);

    /// <summary>Stores the object just built in the memo, under <paramref name="shared"/> if Python shares it.</summary>
    public void Memoize(string? shared = null)
    {
        var index = memoCount++;
        if (shared is not null) memo[shared] = index;
        if (index < 256) { output.WriteByte(BinPut); output.WriteByte((byte)index); }
        else { output.WriteByte(LongBinPut); WriteInt32(index); }
    }

    /// <summary>Writes a reference to the shared object <paramref name="shared"/> if it was written
    /// before, and says whether it did.</summary>
    public bool Recall(string shared)
    {
        if (!memo.TryGetValue(shared, out var index)) return false;
        if (index < 256) { output.WriteByte(BinGet); output.WriteByte((byte)index); }
        else { output.WriteByte(LongBinGet); WriteInt32(index); }
        return true;
    }

    /// <summary>A module-level object (a class or function): GLOBAL the first time, a memo reference after.</summary>
    public void Global(string module, string name)
    {
        var key = $"global {module}.{name}";
        if (Recall(key)) return;
        output.WriteByte(PickleOpcodes.Global);
        output.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
        Memoize(key);
    }

    /// <summary>An int: BININT1, BININT2 or BININT by size, as both CPython 3's pickler and Python 2's
    /// pickle.py choose them; ints are never memoized.</summary>
    public void Int(long value)
    {
        if (value is >= 0 and <= 0xff) { output.WriteByte(BinInt1); output.WriteByte((byte)value); }
        else if (value is >= 0 and <= 0xffff) { output.WriteByte(BinInt2); output.WriteByte((byte)value); output.WriteByte((byte)(value >> 8)); }
        else if (value is >= int.MinValue and <= int.MaxValue) { output.WriteByte(BinInt); WriteInt32((int)value); }
        else throw new ArgumentOutOfRangeException(nameof(value), value, "ints beyond 32 bits are not written by this writer");
    }

    /// <summary>None, True or False (never memoized).</summary>
    public void None() => output.WriteByte(PickleOpcodes.None);

    /// <inheritdoc cref="None"/>
    public void Bool(bool value) => output.WriteByte(value ? NewTrue : NewFalse);

    /// <summary>A Python 3 str (BINUNICODE, UTF-8), or a reference to it when it is <paramref name="shared"/> and was written before.</summary>
    public void Text(string value, string? shared = null)
    {
        if (shared is not null && Recall(shared)) return;
        var bytes = strictUtf8.GetBytes(value);
        output.WriteByte(BinUnicode);
        WriteInt32(bytes.Length);
        output.Write(bytes);
        Memoize(shared);
    }

    /// <summary>A Python 2 str, which is bytes (SHORT_BINSTRING below 256 bytes, else BINSTRING).</summary>
    public void Python2String(ReadOnlySpan<byte> value, string? shared = null)
    {
        if (shared is not null && Recall(shared)) return;
        if (value.Length < 256) { output.WriteByte(ShortBinString); output.WriteByte((byte)value.Length); }
        else { output.WriteByte(BinString); WriteInt32(value.Length); }
        output.Write(value);
        Memoize(shared);
    }

    /// <summary>A Python 3 bytes object at protocol 2, which has no bytes opcode: CPython writes
    /// <c>_codecs.encode(value.decode('latin1'), 'latin1')</c> (and <c>bytes()</c> for empty bytes), the
    /// one form that unpickles as bytes in Python 3 and as str in Python 2. The 'latin1' string is one
    /// interned object, so from its second use on it is a memo reference.</summary>
    public void Python3Bytes(byte[] value, string? shared = null)
    {
        if (shared is not null && Recall(shared)) return;
        if (value.Length == 0)
        {
            Global("__builtin__", "bytes");
            Op(EmptyTuple);
        }
        else
        {
            Global("_codecs", "encode");
            Text(Encoding.Latin1.GetString(value));
            Text("latin1", "str latin1");
            Op(Tuple2);
            Memoize();
        }
        Op(Reduce);
        Memoize(shared);
    }

    void WriteInt32(int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        output.Write(bytes);
    }
}

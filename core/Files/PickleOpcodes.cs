using System.Buffers.Binary;

namespace CommLab.Files;

/// <summary>Python pickle opcodes (protocols 0-5, as CPython's <c>Lib/pickle.py</c> and
/// <c>pickletools.py</c> define them) and a walk over a pickle's opcode stream. The walk knows each
/// opcode's argument, so it finds where an opcode ends without building any object: that is how a file
/// is recognised as a pickle (or not) before it is unpickled, and how Python 2 strings are told apart
/// from text (see <see cref="BytesForPython2Strings"/>).</summary>
internal static class PickleOpcodes
{
    public const byte Mark = (byte)'(', Stop = (byte)'.', None = (byte)'N', Reduce = (byte)'R', Build = (byte)'b';
    public const byte Global = (byte)'c', Tuple = (byte)'t', EmptyTuple = (byte)')', EmptyList = (byte)']';
    public const byte Append = (byte)'a', Appends = (byte)'e';
    public const byte BinInt = (byte)'J', BinInt1 = (byte)'K', BinInt2 = (byte)'M';
    public const byte BinPut = (byte)'q', LongBinPut = (byte)'r', BinGet = (byte)'h', LongBinGet = (byte)'j';
    public const byte String = (byte)'S', BinString = (byte)'T', ShortBinString = (byte)'U', BinUnicode = (byte)'X';
    public const byte BinBytes = (byte)'B', ShortBinBytes = (byte)'C';
    public const byte Proto = 0x80, Tuple1 = 0x85, Tuple2 = 0x86, Tuple3 = 0x87, NewTrue = 0x88, NewFalse = 0x89;
    public const byte Frame = 0x95;

    /// <summary>How an opcode's argument is laid out: nothing, fixed bytes, newline-ended lines, or a
    /// little-endian length of 1, 4 or 8 bytes followed by that many bytes.</summary>
    enum Argument { Fixed, Lines, Counted }

    static readonly Dictionary<byte, (Argument Kind, int Size)> arguments = Table();

    static Dictionary<byte, (Argument, int)> Table()
    {
        var t = new Dictionary<byte, (Argument, int)>();
        void Add(string opcodes, Argument kind, int size) { foreach (var c in opcodes) t[(byte)c] = (kind, size); }
        // No argument.
        Add("(.012NRabd}el]ostu)Q\u0081\u0085\u0086\u0087\u0088\u0089\u008f\u0090\u0091\u0092\u0093\u0094\u0097\u0098", Argument.Fixed, 0);
        // Fixed-size binary arguments.
        Add("Khq\u0080\u0082", Argument.Fixed, 1);
        Add("M\u0083", Argument.Fixed, 2);
        Add("Jjr\u0084", Argument.Fixed, 4);
        Add("G\u0095", Argument.Fixed, 8);
        // Text arguments ending in a newline: GLOBAL and INST take two lines.
        Add("FILPSVgp", Argument.Lines, 1);
        Add("ci", Argument.Lines, 2);
        // A length, then that many bytes.
        Add("UC\u008a\u008c", Argument.Counted, 1);
        Add("TXB\u008b", Argument.Counted, 4);
        Add("\u008d\u008e\u0096", Argument.Counted, 8);
        return t;
    }

    /// <summary>One opcode of a stream: where it starts, where its argument starts and how long the whole is.</summary>
    public readonly record struct Op(byte Code, int Start, int ArgumentStart, int End);

    /// <summary>The opcodes of <paramref name="pickle"/> up to and including STOP. A byte that is no
    /// opcode, a stream cut short, or one without STOP throws <see cref="InvalidDataException"/> saying
    /// where; <paramref name="path"/> names the file in that message.</summary>
    public static List<Op> Walk(byte[] pickle, string path)
    {
        var ops = new List<Op>();
        int at = 0;
        while (true)
        {
            if (at >= pickle.Length)
                throw new InvalidDataException(ops.Count == 0
                    ? $"{path}: the file is empty; expected a pickle"
                    : $"{path}: the pickle is cut short at byte {at} of {pickle.Length} (no STOP opcode); expected a whole pickle");
            var code = pickle[at];
            if (!arguments.TryGetValue(code, out var argument))
                throw new InvalidDataException(ops.Count == 0
                    ? $"{path}: not a pickle (it starts with byte 0x{code:x2}, which is no pickle opcode; a pickle of protocol 2 or later starts with 0x80)"
                    : pickle[0] == Proto
                        ? $"{path}: byte 0x{code:x2} at offset {at} is no pickle opcode; the pickle is corrupted"
                        : $"{path}: not a pickle (byte 0x{code:x2} at offset {at} is no pickle opcode, and the file does not start with 0x80 as pickles of protocol 2 and later do)");
            int argumentStart = at + 1, end;
            switch (argument.Kind)
            {
                case Argument.Fixed:
                    end = argumentStart + argument.Size;
                    break;
                case Argument.Lines:
                    end = argumentStart;
                    for (int line = 0; line < argument.Size; line++)
                    {
                        var newline = Array.IndexOf(pickle, (byte)'\n', end);
                        if (newline < 0) throw CutShort(path, at, pickle.Length);
                        end = newline + 1;
                    }
                    break;
                default:
                    if (argumentStart + argument.Size > pickle.Length) throw CutShort(path, at, pickle.Length);
                    var span = pickle.AsSpan(argumentStart, argument.Size);
                    long length = argument.Size switch
                    {
                        1 => span[0],
                        4 => BinaryPrimitives.ReadInt32LittleEndian(span),
                        _ => BinaryPrimitives.ReadInt64LittleEndian(span),
                    };
                    if (length < 0 || argumentStart + argument.Size + length > pickle.Length) throw CutShort(path, at, pickle.Length);
                    end = argumentStart + argument.Size + (int)length;
                    break;
            }
            if (end > pickle.Length) throw CutShort(path, at, pickle.Length);
            ops.Add(new Op(code, at, argumentStart, end));
            if (code == Stop) return ops;
            at = end;
        }
    }

    static InvalidDataException CutShort(string path, int at, int length) =>
        new($"{path}: the pickle is cut short: the opcode at offset {at} runs past the end of the file ({length} bytes); expected a whole pickle");

    /// <summary>The protocol a stream declares with PROTO (0 or 1 when it has none: those protocols have no PROTO opcode).</summary>
    public static int Protocol(byte[] pickle, List<Op> ops) =>
        ops.Count > 0 && ops[0].Code == Proto ? pickle[ops[0].ArgumentStart] : 0;

    /// <summary>The same pickle with Python 2's byte strings (STRING, BINSTRING, SHORT_BINSTRING) written
    /// as bytes (BINBYTES, SHORT_BINBYTES), and without FRAME opcodes. Razorvine's unpickler turns Python 2
    /// strings into .NET strings, one char per byte, so a label could no longer be told from text pickled
    /// as unicode; as bytes it stays what Python 2 wrote, and is decoded as UTF-8 where a label is wanted.
    /// FRAME only announces how many bytes follow, so dropping it loses nothing, and it would be wrong
    /// once a STRING (whose bytes form is shorter) changed length inside a frame.</summary>
    public static byte[] BytesForPython2Strings(byte[] pickle, List<Op> ops)
    {
        using var output = new MemoryStream(pickle.Length);
        foreach (var op in ops)
        {
            switch (op.Code)
            {
                case ShortBinString:
                    output.WriteByte(ShortBinBytes);
                    output.Write(pickle, op.ArgumentStart, op.End - op.ArgumentStart);
                    break;
                case BinString:
                    output.WriteByte(BinBytes);
                    output.Write(pickle, op.ArgumentStart, op.End - op.ArgumentStart);
                    break;
                case String:
                    var bytes = QuotedString(pickle, op);
                    Span<byte> length = stackalloc byte[4];
                    BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
                    output.WriteByte(BinBytes);
                    output.Write(length);
                    output.Write(bytes);
                    break;
                case Frame:
                    break;
                default:
                    output.Write(pickle, op.Start, op.End - op.Start);
                    break;
            }
        }
        return output.ToArray();
    }

    /// <summary>The bytes of a protocol-0 STRING argument: Python 2's <c>repr</c> of a str, in single or
    /// double quotes, with backslash escapes (<c>\x41</c>, <c>\n</c>, <c>\\</c>, <c>\'</c> and octal).</summary>
    static byte[] QuotedString(byte[] pickle, Op op)
    {
        var text = pickle.AsSpan(op.ArgumentStart, op.End - 1 - op.ArgumentStart);
        if (text.Length < 2 || text[0] != text[^1] || (text[0] != '\'' && text[0] != '"'))
            throw new InvalidDataException($"the STRING opcode at offset {op.Start} has no quoted string");
        text = text[1..^1];
        var bytes = new List<byte>(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\' || i + 1 == text.Length) { bytes.Add(text[i]); continue; }
            var c = (char)text[++i];
            switch (c)
            {
                case 'n': bytes.Add((byte)'\n'); break;
                case 't': bytes.Add((byte)'\t'); break;
                case 'r': bytes.Add((byte)'\r'); break;
                case 'x' when i + 2 < text.Length:
                    bytes.Add(Convert.ToByte(System.Text.Encoding.ASCII.GetString(text.Slice(i + 1, 2)), 16));
                    i += 2;
                    break;
                case >= '0' and <= '7':
                    int value = 0, digits = 0;
                    while (digits < 3 && i < text.Length && text[i] >= '0' && text[i] <= '7') { value = value * 8 + (text[i] - '0'); i++; digits++; }
                    i--;
                    bytes.Add((byte)value);
                    break;
                default: bytes.Add((byte)c); break;
            }
        }
        return bytes.ToArray();
    }
}

using System.Globalization;
using System.Text;
using static TorchSharp.torch;

namespace CommLab.Text;

/// <summary>BERT's uncased WordPiece tokenizer, as Hugging Face's BertTokenizer with
/// do_lower_case=True (the tokenizer of distilbert-base-uncased): basic tokenization (clean the text,
/// isolate CJK ideographs, split on whitespace, lowercase, strip accents, split off punctuation), then
/// greedy longest-match-first WordPiece with "##" continuation pieces.</summary>
/// <remarks>Written from the behaviour of transformers' tokenization_bert.py (BasicTokenizer,
/// WordpieceTokenizer). Characters are taken as Unicode code points (runes), as Python's strings are,
/// so a character outside the Basic Multilingual Plane counts once. Two differences remain, neither
/// met in Banking77's English sentences: special-token strings typed in the text ("[SEP]") are
/// tokenized as text (Hugging Face maps them to the special ids), and lowercasing is .NET's invariant
/// per-character mapping (Python lowercases a final capital sigma to 'ς', .NET to 'σ').</remarks>
public sealed class WordPieceTokenizer
{
    /// <summary>Words longer than this many characters become [UNK] (BertTokenizer's max_input_chars_per_word).</summary>
    public const int MaxWordCharacters = 100;

    /// <summary>The special tokens encoding needs: padding, unknown word, sentence start and end.</summary>
    public const string Pad = "[PAD]", Unknown = "[UNK]", Cls = "[CLS]", Sep = "[SEP]";

    readonly string[] vocabulary;
    readonly Dictionary<string, int> ids;

    /// <summary>A tokenizer over <paramref name="vocabulary"/>, the id of each token being its index.</summary>
    /// <exception cref="InvalidDataException">A token appears twice, or a special token ([PAD], [UNK],
    /// [CLS], [SEP]) is missing; the message names them.</exception>
    public WordPieceTokenizer(IReadOnlyList<string> vocabulary) : this(vocabulary, "the vocabulary") { }

    WordPieceTokenizer(IReadOnlyList<string> vocabulary, string source)
    {
        this.vocabulary = vocabulary.ToArray();
        ids = new Dictionary<string, int>(this.vocabulary.Length, StringComparer.Ordinal);
        for (int i = 0; i < this.vocabulary.Length; i++)
            // Hugging Face would silently keep the last id of a repeated token; a repeat means a damaged file.
            if (!ids.TryAdd(this.vocabulary[i], i))
                throw new InvalidDataException(
                    $"{source}: token \"{this.vocabulary[i]}\" appears on lines {ids[this.vocabulary[i]] + 1} and {i + 1}; every token must appear once (its id is its line index)");
        var missing = new[] { Pad, Unknown, Cls, Sep }.Where(t => !ids.ContainsKey(t)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException(
                $"{source}: the special tokens {string.Join(", ", missing)} are missing ({this.vocabulary.Length} tokens read); " +
                "a BERT vocabulary has one token per line including [PAD], [UNK], [CLS] and [SEP], as vocab.txt of https://huggingface.co/distilbert-base-uncased does");
        PadId = ids[Pad];
        UnknownId = ids[Unknown];
        ClsId = ids[Cls];
        SepId = ids[Sep];
    }

    /// <summary>Reads a vocab.txt: one token per line, the id of a token being its 0-based line index
    /// (lines end with \n, \r\n or \r, as Python's text mode reads them).</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">As the constructor; the message names the file.</exception>
    public static WordPieceTokenizer Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"vocabulary file not found: {path} (BERT's vocab.txt, one token per line; distilbert-base-uncased's is at https://huggingface.co/distilbert-base-uncased)", path);
        return new WordPieceTokenizer(File.ReadLines(path, Encoding.UTF8).ToList(), path);
    }

    /// <summary>Writes <paramref name="vocabulary"/> as a vocab.txt (UTF-8 without BOM, one token per line).</summary>
    public static void Save(string path, IEnumerable<string> vocabulary) =>
        Files.AtomicFile.Write(path, stream =>
        {
            using var w = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true) { NewLine = "\n" };
            foreach (var token in vocabulary) w.WriteLine(token);
        });

    /// <summary>The tokens, in id order.</summary>
    public IReadOnlyList<string> Vocabulary => vocabulary;

    /// <summary>Id of [PAD], used to fill batches.</summary>
    public int PadId { get; }

    /// <summary>Id of [UNK], given to words the vocabulary cannot spell.</summary>
    public int UnknownId { get; }

    /// <summary>Id of [CLS], the first token of every encoding.</summary>
    public int ClsId { get; }

    /// <summary>Id of [SEP], the last token of every encoding.</summary>
    public int SepId { get; }

    /// <summary>The word pieces of <paramref name="text"/>, without [CLS] and [SEP].</summary>
    public List<string> Tokenize(string text)
    {
        var pieces = new List<string>();
        foreach (var word in BasicTokens(text)) AddWordPieces(word, pieces);
        return pieces;
    }

    /// <summary>The ids of <paramref name="text"/>: [CLS], its word pieces, [SEP]; when longer than
    /// <paramref name="maxLength"/>, the pieces are cut so the whole fits, [SEP] kept last (Hugging Face's
    /// truncation=True, max_length=N).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> &lt; 2.</exception>
    public long[] Encode(string text, int maxLength)
    {
        if (maxLength < 2)
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, $"max length must be >= 2 (room for [CLS] and [SEP]), got {maxLength}");
        var pieces = Tokenize(text);
        var kept = Math.Min(pieces.Count, maxLength - 2);
        var encoded = new long[kept + 2];
        encoded[0] = ClsId;
        for (int i = 0; i < kept; i++) encoded[i + 1] = ids[pieces[i]];
        encoded[kept + 1] = SepId;
        return encoded;
    }

    /// <summary>The encodings of <paramref name="texts"/> (each as <see cref="Encode"/>) as one batch:
    /// ids [B, T], padded with [PAD] after each sentence's [SEP], and the attention mask [B, T] (1 for a
    /// token, 0 for padding), both int64 on the CPU; T is the longest encoding.</summary>
    public TokenBatch EncodeBatch(IReadOnlyList<string> texts, int maxLength)
    {
        var encoded = texts.Select(t => Encode(t, maxLength)).ToArray();
        var width = encoded.Length == 0 ? 0 : encoded.Max(e => e.Length);
        var flatIds = new long[encoded.Length * width];
        var flatMask = new long[encoded.Length * width];
        for (int b = 0; b < encoded.Length; b++)
            for (int t = 0; t < width; t++)
            {
                var inside = t < encoded[b].Length;
                flatIds[b * width + t] = inside ? encoded[b][t] : PadId;
                flatMask[b * width + t] = inside ? 1 : 0;
            }
        long[] shape = [encoded.Length, width];
        return new TokenBatch(tensor(flatIds, shape), tensor(flatMask, shape));
    }

    /// <summary>Basic tokenization: the words and punctuation marks of <paramref name="text"/>,
    /// lowercased and without accents, before WordPiece.</summary>
    public static List<string> BasicTokens(string text)
    {
        // Clean (drop NUL, U+FFFD and control characters; any whitespace becomes a space) and put spaces
        // around CJK ideographs, so each becomes a word of its own.
        var cleaned = new StringBuilder(text.Length);
        foreach (var r in text.EnumerateRunes())
        {
            if (r.Value == 0 || r.Value == 0xFFFD || IsControl(r)) continue;
            if (IsWhitespace(r)) cleaned.Append(' ');
            else if (IsCjk(r.Value)) cleaned.Append(' ').Append(r.ToString()).Append(' ');
            else cleaned.Append(r.ToString());
        }

        var tokens = new List<string>();
        foreach (var word in SplitOnWhitespace(cleaned.ToString()))
        {
            var piece = new StringBuilder();
            foreach (var r in StripAccents(word.ToLowerInvariant()).EnumerateRunes())
            {
                if (IsPunctuation(r))
                {
                    if (piece.Length > 0) tokens.Add(piece.ToString());
                    piece.Clear();
                    tokens.Add(r.ToString());
                }
                else piece.Append(r.ToString());
            }
            if (piece.Length > 0) tokens.Add(piece.ToString());
        }
        // Hugging Face splits the result on whitespace once more; kept for parity, though no lowercase
        // or decomposed character we know of is whitespace.
        return tokens.SelectMany(SplitOnWhitespace).ToList();
    }

    /// <summary>Python's str.split(): cleaning has turned every space separator into ' ', but the line
    /// and paragraph separators (U+2028, U+2029) remain, and Python splits on them too.</summary>
    static IEnumerable<string> SplitOnWhitespace(string text)
    {
        int start = 0;
        for (int i = 0; i <= text.Length; i++)
            if (i == text.Length || char.IsWhiteSpace(text[i]))
            {
                if (i > start) yield return text[start..i];
                start = i + 1;
            }
    }

    /// <summary>Greedy longest-match-first: the longest prefix in the vocabulary, then the longest
    /// "##" continuation of the rest, and so on; a word with a part no piece matches is one [UNK].</summary>
    void AddWordPieces(string word, List<string> pieces)
    {
        var chars = word.EnumerateRunes().Select(r => r.ToString()).ToArray();
        if (chars.Length > MaxWordCharacters)
        {
            pieces.Add(Unknown);
            return;
        }
        var found = new List<string>();
        for (int start = 0; start < chars.Length;)
        {
            string? match = null;
            int end = chars.Length;
            for (; end > start; end--)
            {
                var candidate = (start > 0 ? "##" : "") + string.Concat(chars[start..end]);
                if (ids.ContainsKey(candidate))
                {
                    match = candidate;
                    break;
                }
            }
            if (match is null)
            {
                pieces.Add(Unknown);
                return;
            }
            found.Add(match);
            start = end;
        }
        pieces.AddRange(found);
    }

    static string StripAccents(string word)
    {
        var decomposed = word.Normalize(NormalizationForm.FormD);
        var kept = new StringBuilder(decomposed.Length);
        foreach (var r in decomposed.EnumerateRunes())
            if (Rune.GetUnicodeCategory(r) != UnicodeCategory.NonSpacingMark) kept.Append(r.ToString());
        return kept.ToString();
    }

    static bool IsWhitespace(Rune r) =>
        r.Value is ' ' or '\t' or '\n' or '\r' || Rune.GetUnicodeCategory(r) == UnicodeCategory.SpaceSeparator;

    /// <summary>Unicode's "C*" categories, except tab, newline and carriage return, which count as whitespace.</summary>
    static bool IsControl(Rune r) =>
        r.Value is not ('\t' or '\n' or '\r') && Rune.GetUnicodeCategory(r) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;

    /// <summary>All non-alphanumeric ASCII (so "$", "+", "^" and "`" too, though Unicode calls them symbols)
    /// and Unicode's "P*" categories.</summary>
    static bool IsPunctuation(Rune r)
    {
        var c = r.Value;
        if (c is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126) return true;
        return Rune.GetUnicodeCategory(r) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    /// <summary>The CJK Unified Ideographs blocks and their extensions and compatibility blocks, as
    /// BasicTokenizer lists them (Hangul, Hiragana and Katakana are not among them).</summary>
    static bool IsCjk(int c) =>
        c is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF
            or >= 0x2A700 and <= 0x2B73F or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF
            or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}

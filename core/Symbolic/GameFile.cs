using System.Text;
using CommLab.Files;

namespace CommLab.Symbolic;

/// <summary>Reads and writes games as text, one game per line:
/// <code>
/// # any comment line starts with '#'; blank lines are skipped
/// 17 01230123012301230123 33210012302110230012 ...
/// </code>
/// The first field is the target's index among the candidates (0-based); each following field is one
/// candidate, its attribute values in attribute order, one digit per value when every value is below
/// 10, otherwise separated by commas ("12,0,7"). Fields are separated by spaces or tabs. All games of
/// one file must have the same number of candidates and attributes. <see cref="Write"/> adds a comment
/// header with the shape; readers take the value count from it when present (else from the largest
/// value seen + 1, at least 2).</summary>
public static class GameFile
{
    const string ValuesKey = "values=";

    /// <summary>Writes <paramref name="games"/> to <paramref name="path"/> (atomically: a temporary file
    /// renamed over the target, so an interrupted write leaves no half file).</summary>
    public static void Write(string path, SymbolicGames games, string? comment = null) =>
        AtomicFile.Write(path, stream =>
        {
            using var w = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
            Write(w, games, comment);
        });

    /// <summary>Writes the games to <paramref name="writer"/> in the documented format.</summary>
    public static void Write(TextWriter writer, SymbolicGames games, string? comment = null)
    {
        if (comment is not null)
            foreach (var line in comment.Split('\n')) writer.WriteLine($"# {line.TrimEnd()}");
        writer.WriteLine($"# games={games.Count} candidates={games.Candidates} attributes={games.Attributes} {ValuesKey}{games.Values}");
        var digits = games.Values <= 10;
        var line_ = new StringBuilder();
        for (int g = 0; g < games.Count; g++)
        {
            line_.Clear().Append(games.Target(g));
            var objects = games.Game(g);
            for (int c = 0; c < games.Candidates; c++)
            {
                line_.Append(' ');
                var o = objects.Slice(c * games.Attributes, games.Attributes);
                for (int a = 0; a < o.Length; a++)
                {
                    if (!digits && a > 0) line_.Append(',');
                    line_.Append(o[a]);
                }
            }
            writer.WriteLine(line_);
        }
    }

    /// <summary>Reads a games file; a malformed file throws <see cref="InvalidDataException"/> naming the
    /// file, the line and what was expected.</summary>
    public static SymbolicGames Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"games file not found: {path} (write one with `sms generate`, format in docs/combinatorial-communication.md)", path);
        using var reader = new StreamReader(path);
        return Read(reader, path);
    }

    /// <summary>Reads games from <paramref name="reader"/>; <paramref name="source"/> names it in errors.</summary>
    public static SymbolicGames Read(TextReader reader, string source)
    {
        var values = new List<byte>();
        var targets = new List<int>();
        int candidates = -1, attributes = -1, declaredValues = -1, maxValue = 0, lineNo = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            var text = line.Trim();
            if (text.Length == 0) continue;
            if (text[0] == '#')
            {
                var at = text.IndexOf(ValuesKey, StringComparison.Ordinal);
                if (at >= 0)
                {
                    var number = new string(text[(at + ValuesKey.Length)..].TakeWhile(char.IsDigit).ToArray());
                    if (!int.TryParse(number, out declaredValues) || declaredValues < 2 || declaredValues > 255)
                        throw Bad(source, lineNo, $"header declares '{ValuesKey}{number}', expected an integer in 2..255");
                }
                continue;
            }
            var fields = text.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 3)
                throw Bad(source, lineNo, $"expected a target index and at least 2 candidates, got {fields.Length} field(s)");
            if (!int.TryParse(fields[0], out var target))
                throw Bad(source, lineNo, $"target index must be an integer, got '{fields[0]}'");
            var n = fields.Length - 1;
            if (candidates < 0) candidates = n;
            else if (n != candidates)
                throw Bad(source, lineNo, $"game has {n} candidates, expected {candidates} like the first game");
            if (target < 0 || target >= n)
                throw Bad(source, lineNo, $"target index must be in 0..{n - 1} (the candidates), got {target}");
            targets.Add(target);
            for (int c = 1; c <= n; c++)
            {
                var objectValues = ParseObject(fields[c], source, lineNo, c - 1);
                if (attributes < 0)
                {
                    if (objectValues.Count > 64)
                        throw Bad(source, lineNo, $"candidate 0 has {objectValues.Count} attribute values, at most 64 are allowed");
                    attributes = objectValues.Count;
                }
                else if (objectValues.Count != attributes)
                    throw Bad(source, lineNo, $"candidate {c - 1} has {objectValues.Count} attribute values, expected {attributes} like the first game");
                foreach (var v in objectValues)
                {
                    if (declaredValues > 0 && v >= declaredValues)
                        throw Bad(source, lineNo, $"candidate {c - 1} has value {v}, the header allows 0..{declaredValues - 1}");
                    maxValue = Math.Max(maxValue, v);
                    values.Add((byte)v);
                }
            }
        }
        if (targets.Count == 0)
            throw new InvalidDataException($"{source}: no games found (expected one game per line: target index, then the candidates)");
        return new SymbolicGames(candidates, attributes, declaredValues > 0 ? declaredValues : Math.Max(2, maxValue + 1),
            values.ToArray(), targets.ToArray());
    }

    static List<int> ParseObject(string field, string source, int lineNo, int candidate)
    {
        var result = new List<int>();
        if (field.Contains(','))
        {
            foreach (var part in field.Split(','))
            {
                if (!int.TryParse(part, out var v) || v < 0 || v > 254)
                    throw Bad(source, lineNo, $"candidate {candidate}: attribute value must be an integer in 0..254, got '{part}'");
                result.Add(v);
            }
        }
        else
        {
            foreach (var ch in field)
            {
                if (ch < '0' || ch > '9')
                    throw Bad(source, lineNo, $"candidate {candidate}: attribute values must be digits 0-9 (or comma-separated integers), got '{ch}' in '{field}'");
                result.Add(ch - '0');
            }
        }
        return result;
    }

    static InvalidDataException Bad(string source, int line, string message) => new($"{source} line {line}: {message}");
}

using System.Text;
using CommLab.Files;

namespace CommLab.Data;

/// <summary>Banking77 as PolyAI distributes it: <c>train.csv</c> (10,003 rows) and <c>test.csv</c>
/// (3,080 rows) with the header <c>text,category</c>, each row a customer's sentence and one of 77
/// intent names such as <c>card_arrival</c>. Fields follow RFC 4180 (a field in double quotes may hold
/// commas, doubled quotes and newlines); a line that is not quoted and has several commas is split at
/// its last one, since some mirrors write texts with commas unquoted and no intent name has a comma.
/// A row that still cannot be read is reported with its line number, text and reason, never dropped.</summary>
public static class Banking77
{
    /// <summary>The header line both files start with.</summary>
    public const string Header = "text,category";
    /// <summary>Where the real files are published.</summary>
    public const string Source = "https://github.com/PolyAI-LDN/task-specific-datasets (folder banking_data; also on Hugging Face as PolyAI/banking77)";

    /// <summary>One sentence and its intent.</summary>
    public sealed record Row(string Text, string Category);

    /// <summary>A row that could not be read: the line it starts on (the header is line 1), its raw
    /// text (several lines when a quoted field spans them) and why.</summary>
    public sealed record UnreadableRow(int Line, string Raw, string Reason);

    /// <summary>What a file holds: the rows read, in file order, and the rows that could not be.</summary>
    public sealed record Contents(Row[] Rows, UnreadableRow[] Unreadable);

    /// <summary>Reads <paramref name="path"/>. A missing file throws <see cref="FileNotFoundException"/>,
    /// a file without the header <see cref="Header"/> <see cref="InvalidDataException"/>; both messages
    /// name the file, what was expected and where the data is published.</summary>
    public static Contents Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: no such file; expected Banking77's train.csv or test.csv (header '{Header}'), from {Source}", path);
        var text = File.ReadAllText(path, Encoding.UTF8);
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        // A final newline ends the last line; it does not start another.
        if (lines.Count > 1 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        if (lines[0] != Header)
            throw new InvalidDataException($"{path}: line 1 is '{Shorten(lines[0])}'; expected the header '{Header}' of Banking77's CSV files (from {Source})");

        var rows = new List<Row>();
        var unreadable = new List<UnreadableRow>();
        for (int i = 1; i < lines.Count;)
        {
            var (row, reason, next) = ParseRecord(lines, i);
            var raw = string.Join("\n", lines.Skip(i).Take(next - i));
            if (row is not null) rows.Add(row);
            else unreadable.Add(new UnreadableRow(i + 1, raw, reason!));
            i = next;
        }
        return new Contents(rows.ToArray(), unreadable.ToArray());
    }

    /// <summary>The record starting at <c>lines[start]</c>: the row or why there is none, and the index
    /// of the line after it. An unterminated quote ends the record at its own line, so the rows after it
    /// are still read.</summary>
    static (Row?, string?, int) ParseRecord(List<string> lines, int start)
    {
        var line = lines[start];
        if (line.Length == 0) return (null, "blank line", start + 1);
        if (line[0] != '"')
        {
            var comma = line.LastIndexOf(',');
            if (comma < 0) return (null, "no comma: expected text,category", start + 1);
            return Checked(line[..comma], line[(comma + 1)..], start + 1);
        }
        // A quoted text, possibly over several lines.
        var field = new StringBuilder();
        int at = 1, lineIndex = start;
        var current = line;
        while (true)
        {
            if (at >= current.Length)
            {
                if (lineIndex + 1 >= lines.Count) return (null, "a quoted field opened here is never closed", start + 1);
                field.Append('\n');
                current = lines[++lineIndex];
                at = 0;
                continue;
            }
            var c = current[at++];
            if (c != '"') { field.Append(c); continue; }
            if (at < current.Length && current[at] == '"') { field.Append('"'); at++; continue; }
            break;
        }
        var rest = current[at..];
        if (!rest.StartsWith(',')) return (null, $"'{Shorten(rest)}' after the closing quote; expected a comma and the category", lineIndex + 1);
        var category = rest[1..];
        if (category.Length >= 2 && category[0] == '"' && category[^1] == '"')
            category = category[1..^1].Replace("\"\"", "\"");
        else if (category.Contains(',') || category.Contains('"'))
            return (null, $"category '{Shorten(category)}' has a comma or quote; expected text,category", lineIndex + 1);
        return Checked(field.ToString(), category, lineIndex + 1);
    }

    static (Row?, string?, int) Checked(string text, string category, int next) =>
        text.Length == 0 ? (null, "empty text", next)
        : category.Length == 0 ? (null, "empty category", next)
        : (new Row(text, category), null, next);

    static string Shorten(string s) => s.Length > 60 ? s[..60] + "..." : s;

    /// <summary>Writes <paramref name="rows"/> under the header <see cref="Header"/>, quoting a field
    /// that holds a comma, quote or line break (as Python's csv module and pandas do), so that
    /// <see cref="Read"/> gives them back whole. Empty texts and categories, and carriage returns, are refused.</summary>
    public static void Write(string path, IEnumerable<Row> rows)
    {
        var lines = new StringBuilder(Header).Append('\n');
        foreach (var row in rows)
        {
            if (row.Text.Length == 0 || row.Category.Length == 0)
                throw new ArgumentException($"rows need a text and a category, got '{row.Text}','{row.Category}'");
            if (row.Text.Contains('\r') || row.Category.Contains('\r'))
                throw new ArgumentException($"'{Shorten(row.Text)}': carriage returns are not kept (Read takes line breaks as \\n)");
            lines.Append(Quoted(row.Text)).Append(',').Append(Quoted(row.Category)).Append('\n');
        }
        AtomicFile.Write(path, stream => stream.Write(new UTF8Encoding(false).GetBytes(lines.ToString())));
    }

    static string Quoted(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";
}

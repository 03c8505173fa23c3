using System.Globalization;
using System.IO.Compression;
using System.Text;
using CommLab.Files;

namespace CommLab.Metrics;

/// <summary>Interactions on disk: gzipped CSV, readable by this reader and by any CSV tool
/// (<c>pandas.read_csv(path, comment="#")</c>). Two comment lines name the format and the message kind;
/// lists inside a cell are space-separated.</summary>
/// <example><code>
/// # CommLab interactions v1
/// # message: symbols
/// game,target,attributes,message,guess,correct
/// 17,3,0 2 1 3,12 40,3,1
/// </code></example>
public static class InteractionFile
{
    /// <summary>The file name a run folder keeps its interactions under.</summary>
    public const string FileName = "interactions.csv.gz";

    const string Magic = "# CommLab interactions v1";
    const string Header = "game,target,attributes,message,guess,correct";

    /// <summary>Writes <paramref name="interactions"/> to <paramref name="path"/> whole or not at all.</summary>
    public static void Write(string path, Interactions interactions) =>
        AtomicFile.Write(path, stream =>
        {
            using var zip = new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true);
            using var writer = new StreamWriter(zip, new UTF8Encoding(false)) { NewLine = "\n" };
            writer.WriteLine(Magic);
            writer.WriteLine($"# message: {(interactions.Kind == MessageKind.Symbols ? "symbols" : "continuous")}");
            writer.WriteLine(Header);
            var number = interactions.Kind == MessageKind.Symbols ? "0" : "R";
            foreach (var g in interactions.Games)
                writer.WriteLine(string.Join(",",
                    g.Game.ToString(CultureInfo.InvariantCulture),
                    g.Target.ToString(CultureInfo.InvariantCulture),
                    string.Join(" ", g.Attributes.Select(a => a.ToString(CultureInfo.InvariantCulture))),
                    string.Join(" ", g.Message.Select(v => v.ToString(number, CultureInfo.InvariantCulture))),
                    g.Guess.ToString(CultureInfo.InvariantCulture),
                    g.Correct ? "1" : "0"));
        });

    /// <summary>Reads a file written by <see cref="Write"/>. A missing file, or one that is not such a
    /// file, throws <see cref="InvalidDataException"/> (or <see cref="FileNotFoundException"/>) naming
    /// the path, the line and what was expected there.</summary>
    public static Interactions Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: no interactions file (runs save one when their experiment is run with --interactions on)", path);
        using var stream = File.OpenRead(path);
        using var zip = new GZipStream(stream, CompressionMode.Decompress);
        using var reader = new StreamReader(zip, Encoding.UTF8);
        int lineNumber = 0;
        string? Next() { lineNumber++; return reader.ReadLine(); }
        InvalidDataException Bad(string what) => new($"{path}: line {lineNumber}: {what}");

        try
        {
            if (Next() != Magic) throw Bad($"expected '{Magic}' (a file written by CommLab's InteractionFile)");
            var kind = Next() switch
            {
                "# message: symbols" => MessageKind.Symbols,
                "# message: continuous" => MessageKind.Continuous,
                var other => throw Bad($"expected '# message: symbols' or '# message: continuous', got '{other}'"),
            };
            if (Next() != Header) throw Bad($"expected the header '{Header}'");
            var games = new List<Interaction>();
            for (var line = Next(); line is not null; line = Next())
            {
                var cells = line.Split(',');
                if (cells.Length != 6) throw Bad($"expected 6 comma-separated cells ({Header}), got {cells.Length}");
                int Int(int cell, string name) =>
                    int.TryParse(cells[cell], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw Bad($"{name} must be an integer, got '{cells[cell]}'");
                double[] Numbers(int cell, string name) =>
                    cells[cell].Length == 0 ? Array.Empty<double>() : cells[cell].Split(' ').Select(s =>
                        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw Bad($"{name} must be space-separated numbers, got '{s}'")).ToArray();
                var correct = cells[5] switch { "1" => true, "0" => false, var c => throw Bad($"correct must be 0 or 1, got '{c}'") };
                var attributes = Numbers(2, "attributes");
                if (attributes.Any(a => a != Math.Floor(a))) throw Bad($"attributes must be integers, got '{cells[2]}'");
                var message = Numbers(3, "message");
                if (kind == MessageKind.Symbols && message.Any(s => s != Math.Floor(s))) throw Bad($"symbols must be integers, got '{cells[3]}'");
                games.Add(new Interaction(Int(0, "game"), Int(1, "target"), attributes.Select(a => (int)a).ToArray(), message, Int(4, "guess"), correct));
            }
            return new Interactions(kind, games);
        }
        catch (InvalidDataException e) when (e.InnerException is null && !e.Message.StartsWith(path))
        {
            // GZipStream's own complaint (not gzip at all, or cut short).
            throw new InvalidDataException($"{path}: not a gzip file or cut short ({e.Message}); expected {FileName} as a run writes it", e);
        }
    }
}

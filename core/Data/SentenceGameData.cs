namespace CommLab.Data;

/// <summary>One sentence of the sentence games and its intent (a class index).</summary>
/// <param name="Row">Its row in the data file's readable rows (for the interactions file).</param>
public sealed record Sentence(string Text, int Class, int Row);

/// <summary>The sentence games' data (the paper's Section 4.1, Table 1): Banking77's training file,
/// about 10,000 customer sentences in 77 intents, split 80/10/10 by sentence. Exact duplicate texts are
/// kept once (a referential game cannot tell two equal sentences apart); intents are numbered in name
/// order and named for the receiver by their name with spaces for underscores ("card arrival").</summary>
/// <param name="Train">Training sentences.</param>
/// <param name="Validation">Validation sentences.</param>
/// <param name="Test">Test sentences.</param>
/// <param name="Classes">The intents' names as in the file, in class-index order.</param>
/// <param name="Unreadable">Rows of the file that could not be read (reported, never used).</param>
/// <param name="Duplicates">Rows left out because an earlier row had the same text.</param>
public sealed record SentenceGameData(Sentence[] Train, Sentence[] Validation, Sentence[] Test, string[] Classes,
    Banking77.UnreadableRow[] Unreadable, int Duplicates)
{
    /// <summary>Reads <paramref name="path"/> (a Banking77 CSV) and splits its distinct sentences
    /// 80/10/10 in an order shuffled with <paramref name="seed"/>.</summary>
    public static SentenceGameData Load(string path, int seed)
    {
        var contents = Banking77.Read(path);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var rows = contents.Rows.Select((row, index) => (row, index)).Where(r => seen.Add(r.row.Text)).ToArray();
        var classes = rows.Select(r => r.row.Category).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var index = classes.Select((name, i) => (name, i)).ToDictionary(c => c.name, c => c.i, StringComparer.Ordinal);
        var sentences = rows.Select(r => new Sentence(r.row.Text, index[r.row.Category], r.index)).ToArray();
        // Every split needs a sentence after rounding 10% (to even): 3 to 5 sentences are still too few.
        TargetSplit split;
        try { split = TargetSplit.Create(sentences.Length, 0.1, 0.1, seed); }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path} holds {rows.Length} distinct readable sentences, too few for the sentence games' 80/10/10 split: {e.Message}", e);
        }
        Sentence[] Take(int[] ids) => ids.Select(i => sentences[i]).ToArray();
        return new SentenceGameData(Take(split.Train), Take(split.Validation), Take(split.Test), classes,
            contents.Unreadable, contents.Rows.Length - rows.Length);
    }

    /// <summary>How the receiver reads an intent's name: underscores as spaces ("card_arrival" -> "card arrival").</summary>
    public static string ClassText(string name) => name.Replace('_', ' ');
}

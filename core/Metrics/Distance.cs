namespace CommLab.Metrics;

/// <summary>A distance between two objects or two messages, each a flat row of numbers (an object's
/// features, a message's symbols or a continuous message's values).</summary>
public enum Distance
{
    /// <summary>Positions that differ; a position only one row has counts as differing (default for objects).</summary>
    Hamming,
    /// <summary>Levenshtein distance: insertions, deletions and substitutions of symbols (default for messages).</summary>
    Edit,
    /// <summary>Euclidean distance (rows of equal length): for continuous messages and numeric inputs.</summary>
    Euclidean,
    /// <summary>1 - cosine similarity (rows of equal length); 0 between two zero rows, 1 between a zero row and any other.</summary>
    Cosine,
}

/// <summary>The distances of <see cref="Distance"/>.</summary>
public static class Distances
{
    /// <summary>The distance of kind <paramref name="kind"/> between <paramref name="a"/> and <paramref name="b"/>.</summary>
    public static double Between(Distance kind, ReadOnlySpan<double> a, ReadOnlySpan<double> b) => kind switch
    {
        Distance.Hamming => Hamming(a, b),
        Distance.Edit => Edit(a, b),
        Distance.Euclidean => Euclidean(a, b),
        Distance.Cosine => Cosine(a, b),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown distance"),
    };

    /// <summary>Whether the distance needs rows of one length (Euclidean, Cosine).</summary>
    public static bool NeedsEqualLengths(Distance kind) => kind is Distance.Euclidean or Distance.Cosine;

    static double Hamming(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        int common = Math.Min(a.Length, b.Length), differ = Math.Max(a.Length, b.Length) - common;
        for (int i = 0; i < common; i++)
            if (a[i] != b[i]) differ++;
        return differ;
    }

    // Two rows of the dynamic-programming table: the row for a[..i] against every prefix of b.
    static double Edit(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        Span<int> previous = b.Length < 256 ? stackalloc int[b.Length + 1] : new int[b.Length + 1];
        Span<int> current = b.Length < 256 ? stackalloc int[b.Length + 1] : new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitute, Math.Min(previous[j], current[j - 1]) + 1);
            }
            current.CopyTo(previous);
        }
        return previous[b.Length];
    }

    static double Euclidean(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += (a[i] - b[i]) * (a[i] - b[i]);
        return Math.Sqrt(sum);
    }

    static double Cosine(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
        if (na == 0 || nb == 0) return na == nb ? 0 : 1;
        return 1 - dot / Math.Sqrt(na * nb);
    }
}

using static TorchSharp.torch;

namespace CommLab.Metrics;

/// <summary>Topographic similarity (Brighton and Kirby 2006; EGG's TopographicSimilarity): Spearman's
/// correlation between the distances of every pair of objects and the distances of their messages.
/// 1: similar objects get similar messages in the same order; near 0: no such structure.</summary>
public static class TopographicSimilarity
{
    /// <summary>Rows used at most: pairs grow with the square of the rows, and 4000 rows are already
    /// 8 million pairs. Beyond it a seeded sample of rows is used (the result says how many).</summary>
    public const int DefaultMaxRows = 4000;

    /// <summary>The topographic similarity of <paramref name="messages"/> for <paramref name="objects"/>
    /// (row i of each belongs to the same game), with the distances given (Hamming between objects and
    /// edit distance between messages by default, as in EGG). Rows are flat: a multi-dimensional input
    /// is flattened first (<see cref="Rows"/>). Constant distances on either side give 0.</summary>
    /// <param name="objects">Each game's object as a flat row (features, attribute values).</param>
    /// <param name="messages">Each game's message as a flat row (symbols, or a continuous message's values).</param>
    /// <param name="objectDistance">Distance between objects.</param>
    /// <param name="messageDistance">Distance between messages.</param>
    /// <param name="maxRows">At most this many rows, drawn with <paramref name="seed"/> when there are more.</param>
    /// <param name="seed">Seeds the sample of rows.</param>
    public static double Compute(IReadOnlyList<double[]> objects, IReadOnlyList<double[]> messages,
        Distance objectDistance = Distance.Hamming, Distance messageDistance = Distance.Edit,
        int maxRows = DefaultMaxRows, int seed = 0)
    {
        if (objects.Count != messages.Count)
            throw new ArgumentException($"topographic similarity needs one message per object, got {objects.Count} objects and {messages.Count} messages");
        if (objects.Count < 3)
            throw new ArgumentException($"topographic similarity needs at least 3 objects (2 pairs), got {objects.Count}");
        if (maxRows < 3) throw new ArgumentException($"maxRows must be >= 3, got {maxRows}");
        CheckLengths(objects, objectDistance, "objects");
        CheckLengths(messages, messageDistance, "messages");

        var rows = Enumerable.Range(0, objects.Count).ToArray();
        if (rows.Length > maxRows)
        {
            new Random(seed).Shuffle(rows);
            rows = rows[..maxRows];
        }
        long pairs = (long)rows.Length * (rows.Length - 1) / 2;
        var objectDistances = new double[pairs];
        var messageDistances = new double[pairs];
        long k = 0;
        for (int i = 0; i < rows.Length; i++)
            for (int j = i + 1; j < rows.Length; j++, k++)
            {
                objectDistances[k] = Distances.Between(objectDistance, objects[rows[i]], objects[rows[j]]);
                messageDistances[k] = Distances.Between(messageDistance, messages[rows[i]], messages[rows[j]]);
            }
        return RankCorrelation.Spearman(objectDistances, messageDistances);
    }

    /// <summary>The rows of a tensor [N, ...] flattened to N rows of numbers, so inputs of any shape
    /// (one-hot [N, A, V], images [N, C, H, W]) are compared row by row.</summary>
    public static double[][] Rows(Tensor values)
    {
        if (values.dim() < 1) throw new ArgumentException("rows need a tensor with a first (row) dimension, got a scalar");
        long n = values.shape[0];
        using var flat = values.detach().reshape(n, -1).to(ScalarType.Float64).cpu();
        var all = flat.data<double>().ToArray();
        int width = (int)flat.shape[1];
        return Enumerable.Range(0, (int)n).Select(i => all.AsSpan(i * width, width).ToArray()).ToArray();
    }

    static void CheckLengths(IReadOnlyList<double[]> rows, Distance distance, string what)
    {
        if (!Distances.NeedsEqualLengths(distance)) return;
        var lengths = rows.Select(r => r.Length).Distinct().Take(2).ToArray();
        if (lengths.Length > 1)
            throw new ArgumentException($"{distance} distance needs {what} of one length, got lengths {lengths[0]} and {lengths[1]}; use Hamming or Edit for sequences of different lengths");
    }
}

namespace CommLab.Metrics;

/// <summary>What a language looks like over a set of games: EGG's usual measures of its messages.</summary>
/// <param name="TopographicSimilarity">Spearman correlation of object distances (Hamming over attributes)
/// and message distances (edit distance over symbols; Euclidean for continuous messages).</param>
/// <param name="Entropy">Entropy of the whole messages, bits; null for continuous messages.</param>
/// <param name="PositionalDisentanglement">posdis; null for continuous messages (it needs symbols).</param>
/// <param name="BagOfSymbolsDisentanglement">bosdis; null for continuous messages.</param>
public sealed record LanguageMeasures(
    double TopographicSimilarity,
    double? Entropy,
    double? PositionalDisentanglement,
    double? BagOfSymbolsDisentanglement);

/// <summary>The <see cref="LanguageMeasures"/> of messages sent for objects described by attributes.</summary>
public static class LanguageAnalysis
{
    /// <summary>Measures of symbolic messages (GS words, QT levels, Lewis-game symbols).</summary>
    /// <param name="attributes">Each object's attribute values.</param>
    /// <param name="messages">Each object's message symbols, without EOS.</param>
    /// <param name="objectDistance">Distance between objects' attribute rows (topsim).</param>
    /// <param name="messageDistance">Distance between messages (topsim).</param>
    /// <param name="maxRows">Topographic similarity over at most this many games (a seeded sample).</param>
    public static LanguageMeasures OfSymbols(IReadOnlyList<int[]> attributes, IReadOnlyList<int[]> messages,
        Distance objectDistance = Distance.Hamming, Distance messageDistance = Distance.Edit, int maxRows = TopographicSimilarity.DefaultMaxRows)
    {
        var topsim = TopographicSimilarity.Compute(AsRows(attributes), messages.Select(m => m.Select(s => (double)s).ToArray()).ToArray(),
            objectDistance, messageDistance, maxRows);
        return new LanguageMeasures(topsim, MessageEntropy.Compute(messages),
            Disentanglement.Positional(attributes, messages), Disentanglement.BagOfSymbols(attributes, messages));
    }

    /// <summary>Measures of continuous messages (CN): only the topographic similarity, with Euclidean
    /// distances between message vectors by default. Entropy and disentanglement count symbols, which
    /// a continuous message does not have; discretizing it would measure a language nobody sent.</summary>
    public static LanguageMeasures OfContinuous(IReadOnlyList<int[]> attributes, IReadOnlyList<double[]> messages,
        Distance objectDistance = Distance.Hamming, Distance messageDistance = Distance.Euclidean, int maxRows = TopographicSimilarity.DefaultMaxRows) =>
        new(TopographicSimilarity.Compute(AsRows(attributes), messages, objectDistance, messageDistance, maxRows), null, null, null);

    static double[][] AsRows(IReadOnlyList<int[]> attributes) => attributes.Select(a => a.Select(v => (double)v).ToArray()).ToArray();
}

namespace CommLab.Metrics;

/// <summary>Entropy, in bits, of the distribution of whole messages over a set of games (EGG's
/// message entropy): 0 when one message is sent for everything, log2(n) when n games get n distinct messages.</summary>
public static class MessageEntropy
{
    /// <summary>The entropy of the empirical distribution of <paramref name="messages"/>, each compared as a whole.</summary>
    public static double Compute(IEnumerable<int[]> messages) =>
        Information.Entropy(messages.Select(m => string.Join(",", m)).ToArray());
}

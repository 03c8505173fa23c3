namespace CommLab.Data;

/// <summary>Object indices split by target into train/validation/test. Candidates are shared across
/// splits (the paper's Object game): only the targets are disjoint.</summary>
public sealed record TargetSplit(int[] Train, int[] Validation, int[] Test)
{
    /// <summary>Shuffles 0..count-1 with <paramref name="seed"/> and cuts it by the given fractions
    /// (validation and test; train gets the rest). The paper uses 0.1 and 0.1.</summary>
    public static TargetSplit Create(int count, double validation, double test, int seed)
    {
        if (validation < 0 || test < 0 || validation + test >= 1)
            throw new ArgumentException($"validation and test fractions must be >= 0 and sum below 1, got {validation} and {test}");
        var order = Enumerable.Range(0, count).ToArray();
        new Random(seed).Shuffle(order);
        int nVal = (int)Math.Round(count * validation), nTest = (int)Math.Round(count * test);
        return new TargetSplit(order[(nVal + nTest)..], order[..nVal], order[nVal..(nVal + nTest)]);
    }
}

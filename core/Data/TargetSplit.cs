namespace CommLab.Data;

/// <summary>Object indices split by target into train/validation/test. Candidates are shared across
/// splits (the paper's Object game): only the targets are disjoint.</summary>
public sealed record TargetSplit(int[] Train, int[] Validation, int[] Test)
{
    /// <summary>Sizes of the three parts for <paramref name="count"/> objects; each must be at least 1.</summary>
    public static (int Train, int Validation, int Test) Sizes(int count, double validation, double test)
    {
        if (validation < 0 || test < 0 || validation + test >= 1)
            throw new ArgumentException($"validation and test fractions must be >= 0 and sum below 1, got {validation} and {test}");
        int nVal = (int)Math.Round(count * validation), nTest = (int)Math.Round(count * test);
        int nTrain = count - nVal - nTest;
        if (nTrain < 1 || nVal < 1 || nTest < 1)
            throw new ArgumentException(
                $"{count} objects are too few to split into train/validation/test ({nTrain}/{nVal}/{nTest}): every part needs at least one target");
        return (nTrain, nVal, nTest);
    }

    /// <summary>Shuffles 0..count-1 with <paramref name="seed"/> and cuts it by the given fractions
    /// (validation and test; train gets the rest). The paper uses 0.1 and 0.1.</summary>
    public static TargetSplit Create(int count, double validation, double test, int seed)
    {
        var (_, nVal, nTest) = Sizes(count, validation, test);
        var order = Enumerable.Range(0, count).ToArray();
        new Random(seed).Shuffle(order);
        return new TargetSplit(order[(nVal + nTest)..], order[..nVal], order[nVal..(nVal + nTest)]);
    }
}

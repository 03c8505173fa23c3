namespace CommLab.Metrics;

/// <summary>Entropy and mutual information of empirical (counted) distributions, in bits.</summary>
public static class Information
{
    /// <summary>H(X) of the values observed.</summary>
    public static double Entropy<T>(IReadOnlyList<T> values) where T : notnull
    {
        if (values.Count == 0) return 0;
        double n = values.Count, h = 0;
        foreach (var count in values.GroupBy(v => v).Select(g => g.Count()))
        {
            double p = count / n;
            h -= p * Math.Log2(p);
        }
        return h;
    }

    /// <summary>I(X; Y) = H(X) + H(Y) - H(X, Y) of paired observations; never below 0 (rounding).</summary>
    public static double MutualInformation<TX, TY>(IReadOnlyList<TX> x, IReadOnlyList<TY> y) where TX : notnull where TY : notnull
    {
        if (x.Count != y.Count) throw new ArgumentException($"mutual information needs paired observations, got {x.Count} and {y.Count}");
        var joint = x.Zip(y, (a, b) => (a, b)).ToArray();
        return Math.Max(0, Entropy(x) + Entropy(y) - Entropy(joint));
    }
}

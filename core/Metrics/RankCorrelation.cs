namespace CommLab.Metrics;

/// <summary>Spearman's rank correlation: the Pearson correlation of the ranks, ties given their mean rank.</summary>
public static class RankCorrelation
{
    /// <summary>Spearman's rho of <paramref name="x"/> and <paramref name="y"/> (same length, at least 2).</summary>
    /// <remarks>When either side is constant no monotone relation can be measured and the result is 0,
    /// not NaN: a language that sends one message for everything has no topographic similarity, and a
    /// NaN would poison every mean over seeds it entered.</remarks>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"Spearman needs two samples of one length, got {x.Count} and {y.Count}");
        if (x.Count < 2) throw new ArgumentException($"Spearman needs at least 2 pairs, got {x.Count}");
        return Pearson(Ranks(x), Ranks(y));
    }

    /// <summary>Ranks 1..n, ties given the mean of the ranks they span.</summary>
    public static double[] Ranks(IReadOnlyList<double> values)
    {
        if (values.Any(double.IsNaN)) throw new ArgumentException("ranks of NaN are undefined");
        var order = Enumerable.Range(0, values.Count).ToArray();
        Array.Sort(order, (i, j) => values[i].CompareTo(values[j]));
        var ranks = new double[values.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]]) end++;
            double mean = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) ranks[order[k]] = mean;
            start = end + 1;
        }
        return ranks;
    }

    static double Pearson(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? 0 : sxy / Math.Sqrt(sxx * syy);
    }
}

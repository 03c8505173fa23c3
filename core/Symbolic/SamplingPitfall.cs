using CommLab.Rng;

namespace CommLab.Symbolic;

/// <summary>The sampling pitfall of Zhang section 3.1: with n images drawn uniformly (with replacement)
/// over |V| classes, how likely is it that some class appears at least m times, i.e. that a game
/// needs more than one symbol at all.</summary>
public static class SamplingPitfall
{
    /// <summary>Eq. 1: P(X >= m) = sum_{k=m}^{n} C(n,k) (1/|V|)^k (1 - 1/|V|)^{n-k}, the probability that
    /// one given class appears at least m times among n draws. Summed in log space, so n in the
    /// thousands does not overflow.</summary>
    public static double AtLeast(int n, int classes, int m)
    {
        Check(n, classes, m);
        if (m == 0) return 1.0;
        var p = 1.0 / classes;
        double sum = 0;
        for (int k = m; k <= n; k++)
            sum += Math.Exp(LogChoose(n, k) + k * Math.Log(p) + (n - k) * double.LogP1(-p));
        return Math.Min(1.0, sum);
    }

    /// <summary>Eq. 2: P(exists X >= m) = 1 - (1 - P(X >= m))^|V|, the paper's estimate that some class
    /// appears at least m times. It treats the classes as independent, which they are not (their
    /// counts sum to n); <see cref="Simulate"/> gives the exact value to compare.</summary>
    public static double AnyAtLeast(int n, int classes, int m) =>
        1.0 - Math.Pow(1.0 - AtLeast(n, classes, m), classes);

    /// <summary>Monte-Carlo estimate of the true probability that some class appears at least m times
    /// among n uniform draws over <paramref name="classes"/> classes.</summary>
    public static double Simulate(int n, int classes, int m, int trials, ulong seed)
    {
        Check(n, classes, m);
        if (trials < 1) throw new ArgumentOutOfRangeException(nameof(trials), $"trials must be >= 1, got {trials}");
        var rng = new Xoshiro256(seed);
        var counts = new Dictionary<int, int>();
        int hits = 0;
        for (int t = 0; t < trials; t++)
        {
            counts.Clear();
            for (int i = 0; i < n; i++)
            {
                var c = rng.NextInt(classes);
                counts[c] = counts.GetValueOrDefault(c) + 1;
                if (counts[c] >= m) { hits++; break; }
            }
        }
        return (double)hits / trials;
    }

    static double LogChoose(int n, int k)
    {
        double s = 0;
        for (int i = 1; i <= k; i++) s += Math.Log(n - k + i) - Math.Log(i);
        return s;
    }

    static void Check(int n, int classes, int m)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), $"n (images per game) must be >= 1, got {n}");
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), $"classes (|V|) must be >= 1, got {classes}");
        if (m < 0 || m > n) throw new ArgumentOutOfRangeException(nameof(m), $"m must be in 0..{n} (n), got {m}");
    }
}

/// Student-t inference over seeds: the 95% confidence interval of a mean, and Welch's two-sided test
/// of two means with unequal variances (the "heteroscedastic, two-sided t-test" of Table 1 in
/// "Revisiting the Gumbel-Softmax in MADDPG").
module CommLab.Dsl.Statistics.TTest

open CommLab.Dsl
open MathNet.Numerics.Distributions

/// Half-width of the 95% confidence interval of the mean of independent `values` (one per seed):
/// t(0.975, n - 1) s / sqrt n, with s the sample standard deviation. Needs at least 2 finite values.
let halfWidth95 (values: float list) : float =
    Sample.check "values" 2 values
    let c = Summary.cell values
    StudentT.InvCDF(0.0, 1.0, float (c.N - 1), 0.975) * c.Std / sqrt (float c.N)

/// Welch's t-test of two samples.
type Welch =
    { /// (mean a - mean b) / sqrt(s_a^2 / n_a + s_b^2 / n_b).
      T: float
      /// Welch-Satterthwaite degrees of freedom; NaN when both samples are constant (no variance to weigh).
      Df: float
      /// Two-sided p-value: the probability of a |t| at least this large if the means were equal.
      P: float }

/// Welch's two-sided t-test of mean a = mean b. Each sample needs at least 2 finite values. When both
/// are constant the test has no spread to scale by: equal values give t = 0 and p = 1, different ones
/// t = +-infinity and p = 0 (any difference is certain).
let welch (a: float list) (b: float list) : Welch =
    Sample.check "a" 2 a
    Sample.check "b" 2 b
    let ca, cb = Summary.cell a, Summary.cell b
    let constant (xs: float list) = xs |> List.forall ((=) xs.Head)
    // Compared by value, not by mean: the mean of three 0.1s is not exactly the mean of two.
    if constant a && constant b then
        if a.Head = b.Head then { T = 0.0; Df = nan; P = 1.0 }
        else { T = float (compare a.Head b.Head) * infinity; Df = nan; P = 0.0 }
    else
        let va, vb = ca.Std ** 2.0 / float ca.N, cb.Std ** 2.0 / float cb.N
        let df = (va + vb) ** 2.0 / (va ** 2.0 / float (ca.N - 1) + vb ** 2.0 / float (cb.N - 1))
        let t = (ca.Mean - cb.Mean) / sqrt (va + vb)
        // CDF at -|t| rather than 1 - CDF at |t|: no cancellation for tiny p-values.
        { T = t; Df = df; P = 2.0 * StudentT.CDF(0.0, 1.0, df, -abs t) }

/// Whether Welch's two-sided test tells the means of `a` and `b` apart at 5% significance (p < 0.05).
let distinguishable (a: float list) (b: float list) : bool = (welch a b).P < 0.05

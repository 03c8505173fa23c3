using static TorchSharp.torch;

namespace CommLab.Marl;

/// <summary>Per-agent reward standardisation as the authors' MADDPG does it: the running mean and variance
/// of every reward sampled so far, updated from each sampled batch, then r' = (r - mean) / sqrt(var).</summary>
/// <remarks>
/// <para>Batches are merged by Chan et al.'s parallel update of (count, mean, M2), M2 the sum of squared
/// deviations, in float64, so the statistics equal the mean and population variance of every value seen
/// (to rounding), whatever the batch sizes. The variance is M2 / count.</para>
/// <para>The authors' RunningMeanStd differs in two small ways: it starts from a pseudo-count of 1e-4 at mean
/// 0 and variance 1 (forgotten after the first batch), and merges each batch's unbiased variance, which
/// makes its variance B / (B - 1) too large (0.2% at batch 512). Both are left out.</para>
/// <para>A variance below <see cref="VarianceFloor"/> is replaced by it. That happens when every reward seen
/// is the same (in LBF, all 0 during the first episodes): each reward then equals the mean, and is
/// standardised to 0 instead of 0 / 0.</para>
/// </remarks>
public sealed class RewardStandardizer
{
    /// <summary>The least variance divided by (1e-8: a standard deviation of 1e-4).</summary>
    public const double VarianceFloor = 1e-8;

    readonly double[] mean;
    readonly double[] squaredDeviations;

    /// <param name="agents">N: rewards come as [B, N].</param>
    public RewardStandardizer(int agents)
    {
        if (agents < 1) throw new ArgumentException($"agents must be >= 1, got {agents}");
        mean = new double[agents];
        squaredDeviations = new double[agents];
    }

    /// <summary>N.</summary>
    public int Agents => mean.Length;

    /// <summary>Rewards seen per agent.</summary>
    public long Count { get; private set; }

    /// <summary>Each agent's mean reward so far.</summary>
    public IReadOnlyList<double> Mean => mean;

    /// <summary>Each agent's population variance so far (0 before any update).</summary>
    public double[] Variance => squaredDeviations.Select(m2 => Count == 0 ? 0 : m2 / Count).ToArray();

    /// <summary>Merges a batch of rewards [B, N] (any dtype, any device) into the statistics.</summary>
    public void Update(Tensor rewards)
    {
        CheckShape(rewards);
        using var scope = NewDisposeScope();
        var r = rewards.detach().to(ScalarType.Float64, CPU);
        var batchMean = r.mean(new long[] { 0 });
        var batchMeans = batchMean.data<double>().ToArray();
        // A named dim: a bare sum(0) binds to sum(ScalarType), 0 converting to the enum (a byte sum).
        var batchM2 = (r - batchMean).square().sum(dim: 0).data<double>().ToArray();
        var nb = (double)rewards.shape[0];
        var na = (double)Count;
        var n = na + nb;
        for (int i = 0; i < Agents; i++)
        {
            var delta = batchMeans[i] - mean[i];
            mean[i] += delta * nb / n;
            squaredDeviations[i] += batchM2[i] + delta * delta * na * nb / n;
        }
        Count += rewards.shape[0];
    }

    /// <summary>(r - mean) / sqrt(max(var, <see cref="VarianceFloor"/>)) per agent for rewards [B, N], in
    /// their dtype and on their device. Refused before the first <see cref="Update"/>.</summary>
    public Tensor Standardize(Tensor rewards)
    {
        CheckShape(rewards);
        if (Count == 0) throw new InvalidOperationException("no rewards seen yet: call Update (the authors update with each batch before standardising it)");
        using var scope = NewDisposeScope();
        var m = tensor(mean, device: rewards.device);
        var s = tensor(Variance.Select(v => Math.Sqrt(Math.Max(v, VarianceFloor))).ToArray(), device: rewards.device);
        return ((rewards.to(ScalarType.Float64) - m) / s).to(rewards.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>What the authors do with each sampled batch: <see cref="Update"/>, then <see cref="Standardize"/>.</summary>
    public Tensor UpdateAndStandardize(Tensor rewards)
    {
        Update(rewards);
        return Standardize(rewards);
    }

    /// <summary>The statistics, for a checkpoint.</summary>
    public RewardStandardizerState State() => new(Count, mean.ToArray(), squaredDeviations.ToArray());

    /// <summary>Continues from <paramref name="state"/> (of the same number of agents).</summary>
    public void Restore(RewardStandardizerState state)
    {
        if (state.Mean.Length != Agents || state.SquaredDeviations.Length != Agents || state.Count < 0)
            throw new ArgumentException($"state has {state.Mean.Length} means, {state.SquaredDeviations.Length} M2 and count {state.Count}; " +
                $"this standardizer has {Agents} agents");
        state.Mean.CopyTo(mean, 0);
        state.SquaredDeviations.CopyTo(squaredDeviations, 0);
        Count = state.Count;
    }

    void CheckShape(Tensor rewards)
    {
        if (rewards.dim() != 2 || rewards.shape[1] != Agents || rewards.shape[0] < 1)
            throw new ArgumentException($"rewards must be [B, {Agents}] with B >= 1, got [{string.Join(", ", rewards.shape)}]");
    }
}

/// <summary>A checkpoint of a <see cref="RewardStandardizer"/>.</summary>
/// <param name="Count">Rewards seen per agent.</param>
/// <param name="Mean">Each agent's mean.</param>
/// <param name="SquaredDeviations">Each agent's M2, the sum of squared deviations from its mean.</param>
public sealed record RewardStandardizerState(long Count, double[] Mean, double[] SquaredDeviations);

using static TorchSharp.torch;

namespace CommLab.Metrics;

/// <summary>Accuracy against a growing number of candidates (the paper's Figure 3 / Table 5): for each
/// target, k-1 distractors are drawn uniformly without replacement from all other objects and the
/// target is always one of the k candidates.</summary>
public static class CandidateAccuracy
{
    /// <summary>Accuracy for each candidate count in <paramref name="counts"/>.</summary>
    /// <param name="scores">Receiver scores of every object for each evaluated target, [T, N].</param>
    /// <param name="targets">Object index of each target, [T] (int64).</param>
    /// <param name="counts">Candidate counts (2..N); N means every object is a candidate.</param>
    /// <param name="generator">Draws the distractors, so evaluation is reproducible.</param>
    /// <remarks>A target counts as found only if its score is strictly above every distractor's: a tie
    /// is a failure, so a channel that sends the same message for many objects cannot score by luck.</remarks>
    public static double[] Evaluate(Tensor scores, Tensor targets, IReadOnlyList<int> counts, Generator? generator)
    {
        using var _ = NewDisposeScope();
        using var __ = no_grad();
        long n = scores.shape[1];
        var column = targets.unsqueeze(1);
        var targetScore = scores.gather(1, column);
        var result = new double[counts.Count];
        for (int i = 0; i < counts.Count; i++)
        {
            int k = counts[i];
            if (k < 2 || k > n) throw new ArgumentException($"candidate count must be in 2..{n}, got {k}");
            Tensor distractorScores;
            if (k == n)
                distractorScores = scores.scatter(1, column, full_like(targetScore, double.NegativeInfinity));
            else
            {
                // Random keys with the target's key below every other: the top k-1 keys are k-1
                // distractors drawn uniformly without replacement.
                var keys = rand(scores.shape, dtype: scores.dtype, generator: generator, device: scores.device).scatter_(1, column, full_like(targetScore, -1.0));
                distractorScores = scores.gather(1, keys.topk(k - 1, dim: 1).indexes);
            }
            var found = targetScore.squeeze(1) > distractorScores.amax(new long[] { 1 });
            result[i] = found.to(ScalarType.Float64).mean().item<double>();
        }
        return result;
    }
}

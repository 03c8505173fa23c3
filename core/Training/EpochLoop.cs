using System.Diagnostics;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CommLab.Training;

/// <summary>How the loop runs the epochs of one training run.</summary>
/// <param name="Epochs">The most epochs to train.</param>
/// <param name="Seed">Seeds the batch order.</param>
/// <param name="Patience">Stop after this many epochs without a better validation score; null trains every epoch.</param>
/// <param name="RestoreBest">Keep a copy of the model at its best epoch and put it back at the end
/// (the Object game reports its test accuracy there); otherwise the model stays as the last epoch left it.</param>
/// <param name="Checkpoint">Save the final model there (TorchSharp's module format), at the point it
/// was evaluated (x, the average, for Schedule-Free AdamW); null saves nothing.</param>
public sealed record LoopSettings(int Epochs, int Seed, int? Patience = null, bool RestoreBest = false, string? Checkpoint = null);

/// <summary>What the loop did: every epoch's report, the best epoch (0 when none ran) and its score,
/// wall time and training throughput.</summary>
/// <param name="History">One report per epoch trained.</param>
/// <param name="BestEpoch">The first epoch with the highest validation score.</param>
/// <param name="BestScore">Its score.</param>
/// <param name="Seconds">Wall time of the loop, evaluation and checkpoint included.</param>
/// <param name="SamplesPerSecond">Training samples per second of training time (evaluation excluded).</param>
public sealed record LoopOutcome<TEval>(
    EpochReport<TEval>[] History,
    int BestEpoch,
    double BestScore,
    double Seconds,
    double SamplesPerSecond) where TEval : IScored;

/// <summary>The one training loop of every game: epochs of <see cref="TrainingSteps"/>, the game's
/// evaluation after each (the optimizer switched to its evaluation point first), best-epoch selection
/// with patience, an optional checkpoint, progress, cancellation and timing. Games differ only in the
/// hooks they pass: their batch loss, their evaluation and their estimator.</summary>
public static class EpochLoop
{
    /// <summary>Trains to the end (or until patience runs out). <paramref name="evaluate"/> measures the
    /// model on validation data (it sets eval mode and no_grad itself, since it is also called on its
    /// own); <paramref name="progress"/> gets each epoch's report. Throws
    /// <see cref="TrainingDivergedException"/> at the first non-finite training loss or validation score,
    /// and <see cref="OperationCanceledException"/> when <paramref name="cancel"/> fires between epochs.</summary>
    public static LoopOutcome<TEval> Run<TEval>(TrainingSteps steps, LoopSettings settings, Func<TEval> evaluate,
        Action<EpochReport<TEval>>? progress = null, CancellationToken cancel = default) where TEval : IScored
    {
        var order = new Random(settings.Seed);
        var history = new List<EpochReport<TEval>>();
        Dictionary<string, Tensor>? best = null;
        var bestScore = double.NegativeInfinity;
        var bestEpoch = 0;
        var clock = Stopwatch.StartNew();
        double trainSeconds = 0;
        long trainSamples = 0;
        try
        {
            for (int epoch = 1; epoch <= settings.Epochs; epoch++)
            {
                cancel.ThrowIfCancellationRequested();
                var epochClock = Stopwatch.StartNew();
                var loss = steps.Epoch(epoch, order);
                trainSeconds += epochClock.Elapsed.TotalSeconds;
                trainSamples += steps.Samples;

                steps.Optimizer.Eval();
                var validation = evaluate();
                if (!double.IsFinite(validation.Score))
                    throw new TrainingDivergedException(new Divergence("epoch", epoch, "validation accuracy", validation.Score, ""));
                var report = new EpochReport<TEval>(epoch, settings.Epochs, loss, validation);
                history.Add(report);
                progress?.Invoke(report);
                if (validation.Score > bestScore)
                {
                    bestScore = validation.Score;
                    bestEpoch = epoch;
                    if (settings.RestoreBest) Replace(ref best, Snapshot(steps.Model));
                }
                else if (settings.Patience is int patience && epoch - bestEpoch >= patience) break;
            }
            if (best is not null) steps.Model.load_state_dict(best);
            if (settings.Checkpoint is string path)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
                steps.Model.save(path);
            }
            return new LoopOutcome<TEval>(history.ToArray(), bestEpoch, bestScore, clock.Elapsed.TotalSeconds,
                trainSamples / Math.Max(trainSeconds, 1e-9));
        }
        finally
        {
            Replace(ref best, null);
        }
    }

    static Dictionary<string, Tensor> Snapshot(Module model)
    {
        using var scope = NewDisposeScope();
        return model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
    }

    static void Replace(ref Dictionary<string, Tensor>? state, Dictionary<string, Tensor>? next)
    {
        if (state is not null) foreach (var t in state.Values) t.Dispose();
        state = next;
    }
}

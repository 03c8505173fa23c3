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
/// <param name="Resume">Where the loop keeps what it needs to continue after the process ends (null:
/// nowhere): when that file exists the loop continues from it, and it rewrites it after an epoch once
/// <see cref="LoopResume.Every"/> has passed since it last did.</param>
/// <param name="Ceiling">The highest validation score there is (an accuracy's 1), or null. Once an epoch
/// reaches it the loop stops: the best epoch is the first with the highest score, so no later epoch
/// could be picked, and with <paramref name="RestoreBest"/> what the run reports is the same as if it
/// had trained every epoch; only its history is shorter.</param>
public sealed record LoopSettings(int Epochs, int Seed, int? Patience = null, bool RestoreBest = false, string? Checkpoint = null,
    LoopResume? Resume = null, double? Ceiling = null);

/// <summary>A resumable loop's checkpoint: its file, how often it is rewritten, and what identifies the
/// run (a loop refuses a file written by another run).</summary>
/// <param name="Path">The file; written whole or not at all.</param>
/// <param name="Every">Least wall time between two writes (zero: after every epoch but the last).</param>
/// <param name="Identity">The run's description (the trainers use its JSON).</param>
public sealed record LoopResume(string Path, TimeSpan Every, string Identity = "");

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
/// hooks they pass: their batch loss, their evaluation and their estimator.
/// <para>With <see cref="LoopSettings.Resume"/> the loop also survives its process: after an epoch it
/// writes the model, the optimizer, the generators, the estimator's schedule, the epochs' reports, the
/// best epoch (and its weights) and its clocks; started again with that file it continues after that
/// epoch, with the batch order replayed, to the numbers an uninterrupted run would reach.</para></summary>
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
        double earlierSeconds = 0;
        double trainSeconds = 0;
        long trainSamples = 0;
        var first = 1;
        try
        {
            var resume = settings.Resume;
            if (resume is not null && File.Exists(resume.Path))
            {
                var saved = LoopCheckpoint.Load<TEval>(resume, steps);
                history.AddRange(saved.History);
                bestEpoch = saved.BestEpoch;
                bestScore = saved.BestScore;
                best = saved.Best;
                earlierSeconds = saved.Seconds;
                trainSeconds = saved.TrainSeconds;
                trainSamples = saved.TrainSamples;
                first = saved.History.Length + 1;
                // The batch order: one shuffle per epoch done, whose draws depend only on the length.
                var scratch = new int[steps.Samples];
                for (int e = 1; e < first; e++) order.Shuffle(scratch);
            }
            var lastSave = clock.Elapsed;
            for (int epoch = first; epoch <= settings.Epochs; epoch++)
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
                    if (settings.Ceiling is double ceiling && bestScore >= ceiling) break;
                }
                else if (settings.Patience is int patience && epoch - bestEpoch >= patience) break;
                if (resume is not null && epoch < settings.Epochs && clock.Elapsed - lastSave >= resume.Every)
                {
                    LoopCheckpoint.Save(resume, steps, history, bestEpoch, bestScore, best,
                        earlierSeconds + clock.Elapsed.TotalSeconds, trainSeconds, trainSamples);
                    lastSave = clock.Elapsed;
                }
            }
            if (best is not null) steps.Model.load_state_dict(best);
            if (settings.Checkpoint is string path)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
                steps.Model.save(path);
            }
            return new LoopOutcome<TEval>(history.ToArray(), bestEpoch, bestScore, earlierSeconds + clock.Elapsed.TotalSeconds,
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

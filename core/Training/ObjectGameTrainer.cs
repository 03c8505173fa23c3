using System.Diagnostics;
using TorchSharp;
using CommLab.Data;
using CommLab.Devices;
using CommLab.Games;
using CommLab.Metrics;
using CommLab.Optim;
using CommLab.Validation;
using static TorchSharp.torch;

namespace CommLab.Training;

/// <summary>Trains and evaluates one Object game run through the <see cref="EpochLoop"/>: Adam on the
/// game's loss (<see cref="ReferentialGame.Loss"/>), best epoch chosen on validation accuracy, test
/// accuracy reported at that epoch.</summary>
public static class ObjectGameTrainer
{
    /// <summary>Validates the run, trains to the end (or to early stopping) and evaluates on the test
    /// targets. Throws <see cref="TrainingDivergedException"/> if the run diverges.</summary>
    public static ObjectGameResult Train(ObjectGameRun run, Action<EpochReport<ObjectValidation>>? progress = null,
        CancellationToken cancel = default)
    {
        Problems(run).Validate();
        Reproducibility.Ensure();
        var device = DeviceChoice.Resolve(run.Device);
        var world = new ObjectWorld(run.Attributes, run.Values);
        var split = TargetSplit.Create(world.Count, 0.1, 0.1, run.DataSeed);
        var train = run.TrainTargets is int limit ? split.Train[..Math.Min(limit, split.Train.Length)] : split.Train;

        using var features = world.Features(device);
        using var noise = new Generator((ulong)run.Seed, device);
        using var model = Reproducibility.Seeded(run.Seed, () => ReferentialGame.ForObjects((int)features.shape[1], run.Channel, noise));
        model.to(device);
        using var optimizer = new TrainerOptimizer(model.parameters(), OptimizerKind.Adam, new ScheduleFreeOptions(LearningRate: run.LearningRate));
        using var negativeDraws = new Generator((ulong)run.Seed + 7, device);

        var clock = Stopwatch.StartNew();
        var outcome = EpochLoop.Run(
            Steps(model, optimizer, features, train, run, negativeDraws),
            new LoopSettings(run.Epochs, run.Seed, run.Patience, RestoreBest: true),
            () =>
            {
                var (accuracy, messages) = Evaluate(model, features, split.Validation, new[] { run.SelectionCandidates }, run.Seed, device);
                return new ObjectValidation(accuracy[0], messages);
            },
            progress, cancel);
        var (test, testMessages) = Evaluate(model, features, split.Test, run.CandidateCounts, run.Seed + 1, device);
        return new ObjectGameResult(run.CandidateCounts, test, testMessages, split.Test.Length, outcome.BestEpoch, outcome.BestScore,
            outcome.History, clock.Elapsed.TotalSeconds, outcome.SamplesPerSecond);
    }

    /// <summary>The gradient steps over <paramref name="targets"/> (rows of <paramref name="features"/>):
    /// batches of run.BatchSize targets, each scored against run.Negatives negatives drawn from
    /// <paramref name="negativeDraws"/> (or every other object).</summary>
    public static TrainingSteps Steps(ReferentialGame model, TrainerOptimizer optimizer, Tensor features, int[] targets,
        ObjectGameRun run, Generator? negativeDraws) =>
        new(model, optimizer, model.Estimator, targets.Length, run.BatchSize,
            batch => model.Loss(features, Indices(batch.Select(i => targets[i]), features.device), run.Negatives, negativeDraws));

    /// <summary>Accuracy at each candidate count and the number of unique messages, for the given targets,
    /// with discrete messages (evaluation mode). Distractors are drawn from <paramref name="seed"/>.</summary>
    public static (double[] Accuracy, int Messages) Evaluate(ReferentialGame model, Tensor features, int[] targets,
        IReadOnlyList<int> counts, int seed, Device device)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var draws = new Generator((ulong)seed, device);
        var ids = Indices(targets, device);
        var messages = model.Send(features.index_select(0, ids));
        var scores = ReferentialGame.ScoreAll(model.Receive(messages), model.EncodeCandidates(features));
        return (CandidateAccuracy.Evaluate(scores, ids, counts, draws), UniqueMessages.Count(messages));
    }

    /// <summary>Every impossible setting of the run, each naming the field, the bad value and what is
    /// allowed. The one source of these checks: the DSL reports the same list before any training.</summary>
    public static ProblemList Problems(ObjectGameRun run)
    {
        var problems = new ProblemList().AddRange(run.Channel.Problems());
        var n = Math.Pow(run.Values, run.Attributes);
        var world = run.Attributes >= 1 && run.Values >= 2;
        problems
            .AtLeast("attributes", 1, run.Attributes)
            .AtLeast("values", 2, run.Values)
            .Check(!world || n <= 1e7, $"values^attributes must be <= 10^7, got {run.Values}^{run.Attributes}")
            .Positive("learning rate", run.LearningRate)
            .AtLeast("batch size", 1, run.BatchSize)
            .AtLeast("epochs", 1, run.Epochs)
            .AtLeast("patience", 1, run.Patience)
            .Check(run.TrainTargets is not int t || t >= 1, $"train targets must be >= 1, got {run.TrainTargets}")
            .Check(run.CandidateCounts.Length > 0, "candidate counts must list at least one count")
            .Check(DeviceChoice.IsValid(run.Device), $"device must be one of {DeviceChoice.Allowed}, got '{run.Device}'");
        if (world && n <= 1e7)
        {
            try { TargetSplit.Sizes((int)n, 0.1, 0.1); }
            catch (ArgumentException e) { problems.Check(false, e.Message); }
            problems.Check(run.Negatives is not int k || (k >= 1 && k <= n - 1), $"negatives must be in 1..{n - 1} (or all), got {run.Negatives}");
            foreach (var c in run.CandidateCounts.Append(run.SelectionCandidates).Distinct())
                problems.Check(c >= 2 && c <= n, $"candidate counts must be in 2..{n}, got {c}");
        }
        return problems;
    }

    static Tensor Indices(IEnumerable<int> objects, Device device) => tensor(objects.Select(i => (long)i).ToArray(), device: device);
}

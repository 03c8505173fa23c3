using System.Diagnostics;
using System.Text.Json;
using TorchSharp;
using CommLab.Channels;
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
/// accuracy reported at that epoch. A run stops at the first epoch with perfect validation accuracy:
/// nothing after it could be picked (<see cref="LoopSettings.Ceiling"/>).</summary>
public static class ObjectGameTrainer
{
    /// <summary>Validates the run, trains to the end (or to early stopping) and evaluates on the test
    /// targets. With <paramref name="resume"/> the training survives the process: it continues from
    /// that file when it exists and rewrites it between epochs (<see cref="EpochLoop"/>). Throws
    /// <see cref="TrainingDivergedException"/> if the run diverges.</summary>
    public static ObjectGameResult Train(ObjectGameRun run, Action<EpochReport<ObjectValidation>>? progress = null,
        CancellationToken cancel = default, LoopResume? resume = null)
    {
        run.Validate();
        Reproducibility.Ensure();
        var device = DeviceChoice.Resolve(run.Device);
        var world = new ObjectWorld(run.Attributes, run.Values);
        var split = TargetSplit.Create(world.Count, 0.1, 0.1, run.DataSeed);
        var train = run.TrainTargets is int limit ? split.Train[..Math.Min(limit, split.Train.Length)] : split.Train;

        using var features = run.Encoding == ObjectEncoding.OneHot ? world.Features(device) : world.ValueFeatures(device);
        using var noise = new Generator((ulong)run.Seed, device);
        using var model = Reproducibility.Seeded(run.Seed, () => ReferentialGame.ForObjects(world, run.Channel, noise, run.Encoding, run.Activation));
        model.to(device);
        using var optimizer = new TrainerOptimizer(model.parameters(), OptimizerKind.Adam, new ScheduleFreeOptions(LearningRate: run.LearningRate));
        using var negativeDraws = new Generator((ulong)run.Seed + 7, device);

        var clock = Stopwatch.StartNew();
        var outcome = EpochLoop.Run(
            Steps(model, optimizer, features, train, run, negativeDraws) with { Generators = new[] { noise, negativeDraws } },
            new LoopSettings(run.Epochs, run.Seed, run.Patience, RestoreBest: true,
                Resume: resume is null ? null : resume with { Identity = JsonSerializer.Serialize(run) }, Ceiling: 1.0),
            () =>
            {
                var (accuracy, messages) = Evaluate(model, features, split.Validation, new[] { run.SelectionCandidates }, run.Seed, device);
                return new ObjectValidation(accuracy[0], messages);
            },
            progress, cancel);
        var (test, testMessages) = Evaluate(model, features, split.Test, run.CandidateCounts, run.Seed + 1, device);
        var played = Interactions(model, world, features, split.Test, run.Channel, device);
        return new ObjectGameResult(run.CandidateCounts, test, testMessages, split.Test.Length, outcome.BestEpoch, outcome.BestScore,
            outcome.History, clock.Elapsed.TotalSeconds, outcome.SamplesPerSecond, played);
    }

    /// <summary>The gradient steps over <paramref name="targets"/> (rows of <paramref name="features"/>):
    /// batches of run.BatchSize targets, each scored against run.Negatives negatives drawn from
    /// <paramref name="negativeDraws"/> (or every other object). An epoch is one pass over the targets,
    /// or run.GamesPerEpoch games: the targets repeated, in one shuffled order.</summary>
    public static TrainingSteps Steps(ReferentialGame model, TrainerOptimizer optimizer, Tensor features, int[] targets,
        ObjectGameRun run, Generator? negativeDraws) =>
        new(model, optimizer, model.Estimator, run.GamesPerEpoch ?? targets.Length, run.BatchSize,
            batch => model.Loss(features, Indices(batch.Select(i => targets[i % targets.Length]), features.device), run.Negatives, negativeDraws));

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
        var scores = model.ScoreCandidates(model.Receive(messages), features);
        return (CandidateAccuracy.Evaluate(scores, ids, counts, draws), UniqueMessages.Count(messages));
    }

    /// <summary>The games of <paramref name="targets"/> as played now (evaluation mode), every object a
    /// candidate: each target's attributes, its message (<see cref="MessageSymbols"/>), the receiver's
    /// best-scored object, and whether the target scored strictly above every other object (a tie is a
    /// miss, as in <see cref="CandidateAccuracy"/>).</summary>
    public static Interactions Interactions(ReferentialGame model, ObjectWorld world, Tensor features, int[] targets,
        ChannelSpec channel, Device device)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var ids = Indices(targets, device);
        var messages = model.Send(features.index_select(0, ids));
        var scores = model.ScoreCandidates(model.Receive(messages), features);
        var column = ids.unsqueeze(1);
        var others = scores.scatter(1, column, full_like(scores.gather(1, column), double.NegativeInfinity)).amax(new long[] { 1 });
        var correct = (scores.gather(1, column).squeeze(1) > others).cpu().data<bool>().ToArray();
        var guesses = scores.argmax(1).cpu().data<long>().ToArray();
        var (kind, rows) = MessageSymbols.Of(channel, messages);
        var games = targets.Select((t, i) => new Interaction(t, t, world.AttributesOf(t), rows[i], (int)guesses[i], correct[i])).ToArray();
        return new Interactions(kind, games);
    }

    static Tensor Indices(IEnumerable<int> objects, Device device) => tensor(objects.Select(i => (long)i).ToArray(), device: device);
}

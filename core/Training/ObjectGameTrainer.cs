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
    public static ReferentialResult Train(ObjectGameRun run, Action<EpochReport<ReferentialValidation>>? progress = null,
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

        // The splits' tensors (gathered features, labels) end with the run.
        using var scope = NewDisposeScope();
        var trainSplit = Split(world, features, train);
        var settings = new ReferentialSettings(run.Epochs, run.Patience, run.BatchSize, run.Negatives, run.GamesPerEpoch,
            run.CandidateCounts, run.SelectionCandidates, run.Seed);
        return ReferentialTrainer.Train(model, optimizer, run.Channel, trainSplit, Split(world, features, split.Validation),
            Split(world, features, split.Test), settings, negativeDraws, new[] { noise, negativeDraws }, JsonSerializer.Serialize(run),
            progress, cancel, resume);
    }

    /// <summary>The targets <paramref name="targets"/> of the world as a split: the sender reads each
    /// target's features, the receiver picks among every object, and a target's candidate is itself.</summary>
    public static ReferentialSplit Split(ObjectWorld world, Tensor features, int[] targets) =>
        new(features.index_select(0, Indices(targets, features.device)), features, Indices(targets, features.device), targets,
            targets.Select(world.AttributesOf).ToArray());

    /// <summary>The gradient steps over <paramref name="targets"/> (rows of <paramref name="features"/>),
    /// as <see cref="ReferentialTrainer.Steps"/> takes them for the run's settings.</summary>
    public static TrainingSteps Steps(ReferentialGame model, TrainerOptimizer optimizer, Tensor features, int[] targets,
        ObjectGameRun run, Generator? negativeDraws) =>
        ReferentialTrainer.Steps(model, optimizer, Split(new ObjectWorld(run.Attributes, run.Values), features, targets),
            new ReferentialSettings(run.Epochs, run.Patience, run.BatchSize, run.Negatives, run.GamesPerEpoch,
                run.CandidateCounts, run.SelectionCandidates, run.Seed), negativeDraws);

    /// <summary>Accuracy at each candidate count and the number of unique messages for the given targets
    /// (<see cref="ReferentialTrainer.Evaluate"/>), every object a candidate.</summary>
    public static (double[] Accuracy, int Messages) Evaluate(ReferentialGame model, ObjectWorld world, Tensor features, int[] targets,
        IReadOnlyList<int> counts, int seed)
    {
        using var scope = NewDisposeScope();
        return ReferentialTrainer.Evaluate(model, Split(world, features, targets), counts, seed);
    }

    static Tensor Indices(IEnumerable<int> objects, Device device) => tensor(objects.Select(i => (long)i).ToArray(), device: device);
}

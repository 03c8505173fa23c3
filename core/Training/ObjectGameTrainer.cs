using System.Diagnostics;
using TorchSharp;
using CommLab.Data;
using CommLab.Devices;
using CommLab.Games;
using CommLab.Metrics;
using CommLab.Validation;
using static TorchSharp.torch;

namespace CommLab.Training;

/// <summary>Trains and evaluates one Object game run: Adam on the game's loss (<see cref="ReferentialGame.Loss"/>),
/// best epoch chosen on validation accuracy, test accuracy reported at that epoch.</summary>
public static class ObjectGameTrainer
{
    /// <summary>Runs training to the end (or to early stopping) and evaluates on the test targets.</summary>
    public static ObjectGameResult Train(ObjectGameRun run, Action<EpochReport>? progress = null, CancellationToken cancel = default)
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
        using var optimizer = optim.Adam(model.parameters(), run.LearningRate);
        var order = new Random(run.Seed);
        using var negativeDraws = new Generator((ulong)run.Seed + 7, device);

        var history = new List<EpochReport>();
        Dictionary<string, Tensor>? best = null;
        double bestAccuracy = double.NegativeInfinity;
        int bestEpoch = 0;
        var clock = Stopwatch.StartNew();
        double trainSeconds = 0;
        long trainSamples = 0;
        try
        {
            for (int epoch = 1; epoch <= run.Epochs; epoch++)
            {
                cancel.ThrowIfCancellationRequested();
                var epochClock = Stopwatch.StartNew();
                var loss = TrainEpoch(model, optimizer, features, train, run, order, negativeDraws);
                trainSeconds += epochClock.Elapsed.TotalSeconds;
                trainSamples += train.Length;

                var (accuracy, messages) = Evaluate(model, features, split.Validation, new[] { run.SelectionCandidates }, run.Seed, device);
                var report = new EpochReport(epoch, run.Epochs, loss, accuracy[0], messages);
                history.Add(report);
                progress?.Invoke(report);
                if (accuracy[0] > bestAccuracy)
                {
                    bestAccuracy = accuracy[0];
                    bestEpoch = epoch;
                    Replace(ref best, Snapshot(model));
                }
                else if (epoch - bestEpoch >= run.Patience) break;
            }
            model.load_state_dict(best!);
            var (test, testMessages) = Evaluate(model, features, split.Test, run.CandidateCounts, run.Seed + 1, device);
            return new ObjectGameResult(run.CandidateCounts, test, testMessages, split.Test.Length, bestEpoch, bestAccuracy,
                history.ToArray(), clock.Elapsed.TotalSeconds, trainSamples / Math.Max(trainSeconds, 1e-9));
        }
        finally
        {
            Replace(ref best, null);
        }
    }

    /// <summary>One pass over the training targets in a seeded random order; returns the mean loss.</summary>
    public static double TrainEpoch(ReferentialGame model, optim.Optimizer optimizer, Tensor features, int[] targets,
        ObjectGameRun run, Random order, Generator negativeDraws)
    {
        model.train();
        var shuffled = (int[])targets.Clone();
        order.Shuffle(shuffled);
        double total = 0;
        int batches = 0;
        for (int start = 0; start < shuffled.Length; start += run.BatchSize)
        {
            using var scope = NewDisposeScope();
            var batch = shuffled[start..Math.Min(start + run.BatchSize, shuffled.Length)];
            var ids = Indices(batch, features.device);
            var loss = model.Loss(features, ids, run.Negatives, negativeDraws);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            model.Estimator?.Step();
            total += loss.item<float>();
            batches++;
        }
        return total / Math.Max(batches, 1);
    }

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

    static Tensor Indices(int[] objects, Device device) => tensor(objects.Select(i => (long)i).ToArray(), device: device);

    static Dictionary<string, Tensor> Snapshot(ReferentialGame model)
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

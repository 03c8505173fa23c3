using System.Text.Json;
using CommLab.Devices;
using CommLab.Games;
using CommLab.Metrics;
using CommLab.Symbolic;
using CommLab.Validation;
using TorchSharp;
using static TorchSharp.torch;

namespace CommLab.Training;

/// <summary>Trains the GRU Lewis game on symbolic games through the <see cref="EpochLoop"/>: the mean
/// loss of <see cref="LewisGame.Loss"/> per batch, evaluation after every epoch on the validation games
/// with hard messages (with Schedule-Free AdamW, at its averaged point x).</summary>
public static class LewisGameTrainer
{
    /// <summary>The run's problems (<see cref="LewisGameRun.Problems"/>) plus those of its data: games
    /// present, input width = the game's features, the same candidate count in both sets.</summary>
    public static ProblemList Problems(LewisGameRun run, SymbolicGames train, SymbolicGames validation)
    {
        var problems = new ProblemList().AddRange(run.Problems());
        foreach (var (name, set) in new[] { ("train", train), ("validation", validation) })
        {
            var width = set.Attributes * set.Values;
            problems
                .Check(set.Count >= 1, $"{name} games must not be empty")
                .Check(width == run.Game.Features, $"{name} games have {set.Attributes} x {set.Values} = {width} input features, the game expects {run.Game.Features}");
        }
        return problems.Check(train.Candidates == validation.Candidates,
            $"train games have {train.Candidates} candidates, validation games {validation.Candidates}: they must match");
    }

    /// <summary>Validates the run and its data, then trains for run.Epochs epochs; <paramref name="progress"/>
    /// gets each epoch's report. With <paramref name="checkpoint"/>, the final model is saved there
    /// (TorchSharp's module format) at the point it was evaluated: x, the average, for Schedule-Free
    /// AdamW. With <paramref name="resume"/> the training survives the process: it continues from that
    /// file when it exists and rewrites it between epochs (<see cref="EpochLoop"/>). Throws
    /// <see cref="TrainingDivergedException"/> if the run diverges.</summary>
    public static LewisGameResult Train(LewisGameRun run, SymbolicGames train, SymbolicGames validation,
        Action<EpochReport<LewisValidation>>? progress = null, string? checkpoint = null, CancellationToken cancel = default,
        LoopResume? resume = null)
    {
        Problems(run, train, validation).Validate();
        Reproducibility.Ensure();
        var device = DeviceChoice.Resolve(run.Device);
        using var trainFeatures = train.Features(device);
        using var trainTargets = train.TargetIndices(device);
        using var validFeatures = validation.Features(device);
        using var validTargets = validation.TargetIndices(device);

        using var noise = new Generator((ulong)run.Seed, device);
        using var model = Reproducibility.Seeded(run.Seed, () => new LewisGame(run.Game, noise));
        model.to(device);
        using var optimizer = new TrainerOptimizer(model.parameters(), run.Optimizer, run.Optim);
        var outcome = EpochLoop.Run(
            Steps(model, optimizer, trainFeatures, trainTargets, run.BatchSize) with { Generators = new[] { noise } },
            new LoopSettings(run.Epochs, run.Seed, Checkpoint: checkpoint,
                Resume: resume is null ? null : resume with { Identity = JsonSerializer.Serialize(run) }),
            () => Evaluate(model, validFeatures, validTargets, run.BatchSize),
            progress, cancel);
        // After the loop the model is where the last epoch was evaluated (x for Schedule-Free AdamW).
        var final = Interactions(model, validation, validFeatures, validTargets, run.BatchSize);
        return new LewisGameResult(outcome.History, outcome.Seconds, outcome.SamplesPerSecond, final);
    }

    /// <summary>The gradient steps over the games: candidate features [N, C, F] and target indices [N].</summary>
    public static TrainingSteps Steps(LewisGame model, TrainerOptimizer optimizer, Tensor features, Tensor targets, int batchSize) =>
        new(model, optimizer, model.Estimator, (int)targets.shape[0], batchSize, batch =>
        {
            var ids = tensor(batch.Select(i => (long)i).ToArray(), device: features.device);
            return BatchLoss(model, features.index_select(0, ids), targets.index_select(0, ids));
        });

    /// <summary>Mean loss of a batch of games: candidate features [B, C, F], target indices [B].</summary>
    public static Tensor BatchLoss(LewisGame model, Tensor candidates, Tensor targets)
    {
        var messages = model.Send(TargetFeatures(candidates, targets));
        return model.Loss(messages, model.Receive(messages, candidates), targets).mean();
    }

    /// <summary>What the sender sees: each game's target row of its candidate features, [B, C, F] -> [B, F].</summary>
    static Tensor TargetFeatures(Tensor candidates, Tensor targets) =>
        candidates.gather(1, targets.view(-1, 1, 1).expand(-1, 1, candidates.shape[2])).squeeze(1);

    /// <summary>Accuracy, lengths and distinct messages with hard messages, in batches (no gradient).</summary>
    public static LewisValidation Evaluate(LewisGame model, Tensor features, Tensor targets, int batchSize)
    {
        var played = Play(model, features, targets, batchSize);
        var n = played.Guesses.Length;
        var lengthCounts = new long[model.Spec.MaxLength + 1];
        foreach (var m in played.Messages) lengthCounts[m.Length]++;
        var correct = played.Guesses.Where((g, i) => g == played.Targets[i]).Count();
        var distinct = played.Messages.Select(m => string.Join(",", m)).Distinct().Count();
        var mean = lengthCounts.Select((c, l) => (double)c * l).Sum() / n;
        return new LewisValidation((double)correct / n, mean, lengthCounts.Select(c => (double)c / n).ToArray(), distinct);
    }

    /// <summary>The games of <paramref name="games"/> (whose features and targets are
    /// <paramref name="features"/> and <paramref name="targets"/>) as played now: each target's attribute
    /// values, its message's symbols up to the end, the receiver's guess.</summary>
    public static Interactions Interactions(LewisGame model, SymbolicGames games, Tensor features, Tensor targets, int batchSize)
    {
        var played = Play(model, features, targets, batchSize);
        var list = new Interaction[played.Guesses.Length];
        for (int g = 0; g < list.Length; g++)
        {
            var target = games.Target(g);
            var attributes = games.Game(g).Slice(target * games.Attributes, games.Attributes).ToArray().Select(v => (int)v).ToArray();
            list[g] = new Interaction(g, target, attributes, played.Messages[g].Select(s => (double)s).ToArray(), played.Guesses[g], played.Guesses[g] == target);
        }
        return new Interactions(MessageKind.Symbols, list);
    }

    /// <summary>Every game played with hard messages (no gradient), in chunks: the symbols before the
    /// message's end (all L under fixed length), the guess and the target.</summary>
    static (int[][] Messages, int[] Guesses, int[] Targets) Play(LewisGame model, Tensor features, Tensor targets, int batchSize)
    {
        model.eval();
        using var _ = no_grad();
        var n = (int)targets.shape[0];
        var messages = new int[n][];
        var guesses = new int[n];
        // Evaluation keeps no graph, so it can take larger chunks than training.
        var chunk = Math.Max(batchSize, 256);
        for (int start = 0; start < n; start += chunk)
        {
            using var scope = NewDisposeScope();
            var count = Math.Min(chunk, n - start);
            var candidates = features.narrow(0, start, count);
            var target = targets.narrow(0, start, count);
            var sent = model.Send(TargetFeatures(candidates, target));
            var guess = model.Guess(sent, model.Receive(sent, candidates)).cpu().data<long>().ToArray();
            var lengths = model.Lengths(sent).cpu().data<long>().ToArray();
            var symbols = sent.argmax(-1).cpu().data<long>().ToArray();
            var steps = (int)sent.shape[1];
            for (int b = 0; b < count; b++)
            {
                messages[start + b] = symbols.Skip(b * steps).Take((int)lengths[b]).Select(x => (int)x).ToArray();
                guesses[start + b] = (int)guess[b];
            }
        }
        return (messages, guesses, targets.cpu().data<long>().Select(t => (int)t).ToArray());
    }
}

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

/// <summary>Trains and evaluates one Image game run through the <see cref="EpochLoop"/>: each training
/// game is a target of the train pool with GameSize - 1 distractors of other classes drawn afresh
/// (<see cref="ClassDistractors"/>); Adam on the cross-entropy of the receiver picking the target
/// among them; the best epoch chosen on validation accuracy at SelectionCandidates; test accuracy,
/// NoUM and the test games reported at that epoch.</summary>
/// <remarks>The informed sender always sees GameSize images, so a game with k candidates shows the
/// sender the target and GameSize - 1 distractors and the receiver the target and the first k - 1 of
/// them: the paper evaluates at 2..100 candidates without saying what its sender then sees, and EGG's
/// sender has one weight per image position, so it can read no other number.</remarks>
public static class ImageGameTrainer
{
    /// <summary>Targets evaluated per pass (a game of 100 images of 4096 features is 1.6 MB).</summary>
    const int EvaluationChunk = 64;

    /// <summary>Validates the run, loads its data, trains to the end (or to early stopping) and
    /// evaluates on the test pool. With <paramref name="resume"/> the training survives the process
    /// (<see cref="EpochLoop"/>). Throws <see cref="TrainingDivergedException"/> if the run diverges.</summary>
    public static ReferentialResult Train(ImageGameRun run, Action<EpochReport<ReferentialValidation>>? progress = null,
        CancellationToken cancel = default, LoopResume? resume = null)
    {
        run.Validate();
        Reproducibility.Ensure();
        var device = DeviceChoice.Resolve(run.Device);
        var (trainPool, validationPool, testPool) = ImageGameData.Load(run.DataFolder, run.TrainTargets, run.ValidationTargets,
            run.TestTargets, run.DataSeed, device);
        using var _train = trainPool;
        using var _validation = validationPool;
        using var _test = testPool;
        using var trainDistractors = Distractors(trainPool, "train", run);
        using var validationDistractors = Distractors(validationPool, "validation", run);
        using var testDistractors = Distractors(testPool, "test", run);

        using var noise = new Generator((ulong)run.Seed, device);
        using var model = Reproducibility.Seeded(run.Seed, () =>
            ReferentialGame.ForImages(run.Channel, run.GameSize, trainPool.FeatureSize, run.Embedding, run.Filters, noise));
        model.to(device);
        using var optimizer = new TrainerOptimizer(model.parameters(), OptimizerKind.Adam, new ScheduleFreeOptions(LearningRate: run.LearningRate));
        using var draws = new Generator((ulong)run.Seed + 7, device);

        var clock = Stopwatch.StartNew();
        var steps = Steps(model, optimizer, trainPool, trainDistractors, run.GameSize, run.BatchSize, draws) with { Generators = new[] { noise, draws } };
        var outcome = EpochLoop.Run(steps,
            new LoopSettings(run.Epochs, run.Seed, run.Patience, RestoreBest: true,
                Resume: resume is null ? null : resume with { Identity = JsonSerializer.Serialize(run) }, Ceiling: 1.0),
            () =>
            {
                var measured = Evaluate(model, validationPool, validationDistractors, run.Channel, run.GameSize, new[] { run.SelectionCandidates }, run.Seed);
                return new ReferentialValidation(measured.Accuracy[0], measured.Messages);
            },
            progress, cancel);
        var test = Evaluate(model, testPool, testDistractors, run.Channel, run.GameSize, run.CandidateCounts, run.Seed + 1);
        return new ReferentialResult(run.CandidateCounts, test.Accuracy, test.Messages, testPool.Count, outcome.BestEpoch, outcome.BestScore,
            outcome.History, clock.Elapsed.TotalSeconds, outcome.SamplesPerSecond, test.Games);
    }

    /// <summary>The gradient steps of one epoch: a pass over the pool's targets in batches of
    /// <paramref name="batchSize"/>, each target's game its <paramref name="gameSize"/> - 1 distractors
    /// drawn afresh from <paramref name="draws"/>.</summary>
    public static TrainingSteps Steps(ReferentialGame model, TrainerOptimizer optimizer, ImagePool pool, ClassDistractors distractors,
        int gameSize, int batchSize, Generator draws) =>
        new(model, optimizer, model.Estimator, pool.Count, batchSize, batch =>
        {
            var targets = tensor(batch.Select(i => (long)i).ToArray(), device: pool.Features.device);
            var view = View(pool, distractors, targets, gameSize, draws);
            return model.LossOverSets(view, view);
        });

    /// <summary>The pool's distractor draws, after checking it has enough classes for a game.</summary>
    static ClassDistractors Distractors(ImagePool pool, string split, ImageGameRun run)
    {
        var distractors = new ClassDistractors(pool.Classes);
        if (distractors.MostDistractors < run.GameSize - 1)
        {
            distractors.Dispose();
            throw new InvalidDataException(
                $"the {split} targets cover {distractors.Classes} classes, too few for games of {run.GameSize} images " +
                $"(game size - 1 = {run.GameSize - 1} distractors of distinct classes other than the target's): " +
                $"draw more {split} targets or lower the game size");
        }
        return distractors;
    }

    /// <summary>Games [B, gameSize, F] for the pool rows <paramref name="targets"/>: each target first,
    /// then its distractors.</summary>
    static Tensor View(ImagePool pool, ClassDistractors distractors, Tensor targets, int gameSize, Generator draws)
    {
        var rows = cat(new[] { targets.unsqueeze(1), distractors.Draw(targets, gameSize - 1, draws) }, 1);
        return pool.Features.index_select(0, rows.flatten()).reshape(rows.shape[0], rows.shape[1], pool.FeatureSize);
    }

    /// <summary>What an evaluation measured: accuracy per candidate count, NoUM, and the games as played
    /// with every image of the sender's view a candidate.</summary>
    public sealed record Measured(double[] Accuracy, int Messages, Interactions Games);

    /// <summary>Accuracy at each candidate count, NoUM and the games of every target in the pool, with
    /// discrete messages (evaluation mode). Each target's distractors are drawn from
    /// <paramref name="seed"/>; with k candidates the receiver sees the target and the first k - 1.
    /// A target counts as found only if it scores strictly above every distractor shown.</summary>
    public static Measured Evaluate(ReferentialGame model, ImagePool pool, ClassDistractors distractors, ChannelSpec channel,
        int gameSize, IReadOnlyList<int> counts, int seed)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var device = pool.Features.device;
        using var draws = new Generator((ulong)seed, device);
        var found = new long[counts.Count];
        var messages = new List<Tensor>();
        var games = new List<Interaction>();
        var kind = MessageKind.Symbols;
        var classes = pool.Classes.cpu().data<long>().ToArray();
        for (int start = 0; start < pool.Count; start += EvaluationChunk)
        {
            using var chunk = NewDisposeScope();
            var end = Math.Min(start + EvaluationChunk, pool.Count);
            var targets = arange(start, end, dtype: ScalarType.Int64, device: device);
            var view = View(pool, distractors, targets, gameSize, draws);
            var message = model.Send(view);
            var scores = model.ScoreCandidateSets(model.Receive(message), view);
            var target = scores.select(1, 0);
            for (int i = 0; i < counts.Count; i++)
            {
                var best = scores.narrow(1, 1, counts[i] - 1).amax(new long[] { 1 });
                found[i] += (target > best).sum().item<long>();
            }
            messages.Add(message.MoveToOuterDisposeScope());
            var correct = (target > scores.narrow(1, 1, gameSize - 1).amax(new long[] { 1 })).cpu().data<bool>().ToArray();
            var guesses = scores.argmax(1).cpu().data<long>().ToArray();
            (kind, var rows) = MessageSymbols.Of(channel, message);
            for (int i = 0; i < rows.Length; i++)
                games.Add(new Interaction(pool.Rows[start + i], 0, new[] { (int)classes[start + i] }, rows[i], (int)guesses[i], correct[i]));
        }
        return new Measured(found.Select(f => f / (double)pool.Count).ToArray(), UniqueMessages.Count(cat(messages, 0)), new Interactions(kind, games));
    }
}

using System.Diagnostics;
using CommLab.Channels;
using CommLab.Games;
using CommLab.Metrics;
using static TorchSharp.torch;

namespace CommLab.Training;

/// <summary>How a referential game trains and is measured, whatever its objects.</summary>
/// <param name="Epochs">Most epochs.</param>
/// <param name="Patience">Epochs without a better validation accuracy before stopping.</param>
/// <param name="BatchSize">Targets per gradient step.</param>
/// <param name="Negatives">Negatives per target in training, drawn from the split's candidates; null:
/// every other candidate.</param>
/// <param name="GamesPerEpoch">Training games per epoch (the targets repeated in one shuffled order);
/// null: one pass over the training targets.</param>
/// <param name="CandidateCounts">Candidate counts of the test accuracy.</param>
/// <param name="SelectionCandidates">Candidate count of the validation accuracy that picks the best epoch.</param>
/// <param name="Seed">Seeds the batch order and the evaluation's distractors.</param>
public sealed record ReferentialSettings(int Epochs, int Patience, int BatchSize, int? Negatives, int? GamesPerEpoch,
    int[] CandidateCounts, int SelectionCandidates, int Seed);

/// <summary>The one trainer of the referential games whose sender sees only its target (Object,
/// Sent-Ref, Sent-Cls) through the <see cref="EpochLoop"/>: the game's cross-entropy
/// (<see cref="ReferentialGame.Loss(Tensor, Tensor, Tensor, int?, Generator?)"/>), the best epoch
/// chosen on validation accuracy (the run stops at the first epoch with accuracy 1: nothing later
/// could be picked), test accuracy and the test games reported at that epoch.</summary>
public static class ReferentialTrainer
{
    /// <summary>Trains <paramref name="model"/> on <paramref name="train"/> and measures it on
    /// <paramref name="validation"/> after every epoch and on <paramref name="test"/> at the best one.
    /// <paramref name="generators"/> are every generator the model and the steps draw from (for a
    /// resumed run to draw what an uninterrupted one would); <paramref name="identity"/> names the run
    /// in its checkpoint.</summary>
    public static ReferentialResult Train(ReferentialGame model, TrainerOptimizer optimizer, ChannelSpec channel,
        ReferentialSplit train, ReferentialSplit validation, ReferentialSplit test, ReferentialSettings settings,
        Generator? negativeDraws, IReadOnlyList<Generator> generators, string identity,
        Action<EpochReport<ReferentialValidation>>? progress = null, CancellationToken cancel = default, LoopResume? resume = null)
    {
        var device = train.Labels.device;
        var clock = Stopwatch.StartNew();
        var outcome = EpochLoop.Run(
            Steps(model, optimizer, train, settings, negativeDraws) with { Generators = generators },
            new LoopSettings(settings.Epochs, settings.Seed, settings.Patience, RestoreBest: true,
                Resume: resume is null ? null : resume with { Identity = identity }, Ceiling: 1.0),
            () =>
            {
                var (accuracy, messages) = Evaluate(model, validation, new[] { settings.SelectionCandidates }, settings.Seed);
                return new ReferentialValidation(accuracy[0], messages);
            },
            progress, cancel);
        var (accuracies, testMessages) = Evaluate(model, test, settings.CandidateCounts, settings.Seed + 1);
        var played = Interactions(model, test, channel);
        return new ReferentialResult(settings.CandidateCounts, accuracies, testMessages, test.Count, outcome.BestEpoch, outcome.BestScore,
            outcome.History, clock.Elapsed.TotalSeconds, outcome.SamplesPerSecond, played);
    }

    /// <summary>The gradient steps over the split's targets: batches of settings.BatchSize targets, each
    /// scored against settings.Negatives negatives drawn from <paramref name="negativeDraws"/> (or every
    /// other candidate). An epoch is one pass over the targets, or settings.GamesPerEpoch games: the
    /// targets repeated, in one shuffled order.</summary>
    public static TrainingSteps Steps(ReferentialGame model, TrainerOptimizer optimizer, ReferentialSplit train,
        ReferentialSettings settings, Generator? negativeDraws)
    {
        var n = train.Count;
        return new(model, optimizer, model.Estimator, settings.GamesPerEpoch ?? n, settings.BatchSize, batch =>
        {
            var rows = tensor(batch.Select(i => (long)(i % n)).ToArray(), device: train.Labels.device);
            return model.Loss(train.SenderInputs.index_select(0, rows), train.Candidates, train.Labels.index_select(0, rows),
                settings.Negatives, negativeDraws);
        });
    }

    /// <summary>Accuracy at each candidate count and the number of unique messages over the split's
    /// targets, with discrete messages (evaluation mode). Distractors are drawn from
    /// <paramref name="seed"/> among the split's other candidates.</summary>
    public static (double[] Accuracy, int Messages) Evaluate(ReferentialGame model, ReferentialSplit split,
        IReadOnlyList<int> counts, int seed)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var draws = new Generator((ulong)seed, split.Labels.device);
        var messages = model.Send(split.SenderInputs);
        var scores = model.ScoreCandidates(model.Receive(messages), split.Candidates);
        return (CandidateAccuracy.Evaluate(scores, split.Labels, counts, draws), UniqueMessages.Count(messages));
    }

    /// <summary>The split's games as played now (evaluation mode), every candidate scored: each target's
    /// meaning, its message (<see cref="MessageSymbols"/>), the receiver's best-scored candidate, and
    /// whether the target's candidate scored strictly above every other (a tie is a miss, as in
    /// <see cref="CandidateAccuracy"/>).</summary>
    public static Interactions Interactions(ReferentialGame model, ReferentialSplit split, ChannelSpec channel)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var messages = model.Send(split.SenderInputs);
        var scores = model.ScoreCandidates(model.Receive(messages), split.Candidates);
        var column = split.Labels.unsqueeze(1);
        var others = scores.scatter(1, column, full_like(scores.gather(1, column), double.NegativeInfinity)).amax(new long[] { 1 });
        var correct = (scores.gather(1, column).squeeze(1) > others).cpu().data<bool>().ToArray();
        var guesses = scores.argmax(1).cpu().data<long>().ToArray();
        var labels = split.Labels.cpu().data<long>().ToArray();
        var (kind, rows) = MessageSymbols.Of(channel, messages);
        var games = labels.Select((label, i) =>
            new Interaction(split.Games[i], (int)label, split.Attributes[i], rows[i], (int)guesses[i], correct[i])).ToArray();
        return new Interactions(kind, games);
    }
}

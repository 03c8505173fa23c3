using System.Text.Json;
using TorchSharp;
using CommLab.Data;
using CommLab.Devices;
using CommLab.Games;
using CommLab.Optim;
using CommLab.Text;
using CommLab.Validation;
using static TorchSharp.torch;

namespace CommLab.Training;

/// <summary>Trains and evaluates one sentence-game run through the <see cref="ReferentialTrainer"/>.
/// Sent-Ref: the sentences' vectors come from a frozen DistilBERT, once (<see cref="SentenceVectorCache"/>),
/// and each agent is one fully-connected layer on them; a split's sentences are its only candidates.
/// Sent-Cls: the sender reads the sentence's token ids and the receiver the 77 intent names with their
/// own DistilBERTs, both fine-tuned with Adam; every split shares the intents as candidates.</summary>
public static class SentenceGameTrainer
{
    /// <summary>Validates the run, loads its data and checkpoint, trains to the end (or to early
    /// stopping) and evaluates on the test sentences. <paramref name="log"/> hears what the data held
    /// (unreadable and duplicate rows) and where the sentence vectors came from. Throws
    /// <see cref="TrainingDivergedException"/> if the run diverges.</summary>
    public static ReferentialResult Train(SentenceGameRun run, Action<EpochReport<ReferentialValidation>>? progress = null,
        CancellationToken cancel = default, LoopResume? resume = null, Action<string>? log = null)
    {
        run.Validate();
        Reproducibility.Ensure();
        var device = DeviceChoice.Resolve(run.Device);
        var data = SentenceGameData.Load(run.DataFile, run.DataSeed);
        if (data.Unreadable.Length > 0 || data.Duplicates > 0)
            log?.Invoke($"{run.DataFile}: {data.Unreadable.Length} unreadable rows (first at line {data.Unreadable.FirstOrDefault()?.Line}), " +
                        $"{data.Duplicates} repeated texts left out");
        var (candidates, what, pool) = run.Game == SentenceGame.Classification
            ? (data.Classes.Length, "the intents", data.Classes.Length)
            : (Math.Min(data.Validation.Length, data.Test.Length), "the sentences of the smallest split", data.Train.Length);
        var dataProblems = run.DataProblems(candidates, what, pool);
        if (dataProblems.Count > 0) throw new ArgumentException(string.Join("\n", dataProblems));

        using var scope = NewDisposeScope();
        using var noise = new Generator((ulong)run.Seed, device);
        using var draws = new Generator((ulong)run.Seed + 7, device);
        var settings = new ReferentialSettings(run.Epochs, run.Patience, run.BatchSize, run.Negatives, run.GamesPerEpoch,
            run.CandidateCounts, run.SelectionCandidates, run.Seed);
        var identity = JsonSerializer.Serialize(run);
        var splits = new[] { data.Train, data.Validation, data.Test };

        if (run.Game == SentenceGame.Referential)
        {
            var texts = splits.SelectMany(s => s.Select(x => x.Text)).ToArray();
            var vectors = SentenceVectorCache.Vectors(run.ModelFolder, texts, run.Pooling, run.MaxLength, run.CacheFolder, log).to(device);
            var start = 0;
            var parts = splits.Select(sentences =>
            {
                var rows = vectors.narrow(0, start, sentences.Length);
                start += sentences.Length;
                return new ReferentialSplit(rows, rows, arange(sentences.Length, dtype: ScalarType.Int64, device: device),
                    sentences.Select(s => s.Row).ToArray(), sentences.Select(s => new[] { s.Class }).ToArray());
            }).ToArray();
            using var model = Reproducibility.Seeded(run.Seed, () => ReferentialGame.ForVectors((int)vectors.shape[1], run.Channel, noise));
            model.to(device);
            using var optimizer = new TrainerOptimizer(model.parameters(), OptimizerKind.Adam, new ScheduleFreeOptions(LearningRate: run.LearningRate));
            return ReferentialTrainer.Train(model, optimizer, run.Channel, parts[0], parts[1], parts[2], settings, draws,
                new[] { noise, draws }, identity, progress, cancel, resume);
        }
        else
        {
            // Two copies of the checkpoint: the sender and the receiver fine-tune their own.
            var sender = BertCheckpoint.Load(run.ModelFolder);
            var receiver = BertCheckpoint.Load(run.ModelFolder);
            using var dropout = new Generator((ulong)run.Seed + 13, device);
            sender.Model.Noise.Generator = dropout;
            receiver.Model.Noise.Generator = dropout;
            var tokenizer = sender.Tokenizer;
            var names = tokenizer.EncodeBatch(data.Classes.Select(SentenceGameData.ClassText).ToList(), run.MaxLength).Ids.to(device);
            var parts = splits.Select(sentences =>
                new ReferentialSplit(
                    tokenizer.EncodeBatch(sentences.Select(s => s.Text).ToList(), run.MaxLength).Ids.to(device),
                    names,
                    tensor(sentences.Select(s => (long)s.Class).ToArray(), device: device),
                    sentences.Select(s => s.Row).ToArray(),
                    sentences.Select(s => new[] { s.Class }).ToArray())).ToArray();
            using var model = Reproducibility.Seeded(run.Seed, () =>
                ReferentialGame.ForSentences(sender.Model, receiver.Model, run.Pooling, tokenizer.PadId, run.Channel, noise));
            model.to(device);
            using var optimizer = new TrainerOptimizer(model.parameters(), OptimizerKind.Adam, new ScheduleFreeOptions(LearningRate: run.LearningRate));
            return ReferentialTrainer.Train(model, optimizer, run.Channel, parts[0], parts[1], parts[2], settings, draws,
                new[] { noise, draws, dropout }, identity, progress, cancel, resume);
        }
    }
}

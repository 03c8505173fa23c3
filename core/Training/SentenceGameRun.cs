using CommLab.Channels;
using CommLab.Devices;
using CommLab.Text;
using CommLab.Validation;

namespace CommLab.Training;

/// <summary>Which sentence game (the paper's Section 2, Appendix A.2).</summary>
public enum SentenceGame
{
    /// <summary>Sent-Ref: the receiver picks the target sentence among sentences; both agents read
    /// vectors of a frozen DistilBERT.</summary>
    Referential,
    /// <summary>Sent-Cls: the receiver picks the target sentence's intent among the 77 intent names;
    /// both agents fine-tune their own DistilBERT.</summary>
    Classification,
}

/// <summary>One training run of a sentence game, fully resolved (the DSL builds and validates it).</summary>
/// <param name="Channel">The communication channel.</param>
/// <param name="Game">Sent-Ref or Sent-Cls.</param>
/// <param name="DataFile">Banking77's <c>train.csv</c> (<see cref="CommLab.Data.SentenceGameData"/>).</param>
/// <param name="ModelFolder">A Hugging Face DistilBERT checkpoint folder (<see cref="BertCheckpoint"/>;
/// paper: distilbert-base-uncased).</param>
/// <param name="Pooling">Which encoder output is the sentence vector.</param>
/// <param name="MaxLength">Most tokens read of a sentence, [CLS] and [SEP] included.</param>
/// <param name="LearningRate">Adam learning rate (paper: 1e-5).</param>
/// <param name="BatchSize">Targets per step (paper: 32).</param>
/// <param name="Epochs">Most epochs (paper: 50).</param>
/// <param name="Patience">Epochs without a better validation accuracy before stopping (paper: 50).</param>
/// <param name="Negatives">Negatives per target in training; null: every other candidate (paper: 76,
/// which for Sent-Cls is every other intent).</param>
/// <param name="GamesPerEpoch">Training games per epoch, the targets repeated; null: one pass.</param>
/// <param name="CandidateCounts">Candidate counts for test accuracy (paper: 2, 8, 16, 32, 64, 77).</param>
/// <param name="SelectionCandidates">Candidate count of the validation accuracy that picks the best epoch.</param>
/// <param name="Seed">Seeds initialization, Gumbel noise, dropout, batch order and distractor draws.</param>
/// <param name="DataSeed">Seeds the 80/10/10 split of the sentences.</param>
/// <param name="Device">"cpu", "cuda" or "cuda:N".</param>
/// <param name="CacheFolder">Where Sent-Ref keeps its frozen sentence vectors (<see cref="SentenceVectorCache"/>).</param>
public sealed record SentenceGameRun(
    ChannelSpec Channel,
    SentenceGame Game,
    string DataFile,
    string ModelFolder,
    SentencePooling Pooling,
    int MaxLength,
    double LearningRate,
    int BatchSize,
    int Epochs,
    int Patience,
    int? Negatives,
    int? GamesPerEpoch,
    int[] CandidateCounts,
    int SelectionCandidates,
    int Seed,
    int DataSeed,
    string Device,
    string CacheFolder) : IValidatable
{
    /// <summary>Every impossible setting that shows without the data, each naming the field, the bad
    /// value and what is allowed. Candidate and negative counts are checked against the data when it
    /// loads (<see cref="DataProblems"/>).</summary>
    public IReadOnlyList<string> Problems() =>
        new ProblemList().AddRange(Channel.Problems())
            .Check(!string.IsNullOrWhiteSpace(DataFile), "data file must be given (Banking77's train.csv)")
            .Check(!string.IsNullOrWhiteSpace(ModelFolder), "model folder must be given (a DistilBERT checkpoint folder)")
            .Check(MaxLength >= 2, $"max length must be >= 2 ([CLS] and [SEP]), got {MaxLength}")
            .Positive("learning rate", LearningRate)
            .AtLeast("batch size", 1, BatchSize)
            .AtLeast("epochs", 1, Epochs)
            .AtLeast("patience", 1, Patience)
            .Check(Negatives is not int k || k >= 1, $"negatives must be >= 1 (or all), got {Negatives}")
            .Check(GamesPerEpoch is not int g || g >= 1, $"games per epoch must be >= 1 (or one pass over the targets), got {GamesPerEpoch}")
            .Check(CandidateCounts.Length > 0, "candidate counts must list at least one count")
            .Check(Game != SentenceGame.Referential || !string.IsNullOrWhiteSpace(CacheFolder), "cache folder must be given for Sent-Ref's sentence vectors")
            .Check(DeviceChoice.IsValid(Device), $"device must be one of {DeviceChoice.Allowed}, got '{Device}'");

    /// <summary>What the data rules out: with <paramref name="candidates"/> candidates in the smallest
    /// evaluated split (Sent-Ref: its sentences; Sent-Cls: the intents), every count must be in
    /// 2..candidates; the negatives are drawn from the training split's <paramref name="trainCandidates"/>
    /// (default: <paramref name="candidates"/>), so at most that minus one.</summary>
    public IReadOnlyList<string> DataProblems(int candidates, string what, int? trainCandidates = null)
    {
        var pool = trainCandidates ?? candidates;
        var problems = new ProblemList()
            .Check(Negatives is not int k || k <= pool - 1, $"negatives must be in 1..{pool - 1} (the training split's candidates), got {Negatives}");
        foreach (var c in CandidateCounts.Append(SelectionCandidates).Distinct())
            problems.Check(c >= 2 && c <= candidates, $"candidate counts must be in 2..{candidates} ({what}), got {c}");
        return problems;
    }
}

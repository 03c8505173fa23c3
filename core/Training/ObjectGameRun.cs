using CommLab.Channels;
using CommLab.Data;
using CommLab.Devices;
using CommLab.Games;
using CommLab.Metrics;
using CommLab.Validation;

namespace CommLab.Training;

/// <summary>One training run of the Object game, fully resolved (the DSL builds and validates it).</summary>
/// <param name="Channel">The communication channel.</param>
/// <param name="Attributes">Attributes per object (paper: 4).</param>
/// <param name="Values">Values per attribute (paper: 10).</param>
/// <param name="LearningRate">Adam learning rate (paper: 1e-5).</param>
/// <param name="BatchSize">Targets per step (paper: 32).</param>
/// <param name="Epochs">Passes over the training targets (paper: 50).</param>
/// <param name="Patience">Epochs without a better validation accuracy before stopping (paper: 50).</param>
/// <param name="Negatives">Negatives per target in training; null uses every other object (paper).</param>
/// <param name="TrainTargets">Use only the first this-many training targets; null uses all (paper: 8000).</param>
/// <param name="CandidateCounts">Candidate counts for test accuracy (paper: 2 ... 10000).</param>
/// <param name="SelectionCandidates">Candidate count of the validation accuracy that picks the best epoch.</param>
/// <param name="Seed">Seeds initialization, Gumbel noise, batch order and distractor draws.</param>
/// <param name="DataSeed">Seeds the train/validation/test split of targets.</param>
/// <param name="Device">"cpu", "cuda" or "cuda:N".</param>
/// <param name="Encoding">What the agents read of an object: one-hot attributes (default) or the values (EGG).</param>
/// <param name="Activation">What follows the agents' layer: nothing (default) or tanh (EGG).</param>
/// <param name="GamesPerEpoch">Training games per epoch, the targets repeated in a shuffled order; null:
/// one pass over the training targets (default). EGG's objects game counts an epoch in sampled games.</param>
public sealed record ObjectGameRun(
    ChannelSpec Channel,
    int Attributes,
    int Values,
    double LearningRate,
    int BatchSize,
    int Epochs,
    int Patience,
    int? Negatives,
    int? TrainTargets,
    int[] CandidateCounts,
    int SelectionCandidates,
    int Seed,
    int DataSeed,
    string Device,
    ObjectEncoding Encoding = ObjectEncoding.OneHot,
    AgentActivation Activation = AgentActivation.None,
    int? GamesPerEpoch = null) : IValidatable
{
    /// <summary>Every impossible setting of the run, each naming the field, the bad value and what is
    /// allowed. The one source of these checks: the DSL reports the same list before any training, and
    /// <see cref="ObjectGameTrainer.Train"/> refuses a run that has any.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new ProblemList().AddRange(Channel.Problems());
        var n = Math.Pow(Values, Attributes);
        var world = Attributes >= 1 && Values >= 2;
        problems
            .AtLeast("attributes", 1, Attributes)
            .AtLeast("values", 2, Values)
            .Check(!world || n <= 1e7, $"values^attributes must be <= 10^7, got {Values}^{Attributes}")
            .Positive("learning rate", LearningRate)
            .AtLeast("batch size", 1, BatchSize)
            .AtLeast("epochs", 1, Epochs)
            .AtLeast("patience", 1, Patience)
            .Check(TrainTargets is not int t || t >= 1, $"train targets must be >= 1, got {TrainTargets}")
            .Check(GamesPerEpoch is not int g || g >= 1, $"games per epoch must be >= 1 (or one pass over the targets), got {GamesPerEpoch}")
            .Check(CandidateCounts.Length > 0, "candidate counts must list at least one count")
            .Check(DeviceChoice.IsValid(Device), $"device must be one of {DeviceChoice.Allowed}, got '{Device}'");
        if (world && n <= 1e7)
        {
            try { TargetSplit.Sizes((int)n, 0.1, 0.1); }
            catch (ArgumentException e) { problems.Check(false, e.Message); }
            problems.Check(Negatives is not int k || (k >= 1 && k <= n - 1), $"negatives must be in 1..{n - 1} (or all), got {Negatives}");
            foreach (var c in CandidateCounts.Append(SelectionCandidates).Distinct())
                problems.Check(c >= 2 && c <= n, $"candidate counts must be in 2..{n}, got {c}");
        }
        return problems;
    }
}

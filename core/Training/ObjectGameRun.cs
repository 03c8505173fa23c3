using CommLab.Channels;

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
    string Device);

/// <summary>The Object game's validation after an epoch, with discrete messages.</summary>
/// <param name="Accuracy">Accuracy at <see cref="ObjectGameRun.SelectionCandidates"/> candidates; it picks the best epoch.</param>
/// <param name="Messages">Number of unique messages over the validation targets.</param>
public sealed record ObjectValidation(double Accuracy, int Messages) : IScored
{
    /// <inheritdoc />
    public double Score => Accuracy;
}

/// <summary>Outcome of a run: test accuracy per candidate count at the best validation epoch.</summary>
public sealed record ObjectGameResult(
    int[] CandidateCounts,
    double[] TestAccuracy,
    int TestMessages,
    int TestTargets,
    int BestEpoch,
    double BestValidationAccuracy,
    EpochReport<ObjectValidation>[] History,
    double Seconds,
    double SamplesPerSecond);

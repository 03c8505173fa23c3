using CommLab.Channels;
using CommLab.Devices;
using CommLab.Validation;

namespace CommLab.Training;

/// <summary>One training run of the Image game, fully resolved (the DSL builds and validates it).</summary>
/// <param name="Channel">The communication channel.</param>
/// <param name="DataFolder">EGG's signal-game data: a folder with <c>train</c>, <c>val</c> and <c>test</c>
/// folders of <see cref="CommLab.Data.ImageFeatureFolder"/> files (<see cref="CommLab.Data.ImageGameData"/>).</param>
/// <param name="TrainTargets">Targets drawn from the train folder (paper: 8032).</param>
/// <param name="ValidationTargets">Targets drawn from the validation folder (paper: 1024).</param>
/// <param name="TestTargets">Targets drawn from the test folder (paper: 1024).</param>
/// <param name="GameSize">Images per training game and in the sender's view: the target and its
/// distractors (paper: 100, "99 distractors").</param>
/// <param name="Embedding">The agents' image embedding (paper's Table 4: 50).</param>
/// <param name="Filters">The informed sender's convolution filters (EGG's hidden_size: 20).</param>
/// <param name="LearningRate">Adam learning rate (paper: 1e-3).</param>
/// <param name="BatchSize">Games per step (paper: 32).</param>
/// <param name="Epochs">Passes over the training targets (paper: 50).</param>
/// <param name="Patience">Epochs without a better validation accuracy before stopping (paper: 50).</param>
/// <param name="CandidateCounts">Candidate counts for test accuracy (paper: 2, 10, 20, 50, 100).</param>
/// <param name="SelectionCandidates">Candidate count of the validation accuracy that picks the best epoch.</param>
/// <param name="Seed">Seeds initialization, Gumbel noise, batch order and distractor draws.</param>
/// <param name="DataSeed">Seeds which images are the targets.</param>
/// <param name="Device">"cpu", "cuda" or "cuda:N".</param>
public sealed record ImageGameRun(
    ChannelSpec Channel,
    string DataFolder,
    int TrainTargets,
    int ValidationTargets,
    int TestTargets,
    int GameSize,
    int Embedding,
    int Filters,
    double LearningRate,
    int BatchSize,
    int Epochs,
    int Patience,
    int[] CandidateCounts,
    int SelectionCandidates,
    int Seed,
    int DataSeed,
    string Device) : IValidatable
{
    /// <summary>Every impossible setting that shows without the data, each naming the field, the bad
    /// value and what is allowed. What depends on the data (enough images and classes in each folder)
    /// is checked when the data loads (<see cref="CommLab.Data.ImageGameData.Load"/>).</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new ProblemList().AddRange(Channel.Problems())
            .Check(!string.IsNullOrWhiteSpace(DataFolder), "data folder must be given (EGG's signal-game data: train, val and test folders)")
            .AtLeast("train targets", 1, TrainTargets)
            .AtLeast("validation targets", 1, ValidationTargets)
            .AtLeast("test targets", 1, TestTargets)
            .AtLeast("game size", 2, GameSize)
            .AtLeast("embedding", 1, Embedding)
            .AtLeast("filters", 1, Filters)
            .Positive("learning rate", LearningRate)
            .AtLeast("batch size", 1, BatchSize)
            .AtLeast("epochs", 1, Epochs)
            .AtLeast("patience", 1, Patience)
            .Check(CandidateCounts.Length > 0, "candidate counts must list at least one count")
            .Check(DeviceChoice.IsValid(Device), $"device must be one of {DeviceChoice.Allowed}, got '{Device}'");
        // The informed sender reads exactly GameSize images, so no game can have more candidates.
        foreach (var c in CandidateCounts.Append(SelectionCandidates).Distinct())
            problems.Check(c >= 2 && c <= GameSize, $"candidate counts must be in 2..{GameSize} (the game size), got {c}");
        return problems;
    }
}

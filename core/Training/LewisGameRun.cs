using CommLab.Devices;
using CommLab.Games;
using CommLab.Metrics;
using CommLab.Optim;
using CommLab.Validation;

namespace CommLab.Training;

/// <summary>One training run of the GRU Lewis game on a fixed set of games (Zhang section 4).</summary>
/// <param name="Game">The agents and message rules.</param>
/// <param name="Optimizer">Which optimizer (paper: Schedule-Free AdamW).</param>
/// <param name="Optim">Its settings; for Adam only LearningRate, Beta1, Beta2, Epsilon and WeightDecay apply.</param>
/// <param name="BatchSize">Games per gradient step (unstated in the paper).</param>
/// <param name="Epochs">Passes over the training games (paper: 30).</param>
/// <param name="Seed">Seeds initialization, symbol noise and batch order.</param>
/// <param name="Device">"cpu", "cuda" or "cuda:N".</param>
public sealed record LewisGameRun(
    LewisGameSpec Game,
    OptimizerKind Optimizer,
    ScheduleFreeOptions Optim,
    int BatchSize,
    int Epochs,
    int Seed,
    string Device) : IValidatable
{
    /// <summary>Every impossible setting of the run itself, naming field and allowed values (its data
    /// is checked by <see cref="LewisGameTrainer.Problems"/>).</summary>
    public IReadOnlyList<string> Problems() =>
        new ProblemList()
            .AddRange(Game.Problems())
            .AddRange(Optim.Problems(), "optimizer: ")
            .Check(Enum.IsDefined(Optimizer), $"optimizer must be ScheduleFreeAdamW or Adam, got {Optimizer}")
            .AtLeast("batch size", 1, BatchSize)
            .AtLeast("epochs", 1, Epochs)
            .Check(DeviceChoice.IsValid(Device), $"device must be one of {DeviceChoice.Allowed}, got '{Device}'");
}

/// <summary>The Lewis game's validation after an epoch, with hard messages.</summary>
/// <param name="Accuracy">Share of validation games where the receiver picks the target.</param>
/// <param name="MeanLength">Mean effective length |M| of the messages.</param>
/// <param name="LengthShares">Share of messages of each length 0..L.</param>
/// <param name="UniqueMessages">Number of distinct messages (symbols up to the end).</param>
public sealed record LewisValidation(double Accuracy, double MeanLength, double[] LengthShares, int UniqueMessages) : IScored
{
    /// <inheritdoc />
    public double Score => Accuracy;
}

/// <summary>Outcome of a run: every epoch's report, wall time, training throughput, and the validation
/// games as played after the last epoch (for the language's measures and message dumps).</summary>
public sealed record LewisGameResult(EpochReport<LewisValidation>[] History, double Seconds, double GamesPerSecond,
    Interactions Final);

using CommLab.Metrics;

namespace CommLab.Training;

/// <summary>A referential game's validation after an epoch, with discrete messages.</summary>
/// <param name="Accuracy">Accuracy at the run's selection candidate count; it picks the best epoch.</param>
/// <param name="Messages">Number of unique messages over the validation targets.</param>
public sealed record ReferentialValidation(double Accuracy, int Messages) : IScored
{
    /// <inheritdoc />
    public double Score => Accuracy;
}

/// <summary>Outcome of a referential game's run (Object, Image, Sent-Ref, Sent-Cls): test accuracy per
/// candidate count at the best validation epoch, and the test games as played there (for the
/// language's measures and dumps).</summary>
/// <param name="CandidateCounts">The candidate counts, in the order of <paramref name="TestAccuracy"/>.</param>
/// <param name="TestAccuracy">Test accuracy at each count.</param>
/// <param name="TestMessages">Number of unique messages over the test targets (NoUM).</param>
/// <param name="TestTargets">Test targets.</param>
/// <param name="BestEpoch">The first epoch with the best validation accuracy (the one reported).</param>
/// <param name="BestValidationAccuracy">Its validation accuracy.</param>
/// <param name="History">Every epoch trained.</param>
/// <param name="Seconds">Wall time of the run.</param>
/// <param name="SamplesPerSecond">Training games per second of training time.</param>
/// <param name="Final">The test games as played at the best epoch.</param>
public sealed record ReferentialResult(
    int[] CandidateCounts,
    double[] TestAccuracy,
    int TestMessages,
    int TestTargets,
    int BestEpoch,
    double BestValidationAccuracy,
    EpochReport<ReferentialValidation>[] History,
    double Seconds,
    double SamplesPerSecond,
    Interactions Final);

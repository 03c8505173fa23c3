namespace CommLab.Training;

/// <summary>Where a run diverged: the first non-finite training loss or evaluation metric.</summary>
/// <param name="Unit">The unit the run counts its progress in ("epoch", or "step" for environment steps).</param>
/// <param name="At">The epoch (or step) during which the value appeared, 1-based.</param>
/// <param name="Quantity">What became non-finite, e.g. "train loss" or "validation accuracy".</param>
/// <param name="Value">The value itself (NaN or an infinity).</param>
/// <param name="Detail">Where inside that epoch, e.g. "batch 17 of 250"; empty when it adds nothing.</param>
public sealed record Divergence(string Unit, long At, string Quantity, double Value, string Detail)
{
    /// <summary>"train loss became NaN in epoch 3 (batch 17 of 250)".</summary>
    public override string ToString() =>
        $"{Quantity} became {Value.ToString(System.Globalization.CultureInfo.InvariantCulture)} in {Unit} {At}" +
        (Detail.Length > 0 ? $" ({Detail})" : "");
}

/// <summary>Thrown by a training loop that met a non-finite loss or metric: the run stops there and is
/// reported as diverged (the runner stores it as such), never as a finished result.</summary>
public sealed class TrainingDivergedException(Divergence divergence)
    : Exception($"training diverged: {divergence}")
{
    /// <summary>Where and how the run diverged.</summary>
    public Divergence Divergence { get; } = divergence;
}

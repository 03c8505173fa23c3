namespace CommLab.Training;

/// <summary>A game's validation result after an epoch, with the one number that ranks epochs.</summary>
public interface IScored
{
    /// <summary>The validation accuracy: higher is better; the best epoch is the one with the highest,
    /// and a non-finite value stops the run as diverged.</summary>
    double Score { get; }
}

/// <summary>What one epoch did, reported while training: its mean training loss and the game's
/// validation result.</summary>
/// <param name="Epoch">1-based.</param>
/// <param name="Epochs">The most the run trains (early stopping may end it before).</param>
/// <param name="TrainLoss">Mean loss over the epoch's batches.</param>
/// <param name="Validation">What the game measured on its validation data after the epoch.</param>
public sealed record EpochReport<TEval>(int Epoch, int Epochs, double TrainLoss, TEval Validation) where TEval : IScored;

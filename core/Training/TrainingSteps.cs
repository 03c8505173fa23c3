using CommLab.Estimators;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CommLab.Training;

/// <summary>One epoch's gradient steps, the same for every game: a seeded shuffle of the training
/// samples 0..n-1, then per batch, in one dispose scope, the game's loss, zero_grad, backward, the
/// optimizer's step and the estimator's step.</summary>
/// <param name="Model">The game; put in training mode for the pass.</param>
/// <param name="Optimizer">Updates the model's parameters.</param>
/// <param name="Estimator">Advanced once per gradient update (its schedule); null when the game has none.</param>
/// <param name="Samples">Training samples n.</param>
/// <param name="BatchSize">Samples per step (the last batch may be smaller).</param>
/// <param name="BatchLoss">The game's mean loss (a scalar) over the training samples at these indices in 0..n-1.</param>
/// <param name="Generators">Every torch generator the steps draw from (noise, negatives): what a
/// checkpoint must restore, besides the model, the optimizer and the estimator, for a resumed run to
/// draw what an uninterrupted one would.</param>
public sealed record TrainingSteps(
    Module Model,
    TrainerOptimizer Optimizer,
    IDiscreteEstimator? Estimator,
    int Samples,
    int BatchSize,
    Func<int[], Tensor> BatchLoss,
    IReadOnlyList<Generator>? Generators = null)
{
    /// <summary>One pass over the samples in an order drawn from <paramref name="order"/>; returns the
    /// mean batch loss. Throws <see cref="TrainingDivergedException"/> at the first non-finite loss,
    /// naming <paramref name="epoch"/> and the batch.</summary>
    public double Epoch(int epoch, Random order)
    {
        Model.train();
        Optimizer.Train();
        // Fisher-Yates draws depend only on the length, so a game that maps these indices through its
        // own sample array gets the batches it would get by shuffling that array.
        var shuffled = Enumerable.Range(0, Samples).ToArray();
        order.Shuffle(shuffled);
        var batches = (Samples + BatchSize - 1) / BatchSize;
        double total = 0;
        for (int batch = 0; batch < batches; batch++)
        {
            using var scope = NewDisposeScope();
            var start = batch * BatchSize;
            var loss = BatchLoss(shuffled[start..Math.Min(start + BatchSize, Samples)]);
            Optimizer.ZeroGrad();
            loss.backward();
            Optimizer.Step();
            Estimator?.Step();
            var value = loss.item<float>();
            if (!float.IsFinite(value))
                throw new TrainingDivergedException(new Divergence("epoch", epoch, "train loss", value, $"batch {batch + 1} of {batches}"));
            total += value;
        }
        return total / Math.Max(batches, 1);
    }
}

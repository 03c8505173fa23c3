using static TorchSharp.torch;

namespace CommLab.Estimators;

/// <summary>A discrete choice made differentiable: every categorical sample in the project (channel words,
/// MADDPG actions) goes through one of these.</summary>
public interface IDiscreteEstimator
{
    /// <summary>The spec it was built from.</summary>
    EstimatorSpec Spec { get; }

    /// <summary>One-hot choices over the last dimension of <paramref name="logits"/> (any leading shape).
    /// Training: the estimator's forward value with its surrogate gradient. Otherwise: what
    /// <see cref="EstimatorSpec.Evaluation"/> says, with no gradient.</summary>
    Tensor Apply(Tensor logits, bool training);

    /// <summary>Called once after each gradient update; advances any schedule (the TAGS temperature).</summary>
    void Step();

    /// <summary>The temperature the next training call uses.</summary>
    double Temperature { get; }

    /// <summary>The state to put in a checkpoint.</summary>
    EstimatorState State { get; }

    /// <summary>Continues from a checkpointed state; throws if it was written by another kind of estimator.</summary>
    void Restore(EstimatorState state);
}

using TorchSharp;
using static TorchSharp.torch;

namespace CommLab.Estimators;

/// <summary>What the estimators share: evaluation behaviour, the update counter, checkpoints.
/// Subclasses only say how they relax a categorical choice in training.</summary>
public abstract class CategoricalEstimator : IDiscreteEstimator
{
    /// <summary>Source of every random draw, so a run is reproducible from its seed.</summary>
    protected readonly Generator? Noise;

    /// <param name="spec">A valid spec of the subclass's kind.</param>
    /// <param name="noise">Random source; null uses libtorch's global generator.</param>
    protected CategoricalEstimator(EstimatorSpec spec, Generator? noise)
    {
        Spec = spec;
        Noise = noise;
    }

    /// <inheritdoc />
    public EstimatorSpec Spec { get; }

    /// <summary>Gradient updates seen so far.</summary>
    public long Updates { get; private set; }

    /// <inheritdoc />
    public virtual double Temperature => Spec.Temperature;

    /// <inheritdoc />
    public Tensor Apply(Tensor logits, bool training) => training ? Relax(logits) : Evaluate(logits);

    /// <summary>The training behaviour: forward value and surrogate gradient.</summary>
    public abstract Tensor Relax(Tensor logits);

    /// <summary>The evaluation behaviour, without gradient.</summary>
    public Tensor Evaluate(Tensor logits)
    {
        using var _ = no_grad();
        return Spec.Evaluation == EvaluationBehaviour.Sample ? OneHot.Sample(logits, Noise) : OneHot.Argmax(logits);
    }

    /// <inheritdoc />
    public void Step() => Updates++;

    /// <inheritdoc />
    public EstimatorState State => new(Spec.Kind, Updates, Temperature);

    /// <inheritdoc />
    public void Restore(EstimatorState state)
    {
        if (state.Kind != Spec.Kind)
            throw new ArgumentException($"estimator state was written by {state.Kind}, cannot restore it into {Spec.Kind}", nameof(state));
        if (state.Updates < 0)
            throw new ArgumentException($"estimator state updates must be >= 0, got {state.Updates}", nameof(state));
        Updates = state.Updates;
    }

    // At small sizes each libtorch call costs 1-3 us and the estimators are a dozen calls, so the code
    // below avoids calls that do no work: scalars are converted once (a double operand makes and frees
    // a native Scalar on every call), and noise is drawn on fresh tensors, which autograd ignores
    // without a no_grad block.
    readonly CachedScalar inverseTemperature = new();

    /// <summary>x / tau, as x * (1/tau) with the scalar converted once per temperature; x itself at tau = 1.</summary>
    protected Tensor Scale(Tensor x) => Temperature == 1.0 ? x : x.mul(inverseTemperature.Of(1.0 / Temperature));

    /// <summary>Minus Gumbel(0,1) noise, log(-log U): subtracting it saves the negation.</summary>
    protected Tensor MinusGumbel(Tensor like) => Draws.LogUniform(like.shape, like.dtype, like.device, Noise).neg_().log_();
}

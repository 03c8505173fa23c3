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

    /// <summary>Divides by the temperature unless it is 1 (one op fewer on the common path).</summary>
    protected static Tensor Scale(Tensor x, double temperature) => temperature == 1.0 ? x : x / temperature;

    /// <summary>Gumbel(0,1) noise shaped like <paramref name="like"/>, as -log E with E ~ Exp(1).</summary>
    protected Tensor Gumbel(Tensor like)
    {
        using var _ = no_grad();
        return empty_like(like).exponential_(1.0, Noise).log_().neg_();
    }
}

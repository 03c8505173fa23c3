using TorchSharp;
using static TorchSharp.torch;

namespace CommLab.Estimators;

/// <summary>GST (Fan et al. 2022): forward a sample a of Categorical(softmax(l)); backward the gradient of
/// softmax((l + m1 + m2) / tau), where the deterministic perturbations m1, m2 (seed Eqs. 10-11) make the
/// chosen logit the largest and push every other logit at least kappa below it.</summary>
public sealed class GappedStraightThrough : CategoricalEstimator
{
    /// <param name="spec">Spec of kind <see cref="EstimatorKind.GappedStraightThrough"/>.</param>
    /// <param name="noise">Random source.</param>
    public GappedStraightThrough(EstimatorSpec spec, Generator? noise) : base(spec, noise) { }

    /// <summary>l + m1 + m2 for chosen indices [..., 1], without gradient: the chosen logit becomes max(l) and
    /// every other logit l_j becomes min(l_j, max(l) - kappa).</summary>
    public static Tensor Gapped(Tensor logits, Tensor index, double gap)
    {
        using var _ = no_grad();
        using var kappa = gap.ToScalar();
        return GappedBy(logits, index, kappa);
    }

    // Gapped with kappa as a libtorch scalar, so Relax can pass its cached one. Callers hold no_grad, so
    // the logits need no detach() (one libtorch call fewer).
    static Tensor GappedBy(Tensor logits, Tensor index, Scalar gap)
    {
        var top = logits.amax(new long[] { -1 }, keepdim: true);
        return minimum(logits, top.sub(gap)).scatter_(-1, index, top);
    }

    /// <inheritdoc />
    public override Tensor Relax(Tensor logits)
    {
        Tensor index, shift;
        using (no_grad())
        {
            index = OneHot.SampleIndexFromProbabilities(logits.softmax(-1), Noise);
            shift = GappedBy(logits, index, gap.Of(Spec.Gap)).sub_(logits);
        }
        var hard = OneHot.At(index, logits);
        return StraightThrough.Combine(hard, Scale(logits + shift).softmax(-1));
    }

    readonly CachedScalar gap = new();
}

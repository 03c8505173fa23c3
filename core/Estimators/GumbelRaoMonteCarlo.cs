using static TorchSharp.torch;

namespace CommLab.Estimators;

/// <summary>GRMCK (Paulus et al. 2021): forward a sample a of Categorical(softmax(l)); backward the mean over
/// K draws of the gradient of softmax((l + g_k) / tau), each g_k a Gumbel perturbation conditioned on
/// argmax(l + g_k) = a (seed Eqs. 8-9). K = 1 equals STGS in distribution; larger K lowers the variance.</summary>
public sealed class GumbelRaoMonteCarlo : CategoricalEstimator
{
    // e^{-l} is clamped here so that E * e^{-l} stays finite; a logit this far below the largest has
    // probability below e^-69 and its conditioned logit is -69 below the maximum either way.
    const double FarBelow = 1e30;

    /// <param name="spec">Spec of kind <see cref="EstimatorKind.GumbelRaoMonteCarlo"/>.</param>
    /// <param name="noise">Random source.</param>
    public GumbelRaoMonteCarlo(EstimatorSpec spec, Generator? noise) : base(spec, noise) { }

    /// <summary>K samples [K, ..., C] of l + g conditioned on argmax = <paramref name="index"/> ([..., 1]),
    /// without gradient: at the chosen class log Z - log E_i, elsewhere -log(E_j e^{-l_j} + E_i / Z).</summary>
    public static Tensor ConditionedLogits(Tensor logits, Tensor index, int samples, Generator? noise)
    {
        using var _ = no_grad();
        var top = logits.detach().amax(new long[] { -1 }, keepdim: true);
        return ConditionedOffsets(logits, top, index, samples, noise).add_(top);
    }

    // The conditioned logits minus max(l). Both cases are -log(w) with w = E_j e^{-l_j} [j != i] + E_i / Z
    // (at the chosen class the first term is dropped), computed on l - max(l) so nothing overflows.
    static Tensor ConditionedOffsets(Tensor logits, Tensor top, Tensor index, int samples, Generator? noise)
    {
        var shifted = logits.detach() - top;
        var partition = shifted.exp().sum(-1, keepdim: true);
        var away = shifted.neg().exp_().clamp_max_(FarBelow).scatter_(-1, index, zeros_like(index, dtype: logits.dtype));
        var shape = new long[logits.dim() + 1];
        shape[0] = samples;
        for (int d = 0; d < logits.dim(); d++) shape[d + 1] = logits.shape[d];
        var exponential = empty(shape, dtype: logits.dtype, device: logits.device).exponential_(1.0, noise);
        var chosen = exponential.gather(-1, index.unsqueeze(0).expand(IndexShape(shape)));
        return exponential.mul_(away).add_(chosen.div_(partition)).log_().neg_();
    }

    static long[] IndexShape(long[] shape)
    {
        var s = (long[])shape.Clone();
        s[^1] = 1;
        return s;
    }

    /// <inheritdoc />
    public override Tensor Relax(Tensor logits)
    {
        var index = OneHot.SampleIndex(logits, Noise);
        Tensor offsets, hard;
        using (no_grad())
        {
            var top = logits.detach().amax(new long[] { -1 }, keepdim: true);
            offsets = Scale(ConditionedOffsets(logits, top, index, Spec.Samples, Noise), Temperature);
            hard = OneHot.At(index, logits);
        }
        // l + g_k equals offsets_k + max(l); softmax ignores the constant, and (l - l.detach()) / tau is zero
        // in value but carries d/dl through every sample, as the authors' l + (adjusted - l).detach() does.
        var carrier = Scale(logits - logits.detach(), Temperature);
        var surrogate = (offsets + carrier).softmax(-1).mean(new long[] { 0 });
        return StraightThrough.Combine(hard, surrogate);
    }
}

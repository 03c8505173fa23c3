using static TorchSharp.torch;

namespace CommLab.Estimators;

/// <summary>GRMCK (Paulus et al. 2021): forward a sample a of Categorical(softmax(l)); backward the mean over
/// K draws of the gradient of softmax((l + g_k) / tau), each g_k a Gumbel perturbation conditioned on
/// argmax(l + g_k) = a (seed Eqs. 8-9). K = 1 equals STGS in distribution; larger K lowers the variance.</summary>
/// <remarks>Eq. 8 in terms of p = softmax(l): l_j + g_j = log Z - log(E_j / p_j + E_i) for j != i and
/// log Z - log E_i at the chosen i. log Z is the same for every class and softmax ignores it, so the
/// relaxation needs only p, which sampling computes anyway, and one log over the K x C draws.</remarks>
public sealed class GumbelRaoMonteCarlo : CategoricalEstimator
{
    // 1/p is clamped here so that E_j / p_j stays finite in float32; a class this unlikely gets a
    // conditioned logit at least 69 below log Z either way.
    const double Unlikely = 1e30;

    /// <param name="spec">Spec of kind <see cref="EstimatorKind.GumbelRaoMonteCarlo"/>.</param>
    /// <param name="noise">Random source.</param>
    public GumbelRaoMonteCarlo(EstimatorSpec spec, Generator? noise) : base(spec, noise) { }

    /// <summary>K samples [K, ..., C] of l + g conditioned on argmax = <paramref name="index"/> ([..., 1]),
    /// without gradient: at the chosen class log Z - log E_i, elsewhere -log(E_j e^{-l_j} + E_i / Z).</summary>
    public static Tensor ConditionedLogits(Tensor logits, Tensor index, int samples, Generator? noise)
    {
        using var _ = no_grad();
        return logits.logsumexp(-1, keepdim: true).sub(LogWeights(logits.softmax(-1), index, samples, noise));
    }

    // log(E_j / p_j [j != i] + E_i) for K draws: l_j + g_j = log Z minus this. E = -log U is kept as
    // log U, so E_j / p_j = log U_j * (-1/p_j) and E_i = -log U_i; one fused multiply-add, one log.
    static Tensor LogWeights(Tensor probabilities, Tensor index, int samples, Generator? noise)
    {
        var minusInverse = probabilities.reciprocal().clamp_max_(Unlikely).neg_()
            .scatter_(-1, index, zeros_like(index, dtype: probabilities.dtype));
        var shape = new long[probabilities.dim() + 1];
        shape[0] = samples;
        for (int d = 0; d < probabilities.dim(); d++) shape[d + 1] = probabilities.shape[d];
        var logU = Draws.LogUniform(shape, probabilities.dtype, probabilities.device, noise);
        var indexShape = (long[])shape.Clone();
        indexShape[^1] = 1;
        var chosen = logU.gather(-1, index.unsqueeze(0).expand(indexShape)).neg_();
        return addcmul(chosen, logU, minusInverse, 1.0).log_();
    }

    /// <inheritdoc />
    public override Tensor Relax(Tensor logits)
    {
        Tensor index, logWeights;
        using (no_grad())
        {
            var probabilities = logits.softmax(-1);
            index = OneHot.SampleIndexFromProbabilities(probabilities, Noise);
            logWeights = LogWeights(probabilities, index, Spec.Samples, Noise);
        }
        var hard = OneHot.At(index, logits);
        // (l + g_k) / tau is (log Z - logWeights_k) / tau; softmax ignores the log Z / tau. The carrier
        // (l - l.detach()) / tau is zero in value but carries d/dl through every sample, as the authors'
        // l + (adjusted - l).detach() does; add with alpha scales and adds in one pass over K x C.
        var carrier = Scale(logits - logits.detach());
        var surrogate = carrier.add(logWeights, alpha.Of(-1.0 / Temperature)).softmax(-1).mean(new long[] { 0 });
        return StraightThrough.Combine(hard, surrogate);
    }

    readonly CachedScalar alpha = new();
}

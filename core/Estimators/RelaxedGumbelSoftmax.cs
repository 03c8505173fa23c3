using static TorchSharp.torch;

namespace CommLab.Estimators;

/// <summary>The plain Gumbel-Softmax (Jang et al.): softmax((l + g) / tau) in both passes. Training
/// words are not one-hot; "Emergent Quantized Communication" trains its GS channels this way.</summary>
public sealed class RelaxedGumbelSoftmax : CategoricalEstimator
{
    /// <param name="spec">Spec of kind <see cref="EstimatorKind.RelaxedGumbelSoftmax"/>.</param>
    /// <param name="noise">Random source.</param>
    public RelaxedGumbelSoftmax(EstimatorSpec spec, Generator? noise) : base(spec, noise) { }

    /// <inheritdoc />
    public override Tensor Relax(Tensor logits) => Scale(logits - MinusGumbel(logits)).softmax(-1);
}

using static TorchSharp.torch;

namespace CommLab.Estimators;

/// <summary>STGS (Jang et al.): forward the one-hot argmax of l + g, which is a sample of
/// Categorical(softmax(l)) whatever the temperature; backward the gradient of softmax((l + g) / tau).</summary>
public class StraightThroughGumbelSoftmax : CategoricalEstimator
{
    /// <param name="spec">Spec of kind STGS (or TAGS, through the subclass).</param>
    /// <param name="noise">Random source.</param>
    public StraightThroughGumbelSoftmax(EstimatorSpec spec, Generator? noise) : base(spec, noise) { }

    /// <inheritdoc />
    public override Tensor Relax(Tensor logits)
    {
        var perturbed = logits - MinusGumbel(logits);
        // argmax returns indices, which autograd never tracks: no no_grad block needed.
        var hard = OneHot.Argmax(perturbed);
        return StraightThrough.Combine(hard, Scale(perturbed).softmax(-1));
    }
}

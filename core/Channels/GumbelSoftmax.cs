using static TorchSharp.torch;

namespace CommLab.Channels;

/// <summary>Gumbel-Softmax relaxation of a categorical sample.</summary>
public static class GumbelSoftmax
{
    /// <summary>Samples softmax((logits + g) / tau) with g ~ Gumbel(0,1) drawn from <paramref name="generator"/>.
    /// With <paramref name="hard"/>, the forward value is the one-hot argmax and the gradient is the relaxed one.</summary>
    public static Tensor Sample(Tensor logits, double temperature, bool hard, Generator? generator)
    {
        var u = rand(logits.shape, dtype: logits.dtype, device: logits.device, generator: generator);
        // -log(-log u) with u kept away from 0 and 1 so the noise stays finite.
        var gumbel = -(-(u.clamp(1e-10, 1.0 - 1e-7)).log()).log();
        var soft = ((logits + gumbel) / temperature).softmax(-1);
        return hard ? StraightThrough(soft) : soft;
    }

    /// <summary>One-hot of the argmax in the forward pass, gradient of <paramref name="soft"/> in the backward pass.</summary>
    public static Tensor StraightThrough(Tensor soft) => OneHotArgmax(soft) - soft.detach() + soft;

    /// <summary>The one-hot vector of the largest entry along the last dimension.</summary>
    public static Tensor OneHotArgmax(Tensor scores) =>
        nn.functional.one_hot(scores.argmax(-1), scores.shape[^1]).to(scores.dtype);
}

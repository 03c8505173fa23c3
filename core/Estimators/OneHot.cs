using static TorchSharp.torch;

namespace CommLab.Estimators;

/// <summary>One-hot vectors and categorical draws over the last dimension.</summary>
public static class OneHot
{
    /// <summary>One-hot vectors shaped and typed like <paramref name="like"/>, with a 1 at <paramref name="index"/>
    /// (shape [..., 1], int64).</summary>
    public static Tensor At(Tensor index, Tensor like) =>
        zeros_like(like).scatter_(-1, index, ones_like(index, dtype: like.dtype));

    /// <summary>One-hot of the largest entry of each row.</summary>
    public static Tensor Argmax(Tensor scores) => At(scores.argmax(-1, keepdim: true), scores);

    /// <summary>Indices [..., 1] drawn from Categorical(softmax(logits)).</summary>
    public static Tensor SampleIndex(Tensor logits, Generator? generator)
    {
        using var _ = no_grad();
        return SampleIndexFromProbabilities(logits.softmax(-1), generator);
    }

    /// <summary>Indices [..., 1] drawn from the categorical distributions <paramref name="probabilities"/> (rows
    /// sum to 1), by an exponential race: argmax_j p_j / E_j with E_j ~ Exp(1) is j with probability p_j.</summary>
    /// <remarks>E = -log U, so argmax p / E = argmin p / log U. libtorch's multinomial does the same race
    /// with its slow exponential_ and input checks: 24 us against 7 us for three categories.</remarks>
    public static Tensor SampleIndexFromProbabilities(Tensor probabilities, Generator? generator)
    {
        // Indices carry no gradient, so no no_grad block is needed (callers pass detached probabilities).
        var logU = Draws.LogUniform(probabilities.shape, probabilities.dtype, probabilities.device, generator);
        return probabilities.div(logU).argmin(-1, keepdim: true);
    }

    /// <summary>One-hot draws from Categorical(softmax(logits)).</summary>
    public static Tensor Sample(Tensor logits, Generator? generator)
    {
        using var _ = no_grad();
        return At(SampleIndex(logits, generator), logits);
    }
}

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

    /// <summary>Indices [..., 1] drawn from Categorical(softmax(logits)) by the Gumbel-max trick:
    /// argmax(l - log E) with E ~ Exp(1), since -log E is Gumbel(0,1).</summary>
    public static Tensor SampleIndex(Tensor logits, Generator? generator)
    {
        using var _ = no_grad();
        var exponential = empty_like(logits).exponential_(1.0, generator);
        return logits.detach().sub(exponential.log_()).argmax(-1, keepdim: true);
    }

    /// <summary>One-hot draws from Categorical(softmax(logits)).</summary>
    public static Tensor Sample(Tensor logits, Generator? generator)
    {
        using var _ = no_grad();
        return At(SampleIndex(logits, generator), logits);
    }
}

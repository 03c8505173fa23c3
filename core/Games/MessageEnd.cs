using static TorchSharp.torch;

namespace CommLab.Games;

/// <summary>Where messages end under <see cref="MessageTermination.Eos"/> (symbol 0 is EOS).</summary>
public static class MessageEnd
{
    /// <summary>The symbol that ends a message.</summary>
    public const int Eos = 0;

    /// <summary>Probability mass of each message ending at each step: w_t = eos_t prod_{s&lt;t}(1 - eos_s)
    /// for messages [B, T, V] of (possibly soft) one-hot symbols, shape [B, T]. With hard symbols it is the
    /// indicator of the first EOS; it sums to 1 over t when the last step is EOS (the forced EOS).
    /// Differentiable: the gradient reaches every EOS choice up to the end.</summary>
    public static Tensor Weights(Tensor messages)
    {
        var eos = messages.select(-1, Eos);
        var notBefore = (1 - eos).cumprod(1);
        // Shift right by one: nothing has ended before step 0.
        var before = cat(new[] { ones_like(eos.narrow(1, 0, 1)), notBefore.narrow(1, 0, eos.shape[1] - 1) }, 1);
        return eos * before;
    }

    /// <summary>Effective length |M| of each hard message [B, T, V]: symbols before the first EOS (T when
    /// there is none), int64 [B].</summary>
    public static Tensor Lengths(Tensor messages)
    {
        var isEos = messages.argmax(-1).eq(Eos);
        // argmax returns the first maximal index, so the first EOS.
        var first = isEos.to(ScalarType.Int32).argmax(1);
        return where(isEos.any(1), first, full_like(first, messages.shape[1]));
    }

    /// <summary>Index of the first EOS of each hard message [B, T, V] (T - 1, the last step, when there
    /// is none), int64 [B]: the step whose receiver output is the guess.</summary>
    public static Tensor FirstEos(Tensor messages) => Lengths(messages).clamp_max(messages.shape[1] - 1);
}

using CommLab.Estimators;
using static TorchSharp.torch;

namespace CommLab.Channels;

/// <summary>Uniform quantization of words (the paper's Algorithm 1).</summary>
public static class Quantizer
{
    /// <summary>Min-max normalizes each word (last dimension) to [0,1]. A constant word maps to 0.5.</summary>
    /// <remarks>Per word, not per batch as in the authors' example code: a batch-wide range would make a
    /// sample's message depend on its batch-mates, and a Recurrent sender cannot see its later words.</remarks>
    public static Tensor Normalize(Tensor word) => Normalize(word, Normalization.PerWord);

    /// <summary>Min-max normalizes to [0,1] over each word, or over the whole tensor (a batch of words)
    /// with <see cref="Normalization.Batch"/>. A constant range maps to 0.5.</summary>
    public static Tensor Normalize(Tensor word, Normalization over)
    {
        var dims = over == Normalization.PerWord ? new long[] { -1 } : Enumerable.Range(0, (int)word.dim()).Select(d => (long)d).ToArray();
        var min = word.amin(dims, keepdim: true);
        var range = word.amax(dims, keepdim: true) - min;
        var flat = range <= 1e-12f;
        return where(flat, full_like(word, 0.5f), (word - min) / range.clamp_min(1e-12f));
    }

    /// <summary>Rounds a word in [0,1] to <paramref name="alphabet"/> evenly spaced levels
    /// {0, 1/(a-1), ..., 1}; the backward pass is the identity (straight-through estimator).</summary>
    /// <remarks>The paper's S = 1/|v| would give |v|+1 levels; we use |v|-1 steps so a word element
    /// takes exactly |v| values, matching "alphabet size".</remarks>
    public static Tensor Quantize(Tensor normalized, int alphabet) =>
        StraightThroughRounding.Round(normalized, alphabet);

    /// <summary>The integer symbols of a quantized word, for logging and counting messages.</summary>
    public static Tensor Symbols(Tensor quantized, int alphabet) => (quantized * (alphabet - 1)).round().to(ScalarType.Int64);
}

using static TorchSharp.torch;

namespace CommLab.Estimators;

/// <summary>The straight-through combination shared by every estimator.</summary>
public static class StraightThrough
{
    /// <summary>Value of <paramref name="forward"/>, gradient of <paramref name="surrogate"/>.</summary>
    /// <remarks>The difference is taken without autograd, so the graph gains a single addition node.</remarks>
    public static Tensor Combine(Tensor forward, Tensor surrogate)
    {
        Tensor offset;
        using (no_grad()) offset = forward - surrogate;
        return surrogate + offset;
    }
}

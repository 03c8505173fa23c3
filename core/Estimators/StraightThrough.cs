using static TorchSharp.torch;

namespace CommLab.Estimators;

/// <summary>The straight-through combination shared by every estimator.</summary>
public static class StraightThrough
{
    /// <summary>Value of <paramref name="forward"/>, gradient of <paramref name="surrogate"/>.
    /// <paramref name="forward"/> must be a fresh tensor of the caller's: it is overwritten.</summary>
    /// <remarks>The difference is taken in place and without autograd, so the graph gains a single addition
    /// node and no tensor is allocated for the offset.</remarks>
    public static Tensor Combine(Tensor forward, Tensor surrogate)
    {
        using (no_grad()) forward.sub_(surrogate);
        return surrogate + forward;
    }
}

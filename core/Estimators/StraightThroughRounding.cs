using static TorchSharp.torch;

namespace CommLab.Estimators;

/// <summary>The quantizer's discrete choice: rounding to evenly spaced levels, with the identity as gradient
/// (the straight-through estimator of Bengio et al.).</summary>
public static class StraightThroughRounding
{
    /// <summary>Rounds values in [0,1] to <paramref name="levels"/> levels {0, 1/(n-1), ..., 1}; the backward
    /// pass is the identity.</summary>
    public static Tensor Round(Tensor unit, int levels)
    {
        if (levels < 2) throw new ArgumentOutOfRangeException(nameof(levels), levels, "levels must be >= 2");
        var steps = levels - 1;
        Tensor rounded;
        using (no_grad()) rounded = (unit * steps).round_().div_(steps);
        return StraightThrough.Combine(rounded, unit);
    }
}

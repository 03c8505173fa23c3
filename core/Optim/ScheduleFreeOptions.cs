using CommLab.Validation;

namespace CommLab.Optim;

/// <summary>Settings of <see cref="ScheduleFreeAdamW"/>; the defaults are those of the reference
/// implementation (facebookresearch/schedule_free, AdamWScheduleFree).</summary>
/// <param name="LearningRate">Peak learning rate gamma (reference default 0.0025).</param>
/// <param name="Beta1">Interpolation between z and x that gives the gradient point y (0.9); also the
/// momentum-like constant of the method.</param>
/// <param name="Beta2">Second-moment decay (0.999).</param>
/// <param name="Epsilon">Added to the root of the second moment (1e-8).</param>
/// <param name="WeightDecay">Decoupled weight decay lambda, applied at y (0).</param>
/// <param name="WarmupSteps">Steps of linear learning-rate warmup (0).</param>
/// <param name="R">Polynomial weighting power of the averaging weights (0).</param>
/// <param name="WeightLrPower">Power of the running maximum learning rate in the averaging weights (2).</param>
public sealed record ScheduleFreeOptions(
    double LearningRate = 0.0025,
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    double Epsilon = 1e-8,
    double WeightDecay = 0.0,
    int WarmupSteps = 0,
    double R = 0.0,
    double WeightLrPower = 2.0) : IValidatable
{
    /// <summary>Every impossible setting, naming the field and the allowed range.</summary>
    public IReadOnlyList<string> Problems() =>
        new ProblemList()
            .Positive("learning rate", LearningRate)
            .Check(Beta1 > 0 && Beta1 < 1, $"beta1 must be in (0, 1), got {Beta1}")
            .Check(Beta2 >= 0 && Beta2 < 1, $"beta2 must be in [0, 1), got {Beta2}")
            .NonNegative("epsilon", Epsilon)
            .NonNegative("weight decay", WeightDecay)
            .AtLeast("warmup steps", 0, WarmupSteps)
            .NonNegative("r", R)
            .NonNegative("weight lr power", WeightLrPower);
}

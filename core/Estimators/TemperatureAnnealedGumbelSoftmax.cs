using static TorchSharp.torch;

namespace CommLab.Estimators;

/// <summary>TAGS: STGS whose temperature follows <see cref="TemperatureSchedule.Exponential"/> in the
/// number of <see cref="IDiscreteEstimator.Step"/> calls, from Temperature to EndTemperature over Period.</summary>
public sealed class TemperatureAnnealedGumbelSoftmax : StraightThroughGumbelSoftmax
{
    /// <param name="spec">Spec of kind <see cref="EstimatorKind.TemperatureAnnealed"/>.</param>
    /// <param name="noise">Random source.</param>
    public TemperatureAnnealedGumbelSoftmax(EstimatorSpec spec, Generator? noise) : base(spec, noise) { }

    /// <inheritdoc />
    public override double Temperature =>
        TemperatureSchedule.Exponential(Spec.Temperature, Spec.EndTemperature, Spec.Period, Updates);
}

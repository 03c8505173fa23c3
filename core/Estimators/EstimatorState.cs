namespace CommLab.Estimators;

/// <summary>What an estimator must carry across a checkpoint: the gradient updates it has seen
/// (everything else, such as the TAGS temperature, follows from them and from its spec).</summary>
/// <param name="Kind">The estimator that wrote the state; restoring into another kind is refused.</param>
/// <param name="Updates">Calls to <see cref="IDiscreteEstimator.Step"/> so far.</param>
/// <param name="Temperature">The temperature in use after those updates, for people reading the checkpoint.</param>
public sealed record EstimatorState(EstimatorKind Kind, long Updates, double Temperature);

using System.Globalization;
using CommLab.Validation;
using TorchSharp;
using static TorchSharp.torch;

namespace CommLab.Estimators;

/// <summary>Everything that defines an estimator. Fields a kind does not use are ignored by it.</summary>
/// <param name="Kind">Which estimator.</param>
/// <param name="Temperature">tau of the relaxation (TAGS: the start temperature). Must be > 0.</param>
/// <param name="EndTemperature">TAGS only: the temperature reached after <paramref name="Period"/> updates, then held.</param>
/// <param name="Period">TAGS only: gradient updates over which the temperature decays (the authors count updates, not steps).</param>
/// <param name="Samples">GRMCK only: K, the conditioned Gumbel samples averaged per gradient.</param>
/// <param name="Gap">GST only: kappa, the least distance between the chosen logit and every other (authors: 1.0).</param>
/// <param name="Evaluation">What the estimator returns outside training.</param>
public sealed record EstimatorSpec(
    EstimatorKind Kind,
    double Temperature = 1.0,
    double EndTemperature = 1.0,
    long Period = 1,
    int Samples = 1,
    double Gap = 1.0,
    EvaluationBehaviour Evaluation = EvaluationBehaviour.Argmax) : IValidatable
{
    /// <summary>The relaxed Gumbel-Softmax (no straight-through).</summary>
    public static EstimatorSpec Relaxed(double temperature) => new(EstimatorKind.RelaxedGumbelSoftmax, temperature);

    /// <summary>STGS with temperature tau (STGS-1: tau = 1).</summary>
    public static EstimatorSpec Stgs(double temperature) => new(EstimatorKind.StraightThroughGumbelSoftmax, temperature);

    /// <summary>TAGS from <paramref name="start"/> to <paramref name="end"/> over <paramref name="period"/> updates.</summary>
    public static EstimatorSpec Tags(double start, double end, long period) =>
        new(EstimatorKind.TemperatureAnnealed, start, EndTemperature: end, Period: period);

    /// <summary>GRMCK with temperature tau and K samples.</summary>
    public static EstimatorSpec Grmc(double temperature, int samples) =>
        new(EstimatorKind.GumbelRaoMonteCarlo, temperature, Samples: samples);

    /// <summary>GST with temperature tau and gap kappa.</summary>
    public static EstimatorSpec Gst(double temperature, double gap) =>
        new(EstimatorKind.GappedStraightThrough, temperature, Gap: gap);

    /// <summary>Short name for tables: GS-1, STGS-1, STGS-0.5, TAGS-4-0.1, GRMC-10, GST-1.</summary>
    public string Name
    {
        get
        {
            static string F(double x) => x.ToString("0.###", CultureInfo.InvariantCulture);
            return Kind switch
            {
                EstimatorKind.RelaxedGumbelSoftmax => $"GS-{F(Temperature)}",
                EstimatorKind.StraightThroughGumbelSoftmax => $"STGS-{F(Temperature)}",
                EstimatorKind.TemperatureAnnealed => $"TAGS-{F(Temperature)}-{F(EndTemperature)}",
                EstimatorKind.GumbelRaoMonteCarlo => $"GRMC-{Samples}",
                EstimatorKind.GappedStraightThrough => $"GST-{F(Gap)}",
                _ => Kind.ToString(),
            };
        }
    }

    /// <summary>Every problem with the spec, each naming the field, the bad value and what is allowed.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new ProblemList()
            .Check(Enum.IsDefined(Kind), $"estimator must be one of {string.Join(", ", Enum.GetNames<EstimatorKind>())}, got {Kind}")
            .Check(Enum.IsDefined(Evaluation), $"estimator evaluation must be one of {string.Join(", ", Enum.GetNames<EvaluationBehaviour>())}, got {Evaluation}")
            .Positive(Kind == EstimatorKind.TemperatureAnnealed ? "estimator start temperature" : "estimator temperature", Temperature);
        if (Kind == EstimatorKind.TemperatureAnnealed)
            problems.Positive("estimator end temperature", EndTemperature)
                .Check(Period >= 1, $"estimator annealing period must be >= 1 update, got {Period}");
        if (Kind == EstimatorKind.GumbelRaoMonteCarlo)
            problems.AtLeast("estimator samples (K)", 1, Samples);
        if (Kind == EstimatorKind.GappedStraightThrough)
            problems.NonNegative("estimator gap (kappa)", Gap);
        return problems;
    }

    /// <summary>A fresh estimator drawing its noise from <paramref name="noise"/> (null: libtorch's global generator).</summary>
    public IDiscreteEstimator Create(Generator? noise = null)
    {
        this.Validate();
        return Kind switch
        {
            EstimatorKind.RelaxedGumbelSoftmax => new RelaxedGumbelSoftmax(this, noise),
            EstimatorKind.StraightThroughGumbelSoftmax => new StraightThroughGumbelSoftmax(this, noise),
            EstimatorKind.TemperatureAnnealed => new TemperatureAnnealedGumbelSoftmax(this, noise),
            EstimatorKind.GumbelRaoMonteCarlo => new GumbelRaoMonteCarlo(this, noise),
            EstimatorKind.GappedStraightThrough => new GappedStraightThrough(this, noise),
            _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "unknown estimator"),
        };
    }
}

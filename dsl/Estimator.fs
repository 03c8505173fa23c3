/// Discrete gradient estimators as typed configs: the five of "Revisiting the Gumbel-Softmax in MADDPG"
/// (Section 3) and the relaxed Gumbel-Softmax. Any experiment can sweep over them (`Axes` of its game).
module CommLab.Dsl.Estimator

open CommLab.Estimators

/// Which estimator.
type Kind =
    /// Relaxed Gumbel-Softmax: soft words in training, no straight-through.
    | GS
    /// Straight-through Gumbel-Softmax (STGS-1 at temperature 1, STGS-T below).
    | STGS
    /// Temperature-annealed STGS.
    | TAGS
    /// Gumbel-Rao Monte Carlo with K conditioned samples.
    | GRMC
    /// Gapped straight-through.
    | GST

/// What the estimator returns outside training.
type Evaluation =
    /// The most likely category (channels).
    | Argmax
    /// A sample (stochastic policies).
    | Sample

/// An estimator. Fields a kind does not use are ignored; build with the functions below.
type Estimator =
    { Kind: Kind
      /// tau of the relaxation; TAGS: its start temperature. > 0.
      Temperature: float
      /// TAGS: temperature reached after Period updates and then held. > 0.
      EndTemperature: float
      /// TAGS: gradient updates over which the temperature decays. >= 1.
      Period: int64
      /// GRMC: K, conditioned Gumbel samples per gradient. >= 1.
      Samples: int
      /// GST: kappa, the gap below the chosen logit. >= 0.
      Gap: float
      /// Outside training: argmax or a sample.
      Evaluation: Evaluation }

let private make kind temperature =
    { Kind = kind; Temperature = temperature; EndTemperature = temperature; Period = 1L; Samples = 1; Gap = 1.0; Evaluation = Argmax }

/// The relaxed Gumbel-Softmax at temperature tau (no straight-through).
let relaxed tau = make GS tau

/// STGS at temperature tau; `stgs 1.0` is the paper's STGS-1 baseline.
let stgs tau = make STGS tau

/// TAGS from `start` to `finish` over `period` gradient updates.
let tags start finish period = { make TAGS start with EndTemperature = finish; Period = period }

/// GRMCK at temperature tau with K samples.
let grmc tau k = { make GRMC tau with Samples = k }

/// GST at temperature tau with gap kappa.
let gst tau kappa = { make GST tau with Gap = kappa }

/// The core's spec.
let toSpec (e: Estimator) =
    let kind =
        match e.Kind with
        | GS -> EstimatorKind.RelaxedGumbelSoftmax
        | STGS -> EstimatorKind.StraightThroughGumbelSoftmax
        | TAGS -> EstimatorKind.TemperatureAnnealed
        | GRMC -> EstimatorKind.GumbelRaoMonteCarlo
        | GST -> EstimatorKind.GappedStraightThrough
    let evaluation = match e.Evaluation with Argmax -> EvaluationBehaviour.Argmax | Sample -> EvaluationBehaviour.Sample
    EstimatorSpec(kind, e.Temperature, e.EndTemperature, e.Period, e.Samples, e.Gap, evaluation)

/// Short name for tables and plots: GS-1, STGS-1, STGS-0.5, TAGS-4-0.1, GRMC-10, GST-1.
let name (e: Estimator) = (toSpec e).Name

/// Every problem, each naming the field, the bad value and what is allowed (the core's checks).
let validate (e: Estimator) : string list = List.ofSeq ((toSpec e).Problems())

/// The settings the authors of "Revisiting the Gumbel-Softmax in MADDPG" ran (their final configs).
module Paper =
    /// Level-Based Foraging. TAGS' period counts gradient updates (one per episode there).
    let lbf =
        [ stgs 1.0; stgs 0.5; tags 4.0 0.1 3_000_000L; grmc 0.5 10; gst 0.7 1.0 ]

    /// Multi-Robot Warehouse.
    let rware =
        [ stgs 1.0; stgs 0.6; tags 1.0 0.3 4_000_000L; grmc 0.7 5; gst 0.7 1.0 ]

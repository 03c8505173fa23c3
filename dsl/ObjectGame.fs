/// The Object game (paper Sections 4.1-4.5) as a typed run record, with the paper's settings as defaults.
module CommLab.Dsl.ObjectGame

open CommLab.Training
open CommLab.Dsl.Validation

/// One run of the Object game.
type Run =
    { /// The channel between sender and receiver.
      Channel: Channel.Channel
      /// Attributes per object (paper: 4).
      Attributes: int
      /// Values per attribute (paper: 10), so 10^4 objects.
      Values: int
      /// Adam learning rate (paper: 1e-5).
      LearningRate: float
      /// Batch size (paper: 32).
      BatchSize: int
      /// Training epochs (paper: 50).
      Epochs: int
      /// Epochs without a better validation accuracy before stopping (paper: 50, i.e. never early).
      Patience: int
      /// Negatives per target in training; None = every other object (paper).
      Negatives: int option
      /// Limit on training targets; None = all 8000 (paper).
      TrainTargets: int option
      /// Candidate counts at which test accuracy is reported (paper: 2 ... 10000).
      Candidates: int list
      /// Candidate count of the validation accuracy that picks the best epoch (the largest).
      SelectionCandidates: int
      /// Seeds weights, Gumbel noise, batch order and distractor draws.
      Seed: int
      /// Seeds the 80/10/10 split of targets (fixed across seeds, as the paper's one dataset).
      DataSeed: int
      /// "cpu", "cuda" or "cuda:N".
      Device: string }

/// The paper's candidate counts for the Object game.
let paperCandidates = [ 2; 10; 100; 500; 1000; 2000; 5000; 10000 ]

/// The paper's settings (Appendix A.4) with a QT-Instant channel.
let defaults =
    { Channel = Channel.defaults
      Attributes = 4
      Values = 10
      LearningRate = 1e-5
      BatchSize = 32
      Epochs = 50
      Patience = 50
      Negatives = None
      TrainTargets = None
      Candidates = paperCandidates
      SelectionCandidates = 10000
      Seed = 1
      DataSeed = 0
      Device = "cpu" }

/// Number of objects in the run's world.
let objects (r: Run) = pown (float r.Values) r.Attributes

// The core's run description, built without checks; `validate` and `toCore` decide whether it is used.
let private describe (r: Run) =
    ObjectGameRun(
        Channel.toSpec r.Channel, r.Attributes, r.Values, r.LearningRate, r.BatchSize, r.Epochs, r.Patience,
        Option.toNullable r.Negatives, Option.toNullable r.TrainTargets, Array.ofList r.Candidates,
        r.SelectionCandidates, r.Seed, r.DataSeed, r.Device)

/// Training targets the run uses: the split's 80% of the objects, or fewer with `TrainTargets`.
let trainTargets (r: Run) =
    let struct (train, _, _) = CommLab.Data.TargetSplit.Sizes(int (objects r), 0.1, 0.1)
    match r.TrainTargets with Some limit -> min limit train | None -> train

/// Gradient updates over the whole run (every epoch, no early stop): the natural TAGS period.
let updates (r: Run) = int64 r.Epochs * int64 ((trainTargets r + r.BatchSize - 1) / r.BatchSize)

/// Every problem with the run, each naming the field, the bad value and what is allowed. The checks
/// are the core's (`ObjectGameRun.Problems`), so the DSL and C# callers read the same words.
let validate (r: Run) : string list = List.ofSeq ((describe r).Problems())

/// The core's run description; raises `ConfigError` listing every problem first.
let toCore (r: Run) =
    require (validate r |> List.map Some)
    describe r

/// What a finished run keeps: the core's result, flattened to plain fields for the run store.
type Outcome =
    { Candidates: int list
      TestAccuracy: float list
      /// Number of unique messages over the test targets (NoUM).
      TestMessages: int
      TestTargets: int
      BestEpoch: int
      BestValidationAccuracy: float
      TrainLoss: float list
      ValidationAccuracy: float list
      Seconds: float
      SamplesPerSecond: float }

/// Trains and evaluates one run, reporting validation accuracy after every epoch.
let execute (r: Run) (report: Runner.Progress -> unit) : Outcome =
    let result =
        ObjectGameTrainer.Train(
            toCore r,
            fun e -> report { Epoch = e.Epoch; Epochs = e.Epochs; Metric = "val acc"; Value = e.Validation.Accuracy })
    { Candidates = List.ofArray result.CandidateCounts
      TestAccuracy = List.ofArray result.TestAccuracy
      TestMessages = result.TestMessages
      TestTargets = result.TestTargets
      BestEpoch = result.BestEpoch
      BestValidationAccuracy = result.BestValidationAccuracy
      TrainLoss = result.History |> Array.map (fun h -> h.TrainLoss) |> List.ofArray
      ValidationAccuracy = result.History |> Array.map (fun h -> h.Validation.Accuracy) |> List.ofArray
      Seconds = result.Seconds
      SamplesPerSecond = result.SamplesPerSecond }

/// A one-line description for progress logs.
let label (r: Run) =
    let c = r.Channel
    let quantize = if c.Mode = Channel.QT then (if c.Quantize = Channel.InferenceOnly then " inf-only" else " train+inf") else ""
    let norm = if c.Mode <> Channel.GS && c.Normalization = Channel.Batch then " batch-norm" else ""
    let alphabet = if c.Mode = Channel.CN then "" else sprintf " |v|=%d" c.Alphabet
    sprintf "%s%s w=%d m=%d%s%s seed=%d" (Channel.describe c) alphabet c.WordLength c.MessageLength quantize norm r.Seed

/// One row per (run, candidate count): the shape results take in frames and CSV files.
type Row =
    { Channel: string
      Mode: string
      Architecture: string
      /// The GS channel's estimator (e.g. "STGS-1"); empty for CN and QT.
      Estimator: string
      Quantize: string
      Normalization: string
      Alphabet: int
      WordLength: int
      MessageLength: int
      Seed: int
      Candidates: int
      Accuracy: float
      Messages: int
      Targets: int
      BestEpoch: int
      Seconds: float }

/// The rows of finished runs.
let rows (results: (Run * Outcome) list) : Row list =
    [ for r, o in results do
          for k, acc in List.zip o.Candidates o.TestAccuracy do
              { Channel = Channel.name r.Channel
                Mode = sprintf "%A" r.Channel.Mode
                Architecture = sprintf "%A" r.Channel.Architecture
                Estimator = (if r.Channel.Mode = Channel.GS then Estimator.name r.Channel.Estimator else "")
                Quantize = sprintf "%A" r.Channel.Quantize
                Normalization = sprintf "%A" r.Channel.Normalization
                Alphabet = r.Channel.Alphabet
                WordLength = r.Channel.WordLength
                MessageLength = r.Channel.MessageLength
                Seed = r.Seed
                Candidates = k
                Accuracy = acc
                Messages = o.TestMessages
                Targets = o.TestTargets
                BestEpoch = o.BestEpoch
                Seconds = o.Seconds } ]

/// Named sweep axes over Object game runs.
module Axes =
    let private channel (f: Channel.Channel -> Channel.Channel) (r: Run) = { r with Channel = f r.Channel }

    /// Quantization phase (QT).
    let quantize (phases: Channel.Quantize list) =
        Sweep.axis "quantize" phases (sprintf "%A") (fun q -> channel (fun c -> { c with Quantize = q }))

    /// Alphabet size.
    let alphabet (sizes: int list) =
        Sweep.axis "alphabet" sizes string (fun a -> channel (fun c -> { c with Alphabet = a }))

    /// Normalization range of CN/QT words: per word (default) or per batch (authors' code).
    let normalization (ranges: Channel.Normalization list) =
        Sweep.axis "normalization" ranges (sprintf "%A") (fun n -> channel (fun c -> { c with Normalization = n }))

    /// Word length.
    let wordLength (lengths: int list) =
        Sweep.axis "word length" lengths string (fun w -> channel (fun c -> { c with WordLength = w }))

    /// Whole channels, labelled by their short name (e.g. "GS-RNN").
    let channels (cs: Channel.Channel list) =
        Sweep.axis "channel" cs Channel.name (fun c (r: Run) -> { r with Channel = c })

    /// Estimators of GS channels, labelled by their short name (e.g. "GST-1").
    let estimators (es: Estimator.Estimator list) =
        Sweep.axis "estimator" es Estimator.name (fun e -> channel (fun c -> { c with Estimator = e }))

    /// Random seeds.
    let seeds (seeds: int list) = Sweep.axis "seed" seeds string (fun s (r: Run) -> { r with Seed = s })

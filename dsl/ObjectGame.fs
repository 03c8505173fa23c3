/// The Object game (paper Sections 4.1-4.5) as a typed run record, with the paper's settings as defaults.
module CommLab.Dsl.ObjectGame

open Newtonsoft.Json
open CommLab.Games
open CommLab.Training
open CommLab.Dsl.Channel
open CommLab.Dsl.Referential

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
      Device: string
      // The three settings below are where EGG's objects game, which the paper builds on, differs from
      // ours (issue 15's ablation). Each None is what every run stored before them did, and is left
      // out of the config's JSON, so those runs keep their ids.
      /// What the agents read of an object: None = one-hot attributes; Some Values = the values 1..V (EGG).
      [<JsonProperty(NullValueHandling = NullValueHandling.Ignore)>]
      Encoding: ObjectEncoding option
      /// What follows each agent's layer: None = nothing; Some Tanh = tanh (EGG).
      [<JsonProperty(NullValueHandling = NullValueHandling.Ignore)>]
      Activation: AgentActivation option
      /// Training games per epoch (targets repeated in a shuffled order): None = one pass over the
      /// training targets; EGG's objects game draws 10^5 games per epoch.
      [<JsonProperty(NullValueHandling = NullValueHandling.Ignore)>]
      GamesPerEpoch: int option }

/// The paper's candidate counts for the Object game.
let paperCandidates = [ 2; 10; 100; 500; 1000; 2000; 5000; 10000 ]

/// Training games per epoch in the paper's profile: EGG's objects game (which the paper builds on)
/// trains on 10^5 games per epoch, and the paper's lr 1e-5 reaches its 1.00 only with epochs of that
/// size (docs/quantized-communication.md, the ablation of experiments/object-lr-ablation.fsx).
let paperGamesPerEpoch = 100000

/// The paper's settings (Appendix A.4) with a QT-Instant channel, epochs of `paperGamesPerEpoch` games.
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
      Device = "cpu"
      Encoding = None
      Activation = None
      GamesPerEpoch = Some paperGamesPerEpoch }

/// Number of objects in the run's world.
let objects (r: Run) = pown (float r.Values) r.Attributes

/// The core's run description (unchecked: `validate` lists its problems).
let toCore (r: Run) =
    ObjectGameRun(
        Channel.toSpec r.Channel, r.Attributes, r.Values, r.LearningRate, r.BatchSize, r.Epochs, r.Patience,
        Option.toNullable r.Negatives, Option.toNullable r.TrainTargets, Array.ofList r.Candidates,
        r.SelectionCandidates, r.Seed, r.DataSeed, r.Device,
        defaultArg r.Encoding ObjectEncoding.OneHot, defaultArg r.Activation AgentActivation.None, Option.toNullable r.GamesPerEpoch)

/// Training targets the run uses: the split's 80% of the objects, or fewer with `TrainTargets`.
let trainTargets (r: Run) =
    let struct (train, _, _) = CommLab.Data.TargetSplit.Sizes(int (objects r), 0.1, 0.1)
    match r.TrainTargets with Some limit -> min limit train | None -> train

/// Training games per epoch: `GamesPerEpoch`, or one pass over the training targets.
let gamesPerEpoch (r: Run) = defaultArg r.GamesPerEpoch (trainTargets r)

/// Gradient updates over the whole run (every epoch, no early stop): the natural TAGS period.
let updates (r: Run) = int64 r.Epochs * int64 ((gamesPerEpoch r + r.BatchSize - 1) / r.BatchSize)

/// Every problem with the run, each naming the field, the bad value and what is allowed. The checks
/// are the core's (`ObjectGameRun.Problems`), so the DSL and C# callers read the same words.
let validate (r: Run) : string list = List.ofSeq ((toCore r).Problems())

/// Trains and evaluates one run, reporting validation accuracy after every epoch; a killed run
/// continues from its last epoch checkpoint (`--checkpoint-minutes`).
let execute (r: Run) (context: RunContext) : Metrics =
    ObjectGameTrainer.Train(toCore r, Referential.progress context, resume = context.EpochCheckpoint)
    |> Referential.metrics context

/// A one-line description for progress logs.
let label (r: Run) =
    let egg =
        [ (match r.Encoding with Some ObjectEncoding.Values -> Some "values" | _ -> None)
          (match r.Activation with Some AgentActivation.Tanh -> Some "tanh" | _ -> None)
          r.GamesPerEpoch |> Option.map (sprintf "games/epoch=%d") ]
        |> List.choose id
        |> List.map (sprintf " %s")
        |> String.concat ""
    sprintf "%s%s lr=%g seed=%d" (Referential.describeChannel r.Channel) egg r.LearningRate r.Seed

/// The rows of one run: one per candidate count (`Referential.rows`).
let rows (r: Run) (outcome: Outcome<Metrics>) : Row list =
    Referential.rows r.Channel r.Seed r.LearningRate r.Candidates outcome

/// One core's seconds for the whole run: every update, a validation pass per epoch and the test pass.
let cost (r: Run) =
    let step, evaluation = Costs.objectStep r.Channel
    float (updates r) * step + float (r.Epochs + 1) * evaluation

/// The Object game as an experiment kind: progress in epochs.
let kind: ExperimentKind<Run, Metrics, Row> =
    { Name = "Object game"; Unit = "epoch"; Validate = validate; Label = label; Execute = execute; Rows = rows; Cost = cost }

/// Named sweep axes over Object game runs.
module Axes =
    let private channel = Referential.ChannelAxes<Run>(fun f (r: Run) -> { r with Channel = f r.Channel })

    /// Quantization phase (QT).
    let quantize phases = channel.Quantize phases

    /// Alphabet size.
    let alphabet sizes = channel.Alphabet sizes

    /// Normalization range of CN/QT words: per word (default) or per batch (authors' code).
    let normalization ranges = channel.Normalization ranges

    /// Word length.
    let wordLength lengths = channel.WordLength lengths

    /// Whole channels.
    let channels cs = channel.Channels cs

    /// Estimators of GS channels.
    let estimators es = channel.Estimators es

    /// Figure 4's grid: normalization x quantization phase x alphabet x word length.
    let heatmap normalizations alphabets lengths = channel.Heatmap(normalizations, alphabets, lengths)

    /// Random seeds.
    let seeds (seeds: int list) = Sweep.axis "seed" seeds (fun s (r: Run) -> { r with Seed = s })

    /// Learning rates.
    let learningRate (rates: float list) = Sweep.axis "learning rate" rates (fun lr (r: Run) -> { r with LearningRate = lr })

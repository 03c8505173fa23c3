/// The Image game (paper Sections 4.1-4.2, Table 4, Appendix A.4) as a typed run record, with the
/// paper's settings as defaults: EGG's signal-game features, an informed sender, 99 distractors of
/// other classes in training, accuracy at 2..100 candidates.
module CommLab.Dsl.ImageGame

open CommLab.Data
open CommLab.Training
open CommLab.Dsl.Channel
open CommLab.Dsl.Referential

/// A synthetic stand-in for EGG's data (`StandIns.WriteImageGameData`): classes with a random
/// centroid each, images around it. Not the paper's data; every table made from it says so.
type StandIn =
    { Classes: int
      /// Images per class in the train folder.
      TrainPerClass: int
      /// Images per class in the val and test folders.
      EvaluationPerClass: int
      /// Features per image (EGG's: 4096).
      Features: int
      Seed: int }

/// Where the images come from.
type Data =
    /// A folder with EGG's signal-game data: train, val and test folders (`--data DIR`). The path is
    /// part of the run's id.
    | Folder of string
    /// A synthetic stand-in, written to the data cache on first use (`DataCache`).
    | StandIn of StandIn

/// One run of the Image game.
type Run =
    { Channel: Channel.Channel
      Data: Data
      /// Targets drawn from the train folder (paper: 8032).
      TrainTargets: int
      /// Targets drawn from the validation folder (paper: 1024).
      ValidationTargets: int
      /// Targets drawn from the test folder (paper: 1024).
      TestTargets: int
      /// Images per training game and in the sender's view (paper: 100, 99 distractors).
      GameSize: int
      /// The agents' image embedding (Table 4: 50).
      Embedding: int
      /// The informed sender's convolution filters (EGG's hidden_size: 20).
      Filters: int
      /// Adam learning rate (paper: 1e-3).
      LearningRate: float
      /// Batch size (paper: 32).
      BatchSize: int
      /// Training epochs, one pass over the training targets each (paper: 50).
      Epochs: int
      /// Epochs without a better validation accuracy before stopping (paper: 50).
      Patience: int
      /// Candidate counts of the test accuracy (Table 6: 2, 10, 20, 50, 100).
      Candidates: int list
      /// Candidate count of the validation accuracy that picks the best epoch (the largest).
      SelectionCandidates: int
      /// Seeds weights, Gumbel noise, batch order and distractor draws.
      Seed: int
      /// Seeds which images are the targets (fixed across seeds).
      DataSeed: int
      /// "cpu", "cuda" or "cuda:N".
      Device: string }

/// Table 4's Image sizes for a Recurrent channel: GRU hidden 20, word embedding 50.
let recurrentSizes (c: Channel.Channel) = { c with Hidden = 20; Embedding = 50 }

/// The paper's settings (Appendix A.4) with a QT-Instant channel; the data must be set (`Folder`).
let defaults =
    { Channel = recurrentSizes Channel.defaults
      Data = Folder ""
      TrainTargets = 8032
      ValidationTargets = 1024
      TestTargets = 1024
      GameSize = 100
      Embedding = 50
      Filters = 20
      LearningRate = 1e-3
      BatchSize = 32
      Epochs = 50
      Patience = 50
      Candidates = PaperNumbers.Quantized.candidates PaperNumbers.Quantized.Image
      SelectionCandidates = 100
      Seed = 1
      DataSeed = 0
      Device = "cpu" }

/// Whether the run reads a synthetic stand-in rather than the paper's data.
let isStandIn (r: Run) = match r.Data with StandIn _ -> true | Folder _ -> false

/// The data folder the run reads: the given one, or the stand-in's in the cache (written if missing).
let dataFolder (r: Run) =
    match r.Data with
    | Folder path -> path
    | StandIn s ->
        DataCache.ensure [ "standins"; sprintf "image-%dx%d-%d-f%d-seed%d" s.Classes s.TrainPerClass s.EvaluationPerClass s.Features s.Seed ]
            (fun dir -> StandIns.WriteImageGameData(dir, s.Classes, s.TrainPerClass, s.EvaluationPerClass, s.Features, s.Seed))

/// The core's run description for the data in `folder` (unchecked: `validate` lists its problems).
let toCore (r: Run) (folder: string) =
    ImageGameRun(Channel.toSpec r.Channel, folder, r.TrainTargets, r.ValidationTargets, r.TestTargets, r.GameSize, r.Embedding,
                 r.Filters, r.LearningRate, r.BatchSize, r.Epochs, r.Patience, Array.ofList r.Candidates, r.SelectionCandidates,
                 r.Seed, r.DataSeed, r.Device)

/// Every problem with the run, each naming the field, the bad value and what is allowed: the core's
/// checks, what is missing from a data folder, and what a stand-in cannot hold.
let validate (r: Run) : string list =
    let own = List.ofSeq ((toCore r (match r.Data with Folder f -> f | StandIn _ -> "stand-in")).Problems())
    let data =
        match r.Data with
        | Folder "" -> [ "data folder must be given: --data DIR with EGG's signal-game data (train, val and test folders; see docs/quantized-communication.md)" ]
        | Folder path -> List.ofSeq (ImageGameData.Missing path)
        | StandIn s ->
            [ if s.Classes < r.GameSize then sprintf "stand-in classes must be >= the game size %d (distractors of distinct classes), got %d" r.GameSize s.Classes
              if s.TrainPerClass * s.Classes < r.TrainTargets then sprintf "the stand-in's %d train images are fewer than the %d train targets" (s.TrainPerClass * s.Classes) r.TrainTargets
              if s.EvaluationPerClass * s.Classes < max r.ValidationTargets r.TestTargets then
                  sprintf "the stand-in's %d images per evaluation folder are fewer than the %d validation or test targets" (s.EvaluationPerClass * s.Classes) (max r.ValidationTargets r.TestTargets) ]
    own @ data

/// Trains and evaluates one run, reporting validation accuracy after every epoch; a killed run
/// continues from its last epoch checkpoint (`--checkpoint-minutes`).
let execute (r: Run) (context: RunContext) : Metrics =
    ImageGameTrainer.Train(toCore r (dataFolder r), Referential.progress context, resume = context.EpochCheckpoint)
    |> Referential.metrics context

/// A one-line description for progress logs.
let label (r: Run) =
    sprintf "%s lr=%g seed=%d%s" (Referential.describeChannel r.Channel) r.LearningRate r.Seed (if isStandIn r then " stand-in" else "")

/// The rows of one run: one per candidate count (`Referential.rows`).
let rows (r: Run) (outcome: Outcome<Metrics>) : Row list = Referential.rows r.Channel r.Seed r.LearningRate r.Candidates outcome

/// One core's seconds for the whole run: every update (one pass over the targets an epoch) and the
/// evaluations (`Costs.imageStep`).
let cost (r: Run) =
    let step, perTarget = Costs.imageStep r.Channel r.GameSize
    let updates = float r.Epochs * float ((r.TrainTargets + r.BatchSize - 1) / r.BatchSize)
    updates * step + float r.Epochs * float r.ValidationTargets * perTarget + float r.TestTargets * perTarget

/// The Image game as an experiment kind: progress in epochs.
let kind: ExperimentKind<Run, Metrics, Row> =
    { Name = "Image game"; Unit = "epoch"; Validate = validate; Label = label; Execute = execute; Rows = rows; Cost = cost }

/// Named sweep axes over Image game runs.
module Axes =
    let private channel = Referential.ChannelAxes<Run>(fun f (r: Run) -> { r with Channel = f r.Channel })

    /// Whole channels.
    let channels cs = channel.Channels cs

    /// Figures 5-7's grid: normalization x quantization phase x alphabet x word length.
    let heatmap normalizations alphabets lengths = channel.Heatmap(normalizations, alphabets, lengths)

    /// Random seeds.
    let seeds (seeds: int list) = Sweep.axis "seed" seeds (fun s (r: Run) -> { r with Seed = s })

/// The data a script's runs read: `--data DIR` when given, else `standIn`; the paper profile needs
/// the real data and stops (exit 2) naming it.
let dataFor (options: Cli.Options) (standIn: StandIn) : Data =
    match options.Data, options.Profile with
    | Some dir, _ -> Folder dir
    | None, Cli.Paper ->
        Cli.fail
            [ "the paper profile of the Image game needs EGG's signal-game data: --data DIR, a folder with train, val and test folders"
              sprintf "of ours_images_single_sm0.h5 and ours_images_single_sm0.objects (from %s; see docs/quantized-communication.md)" ImageFeatureFolder.Source ]
    | None, _ -> StandIn standIn

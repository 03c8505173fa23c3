/// The GRU Lewis game on min(|M|)-controlled data ("A Combinatorial Approach to Neural Emergent
/// Communication", section 4) as a typed run record. Settings the paper leaves open are fields with
/// documented defaults, so a sweep can vary them.
module CommLab.Dsl.LewisGame

open System.Collections.Concurrent
open System.IO
open CommLab.Games
open CommLab.Optim
open CommLab.Symbolic
open CommLab.Training

/// How messages end (see the core's MessageTermination).
type Termination =
    /// Symbol 0 is EOS; L symbols plus a forced EOS; the guess is read at the first EOS (EGG). Default.
    | Eos
    /// Exactly L symbols, guess after the last.
    | FixedLength

/// Which optimizer.
type Optimizer =
    /// Schedule-Free AdamW (the paper's), evaluated at its averaged point x.
    | ScheduleFreeAdamW
    /// Adam (EGG's default), for comparison.
    | Adam

/// Where the games come from.
type Data =
    { /// min(|M|) of every game (paper: 2 or 3). Ignored when `File` is set.
      MinSymbols: int
      /// |A| (paper: 20).
      Attributes: int
      /// |V| (paper: 4).
      Values: int
      /// Objects per game, target included (paper: 64).
      Candidates: int
      /// N_g, games in all (paper: 10000).
      Games: int
      /// The first this-many games train, the rest validate (paper: 8000 of 10000).
      TrainGames: int
      /// Seeds the controlled sampler (one dataset shared by every seed of the agents, as the paper's).
      Seed: int
      /// Read the games from this file (GameFile format) instead of sampling them.
      File: string option }

/// One run of the Lewis game.
type Run =
    { Data: Data
      /// Maximum message length L (paper: 1..5).
      MaxLength: int
      /// GRU state size (paper: 512).
      Hidden: int
      /// Symbol embedding size (paper: 32).
      Embedding: int
      /// Vocabulary size, EOS included; None = |A| x |V| (paper: 80).
      Vocabulary: int option
      /// Symbol estimator (paper: straight-through Gumbel-Softmax; temperature unstated, 1 chosen).
      Estimator: Estimator.Estimator
      /// How messages end (unstated; EGG's EOS convention chosen).
      Termination: Termination
      /// Optimizer (paper: Schedule-Free AdamW).
      Optimizer: Optimizer
      /// Peak learning rate (unstated; see `defaults`).
      LearningRate: float
      /// Schedule-Free warmup steps (unstated; 0, the reference default).
      Warmup: int
      /// Decoupled weight decay (unstated; 0).
      WeightDecay: float
      /// Games per gradient step (unstated; EGG's 32).
      BatchSize: int
      /// Epochs (paper: 30).
      Epochs: int
      /// Seeds initialization, symbol noise and batch order.
      Seed: int
      /// "cpu", "cuda" or "cuda:N".
      Device: string }

/// The paper's data: |A| = 20, |V| = 4, 64 objects per game, 10000 games split 8000/2000, min(|M|) = 2.
let paperData =
    { MinSymbols = 2; Attributes = 20; Values = 4; Candidates = 64; Games = 10000; TrainGames = 8000; Seed = 0; File = None }

/// The paper's setup with the choices it leaves open: STGS at temperature 1, EOS as in EGG, batch
/// 32, Schedule-Free AdamW with the reference implementation's defaults (lr 2.5e-3, no warmup, no
/// weight decay), 30 epochs, L = 2.
let defaults =
    { Data = paperData
      MaxLength = 2
      Hidden = 512
      Embedding = 32
      Vocabulary = None
      Estimator = Estimator.stgs 1.0
      Termination = Eos
      Optimizer = ScheduleFreeAdamW
      LearningRate = 2.5e-3
      Warmup = 0
      WeightDecay = 0.0
      BatchSize = 32
      Epochs = 30
      Seed = 1
      Device = "cpu" }

/// The run's vocabulary: the set one or |A| x |V|.
let vocabulary (r: Run) = defaultArg r.Vocabulary (r.Data.Attributes * r.Data.Values)

/// The core's run description, built without checks (`validate` decides whether it is used).
let toCore (r: Run) =
    let game =
        LewisGameSpec(
            r.Data.Attributes * r.Data.Values, vocabulary r, r.MaxLength, r.Hidden, r.Embedding, Estimator.toSpec r.Estimator,
            (match r.Termination with Eos -> MessageTermination.Eos | FixedLength -> MessageTermination.FixedLength))
    let kind = match r.Optimizer with ScheduleFreeAdamW -> OptimizerKind.ScheduleFreeAdamW | Adam -> OptimizerKind.Adam
    LewisGameRun(game, kind, ScheduleFreeOptions(LearningRate = r.LearningRate, WarmupSteps = r.Warmup, WeightDecay = r.WeightDecay),
                 r.BatchSize, r.Epochs, r.Seed, r.Device)

/// Problems with the data settings, each naming the field and what is allowed.
let validateData (d: Data) : string list =
    let shape = List.ofSeq (SymbolicGames.ShapeProblems(d.Candidates, d.Attributes, d.Values))
    let counts =
        Validation.problems
            [ Validation.atLeast "train games" 1 d.TrainGames
              (if d.Games <= d.TrainGames then Some(sprintf "games must be > train games (%d), so some games validate; got %d" d.TrainGames d.Games) else None) ]
    match d.File with
    | Some path when not (File.Exists path) -> shape @ counts @ [ sprintf "data file not found: %s" path ]
    | Some _ -> shape @ counts
    | None ->
        let attributes = max 1 d.Attributes
        shape @ counts
        @ (if d.MinSymbols < 1 || d.MinSymbols > attributes then [ sprintf "min symbols must be in 1..%d (the attributes), got %d" attributes d.MinSymbols ] else [])

/// Every problem with the run: its data, then the core's checks of the game, optimizer and training.
let validate (r: Run) : string list = validateData r.Data @ List.ofSeq ((toCore r).Problems())

// One dataset per Data value in a process: the runs of a sweep share it rather than resample it.
let private datasets = ConcurrentDictionary<Data, System.Lazy<SampledGames>>()

/// The games of `d`, sampled (or read) once per process, with the min(|M|) histogram of every game
/// the sampler drew (a file's games are solved instead).
let games (d: Data) : SampledGames =
    datasets.GetOrAdd(d, fun d ->
        lazy
            (match d.File with
             | Some path ->
                 let games = GameFile.Read path
                 if games.Count < d.Games then
                     raise (InvalidDataException(sprintf "%s holds %d games, the config asks for %d (train %d)" path games.Count d.Games d.TrainGames))
                 let used = games.Slice(0, d.Games)
                 let histogram = Array.zeroCreate (used.Attributes + 1)
                 for m in used.MinSymbols() do histogram[m] <- histogram[m] + 1L
                 SampledGames(used, histogram, int64 used.Count)
             | None ->
                 ControlledSampler.Sample(GameShape(d.Attributes, d.Values, d.Candidates), d.MinSymbols, d.Games, uint64 d.Seed))).Value

/// The training and validation games of `d`.
let split (d: Data) =
    let all = (games d).Games
    all.Slice(0, d.TrainGames), all.Slice(d.TrainGames, all.Count - d.TrainGames)

/// What a finished run keeps, one entry per epoch.
type Outcome =
    { TrainLoss: float list
      ValidationAccuracy: float list
      /// Mean effective length |M| of the validation messages.
      MeanLength: float list
      /// Distinct validation messages.
      UniqueMessages: int list
      /// Share of validation messages of each length 0..L after the last epoch.
      FinalLengthShares: float list
      Seconds: float
      GamesPerSecond: float }

/// Trains one run, reporting validation accuracy after every epoch.
let execute (r: Run) (report: Runner.Progress -> unit) : Outcome =
    match validate r with
    | [] -> ()
    | problems -> raise (Validation.ConfigError problems)
    let train, validation = split r.Data
    let result =
        LewisGameTrainer.Train(
            toCore r, train, validation,
            fun e -> report { Epoch = e.Epoch; Epochs = r.Epochs; Metric = "val acc"; Value = e.Validation.Accuracy })
    let history = List.ofArray result.History
    { TrainLoss = history |> List.map (fun e -> e.TrainLoss)
      ValidationAccuracy = history |> List.map (fun e -> e.Validation.Accuracy)
      MeanLength = history |> List.map (fun e -> e.Validation.MeanLength)
      UniqueMessages = history |> List.map (fun e -> e.Validation.UniqueMessages)
      FinalLengthShares = (List.last history).Validation.LengthShares |> List.ofArray
      Seconds = result.Seconds
      GamesPerSecond = result.GamesPerSecond }

/// A one-line description for progress logs.
let label (r: Run) = sprintf "min(|M|)=%d L=%d seed=%d" r.Data.MinSymbols r.MaxLength r.Seed

/// One row per (run, epoch).
type Row =
    { MinSymbols: int
      MaxLength: int
      Seed: int
      Epoch: int
      Accuracy: float
      MeanLength: float
      UniqueMessages: int
      TrainLoss: float }

/// The rows of finished runs.
let rows (results: (Run * Outcome) list) : Row list =
    [ for r, o in results do
          for i, acc in List.indexed o.ValidationAccuracy ->
              { MinSymbols = r.Data.MinSymbols
                MaxLength = r.MaxLength
                Seed = r.Seed
                Epoch = i + 1
                Accuracy = acc
                MeanLength = o.MeanLength[i]
                UniqueMessages = o.UniqueMessages[i]
                TrainLoss = o.TrainLoss[i] } ]

/// Named sweep axes over Lewis game runs.
module Axes =
    /// min(|M|) of the data.
    let minSymbols (values: int list) =
        Sweep.axis "min(|M|)" values string (fun m (r: Run) -> { r with Data = { r.Data with MinSymbols = m } })

    /// Maximum message length L.
    let maxLength (values: int list) = Sweep.axis "L" values string (fun l (r: Run) -> { r with MaxLength = l })

    /// Random seeds of the agents (the data keep their own seed).
    let seeds (seeds: int list) = Sweep.axis "seed" seeds string (fun s (r: Run) -> { r with Seed = s })

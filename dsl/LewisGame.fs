/// The GRU Lewis game on min(|M|)-controlled data ("A Combinatorial Approach to Neural Emergent
/// Communication", section 4) as a typed run record. Settings the paper leaves open are fields with
/// documented defaults, so a sweep can vary them.
module CommLab.Dsl.LewisGame

open System.Collections.Concurrent
open System.IO
open Newtonsoft.Json
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
      /// Games per gradient step (unstated; 128, chosen by issue 15's ablation over EGG's 32).
      BatchSize: int
      /// Epochs (paper: 30).
      Epochs: int
      /// Seeds initialization, symbol noise and batch order.
      Seed: int
      /// "cpu", "cuda" or "cuda:N".
      Device: string
      /// Eos termination: steps before which the sender may not choose EOS. None = 0, EGG's sender (the
      /// empty message allowed); Some 1 forbids the empty message (the default); Some L makes every
      /// message L long. Left out of the config's JSON when None, so runs stored before it keep their ids.
      [<JsonProperty(NullValueHandling = NullValueHandling.Ignore)>]
      MinLength: int option }

/// The paper's data: |A| = 20, |V| = 4, 64 objects per game, 10000 games split 8000/2000, min(|M|) = 2.
let paperData =
    { MinSymbols = 2; Attributes = 20; Values = 4; Candidates = 64; Games = 10000; TrainGames = 8000; Seed = 0; File = None }

/// The paper's setup with the choices it leaves open: STGS at temperature 1, EOS as in EGG but not
/// before the first symbol (no empty message), batch 128, Schedule-Free AdamW with the reference
/// implementation's defaults (lr 2.5e-3, no warmup, no weight decay), 30 epochs, L = 2. Both open
/// choices come from the sms-ablation experiment (docs/combinatorial-communication.md, "Short
/// messages"): batch 128 (EGG's is 32) was better at L = 1 and 2 on both data sets and at 9 of the 10
/// (L, data) cells of Figures 2-3, with gaps between L = 2 and the best L nearer the paper's; and at
/// the paper's GRU 512, EGG's sender, free to end at step 0, collapsed to the empty message at L = 1
/// (0.011, 0.208, 0.077 over 3 seeds; paper about 0.35), where holding EOS back one step gave 0.287,
/// 0.211, 0.379, and lifted L = 2 from 0.573 to 0.681 on average.
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
      BatchSize = 128
      Epochs = 30
      Seed = 1
      Device = "cpu"
      MinLength = Some 1 }

/// The run's vocabulary: the set one or |A| x |V|.
let vocabulary (r: Run) = defaultArg r.Vocabulary (r.Data.Attributes * r.Data.Values)

/// The core's run description, built without checks (`validate` decides whether it is used).
let toCore (r: Run) =
    let game =
        LewisGameSpec(
            r.Data.Attributes * r.Data.Values, vocabulary r, r.MaxLength, r.Hidden, r.Embedding, Estimator.toSpec r.Estimator,
            (match r.Termination with Eos -> MessageTermination.Eos | FixedLength -> MessageTermination.FixedLength),
            defaultArg r.MinLength 0)
    let kind = match r.Optimizer with ScheduleFreeAdamW -> OptimizerKind.ScheduleFreeAdamW | Adam -> OptimizerKind.Adam
    LewisGameRun(game, kind, ScheduleFreeOptions(LearningRate = r.LearningRate, WarmupSteps = r.Warmup, WeightDecay = r.WeightDecay),
                 r.BatchSize, r.Epochs, r.Seed, r.Device)

/// Distinct messages the run's sender can send (K of `MessageBounds.AnyCode`): under Eos, every
/// length from the min length to L over the content symbols (the vocabulary less EOS); fixed length,
/// exactly L over the whole vocabulary.
let messages (r: Run) =
    match r.Termination with
    | Eos -> MessageBounds.Messages(vocabulary r - 1, defaultArg r.MinLength 0, r.MaxLength)
    | FixedLength -> MessageBounds.Messages(vocabulary r, r.MaxLength, r.MaxLength)

/// The shape of `d`'s games: |A|, |V| and objects per game.
let shape (d: Data) = GameShape(d.Attributes, d.Values, d.Candidates)

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
                 ControlledSampler.Sample(shape d, d.MinSymbols, d.Games, uint64 d.Seed))).Value

/// The training and validation games of `d`.
let split (d: Data) =
    let all = (games d).Games
    all.Slice(0, d.TrainGames), all.Slice(d.TrainGames, all.Count - d.TrainGames)

/// Writes each sampled dataset of `data` to `<dir>/data/min<M>-seed<S>.txt` in the games file format
/// (for `sms solve` or other tools), unless it is there already; datasets read from a file are skipped.
let saveGames (dir: string) (data: Data list) : unit =
    for d in List.distinct data do
        let path = Path.Combine(dir, "data", sprintf "min%d-seed%d.txt" d.MinSymbols d.Seed)
        if d.File.IsNone && not (File.Exists path) then
            GameFile.Write(path, (games d).Games, sprintf "min(|M|) = %d controlled sampling, seed %d" d.MinSymbols d.Seed)

/// The core's description of the data (unchecked: `validate` lists its problems).
let toCoreData (d: Data) =
    GameData(shape d, d.MinSymbols, d.Games, d.TrainGames, uint64 d.Seed, Option.toObj d.File)

/// Problems with the data settings (the core's `GameData` checks), each naming the field and what is
/// allowed; a games file that exists is read here (once per process, shared with the runs), so a
/// malformed one is refused before anything trains instead of failing every run that reads it.
let validateData (d: Data) : string list =
    match List.ofSeq ((toCoreData d).Problems()), d.File with
    | [], Some _ ->
        try
            games d |> ignore
            []
        with :? InvalidDataException as e -> [ e.Message ]
    | problems, _ -> problems

/// Every problem with the run: its data, then the core's checks of the game, optimizer and training.
let validate (r: Run) : string list = validateData r.Data @ List.ofSeq ((toCore r).Problems())

/// What a finished run keeps (its metrics.json), one entry per epoch.
type Metrics =
    { TrainLoss: float list
      ValidationAccuracy: float list
      /// Mean effective length |M| of the validation messages.
      MeanLength: float list
      /// Distinct validation messages.
      UniqueMessages: int list
      /// Share of validation messages of each length 0..L after the last epoch.
      FinalLengthShares: float list
      Seconds: float
      GamesPerSecond: float
      /// The language of the validation messages after the last epoch (topsim, posdis, ...). None for
      /// runs stored before it was measured; left out of the JSON then, so their metrics.json still loads.
      [<JsonProperty(NullValueHandling = NullValueHandling.Ignore)>]
      Language: Language.Measures option }

/// Trains one run, reporting validation accuracy after every epoch; a killed run continues from its
/// last epoch checkpoint (`--checkpoint-minutes`). The language is measured with edit distances
/// between messages (EGG's default): messages end at EOS, so their lengths differ.
let execute (r: Run) (context: RunContext) : Metrics =
    let train, validation = split r.Data
    let result =
        LewisGameTrainer.Train(
            toCore r, train, validation,
            (fun e -> context.Report { Done = int64 e.Epoch; Total = int64 r.Epochs; Metric = "val acc"; Value = e.Validation.Accuracy }),
            resume = context.EpochCheckpoint)
    let history = List.ofArray result.History
    { TrainLoss = history |> List.map (fun e -> e.TrainLoss)
      ValidationAccuracy = history |> List.map (fun e -> e.Validation.Accuracy)
      MeanLength = history |> List.map (fun e -> e.Validation.MeanLength)
      UniqueMessages = history |> List.map (fun e -> e.Validation.UniqueMessages)
      FinalLengthShares = (List.last history).Validation.LengthShares |> List.ofArray
      Seconds = result.Seconds
      GamesPerSecond = result.GamesPerSecond
      Language = Some(Language.record context CommLab.Metrics.Distance.Edit result.Final) }

/// A one-line description for progress logs.
let label (r: Run) = sprintf "min(|M|)=%d L=%d seed=%d" r.Data.MinSymbols r.MaxLength r.Seed

/// One row per (run, epoch).
type Row =
    { MinSymbols: int
      MaxLength: int
      Seed: int
      LearningRate: float
      Epoch: int
      /// Validation accuracy (NaN for a diverged run).
      Accuracy: float
      MeanLength: float
      UniqueMessages: int
      TrainLoss: float
      /// Topographic similarity of the validation messages, measured after the last epoch: on the last
      /// epoch's row only (NaN on the others, and for runs stored before it was measured).
      TopSim: float
      /// Positional disentanglement, as TopSim.
      PosDis: float
      /// Bag-of-symbols disentanglement, as TopSim.
      BosDis: float
      /// Entropy of the validation messages in bits, as TopSim.
      Entropy: float
      /// The run diverged: its one row stands at the epoch where it did, metrics NaN.
      Diverged: bool }

/// The rows of one run: one per epoch, or for a diverged run one at the epoch it diverged in.
let rows (r: Run) (outcome: Outcome<Metrics>) : Row list =
    let row epoch =
        { MinSymbols = r.Data.MinSymbols
          MaxLength = r.MaxLength
          Seed = r.Seed
          LearningRate = r.LearningRate
          Epoch = epoch
          Accuracy = nan
          MeanLength = nan
          UniqueMessages = 0
          TrainLoss = nan
          TopSim = nan
          PosDis = nan
          BosDis = nan
          Entropy = nan
          Diverged = true }
    match outcome with
    | Finished o ->
        let last = o.ValidationAccuracy.Length - 1
        let language pick i = if i = last then Language.valueOf pick o.Language else nan
        [ for i, acc in List.indexed o.ValidationAccuracy ->
              { row (i + 1) with
                  Accuracy = acc
                  MeanLength = o.MeanLength[i]
                  UniqueMessages = o.UniqueMessages[i]
                  TrainLoss = o.TrainLoss[i]
                  TopSim = language (fun m -> Some m.TopSim) i
                  PosDis = language (fun m -> m.PosDis) i
                  BosDis = language (fun m -> m.BosDis) i
                  Entropy = language (fun m -> m.Entropy) i
                  Diverged = false } ]
    | Diverged d -> [ row (int d.At) ]

/// Gradient steps over the whole run: every batch of every epoch.
let updates (r: Run) = int64 r.Epochs * int64 ((r.Data.TrainGames + r.BatchSize - 1) / r.BatchSize)

/// One core's seconds for the whole run: every step of every epoch, and a validation pass per epoch.
let cost (r: Run) =
    let step, evaluation = Costs.lewisStep r.MaxLength r.Hidden r.Embedding r.BatchSize
    float (updates r) * step + float r.Epochs * evaluation

/// The Lewis game as an experiment kind: progress in epochs.
let kind: ExperimentKind<Run, Metrics, Row> =
    { Name = "Lewis game"; Unit = "epoch"; Validate = validate; Label = label; Execute = execute; Rows = rows; Cost = cost }

/// Named sweep axes over Lewis game runs.
module Axes =
    /// min(|M|) of the data.
    let minSymbols (values: int list) =
        Sweep.axis "min(|M|)" values (fun m (r: Run) -> { r with Data = { r.Data with MinSymbols = m } })

    /// Maximum message length L.
    let maxLength (values: int list) = Sweep.axis "L" values (fun l (r: Run) -> { r with MaxLength = l })

    /// Random seeds of the agents (the data keep their own seed).
    let seeds (seeds: int list) = Sweep.axis "seed" seeds (fun s (r: Run) -> { r with Seed = s })

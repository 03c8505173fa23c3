/// What the referential games (Object, Image, Sent-Ref, Sent-Cls) keep of a run and the rows their
/// tables and plots read: one shape for all four, so every report serves every game.
module CommLab.Dsl.Referential

open System
open Newtonsoft.Json
open CommLab.Metrics
open CommLab.Training
open CommLab.Dsl.Channel

/// What a finished run keeps (its metrics.json): the core's result, flattened to plain fields.
type Metrics =
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
      SamplesPerSecond: float
      /// The language of the test messages (topsim, posdis, ...). None for runs stored before it was
      /// measured; left out of the JSON then, so their metrics.json still loads.
      [<JsonProperty(NullValueHandling = NullValueHandling.Ignore)>]
      Language: Language.Measures option }

/// How the referential games compare two messages for topographic similarity: Hamming. Every message
/// has the same word length x message length symbols at fixed positions, so edit distance could only
/// add alignments by shifting (which mean nothing between word elements), at O(n^2) per pair: 600
/// symbols (a QT-Recurrent message) over the 500,000 pairs of 1000 test targets is 2 x 10^11 steps.
let messageDistance = Distance.Hamming

/// Reports each epoch's validation accuracy to the runner.
let progress (context: RunContext) =
    Action<EpochReport<ReferentialValidation>>(fun e ->
        context.Report { Done = int64 e.Epoch; Total = int64 e.Epochs; Metric = "val acc"; Value = e.Validation.Accuracy })

/// The metrics of a finished run; the test games' language is measured with `messageDistance` (and
/// the games saved when the run saves its interactions).
let metrics (context: RunContext) (result: ReferentialResult) : Metrics =
    { Candidates = List.ofArray result.CandidateCounts
      TestAccuracy = List.ofArray result.TestAccuracy
      TestMessages = result.TestMessages
      TestTargets = result.TestTargets
      BestEpoch = result.BestEpoch
      BestValidationAccuracy = result.BestValidationAccuracy
      TrainLoss = result.History |> Array.map (fun h -> h.TrainLoss) |> List.ofArray
      ValidationAccuracy = result.History |> Array.map (fun h -> h.Validation.Accuracy) |> List.ofArray
      Seconds = result.Seconds
      SamplesPerSecond = result.SamplesPerSecond
      Language = Some(Language.record context messageDistance result.Final) }

/// One row per (run, candidate count): the shape results take in frames, CSV files and tables.
type Row =
    { /// Short channel name, e.g. "GS-Inst" (`Channel.name`).
      Channel: string
      Mode: Mode
      Architecture: Architecture
      /// A GS channel's estimator, e.g. "STGS-1"; empty for CN and QT, which have none.
      Estimator: string
      Quantize: Quantize
      Normalization: Normalization
      Alphabet: int
      WordLength: int
      MessageLength: int
      Seed: int
      LearningRate: float
      Candidates: int
      /// Test accuracy at the best epoch (NaN for a diverged run).
      Accuracy: float
      /// NoUM over the test targets.
      Messages: int
      Targets: int
      BestEpoch: int
      /// Mean training loss of the last epoch trained (NaN for a diverged run).
      TrainLoss: float
      Seconds: float
      /// Topographic similarity of the test messages (NaN: not measured, a run stored before it was).
      TopSim: float
      /// Positional disentanglement of the test messages (NaN: not measured, or CN, which has no symbols).
      PosDis: float
      /// Bag-of-symbols disentanglement (NaN as PosDis).
      BosDis: float
      /// Entropy of the test messages in bits (NaN as PosDis).
      Entropy: float
      /// The run diverged: its metrics are NaN and tables count it apart.
      Diverged: bool }

/// The rows of one run over `channel` with `seed` and `learningRate`: one per candidate count (the
/// run's `candidates` when it diverged, its measured ones when it finished).
let rows (channel: Channel) (seed: int) (learningRate: float) (candidates: int list) (outcome: Outcome<Metrics>) : Row list =
    let row k =
        { Channel = Channel.name channel
          Mode = channel.Mode
          Architecture = channel.Architecture
          Estimator = (if channel.Mode = GS then Estimator.name channel.Estimator else "")
          Quantize = channel.Quantize
          Normalization = channel.Normalization
          Alphabet = channel.Alphabet
          WordLength = channel.WordLength
          MessageLength = channel.MessageLength
          Seed = seed
          LearningRate = learningRate
          Candidates = k
          Accuracy = nan
          Messages = 0
          Targets = 0
          BestEpoch = 0
          TrainLoss = nan
          Seconds = nan
          TopSim = nan
          PosDis = nan
          BosDis = nan
          Entropy = nan
          Diverged = true }
    match outcome with
    | Finished o ->
        [ for k, acc in List.zip o.Candidates o.TestAccuracy ->
              { row k with
                  Accuracy = acc
                  Messages = o.TestMessages
                  Targets = o.TestTargets
                  BestEpoch = o.BestEpoch
                  TrainLoss = List.last o.TrainLoss
                  Seconds = o.Seconds
                  TopSim = Language.valueOf (fun m -> Some m.TopSim) o.Language
                  PosDis = Language.valueOf (fun m -> m.PosDis) o.Language
                  BosDis = Language.valueOf (fun m -> m.BosDis) o.Language
                  Entropy = Language.valueOf (fun m -> m.Entropy) o.Language
                  Diverged = false } ]
    | Diverged _ -> candidates |> List.map row

/// The channels of the paper's tables for `game` (footnote 5), Instant then Recurrent (messages of 6
/// words), each as CN, GS, QT quantizing in inference only and QT quantizing in training and inference
/// (Table 2); `sizes` sets the GRU and embedding sizes of the game (Table 4) on both.
let paperChannels (game: PaperNumbers.Quantized.Game) (sizes: Channel -> Channel) : Channel list =
    let settings = PaperNumbers.Quantized.settings game
    let instant = { Channel.defaults with Architecture = Instant; MessageLength = 1 }
    let recurrent = { Channel.defaults with Architecture = Recurrent; MessageLength = 6 }
    [ for c in [ instant; recurrent ] do
          let c = sizes c
          let wordLength mode = let _, w, _ = settings[Channel.name { c with Mode = mode }] in w
          yield { c with Mode = CN }
          yield { c with Mode = GS; Alphabet = wordLength GS; WordLength = wordLength GS }
          yield { c with Mode = QT; Quantize = InferenceOnly; WordLength = wordLength QT }
          yield { c with Mode = QT; Quantize = TrainAndInference; WordLength = wordLength QT } ]

/// What every table and page made from synthetic stand-in data says first.
let standInNote =
    "**Synthetic stand-in, not the paper's data.** These runs read generated data in the real files' layout (`--data` was not given), so they check that the pipeline runs end to end; their numbers say nothing about the paper's. See docs/quantized-communication.md for the data."

/// How progress logs describe a referential game's channel: "QT-Inst |v|=10 w=100 m=1 inf-only", with
/// " batch-norm" when CN or QT words are normalized over the batch.
let describeChannel (c: Channel) =
    let quantize =
        match c.Mode, c.Quantize with
        | QT, InferenceOnly -> " inf-only"
        | QT, TrainAndInference -> " train+inf"
        | _ -> ""
    let norm = if c.Mode <> GS && c.Normalization = Batch then " batch-norm" else ""
    let alphabet = if c.Mode = CN then "" else sprintf " |v|=%d" c.Alphabet
    sprintf "%s%s w=%d m=%d%s%s" (Channel.describe c) alphabet c.WordLength c.MessageLength quantize norm

/// Sweep axes over the channel of any referential game's runs; `on f r` is the run `r` with its
/// channel changed by `f`.
type ChannelAxes<'r>(on: (Channel -> Channel) -> 'r -> 'r) =
    /// Quantization phase (QT).
    member _.Quantize(phases: Quantize list) = Sweep.axis "quantize" phases (fun q -> on (fun c -> { c with Quantize = q }))
    /// Alphabet size.
    member _.Alphabet(sizes: int list) = Sweep.axis "alphabet" sizes (fun a -> on (fun c -> { c with Alphabet = a }))
    /// Normalization range of CN/QT words: per word (default) or per batch (authors' code).
    member _.Normalization(ranges: Normalization list) = Sweep.axis "normalization" ranges (fun n -> on (fun c -> { c with Normalization = n }))
    /// Word length.
    member _.WordLength(lengths: int list) = Sweep.axis "word length" lengths (fun w -> on (fun c -> { c with WordLength = w }))
    /// Whole channels.
    member _.Channels(cs: Channel list) = Sweep.axis "channel" cs (fun c -> on (fun _ -> c))
    /// Estimators of GS channels.
    member _.Estimators(es: Estimator.Estimator list) = Sweep.axis "estimator" es (fun e -> on (fun c -> { c with Estimator = e }))
    /// Figures 4-7's grid, QT-Instant over normalization x quantization phase x alphabet x word length.
    member this.Heatmap(normalizations: Normalization list, alphabets: int list, lengths: int list) =
        [ this.Normalization normalizations
          this.Quantize [ TrainAndInference; InferenceOnly ]
          this.Alphabet alphabets
          this.WordLength lengths ]

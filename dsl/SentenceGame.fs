/// The sentence games, Sent-Ref and Sent-Cls (paper Sections 4.1-4.2, Table 4, Appendix A.2, A.4), as
/// a typed run record with the paper's settings as defaults: Banking77 sentences, a DistilBERT encoder
/// (frozen for Sent-Ref, fine-tuned for Sent-Cls), 76 negatives, accuracy at 2..77 candidates.
module CommLab.Dsl.SentenceGame

open System.IO
open CommLab.Data
open CommLab.Text
open CommLab.Training
open CommLab.Dsl.Channel
open CommLab.Dsl.Referential

/// A synthetic stand-in for Banking77 and DistilBERT: generated sentences of made-up intents
/// (`StandIns.WriteBankingCsv`) and a randomly initialised tiny encoder over their words
/// (`StandIns.WriteSentenceModel`). Not the paper's data; every table made from it says so.
type StandIn =
    { Intents: int
      SentencesPerIntent: int
      Seed: int }

/// Where the sentences and the encoder come from.
type Data =
    /// Banking77's train.csv and a Hugging Face DistilBERT checkpoint folder (`--data FILE --model DIR`).
    /// The paths are part of the run's id.
    | Files of DataFile: string * ModelFolder: string
    /// A synthetic stand-in, written to the data cache on first use (`DataCache`).
    | StandIn of StandIn

/// One run of a sentence game.
type Run =
    { Channel: Channel.Channel
      /// Sent-Ref (Referential) or Sent-Cls (Classification).
      Game: SentenceGame
      Data: Data
      /// The sentence vector: the mean of the encoder's token states (default) or its [CLS] state.
      Pooling: SentencePooling
      /// Most tokens read of a sentence, [CLS] and [SEP] included (Banking77's longest is about 90 words;
      /// 64 tokens keep all but a few).
      MaxLength: int
      /// Adam learning rate (paper: 1e-5).
      LearningRate: float
      /// Batch size (paper: 32).
      BatchSize: int
      /// Training epochs (paper: 50).
      Epochs: int
      /// Epochs without a better validation accuracy before stopping (paper: 50).
      Patience: int
      /// Negatives per target in training (paper: 76, Sent-Cls's every other intent, kept for Sent-Ref).
      Negatives: int option
      /// Candidate counts of the test accuracy (Tables 7-8: 2, 8, 16, 32, 64, 77).
      Candidates: int list
      /// Candidate count of the validation accuracy that picks the best epoch (the largest).
      SelectionCandidates: int
      /// Seeds weights, Gumbel noise, dropout, batch order and distractor draws.
      Seed: int
      /// Seeds the 80/10/10 split of the sentences (fixed across seeds).
      DataSeed: int
      /// "cpu", "cuda" or "cuda:N".
      Device: string }

/// Table 4's sentence sizes for a Recurrent channel: GRU hidden and word embedding 768.
let recurrentSizes (c: Channel.Channel) = { c with Hidden = 768; Embedding = 768 }

/// The paper's settings (Appendix A.4) for `game` with a QT-Instant channel; the data must be set (`Files`).
let defaults (game: SentenceGame) =
    { Channel = recurrentSizes Channel.defaults
      Game = game
      Data = Files("", "")
      Pooling = SentencePooling.Mean
      MaxLength = 64
      LearningRate = 1e-5
      BatchSize = 32
      Epochs = 50
      Patience = 50
      Negatives = Some 76
      Candidates = PaperNumbers.Quantized.candidates PaperNumbers.Quantized.SentRef
      SelectionCandidates = 77
      Seed = 1
      DataSeed = 0
      Device = "cpu" }

/// The paper's game.
let paperGame (r: Run) =
    match r.Game with
    | SentenceGame.Classification -> PaperNumbers.Quantized.SentCls
    | _ -> PaperNumbers.Quantized.SentRef

/// Whether the run reads a synthetic stand-in rather than the paper's data.
let isStandIn (r: Run) = match r.Data with StandIn _ -> true | Files _ -> false

/// The data file and model folder the run reads: the given ones, or the stand-in's in the cache
/// (written if missing).
let files (r: Run) =
    match r.Data with
    | Files(data, model) -> data, model
    | StandIn s ->
        let folder =
            DataCache.ensure [ "standins"; sprintf "banking-%dx%d-seed%d" s.Intents s.SentencesPerIntent s.Seed ] (fun dir ->
                Directory.CreateDirectory dir |> ignore
                let csv = Path.Combine(dir, "train.csv")
                StandIns.WriteBankingCsv(csv, s.Intents, s.SentencesPerIntent, s.Seed)
                StandIns.WriteSentenceModel(Path.Combine(dir, "model"), csv, StandIns.TinyEncoder, s.Seed))
        Path.Combine(folder, "train.csv"), Path.Combine(folder, "model")

/// Where Sent-Ref's frozen sentence vectors are kept (`SentenceVectorCache`).
let vectorCache () = DataCache.folder [ "sentence-vectors" ]

/// The core's run description for these files (unchecked: `validate` lists its problems).
let toCore (r: Run) (dataFile: string) (modelFolder: string) =
    SentenceGameRun(Channel.toSpec r.Channel, r.Game, dataFile, modelFolder, r.Pooling, r.MaxLength, r.LearningRate, r.BatchSize,
                    r.Epochs, r.Patience, Option.toNullable r.Negatives, System.Nullable(), Array.ofList r.Candidates,
                    r.SelectionCandidates, r.Seed, r.DataSeed, r.Device, vectorCache ())

/// Every problem with the run, each naming the field, the bad value and what is allowed: the core's
/// checks, missing files, and candidate counts a stand-in's intents cannot hold.
let validate (r: Run) : string list =
    let dataFile, model = match r.Data with Files(d, m) -> d, m | StandIn _ -> "stand-in", "stand-in"
    let own = List.ofSeq ((toCore r dataFile model).Problems())
    let files =
        match r.Data with
        | Files(data, model) ->
            [ if data = "" then "data file must be given: --data FILE, Banking77's train.csv (" + Banking77.Source + ")"
              elif not (File.Exists data) then sprintf "data file '%s' does not exist: Banking77's train.csv (%s)" data Banking77.Source
              if model = "" then "model folder must be given: --model DIR, a DistilBERT checkpoint folder (https://huggingface.co/distilbert-base-uncased: config.json, vocab.txt, model.safetensors)"
              elif not (Directory.Exists model) then sprintf "model folder '%s' does not exist: a DistilBERT checkpoint folder (https://huggingface.co/distilbert-base-uncased)" model
              else
                  for file in [ BertCheckpoint.ConfigFile; BertCheckpoint.VocabularyFile; BertCheckpoint.WeightsFile ] do
                      if not (File.Exists(Path.Combine(model, file))) then
                          sprintf "model folder '%s' lacks %s (from https://huggingface.co/distilbert-base-uncased)" model file ]
        | StandIn s ->
            [ if r.Game = SentenceGame.Classification && r.SelectionCandidates > s.Intents then
                  sprintf "candidate counts must be in 2..%d (the stand-in's intents), got %d" s.Intents r.SelectionCandidates ]
    own @ files

/// Trains and evaluates one run, reporting validation accuracy after every epoch; a killed run
/// continues from its last epoch checkpoint (`--checkpoint-minutes`).
let execute (r: Run) (context: RunContext) : Metrics =
    let dataFile, model = files r
    SentenceGameTrainer.Train(toCore r dataFile model, Referential.progress context, resume = context.EpochCheckpoint,
                              log = System.Action<string>(context.Note))
    |> Referential.metrics context

/// A one-line description for progress logs.
let label (r: Run) =
    sprintf "%s %s lr=%g seed=%d%s" (PaperNumbers.Quantized.gameName (paperGame r)) (Referential.describeChannel r.Channel) r.LearningRate
        r.Seed (if isStandIn r then " stand-in" else "")

/// The rows of one run: one per candidate count (`Referential.rows`).
let rows (r: Run) (outcome: Outcome<Metrics>) : Row list = Referential.rows r.Channel r.Seed r.LearningRate r.Candidates outcome

/// One core's seconds for the whole run (`Costs.sentenceStep`), over Banking77's 8000 training sentences.
let cost (r: Run) =
    let step, perTarget = Costs.sentenceStep r.Channel (r.Game = SentenceGame.Classification)
    let train = match r.Data with StandIn s -> s.Intents * s.SentencesPerIntent * 8 / 10 | Files _ -> 8000
    float r.Epochs * float ((train + r.BatchSize - 1) / r.BatchSize) * step + float (r.Epochs + 1) * float (train / 8) * perTarget

/// The sentence games as an experiment kind: progress in epochs.
let kind: ExperimentKind<Run, Metrics, Row> =
    { Name = "Sentence game"; Unit = "epoch"; Validate = validate; Label = label; Execute = execute; Rows = rows; Cost = cost }

/// Named sweep axes over sentence-game runs.
module Axes =
    let private channel = Referential.ChannelAxes<Run>(fun f (r: Run) -> { r with Channel = f r.Channel })

    /// Whole channels.
    let channels cs = channel.Channels cs

    /// Figures 5-7's grid: normalization x quantization phase x alphabet x word length.
    let heatmap normalizations alphabets lengths = channel.Heatmap(normalizations, alphabets, lengths)

    /// Random seeds.
    let seeds (seeds: int list) = Sweep.axis "seed" seeds (fun s (r: Run) -> { r with Seed = s })

/// The data a script's runs read: `--data FILE --model DIR` when given, else `standIn`; the paper
/// profile needs the real data and model and stops (exit 2) naming them, as does one without the other.
let dataFor (options: Cli.Options) (standIn: StandIn) : Data =
    let model = "a DistilBERT checkpoint folder (https://huggingface.co/distilbert-base-uncased: config.json, vocab.txt, model.safetensors)"
    match options.Data, options.Model, options.Profile with
    | Some data, Some model, _ -> Files(data, model)
    | Some _, None, _ -> Cli.fail [ sprintf "--data needs --model DIR too: %s" model ]
    | None, Some _, _ -> Cli.fail [ sprintf "--model needs --data FILE too: Banking77's train.csv (%s)" Banking77.Source ]
    | None, None, Cli.Paper ->
        Cli.fail
            [ sprintf "the paper profile of the sentence games needs Banking77 and DistilBERT: --data FILE, Banking77's train.csv (%s)," Banking77.Source
              sprintf "and --model DIR, %s; see docs/quantized-communication.md" model ]
    | None, None, _ -> StandIn standIn

/// The settings of a sentence-game script's profile (the data from `dataFor`):
/// - paper: the paper's (`defaults`): Banking77 and DistilBERT-base, lr 1e-5, 50 epochs, 76 negatives,
///   accuracy at 2..77 candidates, GRU 768; seeds 1-3.
/// - quick on the paper's data: lr 1e-4, 10 epochs; seeds 1-2.
/// - quick on the stand-in: 20 made-up intents of 40 sentences (640 / 80 / 80), the tiny random
///   encoder, lr 1e-3, 10 epochs, 15 negatives, accuracy at 2..20 candidates, GRU 64; seeds 1-2.
/// - smoke: 6 intents of 20 sentences, 2 epochs, 5 negatives, 2 and 6 candidates, GRU 16; seed 1.
/// Sent-Cls's negatives are every other intent (None) wherever the intents are fewer than 77.
let profile (game: SentenceGame) (options: Cli.Options) : Run * int list =
    let paper = defaults game
    let classification = game = SentenceGame.Classification
    let sized hidden (r: Run) = { r with Channel = { r.Channel with Hidden = hidden; Embedding = hidden } }
    match options.Profile with
    | Cli.Smoke ->
        { sized 16 paper with
            Data = dataFor options { Intents = 6; SentencesPerIntent = 20; Seed = 1 }
            LearningRate = 1e-3; Epochs = 2; Patience = 2; Negatives = (if classification then None else Some 5)
            Candidates = [ 2; 6 ]; SelectionCandidates = 6 }, [ 1 ]
    | Cli.Quick ->
        match dataFor options { Intents = 20; SentencesPerIntent = 40; Seed = 1 } with
        | StandIn _ as data ->
            { sized 64 paper with
                Data = data; LearningRate = 1e-3; Epochs = 10; Patience = 10; Negatives = (if classification then None else Some 15)
                Candidates = [ 2; 4; 8; 16; 20 ]; SelectionCandidates = 20 }, [ 1; 2 ]
        | real -> { paper with Data = real; LearningRate = 1e-4; Epochs = 10; Patience = 10 }, [ 1; 2 ]
    | Cli.Paper -> { paper with Data = dataFor options { Intents = 0; SentencesPerIntent = 0; Seed = 0 } }, [ 1; 2; 3 ]

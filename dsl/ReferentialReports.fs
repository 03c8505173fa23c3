/// Tables and plots of the referential games' results (Object, Image, Sent-Ref, Sent-Cls), with the
/// paper's numbers of the game beside ours.
module CommLab.Dsl.ReferentialReports

open CommLab.Dsl.Channel
open CommLab.Dsl.ObjectGame
open CommLab.Dsl.Referential

let private byChannel (rows: Row list) = rows |> List.map (fun r -> r.Channel) |> List.distinct

/// The channel with its estimator, "GS-Inst STGS-1"; channels without one (CN, QT) keep their name.
let channelWithEstimator (r: Row) =
    match r.Mode with
    | GS -> r.Channel + " " + r.Estimator
    | CN | QT -> r.Channel

// A channel in a language table: with its estimator and, for QT, its quantization phase.
let private channelKey (r: Row) =
    match r.Mode with
    | QT -> sprintf "%s (%s)" r.Channel (match r.Quantize with TrainAndInference -> "train+inf" | InferenceOnly -> "inf-only")
    | CN | GS -> channelWithEstimator r

// The seeds behind a group of rows: "3", or "2 of 3 seeds; 1 diverged" when some diverged.
let private seeds (rows: Row list) =
    let perRun = rows |> List.distinctBy (fun r -> r.Channel, r.Estimator, r.Quantize, r.Normalization, r.Alphabet, r.WordLength, r.MessageLength, r.Seed)
    Summary.seeds (perRun |> List.map (fun r -> r.Diverged))

/// Tables 5-8 / Figure 3: accuracy against the number of candidates, ours (mean ± std over seeds) and
/// the paper's for `game`.
let candidatesTable (game: PaperNumbers.Quantized.Game) (rows: Row list) =
    let counts = rows |> List.map (fun r -> r.Candidates) |> List.distinct |> List.sort
    let acc = Summary.by (fun r -> r.Channel, r.Candidates) (fun r -> r.Accuracy) rows
    let body =
        [ for ch in byChannel rows do
              let r = rows |> List.find (fun r -> r.Channel = ch)
              let alphabet = match r.Mode with CN -> Markdown.missing | GS | QT -> string r.Alphabet
              yield [ ch; "ours"; alphabet; string r.WordLength; string r.MessageLength; seeds (rows |> List.filter (fun x -> x.Channel = ch)) ]
                    @ [ for k in counts -> Summary.format 3 (acc.TryFind(ch, k)) ]
              let paper = (PaperNumbers.Quantized.accuracy game).TryFind ch |> Option.defaultValue Map.empty
              let pa, pw, pm = (PaperNumbers.Quantized.settings game).TryFind ch |> Option.defaultValue (None, 0, 0)
              yield [ ch; "paper"; (match pa with Some a -> string a | None -> "n/a"); string pw; string pm; "3" ]
                    @ [ for k in counts -> Markdown.decimalsOpt 3 (paper.TryFind k) ] ]
    Markdown.table ([ "channel"; "source"; "alphabet"; "word len"; "msg len"; "seeds" ] @ [ for k in counts -> string k ]) body

/// Table 3 (the row of `game`): number of unique messages over the test targets, GS against QT.
let messagesTable (game: PaperNumbers.Quantized.Game) (rows: Row list) =
    // Every row of a run repeats its NoUM: keep one row per run.
    let perRun = rows |> List.distinctBy (fun r -> r.Channel, r.Quantize, r.Alphabet, r.WordLength, r.MessageLength, r.Seed)
    let noum = Summary.by (fun r -> r.Channel) (fun r -> float r.Messages) perRun
    let targets = rows |> List.filter (fun r -> not r.Diverged) |> List.map (fun r -> r.Targets) |> List.tryHead |> Option.defaultValue 0
    let paperMessages = PaperNumbers.Quantized.uniqueMessages game
    let body =
        [ for ch in perRun |> List.filter (fun r -> r.Mode <> CN) |> byChannel ->
              [ ch; string targets; Summary.format 0 (noum.TryFind ch)
                (snd paperMessages).TryFind ch |> Option.map string |> Option.defaultValue Markdown.missing ] ]
    Markdown.table [ "channel"; "targets"; "NoUM ours"; sprintf "NoUM paper (of %d)" (fst paperMessages) ] body

/// The language of the test messages per channel (mean ± std over the runs that measured it): does
/// quantization give compositional languages? Topsim over all channels (CN's with Euclidean message
/// distances); posdis, bosdis and entropy need symbols, so CN has none.
let languageTable (rows: Row list) =
    // One row per run; runs stored before language measures existed have NaN and are left out.
    let perRun = rows |> List.distinctBy (fun r -> r.Channel, r.Estimator, r.Quantize, r.Normalization, r.Alphabet, r.WordLength, r.MessageLength, r.Seed)
    let measured = perRun |> List.filter (fun r -> r.Diverged || not (System.Double.IsNaN r.TopSim))
    let cell (value: Row -> float) ch =
        let runs = measured |> List.filter (fun r -> channelKey r = ch)
        if runs |> List.exists (fun r -> not r.Diverged && System.Double.IsNaN(value r)) then Markdown.missing
        else Summary.format 3 (Summary.by channelKey value runs |> Map.tryFind ch)
    let body =
        [ for ch in perRun |> List.map channelKey |> List.distinct ->
              let runs = measured |> List.filter (fun r -> channelKey r = ch)
              [ ch; string runs.Length; cell (fun r -> r.TopSim) ch; cell (fun r -> r.PosDis) ch; cell (fun r -> r.BosDis) ch; cell (fun r -> r.Entropy) ch ] ]
    Markdown.table [ "channel"; "runs measured"; "topsim"; "posdis"; "bosdis"; "entropy (bits)" ] body

// Quantization phases in table order: both phases, then inference only.
let private phases = [ TrainAndInference; InferenceOnly ]

/// Table 2 (the row of `game`): QT with 2 and with the most candidates, train+inference against inference-only.
let quantizePhaseTable (game: PaperNumbers.Quantized.Game) (rows: Row list) =
    let qt = rows |> List.filter (fun r -> r.Mode = QT)
    let most = qt |> List.map (fun r -> r.Candidates) |> List.fold max 0
    let acc = Summary.by (fun r -> r.Architecture, r.Quantize, r.Candidates) (fun r -> r.Accuracy) qt
    let body =
        [ for arch in [ Instant; Recurrent ] do
              for phase in phases do
                  if acc.ContainsKey(arch, phase, 2) then
                      let p2, pmax = (PaperNumbers.Quantized.quantizePhases game)[(arch, phase)]
                      yield [ string arch; string phase; Summary.format 3 (acc.TryFind(arch, phase, 2)); Summary.format 3 (acc.TryFind(arch, phase, most))
                              Markdown.decimals 2 p2; Markdown.decimals 2 pmax ] ]
    Markdown.table [ "channel"; "quantize"; "2 ours"; sprintf "%d ours" most; "2 paper"; "max paper" ] body

// Accuracy-against-candidates curves, one line per distinct `key` of the rows (mean over seeds), log x axis.
let private candidatesChartBy (key: Row -> string) (title: string) (rows: Row list) =
    let acc = Summary.by (fun r -> key r, r.Candidates) (fun r -> r.Accuracy) rows
    let series =
        [ for name in rows |> List.map key |> List.distinct ->
              name, [ for KeyValue((c, k), cell) in acc do if c = name && cell.N > 0 then yield float k, cell.Mean ] ]
    Plots.lines title "number of candidates" "accuracy" true series

/// Accuracy-against-candidates curves, one line per channel (mean over seeds), log x axis.
let candidatesChart (title: string) (rows: Row list) = candidatesChartBy (fun r -> r.Channel) title rows

/// Figures 4-7: a value over alphabet size (rows) x word length (columns) for one quantization phase.
let heatmapGrid (value: Row -> float) (normalization: Normalization) (phase: Quantize) (rows: Row list) =
    let rs = rows |> List.filter (fun r -> r.Quantize = phase && r.Normalization = normalization)
    let alphabets = rs |> List.map (fun r -> r.Alphabet) |> List.distinct |> List.sort
    let lengths = rs |> List.map (fun r -> r.WordLength) |> List.distinct |> List.sort
    let cells = Summary.by (fun r -> r.Alphabet, r.WordLength) value rs
    let z = [| for a in alphabets -> [| for w in lengths -> cells.TryFind(a, w) |] |]
    alphabets, lengths, z

// A heatmap cell's mean over seeds; NaN (a gap in the plot, n/a in a table) where there is no cell.
let private meanOf (c: Summary.Cell option) = c |> Option.map (fun c -> c.Mean) |> Option.defaultValue nan

let private means (z: Summary.Cell option[][]) = z |> Array.map (Array.map meanOf)

let private normalizations (rows: Row list) = rows |> List.map (fun r -> r.Normalization) |> List.distinct

// Figures 4-7 read each run at its largest candidate count: that count and the rows at it.
let private atMostCandidates (rows: Row list) =
    let most = rows |> List.map (fun r -> r.Candidates) |> List.fold max 0
    most, rows |> List.filter (fun r -> r.Candidates = most)

/// Figures 4-7 as markdown: one table per normalization and phase, accuracy and NoUM in each cell.
let heatmapTable (rows: Row list) =
    let most, atMost = atMostCandidates rows
    [ for norm in normalizations rows do
       for phase in phases do
          let alphabets, lengths, acc = heatmapGrid (fun r -> r.Accuracy) norm phase atMost
          let _, _, noum = heatmapGrid (fun r -> float r.Messages) norm phase atMost
          // Accuracy (NoUM), or the diverged count in place of both.
          let cell (a: Summary.Cell option) (n: Summary.Cell option) =
              match a with
              | Some c when c.N = 0 && c.Diverged > 0 -> Summary.format 2 a
              | _ ->
                  let note = match a with Some c when c.Diverged > 0 -> sprintf " [%s]" (Summary.divergedNote c) | _ -> ""
                  sprintf "%s (%s)%s" (Markdown.decimals 2 (meanOf a)) (Markdown.decimals 0 (meanOf n)) note
          if not alphabets.IsEmpty then
              let body =
                  [ for i, a in List.indexed alphabets ->
                        string a :: [ for j in 0 .. lengths.Length - 1 -> cell acc.[i].[j] noum.[i].[j] ] ]
              yield sprintf "### Quantization: %O, normalization: %O — accuracy at %d candidates (NoUM)\n\n%s" phase norm most
                        (Markdown.table ("alphabet \\ word length" :: [ for w in lengths -> string w ]) body) ]
    |> String.concat "\n\n"

// What the phases and normalizations mean, for chart titles.
let private phaseTitle =
    function
    | TrainAndInference -> "quantized in training and inference"
    | InferenceOnly -> "quantized in inference only"

let private normalizationTitle =
    function
    | PerWord -> "each word normalized alone"
    | Batch -> "words normalized over the batch"

/// Figures 4-7 as heatmaps per normalization, the two quantization phases of one measure side by side:
/// accuracy on a fixed 0..1 colour scale, NoUM on 0..the test targets, every cell's value printed.
let heatmapCharts (rows: Row list) =
    let most, atMost = atMostCandidates rows
    let targets = atMost |> List.filter (fun r -> not r.Diverged) |> List.map (fun r -> r.Targets) |> List.fold max 1
    [ for norm in normalizations rows do
       for metric, value, range, digits in
           [ sprintf "accuracy at %d candidates" most, (fun (r: Row) -> r.Accuracy), { Plots.Min = 0.0; Plots.Max = 1.0 }, 2
             sprintf "unique messages over %d test targets" targets, (fun r -> float r.Messages), { Plots.Min = 0.0; Plots.Max = float targets }, 0 ] do
          for phase in phases do
              let alphabets, lengths, z = heatmapGrid value norm phase atMost
              if not alphabets.IsEmpty then
                  yield Plots.heatmap (sprintf "%s<br><sub>%s; %s</sub>" (string (System.Char.ToUpperInvariant metric[0]) + metric.Substring 1) (phaseTitle phase) (normalizationTitle norm)) "word length" "alphabet size"
                            range digits (List.map string lengths) (List.map string alphabets) (means z) ]

/// Accuracy against the number of candidates (mean ± std over seeds) and NoUM, one row per channel and
/// estimator, in the order the rows first name them.
let estimatorTable (rows: Row list) =
    let counts = rows |> List.map (fun r -> r.Candidates) |> List.distinct |> List.sort
    let acc = Summary.by (fun r -> channelWithEstimator r, r.Candidates) (fun r -> r.Accuracy) rows
    let perRun = rows |> List.distinctBy (fun r -> channelWithEstimator r, r.Seed)
    let noum = Summary.by channelWithEstimator (fun r -> float r.Messages) perRun
    let body =
        [ for key in rows |> List.map channelWithEstimator |> List.distinct ->
              [ key; seeds (perRun |> List.filter (fun r -> channelWithEstimator r = key)) ] @ [ for k in counts -> Summary.format 3 (acc.TryFind(key, k)) ] @ [ Summary.format 0 (noum.TryFind key) ] ]
    Markdown.table ([ "channel"; "seeds" ] @ [ for k in counts -> string k ] @ [ "NoUM" ]) body

/// Accuracy-against-candidates curves, one line per channel and estimator (mean over seeds), log x axis.
let estimatorChart (title: string) (rows: Row list) = candidatesChartBy channelWithEstimator title rows

/// One arm of an ablation: the factor it changes, the setting, and its runs (one per seed).
type AblationArm =
    { Factor: string
      Setting: string
      Runs: (Run * Outcome<Metrics>) list }

/// An ablation as a table: per arm, test accuracy at each of `candidates` (mean ± std over seeds, at
/// the best epoch), NoUM and the epoch picked as best. Diverged runs are counted, never averaged.
let ablationTable (candidates: int list) (arms: AblationArm list) =
    let cellOf (value: Metrics -> float) (arm: AblationArm) =
        arm.Runs
        |> List.map (fun (_, outcome) -> match outcome with Finished m -> false, value m | Diverged _ -> true, nan)
        |> Summary.cellOf
        |> Some
    let accuracyAt k (m: Metrics) =
        match List.tryFindIndex ((=) k) m.Candidates with
        | Some i -> m.TestAccuracy[i]
        | None -> nan
    let body =
        [ for arm in arms ->
              [ arm.Factor; arm.Setting; Summary.seeds (arm.Runs |> List.map (fun (_, o) -> match o with Diverged _ -> true | Finished _ -> false)) ]
              @ [ for k in candidates -> Summary.format 3 (cellOf (accuracyAt k) arm) ]
              @ [ Summary.format 0 (cellOf (fun m -> float m.TestMessages) arm)
                  Summary.format 1 (cellOf (fun m -> float m.BestEpoch) arm) ] ]
    Markdown.table ([ "factor"; "setting"; "seeds" ] @ [ for k in candidates -> sprintf "acc@%d" k ] @ [ "NoUM"; "best epoch" ]) body

/// One row per (arm, seed, candidate count) of an ablation: what its results.csv holds.
type AblationRow =
    { Factor: string
      Setting: string
      Seed: int
      Candidates: int
      /// Test accuracy at the best epoch (NaN for a diverged run).
      Accuracy: float
      /// NoUM over the test targets.
      Messages: int
      BestEpoch: int
      Diverged: bool }

/// The rows of an ablation, arm by arm, seed by seed.
let ablationRows (arms: AblationArm list) : AblationRow list =
    [ for arm in arms do
          for run, outcome in arm.Runs do
              match outcome with
              | Finished m ->
                  for k, accuracy in List.zip m.Candidates m.TestAccuracy ->
                      { Factor = arm.Factor; Setting = arm.Setting; Seed = run.Seed; Candidates = k; Accuracy = accuracy
                        Messages = m.TestMessages; BestEpoch = m.BestEpoch; Diverged = false }
              | Diverged _ ->
                  for k in run.Candidates ->
                      { Factor = arm.Factor; Setting = arm.Setting; Seed = run.Seed; Candidates = k; Accuracy = nan
                        Messages = 0; BestEpoch = 0; Diverged = true } ]

// What a game's language measures compare: the targets' attributes, or (Image, sentences) their class.
let private languageText (game: PaperNumbers.Quantized.Game) =
    let targets =
        match game with
        | PaperNumbers.Quantized.Object -> "the targets' Hamming distances"
        | _ -> "whether two targets share their class (the only meaning the data gives them)"
    sprintf "Over the test targets at the best epoch: topographic similarity (Spearman correlation of %s and their messages' Hamming distances, every message having the same symbol positions; Euclidean distances for CN's continuous messages), positional and bag-of-symbols disentanglement (Chaabouni et al. 2020) and the entropy of the messages. A QT message's symbols are its quantized levels (word length x message length symbols), a GS message's its words' categories; CN has no symbols, so only topsim. Mean ± std over the runs that measured them (runs stored before language measures existed have none)." targets

/// The report of a game's candidates experiment: Table 5-8 / Figure 3's panel (QT inference-only),
/// the game's rows of Table 3 (NoUM) and Table 2 (the two quantization phases), and the languages.
/// Runs on a synthetic stand-in say so first, in the title and on the page.
let candidatesReport (game: PaperNumbers.Quantized.Game) (profile: string) (standIn: bool) (rows: Row list) : Experiment.Report =
    let name = PaperNumbers.Quantized.gameName game
    let figure3 = rows |> List.filter (fun r -> r.Mode <> QT || r.Quantize = InferenceOnly)
    let suffix = if standIn then ", synthetic stand-in" else ""
    { Title = sprintf "%s game (%s profile%s)" name profile suffix
      Body =
        [ if standIn then Referential.standInNote
          sprintf "## Table %d / Figure 3: test accuracy against number of candidates (QT inference-only)" (PaperNumbers.Quantized.candidatesTable game)
          candidatesTable game figure3
          "## Table 3: number of unique messages over the test targets (QT inference-only)"
          messagesTable game figure3
          sprintf "## Table 2, %s row: QT quantizing in training and inference vs inference only" name
          quantizePhaseTable game rows
          "## The languages: does quantization give compositional messages?"
          languageText game
          languageTable rows ]
      Pages =
        [ { File = "candidates.html"; Title = sprintf "Figure 3: %s game%s" name suffix
            Charts = [ candidatesChart (sprintf "%s game: accuracy vs candidates (QT inference-only)%s" name suffix) figure3 ] } ] }

/// The report of a game's heatmap experiment (Figures 4-7): accuracy and NoUM over alphabet x word
/// length per quantization phase and normalization, then what the paper's text says of its figure.
let heatmapReport (game: PaperNumbers.Quantized.Game) (profile: string) (standIn: bool) (rows: Row list) : Experiment.Report =
    let name = PaperNumbers.Quantized.gameName game
    let figure = PaperNumbers.Quantized.heatmapFigure game
    let suffix = if standIn then ", synthetic stand-in" else ""
    { Title = sprintf "Figure %d (%s profile%s): %s game, QT-Instant" figure profile suffix name
      Body =
        [ if standIn then Referential.standInNote
          heatmapTable rows
          sprintf "The paper shows Figure %d only as an image; its text states:" figure
          PaperNumbers.Quantized.heatmapClaims game |> List.map (sprintf "- %s") |> String.concat "\n" ]
      Pages = [ { File = "heatmaps.html"; Title = sprintf "Figure %d: QT-Instant, %s game%s" figure name suffix; Charts = heatmapCharts rows } ] }

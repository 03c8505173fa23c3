/// Tables and figures of "A Combinatorial Approach to Neural Emergent Communication": validation
/// accuracy over epochs per maximum length L (Figures 2-3), accuracy at the last epoch with the gap
/// between L = 2 and the best L, the Eq. 1-2 table and min(|M|) histograms.
module CommLab.Dsl.SmsReports

open CommLab.Symbolic
open CommLab.Dsl.LewisGame

// One line per L over epochs, with a band of ± one standard deviation over seeds.
let private perLength (title: string) (yLabel: string) (value: Row -> float) (minSymbols: int) (rows: Row list) =
    let mine = rows |> List.filter (fun r -> r.MinSymbols = minSymbols)
    let seeds = mine |> List.filter (fun r -> not r.Diverged) |> List.map (fun r -> r.MaxLength, r.Seed) |> List.distinct |> List.countBy fst |> List.map snd |> List.distinct |> List.sort
    let band = sprintf "± 1 standard deviation over %s seeds per L" (seeds |> List.map string |> String.concat "-")
    let series =
        mine
        |> List.groupBy (fun r -> r.MaxLength)
        |> List.sortBy fst
        |> List.map (fun (l, rs) ->
            sprintf "L=%d" l,
            Summary.by (fun r -> r.Epoch) value rs |> Map.toList |> List.filter (fun (_, c) -> c.N > 0) |> List.map (fun (epoch, c) -> float epoch, c.Mean, c.Std))
    Plots.bands (sprintf "%s, min(|M|) = %d" title minSymbols) "epoch" yLabel band series

/// Figure 2 (min(|M|) = 2) or 3 (min(|M|) = 3): validation accuracy over epochs per L, mean ± std over seeds.
let accuracyFigure (minSymbols: int) (rows: Row list) =
    perLength "Validation accuracy" "validation accuracy" (fun r -> r.Accuracy) minSymbols rows

/// Mean effective message length over epochs per L.
let lengthFigure (minSymbols: int) (rows: Row list) =
    perLength "Mean message length |M|" "symbols before EOS" (fun r -> r.MeanLength) minSymbols rows

/// Accuracy and mean length at the last epoch per (min(|M|), L), mean ± std over seeds, and per
/// min(|M|) the gap between L = 2 and the best L beside the paper's.
let finalTable (rows: Row list) =
    let last = rows |> List.groupBy (fun r -> r.MinSymbols, r.MaxLength, r.Seed) |> List.map (fun (_, rs) -> rs |> List.maxBy (fun r -> r.Epoch))
    let lengths = last |> List.map (fun r -> r.MaxLength) |> List.distinct |> List.sort
    let mins = last |> List.map (fun r -> r.MinSymbols) |> List.distinct |> List.sort
    let accuracy = Summary.by (fun r -> r.MinSymbols, r.MaxLength) (fun r -> r.Accuracy) last
    let length = Summary.by (fun r -> r.MinSymbols, r.MaxLength) (fun r -> r.MeanLength) last
    let epochs = Summary.by (fun r -> r.MinSymbols, r.MaxLength) (fun r -> float r.Epoch) last
    let rowsOut =
        [ for m in mins do
              let means = lengths |> List.choose (fun l -> accuracy |> Map.tryFind (m, l) |> Option.map (fun c -> l, c.Mean))
              let best = if means.IsEmpty then None else Some(List.maxBy snd means)
              let gap =
                  match best, accuracy |> Map.tryFind (m, 2) with
                  | Some(_, b), Some c2 -> Markdown.decimals 3 (b - c2.Mean)
                  | _ -> Markdown.missing
              let epoch = lengths |> List.tryPick (fun l -> epochs |> Map.tryFind (m, l)) |> Option.map (fun c -> string (int c.Mean)) |> Option.defaultValue Markdown.missing
              [ string m; epoch ]
              @ [ for l in lengths -> Summary.format 3 (accuracy |> Map.tryFind (m, l)) ]
              @ [ (match best with Some(l, _) -> string l | None -> Markdown.missing)
                  gap
                  (PaperNumbers.Sms.gap |> Map.tryFind m |> Option.map (Markdown.decimals 2) |> Option.defaultValue Markdown.missing)
                  (PaperNumbers.Sms.shortAccuracy |> Map.tryFind m |> Option.defaultValue Markdown.missing) ] ]
    let lengthRows =
        [ for m in mins ->
              [ string m ] @ [ for l in lengths -> Summary.format 2 (length |> Map.tryFind (m, l)) ] ]
    Markdown.table
        ([ "min(|M|)"; "epoch" ] @ [ for l in lengths -> sprintf "L=%d" l ] @ [ "best L"; "best - L=2"; "paper: best - L=2"; "paper: short L" ])
        rowsOut,
    Markdown.table ([ "min(|M|)" ] @ [ for l in lengths -> sprintf "L=%d" l ]) lengthRows

/// The language at the last epoch per (min(|M|), L): topographic similarity, posdis and bosdis of
/// the validation messages (mean ± std over the runs that measured them; runs stored before language
/// measures existed have none and are left out). Does min(|M|) change compositionality?
let languageTable (rows: Row list) =
    let last =
        rows
        |> List.groupBy (fun r -> r.MinSymbols, r.MaxLength, r.Seed)
        |> List.map (fun (_, rs) -> rs |> List.maxBy (fun r -> r.Epoch))
        |> List.filter (fun r -> r.Diverged || not (System.Double.IsNaN r.TopSim))
    let cells (value: Row -> float) = Summary.by (fun r -> r.MinSymbols, r.MaxLength) value last
    let topsim, posdis, bosdis, entropy = cells (fun r -> r.TopSim), cells (fun r -> r.PosDis), cells (fun r -> r.BosDis), cells (fun r -> r.Entropy)
    Markdown.table
        [ "min(|M|)"; "L"; "runs measured"; "topsim"; "posdis"; "bosdis"; "entropy (bits)" ]
        [ for (m, l), rs in last |> List.groupBy (fun r -> r.MinSymbols, r.MaxLength) |> List.sortBy fst ->
              [ string m; string l; string rs.Length
                Summary.format 3 (topsim.TryFind(m, l)); Summary.format 3 (posdis.TryFind(m, l))
                Summary.format 3 (bosdis.TryFind(m, l)); Summary.format 2 (entropy.TryFind(m, l)) ] ]

/// What any listener can reach on the validation games of each dataset at each L (`MessageBounds`):
/// naming L of the target's attribute values knowing only the target, or knowing the distractors too,
/// and a target-only code over the K messages the run's sender can send (`settings` gives vocabulary,
/// termination and min length). One row per (min(|M|), L).
let boundTable (settings: Run) (data: Data list) (lengths: int list) =
    Markdown.table
        [ "min(|M|)"; "L"; "attribute values, target only"; "attribute values, distractors seen"; "any code, target only"; "messages K" ]
        [ for d in List.distinct data do
              let _, validation = split d
              for l in lengths ->
                  let k = messages { settings with Data = d; MaxLength = l }
                  [ string d.MinSymbols; string l
                    Markdown.decimals 3 (MessageBounds.AttributeTargetOnly(validation, l))
                    Markdown.decimals 3 (MessageBounds.AttributeDistractorAware(validation, l))
                    Markdown.decimals 3 (MessageBounds.AnyCode(k, d.Candidates))
                    sprintf "%.4g" k ] ]

/// The Eq. 1-2 table: P(some class appears >= m times among n images over |V| classes), the paper's
/// estimate beside a Monte-Carlo estimate of the exact value.
let pitfallTable (cases: (int * int * int) list) (trials: int) (seed: uint64) =
    Markdown.table
        [ "|V| (classes)"; "n (images)"; "m"; "Eq. 1: P(X >= m)"; "Eq. 2: P(any X >= m)"; sprintf "simulated (%d trials)" trials ]
        [ for classes, n, m in cases ->
              [ string classes; string n; string m
                sprintf "%.3g" (SamplingPitfall.AtLeast(n, classes, m))
                Markdown.decimals 3 (SamplingPitfall.AnyAtLeast(n, classes, m))
                Markdown.decimals 3 (SamplingPitfall.Simulate(n, classes, m, trials, seed)) ] ]

/// min(|M|) histograms: one row per (label, game shape), the share of games at each min(|M|) that occurs.
let histogramTable (histograms: (string * GameShape * int64[]) list) =
    let seen =
        histograms
        |> List.collect (fun (_, _, h) -> h |> Array.toList |> List.indexed |> List.filter (fun (_, n) -> n > 0L) |> List.map fst)
        |> List.distinct
        |> List.sort
    Markdown.table
        ([ "games"; "|A|"; "|V|"; "objects"; "drawn" ] @ [ for m in seen -> sprintf "min(|M|)=%d" m ])
        [ for label, shape, h in histograms ->
              let total = Array.sum h
              [ label; string shape.Attributes; string shape.Values; string shape.Candidates; string total ]
              @ [ for m in seen ->
                      let share = float h[m] / float total
                      // Rare values (a few games in a million) would round to 0.0000.
                      if h[m] = 0L then "0"
                      elif share < 1e-3 then share.ToString("0.0e0", System.Globalization.CultureInfo.InvariantCulture)
                      else Markdown.decimals 4 share ] ]

/// One arm of an ablation of the Lewis game: the factor it changes, the setting, and its runs (every
/// seed of every maximum length L).
type AblationArm =
    { Factor: string
      Setting: string
      Runs: (Run * Outcome<Metrics>) list }

/// One row per (arm, L, seed) of an ablation: what its results.csv holds.
type AblationRow =
    { Factor: string
      Setting: string
      MaxLength: int
      Seed: int
      /// Validation accuracy at the last epoch (NaN for a diverged run).
      Accuracy: float
      /// The best validation accuracy over the epochs.
      BestAccuracy: float
      /// Mean |M| of the validation messages at the last epoch.
      MeanLength: float
      /// Share of empty validation messages (EOS first) at the last epoch.
      EmptyShare: float
      /// Distinct validation messages at the last epoch.
      Messages: int
      /// The accuracy of a target-only code over that many messages (`MessageBounds.AnyCode`): what the
      /// messages in use can reach.
      MessagesCeiling: float
      Diverged: bool }

/// The rows of an ablation, arm by arm, run by run.
let ablationRows (arms: AblationArm list) : AblationRow list =
    [ for arm in arms do
          for run, outcome in arm.Runs ->
              let row = { Factor = arm.Factor; Setting = arm.Setting; MaxLength = run.MaxLength; Seed = run.Seed
                          Accuracy = nan; BestAccuracy = nan; MeanLength = nan; EmptyShare = nan; Messages = 0
                          MessagesCeiling = nan; Diverged = true }
              match outcome with
              | Finished m ->
                  { row with
                      Accuracy = List.last m.ValidationAccuracy
                      BestAccuracy = List.max m.ValidationAccuracy
                      MeanLength = List.last m.MeanLength
                      EmptyShare = List.head m.FinalLengthShares
                      Messages = List.last m.UniqueMessages
                      MessagesCeiling = MessageBounds.AnyCode(float (max 1 (List.last m.UniqueMessages)), run.Data.Candidates)
                      Diverged = false }
              | Diverged _ -> row ]

/// An ablation as a table: one row per (arm, L) with the accuracy at the last epoch, the best over
/// the epochs, the mean length, the share of empty messages, the distinct messages and what a code
/// over that many messages can reach (mean ± std over seeds; diverged runs counted, never averaged).
let ablationTable (rows: AblationRow list) =
    let groups = rows |> List.groupBy (fun r -> r.Factor, r.Setting, r.MaxLength)
    Markdown.table
        [ "factor"; "setting"; "L"; "seeds"; "accuracy (last epoch)"; "best epoch's accuracy"; "mean |M|"; "empty messages"
          "distinct messages"; "any code over them" ]
        [ for (factor, setting, l), rs in groups ->
              let cell value = Some(Summary.cellOf [ for r in rs -> r.Diverged, value r ])
              [ factor; setting; string l; Summary.seeds (rs |> List.map (fun r -> r.Diverged))
                Summary.format 3 (cell (fun r -> r.Accuracy)); Summary.format 3 (cell (fun r -> r.BestAccuracy))
                Summary.format 2 (cell (fun r -> r.MeanLength)); Summary.format 3 (cell (fun r -> r.EmptyShare))
                Summary.format 0 (cell (fun r -> float r.Messages)); Summary.format 3 (cell (fun r -> r.MessagesCeiling)) ] ]

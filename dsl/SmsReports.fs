/// Tables and figures of "A Combinatorial Approach to Neural Emergent Communication": validation
/// accuracy over epochs per maximum length L (Figures 2-3), accuracy at the last epoch with the gap
/// between L = 2 and the best L, the Eq. 1-2 table and min(|M|) histograms.
module CommLab.Dsl.SmsReports

open CommLab.Symbolic
open CommLab.Dsl.LewisGame

// One line per L over epochs, with a band of ± one standard deviation over seeds.
let private perLength (title: string) (yLabel: string) (value: Row -> float) (minSymbols: int) (rows: Row list) =
    let series =
        rows
        |> List.filter (fun r -> r.MinSymbols = minSymbols)
        |> List.groupBy (fun r -> r.MaxLength)
        |> List.sortBy fst
        |> List.map (fun (l, rs) ->
            sprintf "L=%d" l,
            Summary.by (fun r -> r.Epoch) value rs |> Map.toList |> List.filter (fun (_, c) -> c.N > 0) |> List.map (fun (epoch, c) -> float epoch, c.Mean, c.Std))
    Plots.bands (sprintf "%s, min(|M|) = %d" title minSymbols) "epoch" yLabel series

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

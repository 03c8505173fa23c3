/// Table 1, the return curves (Figures 1-3) and Figure 4 of "Revisiting the Gumbel-Softmax in MADDPG"
/// from MADDPG rows and runs, with the paper's numbers under ours; and the aggregate statistics the
/// field now asks for beyond Table 1 (IQM, probability of improvement, sample efficiency, marl-eval).
module CommLab.Dsl.MaddpgReports

open System.Globalization
open System.IO
open CommLab.Dsl.Maddpg
open CommLab.Dsl.MaddpgStatistics
open CommLab.Dsl.Statistics

// "0.79 ± 0.04" with Table 1's marks: bold for the best, * when Welch at 5% cannot tell it from the best.
let private marked (s: Best.Standing<string>) =
    let text = Markdown.meanStd 2 s.Mean s.HalfWidth
    if s.IsBest then sprintf "**%s**" text elif s.IndistinguishableFromBest then text + "*" else text

/// Table 1: per task, each method's maximum return (average return) with 95% intervals over seeds,
/// bold for the best and an asterisk where a Welch test at 5% cannot tell it from the best; the
/// paper's row under ours. With fewer than two finished seeds a method shows its mean alone (no
/// interval, no test); diverged seeds are counted in the cell and never averaged.
let table1 (rows: Row list) : string =
    let names = methods rows
    let body =
        [ for (task, maxima), (_, averages) in List.zip (scores Maximum rows) (scores Average rows) do
              let cells (samples: (string * float list) list) =
                  if samples |> List.forall (fun (_, v) -> v.Length >= 2) then
                      Best.standings samples |> List.map marked
                  else
                      samples |> List.map (fun (_, v) -> if v.IsEmpty then Markdown.missing else Markdown.decimals 2 (List.average v))
              let seedsOf m =
                  rows |> List.filter (fun r -> r.Task = task && r.Method = m) |> List.distinctBy (fun r -> r.Seed) |> List.map (fun r -> r.Diverged)
              let diverged = [ for m in names -> Summary.seeds (seedsOf m) ]
              yield
                  [ task; "ours" ]
                  @ List.map3 (fun mx avg seeds -> sprintf "%s (%s) [%s]" mx avg seeds) (cells maxima) (cells averages) diverged
              match PaperNumbers.Maddpg.table1 |> List.tryFind (fun (t, _, _) -> t = task) with
              | Some(_, steps, paper) ->
                  let cell (c: PaperNumbers.Maddpg.Table1Cell) = Markdown.meanStd 2 c.Mean c.HalfWidth + (if c.Asterisk then "*" else "")
                  yield
                      [ sprintf "%s [%gM]" task (float steps / 1e6); "paper" ]
                      @ [ for m in names ->
                              match List.tryFindIndex ((=) m) PaperNumbers.Maddpg.table1Columns with
                              | Some i -> let mx, avg = paper[i] in sprintf "%s (%s) [5]" (cell mx) (cell avg)
                              | None -> Markdown.missing ]
              | None -> () ]
    Markdown.table ([ "task"; "source" ] @ names) body

/// The critic target the rows' runs used, in words: Table 1 says which of the two it was built with.
let criticTarget (rows: Row list) : string =
    let describe =
        function
        | AsRun -> "as run (the authors' code during the experiments: online critic, target actions sampled from the online policies, time-limit ends stored as done)"
        | AsDescribed -> "as described (the paper's equation: target critic and target policies; only real ends stored as done)"
    match rows |> List.map (fun r -> r.Target) |> List.distinct with
    | [ t ] -> sprintf "Critic target: %s." (describe t)
    | ts -> sprintf "Critic targets: %s; results.csv's Target column says which run used which." (ts |> List.map describe |> String.concat "; ")

/// Figures 1-3: the mean evaluation return over training per method, with a band of one standard
/// error over seeds, for one task.
let curvesChart (task: string) (rows: Row list) =
    let ofTask = rows |> List.filter (fun r -> r.Task = task)
    let seeds = ofTask |> List.filter (fun r -> not r.Diverged) |> List.map (fun r -> r.Method, r.Seed) |> List.distinct |> List.countBy fst |> List.map snd |> List.distinct
    let band =
        sprintf "± 1 standard error over %s seeds per method"
            (match seeds with [ n ] -> string n | ns -> ns |> List.sort |> List.map string |> String.concat "-")
    Plots.bands (sprintf "%s: evaluation return" task) "environment steps" "return (sum over agents)" band
        [ for m in methods ofTask ->
              m,
              Summary.by (fun r -> r.Step) (fun r -> r.Return) (ofTask |> List.filter (fun r -> r.Method = m))
              |> Map.toList
              |> List.filter (fun (_, c) -> c.N > 0)
              |> List.map (fun (step, c) -> float step, c.Mean, c.Std / sqrt (float c.N)) ]

// "0.42 [0.30, 0.55]": a bootstrap estimate with its interval; `missing` for a method lacking a task.
let private interval (i: Bootstrap.Interval option) =
    match i with
    | Some i -> sprintf "%s [%s, %s]" (Markdown.decimals 2 i.Estimate) (Markdown.decimals 2 i.Lower) (Markdown.decimals 2 i.Upper)
    | None -> Markdown.missing

/// The aggregate statistics of Table 1's runs (Agarwal et al. 2021; Gorsane et al. 2022), as markdown
/// headings, paragraphs and tables, each saying what its numbers are: per method the IQM of
/// normalised maximum and average returns with stratified-bootstrap intervals, the normalisation's
/// bounds per task, each method's probability of improvement over `baseline`, and a pointer to the
/// sample-efficiency page (`sampleEfficiencyChart`, written as sample-efficiency.html).
let statistics (settings: Bootstrap.Settings) (baseline: string) (rows: Row list) : string list =
    let maxima, averages = scores Maximum rows, scores Average rows
    let maxNorm, avgNorm = normalised maxima, normalised averages
    let runs m = maxima |> List.sumBy (fun (_, perMethod) -> perMethod |> List.find (fst >> (=) m) |> snd |> List.length)
    let pair (a: (string * Bootstrap.Interval option) list) (b: (string * Bootstrap.Interval option) list) =
        List.map2 (fun (m, x) (_, y) -> m, interval x, interval y) a b
    let bound (b: (float * float) option) =
        match b with
        | Some (lo, hi) -> [ Markdown.decimals 2 lo; Markdown.decimals 2 hi ]
        | None -> [ Markdown.missing; Markdown.missing ]
    let resampling =
        sprintf "95%% stratified-bootstrap percentile intervals: runs resampled within each task, %s replicates, seed %d."
            (settings.Resamples.ToString("N0", CultureInfo.InvariantCulture)) settings.Seed
    [ "## Aggregate statistics"
      "Beyond Table 1's t intervals, as Agarwal et al. (2021) and Gorsane et al. (2022) recommend. Each finished run gets two scores: its maximum return (its return at the evaluation where its method's mean over seeds peaks, as in Table 1) and its average return (its mean over all evaluations). Scores are min-max normalised per task over every method's runs, as marl-eval does before aggregating over tasks: 0 is the lowest run score of any method on the task, 1 the highest (bounds below; every score is 0 when all runs scored the same). "
      + resampling
      + " Diverged runs are left out; n/a: the method has no finished run on some task."
      "**Interquartile mean** (IQM): the mean of the middle half of all runs' normalised scores over every task, robust to an outlying run."
      Markdown.table [ "method"; "runs"; "IQM of maximum return"; "IQM of average return" ]
          [ for m, mx, avg in pair (iqm settings maxNorm) (iqm settings avgNorm) -> [ m; string (runs m); mx; avg ] ]
      "Normalisation bounds per task: the lowest and highest run score (raw return) of any method."
      Markdown.table [ "task"; "maximum: lowest"; "maximum: highest"; "average: lowest"; "average: highest" ]
          [ for (task, mx), (_, avg) in List.zip (bounds maxima) (bounds averages) -> task :: bound mx @ bound avg ]
      sprintf "### Probability of improvement over %s" baseline
      sprintf "P(X > %s): the probability that a run of X scores above a run of %s on the same task (a tie counts half), averaged over tasks; 0.5 is a tie, above it favours X. It says how often X is better, not by how much; normalising leaves it unchanged. %s" baseline baseline resampling
      (match improvement settings baseline maxNorm, improvement settings baseline avgNorm with
       | [], _ -> sprintf "%s was not run: nothing to compare with." baseline
       | mx, avg -> Markdown.table [ "method"; "maximum return"; "average return" ] [ for m, a, b in pair mx avg -> [ m; a; b ] ])
      "### Sample efficiency"
      "[sample-efficiency.html](sample-efficiency.html): per method, the IQM over runs and tasks of the evaluation return at each evaluation step, min-max normalised per task over every method's runs and evaluations, with a 95% stratified-bootstrap band (each replicate resamples whole runs). Tasks trained for different lengths share the steps up to the shortest." ]

/// The sample-efficiency curves (`MaddpgStatistics.sampleEfficiency`): per method the IQM of
/// normalised evaluation returns over runs and tasks against environment steps, with its bootstrap band.
let sampleEfficiencyChart (settings: Bootstrap.Settings) (rows: Row list) =
    Plots.intervals "Sample efficiency: IQM over runs and tasks" "environment steps" "IQM of min-max normalised return"
        (sprintf "%g%% stratified-bootstrap interval (%d replicates, whole runs resampled within each task)" (100.0 * settings.Confidence) settings.Resamples) false
        [ for m, points in sampleEfficiency settings rows -> m, [ for p in points -> float p.Step, p.Iqm.Estimate, p.Iqm.Lower, p.Iqm.Upper ] ]

/// Writes marl-eval.json (`MaddpgStatistics.marlEval`: every finished run's per-episode evaluation
/// returns) into `dir`, the profile's output folder; returns the report's line saying what it holds,
/// or why it was not written.
let saveMarlEval (dir: string) (runs: Runner.RunRecord<Run, Metrics> list) : string =
    match marlEval runs with
    | Ok json ->
        File.WriteAllText(Path.Combine(dir, "marl-eval.json"), json)
        let finished = runs |> List.filter (fun r -> r.Outcome.IsFinished)
        sprintf "[marl-eval.json](marl-eval.json): the per-episode evaluation returns (metric `return`) of the %d finished runs, laid out for marl-eval (Gorsane et al. 2022) as `environment/task/algorithm/run_<seed>/step_<i>`, `step_0` the untrained policy."
            finished.Length
    | Error why -> sprintf "marl-eval.json was not written: %s" why

/// Figure 4: one chart per actor layer and parameter, per method the mean gradient variance over
/// agents with the band from the lowest to the highest agent, the y axis logarithmic (linear, and
/// said in the title, when some variance is 0).
let gradientCharts (panels: MaddpgGradients.Panel list) =
    [ for p in panels ->
          let series = [ for m, points in p.Lines -> m, [ for pt in points -> float pt.Step, pt.Mean, pt.Min, pt.Max ] ]
          let positive = series |> List.forall (snd >> List.forall (fun (_, _, lo, _) -> lo > 0.0))
          Plots.intervals
              (sprintf "%s: layer %d, %s gradients%s" p.Task p.Layer p.Parameter (if positive then "" else " (linear axis: some variance is 0)"))
              "environment steps" "variance of the gradient's elements" "from the lowest to the highest agent's variance" positive series ]

/// Figure 4 in numbers: per panel and method, the median over the first and over the last quarter
/// of training of the mean over agents (`MaddpgGradients.quarters`), in scientific notation.
let gradientSummary (panels: MaddpgGradients.Panel list) : string =
    let names = panels |> List.collect (fun p -> List.map fst p.Lines) |> List.distinct
    Markdown.table
        ([ "task"; "layer"; "parameter" ] @ [ for m in names do yield m + ": first quarter"; yield m + ": last quarter" ])
        [ for p in panels ->
              [ p.Task; string p.Layer; p.Parameter ]
              @ [ for m in names do
                      match p.Lines |> List.tryFind (fst >> (=) m) with
                      | Some (_, points) ->
                          let first, last = MaddpgGradients.quarters points
                          yield Markdown.scientific 2 first
                          yield Markdown.scientific 2 last
                      | None ->
                          yield Markdown.missing
                          yield Markdown.missing ] ]

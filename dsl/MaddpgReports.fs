/// Table 1 and the return curves (Figures 1-3) of "Revisiting the Gumbel-Softmax in MADDPG" from MADDPG
/// rows, with the paper's numbers under ours.
module CommLab.Dsl.MaddpgReports

open CommLab.Dsl.Maddpg
open CommLab.Dsl.Statistics

// Tasks in Table 1's order, then any others in the order the rows name them.
let private tasks (rows: Row list) =
    let named = rows |> List.map (fun r -> r.Task) |> List.distinct
    (List.ofSeq CommLab.Envs.EnvTask.PaperTasks |> List.filter (fun t -> List.contains t named))
    @ (named |> List.filter (fun t -> not (Seq.contains t CommLab.Envs.EnvTask.PaperTasks)))

let private methodsIn (rows: Row list) = rows |> List.map (fun r -> r.Method) |> List.distinct

/// Each finished seed's evaluation curve of one task and method.
let private curves (rows: Row list) : Curves.Curve list =
    rows
    |> List.filter (fun r -> not r.Diverged)
    |> List.groupBy (fun r -> r.Seed)
    |> List.map (fun (_, rs) -> rs |> List.sortBy (fun r -> r.Step) |> List.map (fun r -> r.Step, r.Return))

// "0.79 ± 0.04" with Table 1's marks: bold for the best, * when Welch at 5% cannot tell it from the best.
let private marked (s: Best.Standing<string>) =
    let text = Markdown.meanStd 2 s.Mean s.HalfWidth
    if s.IsBest then sprintf "**%s**" text elif s.IndistinguishableFromBest then text + "*" else text

/// Table 1: per task, each method's maximum return (average return) with 95% intervals over seeds,
/// bold for the best and an asterisk where a Welch test at 5% cannot tell it from the best; the
/// paper's row under ours. With fewer than two finished seeds a method shows its mean alone (no
/// interval, no test); diverged seeds are counted in the cell and never averaged.
let table1 (rows: Row list) : string =
    let methods = methodsIn rows
    let body =
        [ for task in tasks rows do
              let ofTask = rows |> List.filter (fun r -> r.Task = task)
              let perMethod = [ for m in methods -> m, ofTask |> List.filter (fun r -> r.Method = m) ]
              let seedsOf (rs: Row list) = rs |> List.distinctBy (fun r -> r.Seed) |> List.map (fun r -> r.Diverged)
              let maxima = [ for m, rs in perMethod -> m, (match curves rs with [] -> [] | cs -> (Returns.maximum cs).Values) ]
              let averages = [ for m, rs in perMethod -> m, (match curves rs with [] -> [] | cs -> Returns.average cs) ]
              let cells (samples: (string * float list) list) =
                  if samples |> List.forall (fun (_, v) -> v.Length >= 2) then
                      Best.standings samples |> List.map marked
                  else
                      samples |> List.map (fun (_, v) -> if v.IsEmpty then Markdown.missing else Markdown.decimals 2 (List.average v))
              let diverged = [ for _, rs in perMethod -> Summary.seeds (seedsOf rs) ]
              yield
                  [ task; "ours" ]
                  @ List.map3 (fun mx avg seeds -> sprintf "%s (%s) [%s]" mx avg seeds) (cells maxima) (cells averages) diverged
              match PaperNumbers.Maddpg.table1 |> List.tryFind (fun (t, _, _) -> t = task) with
              | Some(_, steps, paper) ->
                  let cell (c: PaperNumbers.Maddpg.Table1Cell) = Markdown.meanStd 2 c.Mean c.HalfWidth + (if c.Asterisk then "*" else "")
                  yield
                      [ sprintf "%s [%gM]" task (float steps / 1e6); "paper" ]
                      @ [ for m in methods ->
                              match List.tryFindIndex ((=) m) PaperNumbers.Maddpg.table1Columns with
                              | Some i -> let mx, avg = paper[i] in sprintf "%s (%s) [5]" (cell mx) (cell avg)
                              | None -> Markdown.missing ]
              | None -> () ]
    Markdown.table ([ "task"; "source" ] @ methods) body

/// Figures 1-3: the mean evaluation return over training per method, with a band of one standard
/// error over seeds, for one task.
let curvesChart (task: string) (rows: Row list) =
    let ofTask = rows |> List.filter (fun r -> r.Task = task)
    Plots.bands (sprintf "%s: evaluation return" task) "environment steps" "return (sum over agents)"
        [ for m in methodsIn ofTask ->
              m,
              Summary.by (fun r -> r.Step) (fun r -> r.Return) (ofTask |> List.filter (fun r -> r.Method = m))
              |> Map.toList
              |> List.filter (fun (_, c) -> c.N > 0)
              |> List.map (fun (step, c) -> float step, c.Mean, c.Std / sqrt (float c.N)) ]

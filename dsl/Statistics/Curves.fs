/// Evaluation curves: a run's evaluations during training, as (environment step, score) pairs.
/// Statistics across runs compare them step by step, so every run must be evaluated at the same steps.
module CommLab.Dsl.Statistics.Curves

/// One run's (one seed's) evaluations during training: (environment step, score), in any order.
type Curve = (int64 * float) list

/// The steps the curves were evaluated at, ascending, each with every curve's score at it (in the
/// order of `curves`). Refuses no evaluations, a step evaluated twice in one curve, a step that some
/// curve lacks (named), and NaN or infinite scores.
let byStep (curves: Curve list) : (int64 * float list) list =
    let steps = curves |> List.collect (List.map fst) |> List.distinct |> List.sort
    if steps.IsEmpty then
        invalidArg "curves" "the curves hold no evaluations; give each run's (step, score) pairs"
    let tables =
        curves
        |> List.mapi (fun i curve ->
            match curve |> List.countBy fst |> List.tryFind (fun (_, n) -> n > 1) with
            | Some (step, n) -> invalidArg "curves" (sprintf "curve %d evaluates step %d %d times; give one score per step" (i + 1) step n)
            | None -> ()
            let table = Map curve
            match steps |> List.tryFind (table.ContainsKey >> not) with
            | Some step ->
                invalidArg "curves" (sprintf "curve %d has no evaluation at step %d, which another curve has; every run must be evaluated at the same steps" (i + 1) step)
            | None -> table)
    [ for step in steps ->
          let scores = [ for t in tables -> t[step] ]
          Sample.check (sprintf "the scores at step %d" step) 1 scores
          step, scores ]

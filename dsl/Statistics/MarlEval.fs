/// Export to marl-eval (instadeepai/marl-eval; Gorsane et al. 2022), whose tools plot and aggregate
/// MARL results from one JSON file laid out as
/// `{env: {task: {algorithm: {"run_k": {"step_i": {"step_count": n, metric: [per-episode values]},
/// "absolute_metrics": {metric: [...]}}}}}}`.
module CommLab.Dsl.Statistics.MarlEval

open Newtonsoft.Json.Linq
open CommLab.Dsl

/// When a set of episodes was evaluated.
type Point =
    /// The `index`-th evaluation during training (from 0), after `stepCount` environment steps: "step_<index>".
    | Step of index: int * stepCount: int64
    /// marl-eval's "absolute_metrics": the best policy evaluated again after training.
    | Absolute

/// One metric's per-episode values at one evaluation of one run.
type Evaluation =
    { Environment: string
      Task: string
      Algorithm: string
      /// The run (seed) index: "run_<Run>".
      Run: int
      Point: Point
      Metric: string
      /// One value per evaluation episode.
      Values: float list }

let private pointName point =
    match point with
    | Step (index, _) -> sprintf "step_%d" index
    | Absolute -> "absolute_metrics"

let private place (e: Evaluation) = sprintf "run_%d/%s/%s" e.Run (pointName e.Point) e.Metric

let private cell (e: Evaluation) = sprintf "%s/%s/%s/%s" e.Environment e.Task e.Algorithm (place e)

// marl-eval indexes every algorithm of a task by the same runs and steps; a gap would fail there, or
// worse, compare different numbers of runs. All problems are reported at once.
let private problems (evaluations: Evaluation list) : string list =
    let duplicates =
        evaluations |> List.countBy cell |> List.filter (fun (_, n) -> n > 1) |> List.map (fun (c, n) -> sprintf "%s is given %d times" c n)
    let stepCounts =
        evaluations
        |> List.choose (fun e -> match e.Point with Step (i, n) -> Some((e.Environment, e.Task, e.Algorithm, e.Run, i), n) | Absolute -> None)
        |> List.groupBy fst
        |> List.choose (fun ((env, task, alg, run, i), counts) ->
            match counts |> List.map snd |> List.distinct with
            | [ _ ] -> None
            | counts -> Some(sprintf "%s/%s/%s/run_%d/step_%d has different step counts: %s" env task alg run i (counts |> List.map string |> String.concat ", ")))
    let missing =
        evaluations
        |> List.groupBy (fun e -> e.Environment, e.Task)
        |> List.collect (fun ((env, task), es) ->
            let all = es |> List.map place |> set
            es
            |> List.groupBy (fun e -> e.Algorithm)
            |> List.choose (fun (alg, own) ->
                match Set.difference all (own |> List.map place |> set) |> Set.toList with
                | [] -> None
                | lacks -> Some(sprintf "%s/%s: %s lacks %s, which another algorithm of the task has" env task alg (String.concat ", " lacks))))
    duplicates @ stepCounts @ missing

let private objectOf (key: Evaluation -> 'k) (name: 'k -> string) (inner: Evaluation list -> JToken) (evaluations: Evaluation list) : JToken =
    evaluations |> List.groupBy key |> List.map (fun (k, es) -> JProperty(name k, inner es)) |> JObject :> JToken

let private metrics (evaluations: Evaluation list) =
    evaluations |> List.map (fun e -> JProperty(e.Metric, JArray(e.Values)))

let private run (evaluations: Evaluation list) : JToken =
    let steps =
        evaluations
        |> List.choose (fun e -> match e.Point with Step (i, n) -> Some((i, n), e) | Absolute -> None)
        |> List.groupBy fst
        |> List.sortBy fst
        |> List.map (fun ((i, n), es) -> JProperty(sprintf "step_%d" i, JObject(JProperty("step_count", n) :: metrics (List.map snd es))))
    let absolute =
        match evaluations |> List.filter (fun e -> e.Point = Absolute) with
        | [] -> []
        | es -> [ JProperty("absolute_metrics", JObject(metrics es)) ]
    JObject(steps @ absolute) :> JToken

/// The marl-eval JSON of `evaluations`, written with `Json`'s settings (indented, invariant culture,
/// "\n" line ends). Environments, tasks, algorithms and metrics keep the order they first appear in;
/// runs and steps are ascending, "absolute_metrics" after the steps. Refuses, listing every problem:
/// no evaluations, a NaN, infinite or empty list of values (the first one), an evaluation given twice, two step counts
/// for one step, and an algorithm lacking a run, step or metric that another algorithm of its task has.
let toJson (evaluations: Evaluation list) : string =
    if evaluations.IsEmpty then
        invalidArg "evaluations" "no evaluations to export"
    for e in evaluations do
        Sample.check (cell e) 1 e.Values
    match problems evaluations with
    | [] -> ()
    | ps -> invalidArg "evaluations" ("cannot export to marl-eval:\n" + String.concat "\n" ps)
    evaluations
    |> objectOf (fun e -> e.Environment) id (
        objectOf (fun e -> e.Task) id (
            objectOf (fun e -> e.Algorithm) id (
                List.sortBy (fun e -> e.Run) >> objectOf (fun e -> e.Run) (sprintf "run_%d") run)))
    |> Json.serialize

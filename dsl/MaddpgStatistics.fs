/// The numbers behind Table 1 and the reporting Agarwal et al. (2021) and Gorsane et al. (2022) ask
/// for beyond its t intervals, from MADDPG rows and runs: each run's score under Table 1's two
/// metrics, scores min-max normalised per task (as marl-eval does), their IQM and probability of
/// improvement with stratified-bootstrap intervals, sample-efficiency curves, and the marl-eval
/// export. Numbers only: `MaddpgReports` writes them as tables and charts.
module CommLab.Dsl.MaddpgStatistics

open System
open CommLab.Dsl.Maddpg
open CommLab.Dsl.Statistics

/// The tasks of `rows`: Table 1's in its order, then any others in the order the rows name them.
let tasks (rows: Row list) : string list =
    let named = rows |> List.map (fun r -> r.Task) |> List.distinct
    (List.ofSeq CommLab.Envs.EnvTask.PaperTasks |> List.filter (fun t -> List.contains t named))
    @ (named |> List.filter (fun t -> not (Seq.contains t CommLab.Envs.EnvTask.PaperTasks)))

/// The methods of `rows`, in the order the rows name them.
let methods (rows: Row list) : string list = rows |> List.map (fun r -> r.Method) |> List.distinct

/// Each finished seed's evaluation curve in `rows` (of one task and method), seeds in the order the
/// rows name them; a diverged seed has no curve.
let curves (rows: Row list) : Curves.Curve list =
    rows
    |> List.filter (fun r -> not r.Diverged)
    |> List.groupBy (fun r -> r.Seed)
    |> List.map (fun (_, rs) -> rs |> List.sortBy (fun r -> r.Step) |> List.map (fun r -> r.Step, r.Return))

/// Table 1's two return metrics, each one score per run.
type Metric =
    /// The run's return at the evaluation where its method's mean over seeds peaks (`Returns.maximum`).
    | Maximum
    /// The run's mean over all its evaluations (`Returns.average`).
    | Average

/// Per task (in `tasks` order), each method's (in `methods` order) finished runs' scores under
/// `metric`, seeds in the order the rows name them. A method without a finished run on a task has
/// an empty list there.
let scores (metric: Metric) (rows: Row list) : (string * (string * float list) list) list =
    [ for task in tasks rows ->
          task,
          [ for m in methods rows ->
                let cs = curves (rows |> List.filter (fun r -> r.Task = task && r.Method = m))
                m,
                match cs, metric with
                | [], _ -> []
                | cs, Maximum -> (Returns.maximum cs).Values
                | cs, Average -> Returns.average cs ] ]

/// `scores` min-max normalised per task over every method's runs (`MinMax.normalise`): 0 is the
/// lowest run score of any method on the task, 1 the highest. A task without runs stays empty.
let normalised (scores: (string * (string * float list) list) list) : (string * (string * float list) list) list =
    [ for task, perMethod in scores ->
          task, (if perMethod |> List.forall (snd >> List.isEmpty) then perMethod else MinMax.normalise perMethod) ]

/// Each task's lowest and highest run score over every method: the returns that normalisation maps
/// to 0 and 1. None for a task without runs.
let bounds (scores: (string * (string * float list) list) list) : (string * (float * float) option) list =
    [ for task, perMethod in scores ->
          task,
          match List.collect snd perMethod with
          | [] -> None
          | all -> Some(List.min all, List.max all) ]

// A method's runs' scores per task, if it has a run on every task: the stratified bootstrap resamples
// within each task, so each needs at least one.
let private ofMethod (scores: (string * (string * float list) list) list) (m: string) : float list list option =
    let perTask = [ for _, perMethod in scores -> perMethod |> List.tryFind (fst >> (=) m) |> Option.map snd |> Option.defaultValue [] ]
    if perTask |> List.exists List.isEmpty then None else Some perTask

let private methodsOf (scores: (string * (string * float list) list) list) =
    scores |> List.collect (snd >> List.map fst) |> List.distinct

/// Per method (in the order `scores` names them), the IQM over runs x tasks of its (normalised)
/// scores with its stratified-bootstrap interval; None for a method lacking runs on some task.
let iqm (settings: Bootstrap.Settings) (scores: (string * (string * float list) list) list) : (string * Bootstrap.Interval option) list =
    [ for m in methodsOf scores -> m, ofMethod scores m |> Option.map (Bootstrap.stratified settings Iqm.ofTasks) ]

/// Per method other than `baseline`, the probability that one of its runs scores above a run of
/// `baseline` on the same task (ties count half), averaged over tasks, with its stratified-bootstrap
/// interval. None when either method lacks runs on some task; empty when `baseline` is not a method.
/// Min-max normalisation maps a task's scores by one increasing function, so it leaves this unchanged.
let improvement (settings: Bootstrap.Settings) (baseline: string) (scores: (string * (string * float list) list) list) : (string * Bootstrap.Interval option) list =
    let methods = methodsOf scores
    if not (List.contains baseline methods) then []
    else
        let y = ofMethod scores baseline
        [ for m in methods |> List.filter ((<>) baseline) ->
              m,
              match ofMethod scores m, y with
              | Some x, Some y -> Some(ProbabilityOfImprovement.interval settings x y)
              | _ -> None ]

// Each task's curves of every method, their returns min-max normalised together over every method,
// run and step of the task (MinMax.normalise keyed by method and run).
let private normalisedCurves (perMethod: (string * Curves.Curve list) list) : (string * Curves.Curve list) list =
    let keyed = [ for m, cs in perMethod do for i, c in List.indexed cs -> (m, i), c ]
    if keyed.IsEmpty then perMethod
    else
        let scaled = MinMax.normalise [ for key, c in keyed -> key, List.map snd c ] |> Map.ofList
        [ for m, cs in perMethod -> m, cs |> List.mapi (fun i c -> List.zip (List.map fst c) scaled[(m, i)]) ]

/// Per method (in `methods` order), the IQM over runs x tasks of normalised evaluation returns at
/// each evaluation step, with its stratified-bootstrap band (`SampleEfficiency.curve`). Returns are
/// min-max normalised per task over every method's runs and evaluations. Only steps at which every
/// run of every task was evaluated count: tasks train for different lengths, so the curves stop at
/// the shortest. Methods lacking runs on some task are left out.
let sampleEfficiency (settings: Bootstrap.Settings) (rows: Row list) : (string * SampleEfficiency.Point list) list =
    let perTask =
        [ for task in tasks rows ->
              [ for m in methods rows -> m, curves (rows |> List.filter (fun r -> r.Task = task && r.Method = m)) ] ]
    let all = perTask |> List.concat |> List.collect snd
    let common = if all.IsEmpty then Set.empty else all |> List.map (List.map fst >> Set.ofList) |> Set.intersectMany
    if common.IsEmpty then []
    else
        let shared = perTask |> List.map (List.map (fun (m, cs) -> m, cs |> List.map (List.filter (fst >> common.Contains))) >> normalisedCurves)
        // Methods in parallel: each is a bootstrap per evaluation step (the paper profile's 101 steps at
        // 50,000 replicates take minutes per method), and every interval has its own seeded stream.
        methods rows
        |> Array.ofList
        |> Array.Parallel.choose (fun m ->
            let perTaskOfM = shared |> List.map (List.find (fst >> (=) m) >> snd)
            if perTaskOfM |> List.forall (List.isEmpty >> not) then Some(m, SampleEfficiency.curve settings perTaskOfM) else None)
        |> List.ofArray

/// marl-eval's name of a task's environment: "LBF" for Level-Based Foraging, "RWARE" for the
/// Multi-Robot Warehouse.
let environment (task: string) : string =
    if task.StartsWith "Foraging" then "LBF"
    elif task.StartsWith "rware" then "RWARE"
    else invalidArg "task" (sprintf "no marl-eval environment for task '%s'; expected a Foraging-* or rware-* task" task)

/// The per-episode returns of every finished run as marl-eval evaluations: environment (`environment`),
/// task, the method as algorithm, run_<seed>, step_<i> for the i-th evaluation (step_0 the untrained
/// policy) with its environment step count, metric "return". Diverged runs have no evaluations to give.
let evaluations (runs: Runner.RunRecord<Run, Metrics> list) : MarlEval.Evaluation list =
    [ for r in runs do
          match r.Outcome with
          | Finished m ->
              for i, (step, returns) in List.indexed (List.zip m.EvaluationSteps m.Returns) ->
                  { Environment = environment r.Config.Task; Task = r.Config.Task; Algorithm = r.Config.Method; Run = r.Config.Seed
                    Point = MarlEval.Step(i, step); Metric = "return"; Values = returns }
          | Diverged _ -> () ]

/// marl-eval's JSON of `evaluations runs`, or why it cannot be written: no finished run, or what
/// `MarlEval.toJson` refuses (an algorithm of a task lacking a run that another has, as when a
/// seed diverged; marl-eval would compare different runs).
let marlEval (runs: Runner.RunRecord<Run, Metrics> list) : Result<string, string> =
    match evaluations runs with
    | [] -> Error "no run finished"
    | es ->
        try
            Ok(MarlEval.toJson es)
        with :? ArgumentException as e -> Error e.Message

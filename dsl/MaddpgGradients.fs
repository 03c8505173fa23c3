/// Figure 4 of "Revisiting the Gumbel-Softmax in MADDPG": the variance over the elements of each actor
/// parameter's gradient (the authors' `torch.var(param.grad)`, logged by the trainer once per 1,000
/// steps) over training, per layer and parameter, aggregated across agents: the mean over agents as
/// the line, the lowest and highest agent as the band.
module CommLab.Dsl.MaddpgGradients

open CommLab.Marl
open CommLab.Dsl.Maddpg

/// One point of a line: after `Step` environment steps, the mean over agents and its range.
type Point =
    { /// The earliest step logged in the point's 1,000-step block (seeds log at slightly different steps).
      Step: int64
      /// Mean over agents of each agent's variance (each agent's averaged over seeds first).
      Mean: float
      /// The lowest agent's variance.
      Min: float
      /// The highest agent's variance.
      Max: float }

/// One chart of Figure 4: one parameter of one actor layer on one task, a line per method.
type Panel =
    { Task: string
      /// Actor layer from 1 (the input layer) to 3 (the logits).
      Layer: int
      /// "weight" or "bias".
      Parameter: string
      /// Per method, its points in step order.
      Lines: (string * Point list) list }

// The trainer logs at the first update at or after each multiple of its interval (1,000 steps); seeds
// meet those updates a few steps apart, so they are matched by block.
let private block = CommLab.Marl.MaddpgTrainer.GradientVarianceInterval

let private parameterOrder (p: string) = if p = "weight" then 0 else 1

/// Figure 4's panels from each run's (task, method, variances); several runs of a task and method are
/// seeds. Per block, each agent's variance is averaged over the seeds that logged it, then the line
/// is the mean over agents and the band their minimum and maximum (with one seed: the paper's
/// aggregation). Panels by task (first named first), layer, weight before bias; methods in the order
/// named.
let acrossAgents (runs: (string * string * GradientVariance list) list) : Panel list =
    let methods = runs |> List.map (fun (_, m, _) -> m) |> List.distinct
    let records = [ for task, m, vs in runs do for v in vs -> task, m, v ]
    let tasks = records |> List.map (fun (t, _, _) -> t) |> List.distinct
    records
    |> List.groupBy (fun (task, _, v) -> task, v.Layer, v.Parameter)
    |> List.sortBy (fun ((task, layer, p), _) -> List.findIndex ((=) task) tasks, layer, parameterOrder p, p)
    |> List.map (fun ((task, layer, p), rs) ->
        { Task = task
          Layer = layer + 1
          Parameter = p
          Lines =
            [ for m in methods do
                  match rs |> List.filter (fun (_, m', _) -> m' = m) |> List.map (fun (_, _, v) -> v) with
                  | [] -> ()
                  | vs ->
                      m,
                      vs
                      |> List.groupBy (fun v -> v.Step / block)
                      |> List.sortBy fst
                      |> List.map (fun (_, inBlock) ->
                          let agents = inBlock |> List.groupBy (fun v -> v.Agent) |> List.map (fun (_, ofAgent) -> ofAgent |> List.averageBy (fun v -> v.Variance))
                          { Step = inBlock |> List.map (fun v -> v.Step) |> List.min
                            Mean = List.average agents
                            Min = List.min agents
                            Max = List.max agents }) ] })

/// Figure 4's panels of the finished runs of a sweep; diverged runs are left out.
let panels (runs: Runner.RunRecord<Run, Metrics> list) : Panel list =
    acrossAgents [ for r in runs do match r.Outcome with Finished m -> yield r.Config.Task, r.Config.Method, m.GradientVariances | Diverged _ -> () ]

// numpy's median: the middle value, or the mean of the two middle values.
let private median (values: float list) =
    let sorted = List.sort values |> Array.ofList
    let n = sorted.Length
    if n % 2 = 1 then sorted[n / 2] else (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0

/// How a line changes over training: the median of its mean over agents over its first quarter of
/// points and over its last quarter (ceil(n / 4) points each; with fewer than 4 points, the first
/// and the last point). Needs at least one point.
let quarters (points: Point list) : float * float =
    if points.IsEmpty then
        invalidArg "points" "a line without points has no quarters; give at least one point"
    let n = (points.Length + 3) / 4
    let means = points |> List.sortBy (fun p -> p.Step) |> List.map (fun p -> p.Mean)
    median (List.take n means), median (List.skip (means.Length - n) means)

/// One row of Figure 4's data (results.csv): a point of one method's line in one panel.
type Row =
    { Task: string
      Method: string
      Layer: int
      Parameter: string
      Step: int64
      Mean: float
      Min: float
      Max: float }

/// The points of every panel as rows, in panel order.
let rows (panels: Panel list) : Row list =
    [ for p in panels do
          for m, points in p.Lines do
              for pt in points ->
                  { Task = p.Task; Method = m; Layer = p.Layer; Parameter = p.Parameter; Step = pt.Step; Mean = pt.Mean; Min = pt.Min; Max = pt.Max } ]

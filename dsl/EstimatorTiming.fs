/// The compute-time toy problem of "Revisiting the Gumbel-Softmax in MADDPG" (Section 4.2, Table 2):
/// time per relaxation (forward and backward) of each estimator class on logits of several dimensions,
/// over a few logit instances, with a 95% confidence interval and the ratio to STGS.
module CommLab.Dsl.EstimatorTiming

open System
open System.Diagnostics
open TorchSharp
open CommLab.Devices

/// One timed cell: an estimator on one logit instance of a given dimension and batch size.
type Measurement =
    { /// Column name ("STGS", "GRMC-10", "GST").
      Estimator: string
      Dimension: int
      Batch: int
      /// Which logit instance (also its seed).
      Instance: int
      /// Timed calls.
      Calls: int
      /// Mean wall time of one forward-and-backward relaxation.
      Microseconds: float
      /// Mean wall time of the forward pass alone.
      ForwardMicroseconds: float
      /// Tensors created per relaxation by the forward pass, as the dispose scope counts them (outputs and
      /// views of the operations dispatched to libtorch; the backward pass's own are not counted).
      TensorsPerCall: float
      Threads: int }

/// The estimator classes of the paper's Table 2, with the settings its timing script used
/// (temperature 1; GST gap 1). The authors' script labels a K = 100 run "MK50"; the table says K = 50,
/// which is what runs here.
let paperColumns =
    [ "STGS", Estimator.stgs 1.0
      "GRMC-1", Estimator.grmc 1.0 1
      "GRMC-10", Estimator.grmc 1.0 10
      "GRMC-50", Estimator.grmc 1.0 50
      "GST", Estimator.gst 1.0 1.0 ]

/// The paper's Table 2 (microseconds, mean and 95% half-width), by dimension, in `paperColumns` order.
let paper: Map<int, (float * float) list> =
    Map [ 3, [ 135.28, 0.19; 445.91, 11.38; 446.65, 0.86; 486.36, 1.7; 357.56, 1.04 ]
          5, [ 135.65, 0.51; 438.52, 0.63; 446.66, 0.7; 501.9, 1.16; 356.95, 0.6 ]
          10, [ 135.83, 0.48; 438.95, 1.01; 451.65, 0.82; 531.97, 0.45; 356.52, 0.55 ]
          50, [ 134.05, 0.89; 440.46, 1.01; 484.77, 1.29; 765.56, 2.09; 356.77, 1.77 ]
          100, [ 139.23, 0.25; 455.54, 2.97; 520.06, 0.78; 1055.18, 4.16; 359.26, 1.26 ]
          1000, [ 154.17, 0.45; 533.12, 1.01; 1060.74, 2.92; 6171.59, 8.67; 386.57, 1.36 ] ]

/// The paper's dimensions.
let paperDimensions = [ 3; 5; 10; 50; 100; 1000 ]

/// Times `calls` relaxations by each estimator of `columns` on one logit instance, after `warmup`
/// untimed ones. A relaxation is the estimator's training path plus the backward pass to the logits
/// (torch.autograd.grad with a fixed upstream gradient, so nothing accumulates between calls), each in
/// its own dispose scope. The estimators take turns in blocks of `block` calls, so a slow spell of the
/// machine (other tenants, the garbage collector) lands on every column alike; forward-only calls are
/// timed the same way, to show how the time splits.
let measureAll (device: string) (columns: (string * Estimator.Estimator) list) (dimension: int) (batch: int) (instance: int) (calls: int) (warmup: int) =
    let device = DeviceChoice.Resolve device
    let sync () = if device.``type`` = DeviceType.CUDA then torch.cuda.synchronize ()
    use generator = new torch.Generator(uint64 (1000 * instance + dimension), device)
    use logits = torch.randn([| int64 batch; int64 dimension |], generator = generator, device = device).requires_grad_(true)
    use upstream = torch.randn([| int64 batch; int64 dimension |], generator = generator, device = device)
    let inputs, grads = [| logits |], [| upstream |]
    let estimators = columns |> List.map (fun (_, e) -> (Estimator.toSpec e).Create(generator)) |> Array.ofList
    let relax (e: CommLab.Estimators.IDiscreteEstimator) =
        use _ = torch.NewDisposeScope()
        let y = e.Apply(logits, true)
        torch.autograd.grad([| y |], inputs, grads) |> ignore
    let forward (e: CommLab.Estimators.IDiscreteEstimator) =
        use _ = torch.NewDisposeScope()
        e.Apply(logits, true) |> ignore
    let n = estimators.Length
    let total, forwardTotal, tensors = Array.zeroCreate n, Array.zeroCreate n, Array.zeroCreate n
    for e in estimators do
        for _ in 1..warmup do relax e
    let block = max 1 (min 100 (calls / 10))
    let stats = DisposeScopeManager.Statistics
    let mutable done' = 0
    while done' < calls do
        let size = min block (calls - done')
        for i in 0 .. n - 1 do
            sync ()
            let created = stats.CreatedInScopeCount
            let clock = Stopwatch.StartNew()
            for _ in 1..size do relax estimators[i]
            sync ()
            total[i] <- total[i] + clock.Elapsed.TotalMilliseconds * 1000.0
            tensors[i] <- tensors[i] + stats.CreatedInScopeCount - created
            let clock = Stopwatch.StartNew()
            for _ in 1..size do forward estimators[i]
            sync ()
            forwardTotal[i] <- forwardTotal[i] + clock.Elapsed.TotalMilliseconds * 1000.0
        done' <- done' + size
    [ for i in 0 .. n - 1 ->
          { Estimator = fst columns[i]
            Dimension = dimension
            Batch = batch
            Instance = instance
            Calls = calls
            Microseconds = total[i] / float calls
            ForwardMicroseconds = forwardTotal[i] / float calls
            TensorsPerCall = float tensors[i] / float calls
            Threads = torch.get_num_threads () } ]

/// Two-sided 95% Student-t quantiles for 1..10 degrees of freedom (1.96 beyond).
let private tQuantile df =
    match df with
    | 1 -> 12.706 | 2 -> 4.303 | 3 -> 3.182 | 4 -> 2.776 | 5 -> 2.571
    | 6 -> 2.447 | 7 -> 2.365 | 8 -> 2.306 | 9 -> 2.262 | 10 -> 2.228
    | _ -> 1.96

/// Mean and 95% confidence half-width of values from independent instances (0 with one instance).
let meanCi (xs: float list) =
    let n = List.length xs
    let m = List.average xs
    if n < 2 then m, 0.0
    else
        let sd = sqrt ((xs |> List.sumBy (fun x -> (x - m) ** 2.0)) / float (n - 1))
        m, tQuantile (n - 1) * sd / sqrt (float n)

/// One table cell: an estimator at a dimension and batch size, summarized over instances.
type Cell =
    { Estimator: string
      Dimension: int
      Batch: int
      Microseconds: float
      HalfWidth: float
      /// Time divided by STGS's, instance by instance (both were timed in alternating blocks on the same
      /// logits), then averaged: the machine's slow and fast spells cancel in each instance's ratio.
      Ratio: float
      /// 95% confidence half-width of Ratio over instances.
      RatioHalfWidth: float
      /// Mean time of the forward pass alone; the rest of Microseconds is the backward pass.
      ForwardMicroseconds: float
      TensorsPerCall: float }

/// Summaries of the measurements, with paired ratios to the "STGS" column.
let cells (ms: Measurement list) : Cell list =
    let stgs =
        ms |> List.filter (fun m -> m.Estimator = "STGS") |> List.map (fun m -> (m.Dimension, m.Batch, m.Instance), m.Microseconds) |> Map
    ms
    |> List.groupBy (fun m -> m.Estimator, m.Dimension, m.Batch)
    |> List.sortBy fst
    |> List.map (fun ((e, d, b), g) ->
        let mean, half = meanCi (g |> List.map (fun m -> m.Microseconds))
        let ratios = g |> List.choose (fun m -> stgs.TryFind(d, b, m.Instance) |> Option.map (fun s -> m.Microseconds / s))
        let ratio, ratioHalf = if ratios.IsEmpty then nan, nan else meanCi ratios
        { Estimator = e; Dimension = d; Batch = b; Microseconds = mean; HalfWidth = half; Ratio = ratio; RatioHalfWidth = ratioHalf
          ForwardMicroseconds = g |> List.averageBy (fun m -> m.ForwardMicroseconds)
          TensorsPerCall = g |> List.averageBy (fun m -> m.TensorsPerCall) })

let private formatCell (mean: float) (half: float) (ratio: float) = sprintf "%.2f ± %.2f (%.2f)" mean half ratio

/// Markdown table for one batch size: a row per dimension with our cell and, for batch 1, the paper's below it.
let table (columns: string list) (batch: int) (cs: Cell list) =
    let header = "| dimension | source | " + String.Join(" | ", columns) + " |"
    let rule = "|---|---|" + String.replicate columns.Length "---|"
    let dims = cs |> List.filter (fun c -> c.Batch = batch) |> List.map (fun c -> c.Dimension) |> List.distinct |> List.sort
    let find e d = cs |> List.tryFind (fun c -> c.Estimator = e && c.Dimension = d && c.Batch = batch)
    let ours d =
        columns |> List.map (fun e -> match find e d with Some c -> formatCell c.Microseconds c.HalfWidth c.Ratio | None -> "n/a")
    let theirs d =
        match Map.tryFind d paper with
        | Some values ->
            let stgs = fst values[0]
            let byName = List.zip (paperColumns |> List.map fst) values |> Map
            columns |> List.map (fun e -> match Map.tryFind e byName with Some (m, h) -> formatCell m h (m / stgs) | None -> "n/a")
        | None -> columns |> List.map (fun _ -> "n/a")
    [ yield header
      yield rule
      for d in dims do
          yield sprintf "| %d | ours | %s |" d (String.Join(" | ", ours d))
          if batch = 1 then yield sprintf "| %d | paper | %s |" d (String.Join(" | ", theirs d)) ]
    |> String.concat "\n"

/// Where the time goes at one batch size: forward and backward microseconds, and the tensors the
/// forward pass creates (one per libtorch operation or view).
let splitTable (columns: string list) (batch: int) (cs: Cell list) =
    let dims = cs |> List.filter (fun c -> c.Batch = batch) |> List.map (fun c -> c.Dimension) |> List.distinct |> List.sort
    let find e d = cs |> List.tryFind (fun c -> c.Estimator = e && c.Dimension = d && c.Batch = batch)
    [ yield "| dimension | " + String.Join(" | ", columns) + " |"
      yield "|---|" + String.replicate columns.Length "---|"
      for d in dims do
          let values =
              columns
              |> List.map (fun e ->
                  match find e d with
                  | Some c -> sprintf "%.1f + %.1f (%.0f)" c.ForwardMicroseconds (c.Microseconds - c.ForwardMicroseconds) c.TensorsPerCall
                  | None -> "n/a")
          yield sprintf "| %d | %s |" d (String.Join(" | ", values)) ]
    |> String.concat "\n"

/// The cell of `estimator` with the largest ratio to STGS at `batch`.
let worstRatio (estimator: string) (batch: int) (cs: Cell list) =
    cs |> List.filter (fun c -> c.Estimator = estimator && c.Batch = batch) |> List.maxBy (fun c -> c.Ratio)

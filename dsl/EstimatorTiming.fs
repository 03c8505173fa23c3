/// The compute-time toy problem of "Revisiting the Gumbel-Softmax in MADDPG" (Section 4.2, Table 2):
/// time per relaxation (forward and backward) of each estimator class on logits of several dimensions,
/// over a few logit instances, with a 95% confidence interval and the ratio to STGS.
module CommLab.Dsl.EstimatorTiming

open CommLab.Estimators

/// The estimator classes of the paper's Table 2 with the settings its timing script used (temperature
/// 1; GST gap 1), in the table's column order.
let paperColumns =
    List.zip PaperNumbers.Maddpg.table2Columns
        [ Estimator.stgs 1.0; Estimator.grmc 1.0 1; Estimator.grmc 1.0 10; Estimator.grmc 1.0 50; Estimator.gst 1.0 1.0 ]

/// Times `calls` relaxations of each estimator of `columns` on one logit instance after `warmup`
/// untimed ones (the core's `EstimatorTimer`, which documents the protocol).
let measureAll (device: string) (columns: (string * Estimator.Estimator) list) (dimension: int) (batch: int) (instance: int) (calls: int) (warmup: int) : TimingMeasurement list =
    let specs = columns |> List.map (fun (name, e) -> struct (name, Estimator.toSpec e)) |> ResizeArray
    EstimatorTimer.Measure(device, specs, dimension, batch, instance, calls, warmup) |> List.ofSeq

/// Mean and 95% confidence half-width of values from independent instances (0 with one instance).
let meanCi (xs: float list) =
    let m = List.average xs
    if xs.Length < 2 then m, 0.0 else m, Statistics.TTest.halfWidth95 xs

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
let cells (ms: TimingMeasurement list) : Cell list =
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

let private dimensionsAt (batch: int) (cs: Cell list) =
    cs |> List.filter (fun c -> c.Batch = batch) |> List.map (fun c -> c.Dimension) |> List.distinct |> List.sort

let private find (cs: Cell list) (estimator: string) (dimension: int) (batch: int) =
    cs |> List.tryFind (fun c -> c.Estimator = estimator && c.Dimension = dimension && c.Batch = batch)

/// Table for one batch size: a row per dimension with our cells and, for batch 1, the paper's below it.
let table (columns: string list) (batch: int) (cs: Cell list) =
    let ours d =
        columns |> List.map (fun e -> find cs e d batch |> Option.map (fun c -> formatCell c.Microseconds c.HalfWidth c.Ratio) |> Option.defaultValue Markdown.missing)
    let theirs d =
        let stgs = PaperNumbers.Maddpg.table2Cell "STGS" d |> Option.map fst
        columns
        |> List.map (fun e ->
            match PaperNumbers.Maddpg.table2Cell e d, stgs with
            | Some (m, h), Some s -> formatCell m h (m / s)
            | _ -> Markdown.missing)
    Markdown.table
        ([ "dimension"; "source" ] @ columns)
        [ for d in dimensionsAt batch cs do
              yield [ string d; "ours" ] @ ours d
              if batch = 1 then yield [ string d; "paper" ] @ theirs d ]

/// Where the time goes at one batch size: forward and backward microseconds, and the tensors the
/// forward pass creates (one per libtorch operation or view).
let splitTable (columns: string list) (batch: int) (cs: Cell list) =
    let split (c: Cell) = sprintf "%.1f + %.1f (%.0f)" c.ForwardMicroseconds (c.Microseconds - c.ForwardMicroseconds) c.TensorsPerCall
    Markdown.table
        ("dimension" :: columns)
        [ for d in dimensionsAt batch cs -> string d :: [ for e in columns -> find cs e d batch |> Option.map split |> Option.defaultValue Markdown.missing ] ]

/// The cell of `estimator` with the largest ratio to STGS at `batch`.
let worstRatio (estimator: string) (batch: int) (cs: Cell list) =
    cs |> List.filter (fun c -> c.Estimator = estimator && c.Batch = batch) |> List.maxBy (fun c -> c.Ratio)

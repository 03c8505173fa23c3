// Table 2 of "Revisiting the Gumbel-Softmax in MADDPG": the time one relaxation (forward and backward)
// takes for STGS, GRMC with K = 1, 10, 50, and GST, on logits of dimension 3 to 1000. As in the
// paper, each setting is timed over 10,000 calls on each of five logit instances; the table gives the
// mean in microseconds, its 95% confidence interval over the instances, and the ratio to STGS. The same
// again for a batch of 512 logit vectors, the size a MADDPG update uses.
#load "Load.fsx"

open CommLab.Dsl
open CommLab.Dsl.EstimatorTiming

let options = Cli.parse "estimator-compute-time" Cli.Quick (fsi.CommandLineArgs |> Array.skip 1)
Experiment.wholeJob options "estimator-compute-time"

// Calls per instance for batch 1 and for batch 512; instances; dimensions. The paper's protocol is
// 10,000 calls x 5 instances. At batch 512, 30 calls per instance (quick: 20) already fix the mean to a few
// percent, and GRMC-50 at d = 1000 (25.6 million conditioned draws per call) would otherwise take hours.
let calls, batchCalls, instances, dimensions =
    match options.Profile with
    | Cli.Smoke -> 200, 5, 2, [ 3; 100 ]
    | Cli.Quick -> 2000, 20, 5, PaperNumbers.Maddpg.table2Dimensions
    | Cli.Paper -> 10000, 30, 5, PaperNumbers.Maddpg.table2Dimensions

// One libtorch thread for single logit vectors: their operations are far below the size at which
// libtorch splits work, and a second thread only adds wake-ups (measured: STGS 31 us on one thread,
// 40-50 us on two). Batches of 512 get every core, as a MADDPG update would.
let threadsFor batch = if batch = 1 then 1 else System.Environment.ProcessorCount
let columns = paperColumns |> List.map fst
let settings = [ for batch, n in [ 1, calls; 512, batchCalls ] do for d in dimensions -> batch, n, d ]

// .NET compiles hot code again, optimized, a moment after it first runs: a few seconds of untimed calls
// first, so the first timed setting does not pay for that.
CommLab.Devices.Compute.UseThreads 1
for d in [ 3; 1000 ] do measureAll options.Device paperColumns d 1 0 (if options.Profile = Cli.Smoke then 100 else 3000) 100 |> ignore

// Instances outermost; within a setting the estimators take turns in blocks of calls (measureAll).
let measurements =
    [ for instance in 1..instances do
          for batch, n, d in settings do
              CommLab.Devices.Compute.UseThreads(threadsFor batch)
              for m in measureAll options.Device paperColumns d batch instance n (max 5 (n / 10)) do
                  printfn "instance %d/%d  batch %4d  d=%4d  %-8s %10.2f us  (forward %.2f us, %.0f tensors)"
                      instance instances batch d m.Estimator m.Microseconds m.ForwardMicroseconds m.TensorsPerCall
                  yield m ]

let cs = cells measurements
let gst = worstRatio "GST" 1 cs
let gstBatch = worstRatio "GST" 512 cs
let grmc1000 = cs |> List.tryFind (fun c -> c.Estimator = "GRMC-50" && c.Dimension = 1000 && c.Batch = 1)
let verdict ok = if ok then "met" else "NOT met"

Experiment.publishRows options "estimator-compute-time" measurements []
    { Title = sprintf "Estimator compute time (%s profile)" (Cli.profileName options)
      Body =
        [ sprintf "%d calls per instance (batch 512: %d), %d logit instances, torch threads %d (batch 1) and %d (batch 512), device %s. Cells: mean microseconds per forward+backward relaxation ± 95%% CI over instances (ratio to STGS)."
              calls batchCalls instances (threadsFor 1) (threadsFor 512) options.Device
          "## Table 2: batch of 1 (ours, and the paper's below each row)"
          table columns 1 cs
          "## The same with a batch of 512 logit vectors"
          table columns 512 cs
          "## Where the time goes, batch 1: forward + backward microseconds (tensors created by the forward pass)"
          splitTable columns 1 cs
          "## The same at batch 512"
          splitTable columns 512 cs
          "## Goals"
          "Ratios are paired: each instance's time over STGS's on the same logits, timed in alternating blocks, then averaged over instances (± 95% CI)."
          sprintf "- GST / STGS at most 1.5 at every dimension (paper: about 2.6): worst %.2f ± %.2f at d = %d, %s. Batch 512: worst %.2f ± %.2f at d = %d."
              gst.Ratio gst.RatioHalfWidth gst.Dimension (verdict (gst.Ratio <= 1.5)) gstBatch.Ratio gstBatch.RatioHalfWidth gstBatch.Dimension
          (match grmc1000 with
           | Some c -> sprintf "- GRMC-50 / STGS at d = 1000 at most 10 (paper: 40.03): %.2f ± %.2f, %s." c.Ratio c.RatioHalfWidth (verdict (c.Ratio <= 10.0))
           | None -> "- GRMC-50 at d = 1000: not measured in this profile.") ]
      Pages =
        [ { File = "compute-time.html"; Title = "Estimator compute time"
            Charts =
              [ for batch in [ 1; 512 ] ->
                    Plots.linesLogLog (sprintf "Time per relaxation, batch %d" batch) "dimension" "microseconds"
                        [ for e in columns ->
                              e, cs |> List.filter (fun c -> c.Estimator = e && c.Batch = batch) |> List.sortBy (fun c -> c.Dimension)
                                 |> List.map (fun c -> float c.Dimension, c.Microseconds) ] ] } ] }

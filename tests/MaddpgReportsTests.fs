/// MADDPG's report numbers against hand computations: each run's Table 1 scores, per-task
/// normalisation, the aggregates and their missing cases, sample-efficiency curves over tasks of
/// different lengths, the marl-eval export of runs, and Figure 4's aggregation across agents.
module CommLab.Tests.MaddpgReportsTests

open System
open Expecto
open Newtonsoft.Json.Linq
open CommLab.Dsl
open CommLab.Dsl.Maddpg
open CommLab.Dsl.MaddpgStatistics
open CommLab.Dsl.Statistics
open CommLab.Marl

let private small = "Foraging-8x8-2p-2f-coop"
let private large = "Foraging-15x15-4p-5f"

let private row task m seed (step: int64) value : Row =
    { Task = task; Method = m; Estimator = m; Target = AsRun; Seed = seed; LearningRate = 3e-4; Step = step; Return = value; Diverged = false }

let private curve task m seed (points: (int64 * float) list) = [ for step, value in points -> row task m seed step value ]

let private diverged task m seed (step: int64) = { row task m seed step nan with Diverged = true }

// Method A: seed 1 returns 0, 4, 2 and seed 2 returns 0, 2, 6 at steps 0, 10, 20; the means over seeds
// are 0, 3, 4, so A peaks at step 20. Method B: seed 1 returns 1 throughout, seed 2 diverged.
let private oneTask =
    curve small "A" 1 [ 0L, 0.0; 10L, 4.0; 20L, 2.0 ] @ curve small "A" 2 [ 0L, 0.0; 10L, 2.0; 20L, 6.0 ]
    @ curve small "B" 1 [ 0L, 1.0; 10L, 1.0; 20L, 1.0 ] @ [ diverged small "B" 2 10L ]

let private settings: Bootstrap.Settings = { Bootstrap.defaults with Resamples = 2_000 }

let private point (step: int64) estimate : SampleEfficiency.Point = { Step = step; Iqm = { Estimate = estimate; Lower = estimate; Upper = estimate } }

let private scoreTests =
    testList "scores" [
        test "each run's maximum and average return, diverged seeds left out" {
            // Maximum: A's seeds at its peak step 20 (2 and 6); B's one finished seed at its own peak (the first step).
            Expect.equal (scores Maximum oneTask) [ small, [ "A", [ 2.0; 6.0 ]; "B", [ 1.0 ] ] ] "returns at the method's peak"
            // Average: (0 + 4 + 2) / 3 = 2 and (0 + 2 + 6) / 3 = 8/3 for A; 1 for B.
            match scores Average oneTask with
            | [ task, [ "A", [ a1; a2 ]; b ] ] ->
                Expect.equal task small "one task"
                Expect.equal a1 2.0 "A seed 1"
                Expect.floatClose Accuracy.veryHigh a2 (8.0 / 3.0) "A seed 2: mean over its evaluations"
                Expect.equal b ("B", [ 1.0 ]) "B: the diverged seed has no score"
            | other -> failtestf "one task, A with 2 scores, B with 1: %A" other
        }
        test "tasks come in Table 1's order, whatever the rows' order" {
            let rows = curve large "A" 1 [ 0L, 1.0 ] @ curve "Foraging-custom" "A" 1 [ 0L, 1.0 ] @ curve small "A" 1 [ 0L, 1.0 ]
            Expect.equal (tasks rows) [ small; large; "Foraging-custom" ] "the paper's tasks first, then others as named"
        }
        test "min-max normalisation per task and its bounds" {
            // Average scores A: 2, 8/3; B: 1. Lowest 1, highest 8/3, range 5/3: A -> 3/5 and 1, B -> 0.
            match normalised (scores Average oneTask) with
            | [ _, [ "A", [ a1; a2 ]; b ] ] ->
                Expect.floatClose Accuracy.veryHigh a1 0.6 "A seed 1: (2 - 1) / (5/3)"
                Expect.floatClose Accuracy.veryHigh a2 1.0 "A seed 2 is the highest"
                Expect.equal b ("B", [ 0.0 ]) "B is the lowest"
            | other -> failtestf "one task, A with 2 scores, B with 1: %A" other
            let lo, hi = (bounds (scores Average oneTask)).Head |> snd |> Option.get
            Expect.equal lo 1.0 "the lowest run score"
            Expect.floatClose Accuracy.veryHigh hi (8.0 / 3.0) "the highest run score"
            let empty = [ small, [ "A", []; "B", [] ] ]
            Expect.equal (normalised empty) empty "a task without runs stays empty instead of failing"
            Expect.equal (bounds empty) [ small, None ] "and has no bounds"
        }
    ]

let private aggregateTests =
    testList "aggregates" [
        test "IQM with its interval, n/a for a method lacking a task" {
            // A's normalised averages 0.6 and 1: with 2 runs nothing is trimmed, IQM 0.8. A replicate
            // draws both runs from {0.6, 1}: means 0.6, 0.8, 1 with probability 1/4, 1/2, 1/4, so the
            // 2.5% and 97.5% percentiles lie in the outer masses.
            let n = normalised (scores Average oneTask)
            match iqm settings n with
            | [ "A", Some a; "B", Some b ] ->
                Expect.floatClose Accuracy.veryHigh a.Estimate 0.8 "A: mean of 0.6 and 1"
                Expect.floatClose Accuracy.veryHigh a.Lower 0.6 "A: both draws the lower run"
                Expect.floatClose Accuracy.veryHigh a.Upper 1.0 "A: both draws the higher run"
                Expect.equal b { Estimate = 0.0; Lower = 0.0; Upper = 0.0 } "B: one run at 0"
            | other -> failtestf "A and B both have every task: %A" other
            // On a second task only A ran: B has no IQM over tasks.
            let twoTasks = normalised (scores Average (oneTask @ curve large "A" 1 [ 0L, 5.0; 10L, 5.0; 20L, 5.0 ]))
            Expect.equal (iqm settings twoTasks |> List.map (fun (m, i) -> m, Option.isSome i)) [ "A", true; "B", false ] "B lacks the large task"
        }
        test "probability of improvement over a baseline" {
            // A's runs (0.6, 1) both beat B's (0): P = 1 in every replicate.
            let n = normalised (scores Average oneTask)
            Expect.equal (improvement settings "B" n) [ "A", Some { Estimate = 1.0; Lower = 1.0; Upper = 1.0 } ] "A over B"
            // B over A: B never wins, P = 0.
            Expect.equal (improvement settings "A" n) [ "B", Some { Estimate = 0.0; Lower = 0.0; Upper = 0.0 } ] "B over A"
            Expect.isEmpty (improvement settings "STGS-1" n) "no baseline, nothing to compare"
            let twoTasks = normalised (scores Average (oneTask @ curve large "A" 1 [ 0L, 5.0 ]))
            Expect.equal (improvement settings "A" twoTasks) [ "B", None ] "B lacks the large task"
        }
        test "sample efficiency over tasks of different lengths" {
            // Task large trains to step 20, small to step 10: only steps 0 and 10 count, and each task is
            // normalised over them. large: A 0, 4 and B 2, 2 (step 20's 100 and -50 dropped) -> A 0, 1 and
            // B 0.5, 0.5. small: A 10, 30 and B 20, 20 -> the same. One run per task, so every band is a point.
            let rows =
                curve large "A" 1 [ 0L, 0.0; 10L, 4.0; 20L, 100.0 ] @ curve large "B" 1 [ 0L, 2.0; 10L, 2.0; 20L, -50.0 ]
                @ curve small "A" 1 [ 0L, 10.0; 10L, 30.0 ] @ curve small "B" 1 [ 0L, 20.0; 10L, 20.0 ]
            Expect.equal (sampleEfficiency settings rows) [ "A", [ point 0L 0.0; point 10L 1.0 ]; "B", [ point 0L 0.5; point 10L 0.5 ] ]
                "IQM over the two tasks at each common step"
            Expect.equal (sampleEfficiency settings (rows @ curve "Foraging-10x10-3p-3f" "A" 1 [ 0L, 1.0; 10L, 1.0 ]) |> List.map fst) [ "A" ]
                "B, lacking a task, is left out"
        }
    ]

let private metrics (steps: int64 list) (returns: float list list) : Metrics =
    { EvaluationSteps = steps; MeanReturns = List.map List.average returns; Returns = returns; GradientVariances = []
      Updates = 0L; Episodes = 0L; Seconds = 0.0; StepsPerSecond = 0.0 }

let private record task m seed outcome : Runner.RunRecord<Run, Metrics> =
    { Config = { Task = task; Estimator = Estimator.stgs 1.0; Method = m; Settings = forTask task 3_000L; Seed = seed; Device = "cpu" }
      RunId = sprintf "%s-%s-%d" task m seed
      Outcome = outcome }

let private exportTests =
    testList "marl-eval export" [
        test "environments by task, runs by seed, steps by evaluation" {
            Expect.equal (environment small, environment "rware-tiny-2ag") ("LBF", "RWARE") "Foraging is LBF, rware RWARE"
            Expect.throwsC (fun () -> environment "Pong" |> ignore) (fun e -> Expect.stringContains e.Message "no marl-eval environment for task 'Pong'" "names the task")
            let runs =
                [ record small "GST" 2 (Finished(metrics [ 0L; 1500L ] [ [ 0.5; 0.0 ]; [ 1.0; 0.75 ] ]))
                  record small "STGS-1" 2 (Finished(metrics [ 0L; 1500L ] [ [ 0.0; 0.0 ]; [ 0.25; 0.0 ] ]))
                  record "rware-tiny-2ag" "GST" 1 (Finished(metrics [ 0L ] [ [ 3.0 ] ])) ]
            match marlEval runs with
            | Ok json ->
                let root = JObject.Parse json
                Expect.equal (root.SelectToken("LBF.Foraging-8x8-2p-2f-coop.GST.run_2.step_1.step_count").Value<int64>()) 1500L "the second evaluation's step count"
                Expect.equal [ for v in root.SelectToken("LBF.Foraging-8x8-2p-2f-coop.GST.run_2.step_1.return") -> v.Value<float>() ] [ 1.0; 0.75 ] "its per-episode returns"
                Expect.equal [ for v in root.SelectToken("RWARE.rware-tiny-2ag.GST.run_1.step_0.return") -> v.Value<float>() ] [ 3.0 ] "the warehouse run"
            | Error e -> failtestf "every algorithm has the same runs and steps, yet: %s" e
        }
        test "a diverged seed leaves its algorithm short of a run: no file, and why" {
            let d: CommLab.Training.Divergence = CommLab.Training.Divergence("step", 10L, "actor loss", nan, "update 1")
            let runs =
                [ record small "GST" 1 (Finished(metrics [ 0L ] [ [ 0.5 ] ])); record small "GST" 2 (Finished(metrics [ 0L ] [ [ 0.5 ] ]))
                  record small "STGS-1" 1 (Finished(metrics [ 0L ] [ [ 0.5 ] ])); record small "STGS-1" 2 (Diverged d) ]
            Expect.equal (evaluations runs).Length 3 "the diverged run gives no evaluation"
            match marlEval runs with
            | Error e -> Expect.stringContains e "STGS-1 lacks run_2/step_0/return" "names the gap"
            | Ok _ -> failtest "marl-eval would compare 2 runs of GST with 1 of STGS-1"
            Expect.equal (marlEval [ record small "GST" 1 (Diverged d) ]) (Error "no run finished") "nothing to export"
        }
    ]

let private variance step layer parameter agent value = GradientVariance(step, layer, parameter, agent, value)

let private gradientTests =
    testList "Figure 4" [
        test "agents averaged over seeds, then mean, min and max across agents" {
            // A, layer 0 weight. Block 1: seed 1 logs at 1010 (agents 1, 3), seed 2 at 1005 (3, 5): agent
            // means 2 and 4 -> mean 3, min 2, max 4, at the earliest step 1005. Block 2: seed 1 at 2000 (2,
            // 4), seed 2 at 2010 (4, 8): agent means 3 and 6 -> mean 4.5, min 3, max 6.
            let seed1 = [ variance 1010L 0 "bias" 0 0.5; variance 1010L 0 "weight" 0 1.0; variance 1010L 0 "weight" 1 3.0
                          variance 2000L 0 "weight" 0 2.0; variance 2000L 0 "weight" 1 4.0; variance 2000L 1 "weight" 0 7.0 ]
            let seed2 = [ variance 1005L 0 "weight" 0 3.0; variance 1005L 0 "weight" 1 5.0; variance 2010L 0 "weight" 0 4.0; variance 2010L 0 "weight" 1 8.0 ]
            let b = [ variance 1000L 0 "weight" 0 9.0; variance 1000L 0 "weight" 1 1.0 ]
            let panels = MaddpgGradients.acrossAgents [ small, "A", seed1; small, "A", seed2; small, "B", b ]
            Expect.equal [ for p in panels -> p.Layer, p.Parameter ] [ 1, "weight"; 1, "bias"; 2, "weight" ] "layers from 1, weight before bias"
            let weight = panels.Head
            Expect.equal weight.Lines
                [ "A", [ { Step = 1005L; Mean = 3.0; Min = 2.0; Max = 4.0 }; { Step = 2000L; Mean = 4.5; Min = 3.0; Max = 6.0 } ]
                  "B", [ { Step = 1000L; Mean = 5.0; Min = 1.0; Max = 9.0 } ] ]
                "per method, a point per 1,000-step block"
            Expect.equal [ for m, _ in panels[1].Lines -> m ] [ "A" ] "only A logged a bias"
            let rows = MaddpgGradients.rows panels
            Expect.equal rows.Length 5 "3 + 1 + 1 plotted points"
            Expect.equal rows.Head { Task = small; Method = "A"; Layer = 1; Parameter = "weight"; Step = 1005L; Mean = 3.0; Min = 2.0; Max = 4.0 } "the first point as a CSV row"
        }
        test "medians of the first and the last quarter" {
            let points (means: (int64 * float) list) : MaddpgGradients.Point list = [ for step, m in means -> { Step = step; Mean = m; Min = m; Max = m } ]
            // 7 points, ceil(7/4) = 2 each: steps 1, 2 have means 5, 1 (median 3); steps 6, 7 have 7, 4 (median 5.5). Given out of order.
            let seven = points [ 7L, 4.0; 1L, 5.0; 3L, 3.0; 2L, 1.0; 5L, 8.0; 4L, 2.0; 6L, 7.0 ]
            Expect.equal (MaddpgGradients.quarters seven) (3.0, 5.5) "sorted by step first"
            // 9 points, 3 each: medians of 1, 2, 3 and of 7, 8, 9.
            Expect.equal (MaddpgGradients.quarters (points [ for i in 1L .. 9L -> i, float i ])) (2.0, 8.0) "odd counts take the middle value"
            Expect.equal (MaddpgGradients.quarters (points [ 1L, 2.0; 2L, 6.0 ])) (2.0, 6.0) "two points: the first and the last"
            Expect.throwsC (fun () -> MaddpgGradients.quarters [] |> ignore) (fun e -> Expect.isTrue (e :? ArgumentException) "no points, no quarters")
        }
        test "a zero variance switches its chart to a linear axis instead of failing" {
            let line (lo: float) : (string * MaddpgGradients.Point list) list = [ "A", [ { Step = 1000L; Mean = 1.0; Min = lo; Max = 2.0 } ] ]
            let panel lo : MaddpgGradients.Panel = { Task = small; Layer = 3; Parameter = "bias"; Lines = line lo }
            match MaddpgReports.gradientCharts [ panel 0.5; panel 0.0 ] with
            | [ positive; zero ] ->
                Expect.stringContains (positive.GetPlottingJS()) "\"type\":\"log\"" "positive variances: log axis"
                Expect.stringContains (zero.GetPlottingJS()) "linear axis: some variance is 0" "the title says why the axis is linear"
            | charts -> failtestf "one chart per panel, got %d" charts.Length
        }
    ]

let tests = testList "MADDPG reports" [ scoreTests; aggregateTests; exportTests; gradientTests ]

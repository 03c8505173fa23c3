/// Estimators as DSL configs: names, validation through the core, JSON round trips (run ids hash them),
/// the paper's presets; and the compute-time summaries (confidence intervals, ratios, tables).
module CommLab.Tests.EstimatorConfigTests

open Expecto
open CommLab.Dsl
open CommLab.Dsl.EstimatorTiming

let private configs =
    testList "estimator configs" [
        test "names follow the paper's labels" {
            let names = [ Estimator.relaxed 1.0; Estimator.stgs 1.0; Estimator.stgs 0.5; Estimator.tags 4.0 0.1 100L; Estimator.grmc 0.5 10; Estimator.gst 0.7 1.0 ] |> List.map Estimator.name
            Expect.equal names [ "GS-1"; "STGS-1"; "STGS-0.5"; "TAGS-4-0.1"; "GRMC-10"; "GST-1" ] "labels"
        }
        test "validation names every bad field with its value" {
            let problems = Estimator.validate { Estimator.tags 0.0 -1.0 0L with Samples = 0 }
            Expect.equal problems.Length 3 "TAGS checks start, end and period; K is not a TAGS setting"
            Expect.stringContains problems[0] "start temperature must be > 0 and finite, got 0" "start"
            Expect.stringContains problems[2] "period must be >= 1 update, got 0" "period"
            Expect.equal (Estimator.validate (Estimator.grmc 0.5 0)) [ "estimator samples (K) must be >= 1, got 0" ] "K"
            Expect.equal (Estimator.validate (Estimator.gst 0.7 -1.0)) [ "estimator gap (kappa) must be >= 0 and finite, got -1" ] "kappa"
        }
        test "the authors' settings for both environments are valid and complete" {
            for preset in [ Estimator.Paper.lbf; Estimator.Paper.rware ] do
                Expect.equal (preset |> List.map (fun e -> e.Kind)) [ Estimator.STGS; Estimator.STGS; Estimator.TAGS; Estimator.GRMC; Estimator.GST ] "STGS-1, STGS-T, TAGS, GRMCK, GST"
                Expect.isEmpty (preset |> List.collect Estimator.validate) "valid"
            Expect.equal (Estimator.Paper.rware[3].Samples) 5 "RWARE: K = 5"
            Expect.equal (Estimator.Paper.lbf[2].Period) 3_000_000L "LBF: TAGS over 3M updates"
        }
        test "an estimator round-trips through JSON with readable fields" {
            let e = { Estimator.tags 4.0 0.1 750L with Evaluation = Estimator.Sample }
            let json = Json.serialize e
            Expect.stringContains json "\"Kind\": \"TAGS\"" "kinds are written by name"
            Expect.stringContains json "\"Evaluation\": \"Sample\"" "so is the evaluation behaviour"
            Expect.equal (Json.deserialize<Estimator.Estimator> json) e "round trip"
        }
        test "channel configs carry their estimator into the core" {
            let c = { Channel.defaults with Mode = Channel.GS; Alphabet = 10; WordLength = 10; Estimator = Estimator.grmc 0.5 10 }
            let spec = Channel.toSpec c
            Expect.equal spec.Estimator.Kind CommLab.Estimators.EstimatorKind.GumbelRaoMonteCarlo "kind"
            Expect.equal spec.Estimator.Samples 10 "K"
            Expect.equal (Channel.describe c) "GS-Inst GRMC-10" "GS channels are labelled with their estimator"
            Expect.equal (Channel.describe Channel.defaults) "QT-Inst" "QT channels are not"
        }
        test "Table 1 of the MADDPG paper covers the nine tasks, five estimators each" {
            let table = PaperNumbers.Maddpg.table1
            Expect.equal (table |> List.map (fun (task, _, _) -> task)) (List.ofSeq CommLab.Envs.EnvTask.PaperTasks) "the tasks, in Table 1's order, named as EnvTask parses them"
            Expect.isTrue (table |> List.forall (fun (_, _, cells) -> cells.Length = PaperNumbers.Maddpg.table1Columns.Length)) "a cell per estimator"
            let _, steps, cells = table |> List.find (fun (task, _, _) -> task = "rware-tiny-4ag")
            let maximum, average = cells[4]
            Expect.equal (steps, maximum.Mean, maximum.HalfWidth, average.Mean) (7_500_000L, 4.16, 0.97, 1.82) "GST on tiny-4ag: 4.16 ± 0.97 (1.82 ± 0.21)"
        }
        test "a run's update count is the natural TAGS period" {
            let r = { ObjectGame.defaults with Epochs = 3; BatchSize = 32; GamesPerEpoch = None }
            Expect.equal (ObjectGame.updates r) 750L "3 epochs x 8000 targets / 32"
            Expect.equal (ObjectGame.updates { r with GamesPerEpoch = Some 100000 }) 9375L "3 epochs x 10^5 games / 32"
            Expect.equal (ObjectGame.updates { r with TrainTargets = Some 1000; BatchSize = 300 }) 12L "3 x ceil(1000 / 300)"
        }
    ]

let private measurement estimator dimension instance us =
    CommLab.Estimators.TimingMeasurement(estimator, dimension, 1, instance, 10, us, us / 2.0, 9.0, 1)

let private timing =
    testList "compute-time summaries" [
        test "the confidence interval uses Student's t over instances" {
            let mean, half = meanCi [ 10.0; 12.0; 11.0; 13.0; 9.0 ]
            Expect.floatClose Accuracy.high mean 11.0 "mean"
            // sd = sqrt(2.5), t(0.975, 4) = 2.7764451
            Expect.floatClose Accuracy.medium half (2.7764451 * sqrt 2.5 / sqrt 5.0) "half-width"
            Expect.equal (snd (meanCi [ 4.0 ])) 0.0 "one instance: no interval"
        }
        test "ratios are to STGS at the same dimension" {
            let cs =
                cells [ measurement "STGS" 3 1 10.0; measurement "STGS" 3 2 30.0; measurement "GST" 3 1 30.0; measurement "GST" 3 2 50.0
                        measurement "STGS" 1000 1 100.0; measurement "GST" 1000 1 120.0 ]
            let ratio e d = (cs |> List.find (fun c -> c.Estimator = e && c.Dimension = d)).Ratio
            // Paired: instance 1 gives 30 / 10 = 3, instance 2 gives 50 / 30 = 5/3; their mean, not 40 / 20.
            Expect.floatClose Accuracy.high (ratio "GST" 3) ((3.0 + 5.0 / 3.0) / 2.0) "mean of per-instance ratios"
            Expect.floatClose Accuracy.high (ratio "GST" 1000) 1.2 "120 / 100"
            Expect.floatClose Accuracy.high (ratio "STGS" 3) 1.0 "baseline"
            Expect.equal (worstRatio "GST" 1 cs).Dimension 3 "the worst dimension is reported"
        }
        test "the batch-1 table puts the paper's row under ours" {
            let cs = cells [ measurement "STGS" 3 1 20.0; measurement "GST" 3 1 30.0 ]
            let lines = (table [ "STGS"; "GST" ] 1 cs).Split '\n'
            Expect.equal lines[2] "| 3         | ours   | 20.00 ± 0.00 (1.00)  | 30.00 ± 0.00 (1.50)  |" "ours"
            Expect.equal lines[3] "| 3         | paper  | 135.28 ± 0.19 (1.00) | 357.56 ± 1.04 (2.64) |" "the paper's Table 2"
        }
    ]

let tests = testList "Estimator configs and timing" [ configs; timing ]

/// Results go to CSV through a Deedle frame and load back as a frame with the same values.
module CommLab.Tests.ResultsFrameTests

open System.IO
open Expecto
open Deedle
open CommLab.Dsl

let private row channel seed candidates accuracy : Referential.Row =
    { Channel = channel; Mode = Channel.QT; Architecture = Channel.Instant; Estimator = ""; Quantize = Channel.InferenceOnly; Normalization = Channel.PerWord
      Alphabet = 10; WordLength = 100; MessageLength = 1; Seed = seed; LearningRate = 1e-3; Candidates = candidates; Accuracy = accuracy
      Messages = 1000; Targets = 1000; BestEpoch = 3; TrainLoss = 0.25; Seconds = 1.5; TopSim = 0.4; PosDis = 0.1; BosDis = 0.2; Entropy = 9.9; Diverged = false }

let tests =
    testList "results frame" [
        test "rows round-trip through CSV as a Deedle frame" {
            use dir = new TempDir()
            let path = Path.Combine(dir.Path, "results.csv")
            let rows = [ row "QT-Inst" 1 2 1.0; row "QT-Inst" 1 10000 0.987; row "GS-Inst" 2 10000 0.008 ]
            Experiment.saveCsv path rows |> ignore
            let frame = Experiment.loadCsv path
            Expect.equal frame.RowCount 3 "one row per (run, candidate count)"
            Expect.equal (frame.GetColumn<float>("Accuracy") |> Series.values |> List.ofSeq) [ 1.0; 0.987; 0.008 ] "accuracies survive"
            Expect.equal (frame.GetColumn<string>("Channel") |> Series.values |> List.ofSeq) [ "QT-Inst"; "QT-Inst"; "GS-Inst" ] "channel names survive"
            Expect.equal (frame.GetColumn<string>("Mode") |> Series.values |> List.ofSeq) [ "QT"; "QT"; "QT" ] "union fields are written as their case names"
            Expect.equal (frame.GetColumn<float>("LearningRate") |> Series.values |> List.ofSeq) [ 1e-3; 1e-3; 1e-3 ] "the learning rate is a column"
            Expect.equal (frame.GetColumn<float>("TrainLoss") |> Series.values |> List.ofSeq) [ 0.25; 0.25; 0.25 ] "the loss is a column"
            Expect.equal (frame.GetColumn<bool>("Diverged") |> Series.values |> List.ofSeq) [ false; false; false ] "so is whether the run diverged"
        }
        test "a missing results file names the path" {
            let path = Path.Combine(Path.GetTempPath(), "commlab-no-such-results.csv")
            let message =
                try
                    Experiment.loadCsv path |> ignore
                    "no exception"
                with :? FileNotFoundException as e -> e.Message
            Expect.stringContains message path "a FileNotFoundException naming the file"
        }
        test "a diverged seed is counted, never averaged in" {
            let rows = [ { row "QT-Inst" 1 2 1.0 with Accuracy = 0.9 }; { row "QT-Inst" 2 2 nan with Diverged = true }; { row "QT-Inst" 3 2 0.7 with Accuracy = 0.7 } ]
            let cell = (Summary.by (fun (r: Referential.Row) -> r.Channel) (fun r -> r.Accuracy) rows)["QT-Inst"]
            Expect.floatClose Accuracy.high cell.Mean 0.8 "the mean of the two finished seeds"
            Expect.equal (cell.N, cell.Diverged) (2, 1) "two finished, one diverged"
            Expect.equal (Summary.format 3 (Some cell)) "0.800 ± 0.141 (2 of 3 seeds; 1 diverged)" "the cell says so"
            let allDiverged = Summary.cellOf [ true, nan; true, nan ]
            Expect.equal (Summary.format 3 (Some allDiverged)) "diverged (0 of 2 seeds; 2 diverged)" "no finished seed: no number"
            Expect.equal (Summary.seeds [ false; true; false ]) "2 of 3 seeds; 1 diverged" "seed counts"
            Expect.equal (Summary.seeds [ false; false ]) "2" "without divergence, just the count"
        }
        test "a NaN of a finished run still shows as n/a" {
            Expect.equal (Summary.format 3 (Some(Summary.cell [ 1.0; nan; 0.5 ]))) "n/a" "a NaN value (not a diverged run) propagates to the mean"
        }
    ]

/// Results go to CSV through a Deedle frame and load back as a frame with the same values.
module CommLab.Tests.ResultsFrameTests

open System.IO
open Expecto
open Deedle
open CommLab.Dsl

let private row channel seed candidates accuracy : ObjectGame.Row =
    { Channel = channel; Mode = "QT"; Architecture = "Instant"; Estimator = ""; Quantize = "InferenceOnly"; Normalization = "PerWord"; Alphabet = 10; WordLength = 100
      MessageLength = 1; Seed = seed; Candidates = candidates; Accuracy = accuracy; Messages = 1000; Targets = 1000
      BestEpoch = 3; Seconds = 1.5 }

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
        test "a diverged seed shows as NaN in the mean instead of vanishing" {
            let cell = Summary.cell [ 1.0; nan; 0.5 ]
            Expect.isTrue (System.Double.IsNaN cell.Mean) "NaN propagates to the mean"
            Expect.equal cell.N 3 "all three seeds are counted"
            Expect.equal (Summary.format 3 (Some cell)) "n/a" "a NaN cell prints as n/a"
        }
    ]

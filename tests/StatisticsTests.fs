/// The statistics of dsl/Statistics against values computed by hand (each computation is written next
/// to its expected number).
module CommLab.Tests.StatisticsTests

open System
open Expecto
open CommLab.Dsl.Statistics

// Closed forms of Student's t used below, for a hand check of the library:
//   two-sided 95% quantile, 2 df: t = 0.95 / sqrt(2 * 0.975 * 0.025) = 4.302652729749464
//   two-sided 95% quantile, 4 df: 2.7764451051977987 (tables: 2.776)
//   two-sided p, 2 df: 1 - |t| / sqrt(2 + t^2)
//   two-sided p, 4 df: 1 - (3/2) x (1 - x^2 / 3), x = |t| / sqrt(4 + t^2)
let private t2 = 4.302652729749464
let private t4 = 2.7764451051977987

let private throwsWith (message: string) (f: unit -> 'a) (why: string) =
    Expect.throwsC (f >> ignore) (fun ex ->
        Expect.isTrue (ex :? ArgumentException) (sprintf "%s: an ArgumentException, got %s" why (ex.GetType().Name))
        Expect.stringContains ex.Message message why)

let private tTests =
    testList "Student t and Welch" [
        test "the 95% half-width uses t(0.975, n - 1)" {
            // mean 11, s^2 = (1 + 1 + 0 + 4 + 4) / 4 = 2.5; 2.7764451 * sqrt 2.5 / sqrt 5 = 1.9632432
            Expect.floatClose Accuracy.high (TTest.halfWidth95 [ 10.0; 12.0; 11.0; 13.0; 9.0 ]) (t4 * sqrt 2.5 / sqrt 5.0) "5 seeds: 4 df"
            // mean 3, s = 2, n = 3: 4.3026527 * 2 / sqrt 3 = 4.9682847
            Expect.floatClose Accuracy.high (TTest.halfWidth95 [ 1.0; 3.0; 5.0 ]) (t2 * 2.0 / sqrt 3.0) "3 seeds: 2 df"
            Expect.equal (TTest.halfWidth95 [ 0.7; 0.7 ]) 0.0 "no spread, no width"
        }
        test "Welch's test with equal variances and 2 df" {
            // a = 1, 3: mean 2, s^2 = 2; b = 5, 7: mean 6, s^2 = 2. se = sqrt(2/2 + 2/2) = sqrt 2,
            // t = -4 / sqrt 2 = -2 sqrt 2; df = (1 + 1)^2 / (1^2/1 + 1^2/1) = 2;
            // p = 1 - 2 sqrt 2 / sqrt 10 = 1 - 2 / sqrt 5 = 0.1055728
            let w = TTest.welch [ 1.0; 3.0 ] [ 5.0; 7.0 ]
            Expect.floatClose Accuracy.high w.T (-2.0 * sqrt 2.0) "t"
            Expect.floatClose Accuracy.high w.Df 2.0 "df"
            Expect.floatClose Accuracy.high w.P (1.0 - 2.0 / sqrt 5.0) "p"
            Expect.isFalse (TTest.distinguishable [ 1.0; 3.0 ] [ 5.0; 7.0 ]) "p = 0.106 is above 5%"
        }
        test "Welch's test with 4 df" {
            // a = 1, 2, 3: mean 2, s^2 = 1; b = 3, 4, 5: mean 4, s^2 = 1. se^2 = 1/3 + 1/3,
            // t = -2 / sqrt(2/3) = -2.4494897; df = (2/3)^2 / ((1/3)^2/2 + (1/3)^2/2) = 4;
            // x^2 = 6 / (4 + 6) = 0.6, p = 1 - 1.5 sqrt 0.6 (1 - 0.2) = 1 - 1.2 sqrt 0.6 = 0.0704840
            let w = TTest.welch [ 1.0; 2.0; 3.0 ] [ 3.0; 4.0; 5.0 ]
            Expect.floatClose Accuracy.high w.T (-2.0 / sqrt (2.0 / 3.0)) "t"
            Expect.floatClose Accuracy.high w.Df 4.0 "df"
            Expect.floatClose Accuracy.high w.P (1.0 - 1.2 * sqrt 0.6) "p"
        }
        test "Welch's test with unequal variances" {
            // a = 1..5: mean 3, s^2/n = 2.5/5 = 1/2; b = 2, 4, 6: mean 4, s^2/n = 4/3.
            // t = -1 / sqrt(1/2 + 4/3) = -1 / sqrt(11/6) = -0.7385489;
            // df = (11/6)^2 / ((1/2)^2/4 + (4/3)^2/2) = (121/36) / (137/144) = 484/137 = 3.5328467.
            // p lies between the 4-df p (1 - 1.5 x (1 - x^2/3), x^2 = t^2/(4 + t^2) = 6/50: 0.5011694)
            // and the 3-df one (0.5137127): fewer df, heavier tails.
            let w = TTest.welch [ 1.0; 2.0; 3.0; 4.0; 5.0 ] [ 2.0; 4.0; 6.0 ]
            Expect.floatClose Accuracy.high w.T (-1.0 / sqrt (11.0 / 6.0)) "t"
            Expect.floatClose Accuracy.high w.Df (484.0 / 137.0) "Welch-Satterthwaite df"
            let x = sqrt (6.0 / 50.0)
            Expect.isTrue (w.P > 1.0 - 1.5 * x * (1.0 - x * x / 3.0) && w.P < 0.5137127) (sprintf "p = %g lies between the 4-df and 3-df p-values" w.P)
            Expect.equal (TTest.welch [ 2.0; 4.0; 6.0 ] [ 1.0; 2.0; 3.0; 4.0; 5.0 ]).T (-w.T) "swapping the samples flips t"
        }
        test "constant samples" {
            let same = TTest.welch [ 0.1; 0.1; 0.1 ] [ 0.1; 0.1 ]
            Expect.equal (same.T, same.P) (0.0, 1.0) "equal constants: t = 0, p = 1"
            Expect.isTrue (Double.IsNaN same.Df) "no variance, no degrees of freedom"
            Expect.isFalse (TTest.distinguishable [ 1.0; 1.0 ] [ 1.0; 1.0 ]) "equal constants cannot be told apart"
            let different = TTest.welch [ 1.0; 1.0 ] [ 2.0; 2.0 ]
            Expect.equal (different.T, different.P) (-infinity, 0.0) "different constants: certain"
            Expect.isTrue (TTest.distinguishable [ 1.0; 1.0 ] [ 2.0; 2.0 ]) "different constants are told apart"
            // One constant sample: df = (v/n)^2 / ((v/n)^2 / (n - 1)) = n - 1 of the other.
            Expect.floatClose Accuracy.high (TTest.welch [ 5.0; 5.0 ] [ 1.0; 2.0; 3.0 ]).Df 2.0 "df of the varying sample"
        }
        test "refused samples" {
            throwsWith "a needs at least 2 values, got 1" (fun () -> TTest.welch [ 1.0 ] [ 1.0; 2.0 ]) "one seed has no variance estimate"
            throwsWith "values needs at least 2 values, got 0" (fun () -> TTest.halfWidth95 []) "no seeds"
            throwsWith "b holds NaN at position 2" (fun () -> TTest.welch [ 1.0; 2.0 ] [ 1.0; nan ]) "a diverged seed is named"
            throwsWith "holds Infinity at position 1" (fun () -> TTest.halfWidth95 [ infinity; 1.0 ]) "an infinite value too"
        }
    ]

/// An estimator name as a report keeps it: typed, not a string.
type private Method =
    | Stgs
    | Gst
    | Grmc

let private table1Tests =
    testList "Table 1's rule" [
        test "best, asterisks and half-widths" {
            // GST 4, 5, 6: mean 5 (the best), s = 1, half-width 4.3026527 / sqrt 3 = 2.4841377.
            // STGS 1..5: mean 3, half-width 1.9632432 (as above). Against GST: s^2/n = 1/2 and 1/3,
            //   t = -2 / sqrt(5/6) = -2.1908902, df = (5/6)^2 / ((1/2)^2/4 + (1/3)^2/2) = 100/17 = 5.88;
            //   |t| < t(0.975, 6) = 2.447 < t(0.975, 5.88): p > 5%, an asterisk.
            // GRMC 0, 0.5, 1: mean 0.5, s = 0.5, half-width 4.3026527 * 0.5 / sqrt 3 = 1.2420689. Against
            //   GST: s^2/n = 1/12 and 1/3, t = -4.5 / sqrt(5/12) = -6.9714, df = (5/12)^2 / ((1/12)^2/2 +
            //   (1/3)^2/2) = 50/17 = 2.94; |t| > t(0.975, 2) = 4.303 > t(0.975, 2.94): p < 5%, no asterisk.
            let rows = Best.standings [ Stgs, [ 1.0; 2.0; 3.0; 4.0; 5.0 ]; Gst, [ 4.0; 5.0; 6.0 ]; Grmc, [ 0.0; 0.5; 1.0 ] ]
            Expect.equal (rows |> List.map (fun r -> r.Name)) [ Stgs; Gst; Grmc ] "the order given"
            Expect.equal (rows |> List.map (fun r -> r.Mean)) [ 3.0; 5.0; 0.5 ] "means over seeds"
            Expect.equal (rows |> List.map (fun r -> r.IsBest)) [ false; true; false ] "GST has the highest mean"
            Expect.equal (rows |> List.map (fun r -> r.IndistinguishableFromBest)) [ true; false; false ] "STGS is within noise of GST; GRMC is not; the best has no asterisk"
            for r, expected in List.zip rows [ t4 * sqrt 2.5 / sqrt 5.0; t2 / sqrt 3.0; t2 * 0.5 / sqrt 3.0 ] do
                Expect.floatClose Accuracy.high r.HalfWidth expected (sprintf "half-width of %A" r.Name)
        }
        test "equal means: the first is best, the other indistinguishable" {
            let rows = Best.standings [ "STGS-1", [ 1.0; 2.0 ]; "GST", [ 2.0; 1.0 ] ]
            Expect.equal (rows |> List.map (fun r -> r.IsBest, r.IndistinguishableFromBest)) [ true, false; false, true ] "a tie goes to the first"
        }
        test "a diverged seed is refused, named" {
            throwsWith "the values of Gst holds NaN at position 3" (fun () -> Best.standings [ Stgs, [ 1.0; 2.0 ]; Gst, [ 1.0; 2.0; nan ] ]) "NaN must not pass"
        }
        test "maximum and average return from evaluation curves" {
            // Means over the two seeds: step 0: (0 + 1)/2 = 0.5; step 100: (2 + 2)/2 = 2; step 200:
            // (1 + 3)/2 = 2. The peak is 2, first reached at step 100, where both seeds have 2.
            // Averages: seed 1 (0 + 2 + 1)/3 = 1, seed 2 (1 + 2 + 3)/3 = 2.
            let curves = [ [ 0L, 0.0; 100L, 2.0; 200L, 1.0 ]; [ 200L, 3.0; 0L, 1.0; 100L, 2.0 ] ]
            Expect.equal (Returns.maximum curves) { Step = 100L; Values = [ 2.0; 2.0 ] } "the earliest step of the peak mean"
            Expect.equal (Returns.average curves) [ 1.0; 2.0 ] "each seed's mean over its evaluations"
        }
        test "curves must share their evaluation steps" {
            throwsWith "curve 2 has no evaluation at step 100" (fun () -> Returns.maximum [ [ 0L, 1.0; 100L, 2.0 ]; [ 0L, 1.0 ] ]) "a missing evaluation is named"
            throwsWith "curve 1 evaluates step 0 2 times" (fun () -> Returns.average [ [ 0L, 1.0; 0L, 2.0 ] ]) "a repeated step is refused"
            throwsWith "the scores at step 0 holds NaN at position 2" (fun () -> Returns.average [ [ 0L, 1.0 ]; [ 0L, nan ] ]) "NaN is refused"
        }
    ]

let private settings seed = { Bootstrap.defaults with Resamples = 2000; Seed = seed }

let private rliableTests =
    testList "rliable aggregates" [
        test "the interquartile mean trims floor(n / 4) from each end" {
            // n = 8: cut 2 each side, mean of 3..6 = 18 / 4 = 4.5
            Expect.equal (Iqm.ofValues [ 8.0; 1.0; 7.0; 2.0; 6.0; 3.0; 5.0; 4.0 ]) 4.5 "1..8 in any order"
            // n = 5: cut floor(1.25) = 1, mean of 2, 3, 4 = 3
            Expect.equal (Iqm.ofValues [ 1.0; 2.0; 3.0; 4.0; 5.0 ]) 3.0 "n = 5"
            // n = 4: cut 1, mean of 2 and 3: the outlier is gone
            Expect.equal (Iqm.ofValues [ 1.0; 2.0; 3.0; 1000.0 ]) 2.5 "robust to one outlying run"
            Expect.equal (Iqm.ofValues [ 7.0 ]) 7.0 "n = 1: nothing cut"
            Expect.equal (Iqm.ofTasks [ [ 1.0; 2.0; 3.0; 4.0 ]; [ 5.0; 6.0; 7.0; 8.0 ] ]) 4.5 "over runs x tasks"
            Expect.equal (Iqm.trimmedMean 0.0 [ 1.0; 2.0; 6.0 ]) 3.0 "no trimming is the mean"
            throwsWith "proportion must lie in [0, 0.5), got 0.5" (fun () -> Iqm.trimmedMean 0.5 [ 1.0 ]) "nothing would be left"
        }
        test "bootstrap intervals" {
            Expect.equal (Bootstrap.stratified (settings 1) Iqm.ofTasks [ [ 3.0; 3.0; 3.0 ]; [ 3.0; 3.0 ] ]) { Estimate = 3.0; Lower = 3.0; Upper = 3.0 } "a constant sample"
            // Within-task resampling: each task's runs are equal, so every replicate's mean is
            // (0 + 0 + 10 + 10) / 4 = 5; pooling the tasks would not give that.
            let mean (scores: float list list) = List.average (List.concat scores)
            Expect.equal (Bootstrap.stratified (settings 1) mean [ [ 0.0; 0.0 ]; [ 10.0; 10.0 ] ]) { Estimate = 5.0; Lower = 5.0; Upper = 5.0 } "runs stay in their task"
            // One task, runs 0 and 1: a replicate's mean is 0, 1/2 or 1 with probability 1/4, 1/2, 1/4.
            // The 2.5% and 97.5% percentiles fall in the masses at 0 and 1; the 40% and 60% ones in the 1/2 mass.
            let coin = [ [ 0.0; 1.0 ] ]
            Expect.equal (Bootstrap.stratified (settings 1) mean coin) { Estimate = 0.5; Lower = 0.0; Upper = 1.0 } "95%"
            Expect.equal (Bootstrap.stratified { settings 1 with Confidence = 0.2 } mean coin) { Estimate = 0.5; Lower = 0.5; Upper = 0.5 } "20%"
            let spread = [ [ 0.1; 0.5; 0.9; 0.3; 0.77; 0.21 ]; [ 2.0; 1.0; 4.0; 3.3; 0.2 ] ]
            let a = Bootstrap.stratified (settings 7) mean spread
            Expect.equal (Bootstrap.stratified (settings 7) mean spread) a "the same seed gives the same interval"
            Expect.notEqual (Bootstrap.stratified (settings 8) mean spread) a "another seed resamples differently"
            Expect.isTrue (a.Lower < a.Estimate && a.Estimate < a.Upper) (sprintf "the estimate lies inside its interval: %A" a)
            throwsWith "Resamples must be >= 1, got 0" (fun () -> Bootstrap.stratified { settings 1 with Resamples = 0 } mean coin) "no replicates"
            throwsWith "scores, task 2 needs at least 1 values, got 0" (fun () -> Bootstrap.stratified (settings 1) mean [ [ 1.0 ]; [] ]) "a task without runs"
        }
        test "probability of improvement" {
            Expect.equal (ProbabilityOfImprovement.ofTasks [ [ 5.0; 6.0 ]; [ 3.0 ] ] [ [ 1.0; 2.0 ]; [ 0.0 ] ]) 1.0 "every x beats every y"
            // (1, 1) tie 1/2, (1, 2) 0, (2, 1) 1, (2, 2) tie 1/2: 2 / 4
            Expect.equal (ProbabilityOfImprovement.ofTask [ 1.0; 2.0 ] [ 1.0; 2.0 ]) 0.5 "identical samples"
            // x = 1, 3 against y = 2, 2, 0: 1 beats only 0; 3 beats all three: 4 / 6.
            // x = 2 against y = 2, 1: a tie (1/2) and a win: 1.5 / 2 = 3/4. Mean over tasks: (2/3 + 3/4) / 2 = 17/24.
            Expect.floatClose Accuracy.veryHigh (ProbabilityOfImprovement.ofTasks [ [ 1.0; 3.0 ]; [ 2.0 ] ] [ [ 2.0; 2.0; 0.0 ]; [ 2.0; 1.0 ] ]) (17.0 / 24.0) "averaged over tasks"
            Expect.equal (ProbabilityOfImprovement.interval (settings 3) [ [ 5.0; 6.0 ] ] [ [ 1.0; 2.0 ] ]) { Estimate = 1.0; Lower = 1.0; Upper = 1.0 } "certain in every replicate"
            let x, y = [ [ 1.0; 3.0; 2.5 ]; [ 2.0; 0.5 ] ], [ [ 2.0; 2.0; 0.0 ]; [ 2.0; 1.0 ] ]
            Expect.equal (ProbabilityOfImprovement.interval (settings 3) x y) (ProbabilityOfImprovement.interval (settings 3) x y) "seeded"
            throwsWith "x and y must hold the same tasks, at least one; got 2 and 1 tasks" (fun () -> ProbabilityOfImprovement.ofTasks [ [ 1.0 ]; [ 2.0 ] ] [ [ 1.0 ] ]) "tasks pair up"
        }
        test "sample-efficiency curve" {
            // Task A's two runs score 0 then 1; task B's score 2 then 3. Step 0: IQM of 0, 0, 2, 2 (cut 1
            // each end) = (0 + 2) / 2 = 1; step 10: IQM of 1, 1, 3, 3 = 2. Runs within a task are equal, so
            // every replicate gives the same IQM: a band of zero width.
            let curves = [ [ [ 0L, 0.0; 10L, 1.0 ]; [ 10L, 1.0; 0L, 0.0 ] ]; [ [ 0L, 2.0; 10L, 3.0 ]; [ 0L, 2.0; 10L, 3.0 ] ] ]
            let expected: SampleEfficiency.Point list =
                [ { Step = 0L; Iqm = { Estimate = 1.0; Lower = 1.0; Upper = 1.0 } }; { Step = 10L; Iqm = { Estimate = 2.0; Lower = 2.0; Upper = 2.0 } } ]
            Expect.equal (SampleEfficiency.curve (settings 0) curves) expected "IQM per step"
            throwsWith "curve 3 has no evaluation at step 10" (fun () -> SampleEfficiency.curve (settings 0) [ [ [ 0L, 1.0; 10L, 1.0 ] ]; [ [ 0L, 1.0; 10L, 1.0 ]; [ 0L, 1.0 ] ] ]) "runs must share steps"
        }
        test "min-max normalisation per task" {
            // lowest 0, highest 10: 5 -> 0.5
            Expect.equal (MinMax.normalise [ "A", [ 0.0; 5.0 ]; "B", [ 10.0 ] ]) [ "A", [ 0.0; 0.5 ]; "B", [ 1.0 ] ] "0 to 1 over every method of the task"
            // lowest -2, highest 2: -1 -> 1/4, 2 -> 1
            Expect.equal (MinMax.normalise [ "A", [ -2.0; -1.0 ]; "B", [ 2.0 ] ]) [ "A", [ 0.0; 0.25 ]; "B", [ 1.0 ] ] "negative returns"
            Expect.equal (MinMax.normalise [ "A", [ 3.0 ]; "B", [ 3.0; 3.0 ] ]) [ "A", [ 0.0 ]; "B", [ 0.0; 0.0 ] ] "all equal: 0"
        }
    ]

let private evaluation algorithm run point values : MarlEval.Evaluation =
    { Environment = "LBF"; Task = "8x8-2p-2f"; Algorithm = algorithm; Run = run; Point = point; Metric = "return"; Values = values }

let private marlEvalTests =
    testList "marl-eval export" [
        test "the JSON layout of a tiny case" {
            let json =
                MarlEval.toJson
                    [ evaluation "STGS" 0 (MarlEval.Step(1, 100L)) [ 0.5; 1.0 ]
                      evaluation "STGS" 0 (MarlEval.Step(0, 0L)) [ 0.25 ]
                      evaluation "GST" 0 MarlEval.Absolute [ 2.0 ]
                      evaluation "STGS" 0 MarlEval.Absolute [ 1.5 ]
                      evaluation "GST" 0 (MarlEval.Step(0, 0L)) [ 0.0 ]
                      evaluation "GST" 0 (MarlEval.Step(1, 100L)) [ 1.0; 1.25 ] ]
            let expected =
                """{
  "LBF": {
    "8x8-2p-2f": {
      "STGS": {
        "run_0": {
          "step_0": {
            "step_count": 0,
            "return": [
              0.25
            ]
          },
          "step_1": {
            "step_count": 100,
            "return": [
              0.5,
              1.0
            ]
          },
          "absolute_metrics": {
            "return": [
              1.5
            ]
          }
        }
      },
      "GST": {
        "run_0": {
          "step_0": {
            "step_count": 0,
            "return": [
              0.0
            ]
          },
          "step_1": {
            "step_count": 100,
            "return": [
              1.0,
              1.25
            ]
          },
          "absolute_metrics": {
            "return": [
              2.0
            ]
          }
        }
      }
    }
  }
}"""
            Expect.equal json expected "algorithms in the order given; steps ascending; absolute metrics last"
        }
        test "every algorithm of a task needs the same runs, steps and metrics" {
            let records =
                [ evaluation "STGS" 0 (MarlEval.Step(0, 0L)) [ 1.0 ]
                  evaluation "STGS" 1 (MarlEval.Step(0, 0L)) [ 1.0 ]
                  evaluation "GST" 0 (MarlEval.Step(0, 0L)) [ 1.0 ]
                  { evaluation "GST" 0 (MarlEval.Step(0, 0L)) [ 1.0 ] with Metric = "win rate" } ]
            Expect.throwsC (fun () -> MarlEval.toJson records |> ignore) (fun ex ->
                Expect.stringContains ex.Message "LBF/8x8-2p-2f: STGS lacks run_0/step_0/win rate" "a missing metric is named"
                Expect.stringContains ex.Message "LBF/8x8-2p-2f: GST lacks run_1/step_0/return" "a missing run is named")
        }
        test "duplicates, conflicting step counts and NaN are refused" {
            throwsWith "LBF/8x8-2p-2f/GST/run_0/step_0/return is given 2 times" (fun () ->
                MarlEval.toJson [ evaluation "GST" 0 (MarlEval.Step(0, 0L)) [ 1.0 ]; evaluation "GST" 0 (MarlEval.Step(0, 0L)) [ 2.0 ] ]) "a duplicate"
            throwsWith "LBF/8x8-2p-2f/GST/run_0/step_0 has different step counts: 0, 5" (fun () ->
                MarlEval.toJson [ evaluation "GST" 0 (MarlEval.Step(0, 0L)) [ 1.0 ]; { evaluation "GST" 0 (MarlEval.Step(0, 5L)) [ 1.0 ] with Metric = "win rate" } ]) "one step, one count"
            throwsWith "LBF/8x8-2p-2f/GST/run_0/absolute_metrics/return holds NaN at position 1" (fun () ->
                MarlEval.toJson [ evaluation "GST" 0 MarlEval.Absolute [ nan ] ]) "JSON has no NaN"
        }
    ]

let tests = testList "Statistics" [ tTests; table1Tests; rliableTests; marlEvalTests ]

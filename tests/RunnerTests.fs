module CommLab.Tests.RunnerTests

open System
open System.Collections.Concurrent
open System.IO
open System.Threading
open Expecto
open CommLab.Dsl

type Cfg = { X: int }

type Result = { Square: int }

/// Options writing into `dir` and collecting log lines.
let private optionsIn dir jobs =
    let lines = ConcurrentQueue<string>()
    { Runner.options "test" dir with Jobs = jobs; Log = lines.Enqueue }, lines

let private configs n = [ for x in 1..n -> { X = x } ]

let private label (cfg: Cfg) = sprintf "x=%d" cfg.X

/// An experiment kind around `execute`; its rows are the squares (NaN for a diverged run).
let private kindOf (execute: Cfg -> (Progress -> unit) -> Result) : ExperimentKind<Cfg, Result, {| Square: float; Diverged: bool |}> =
    { Name = "test"
      Unit = "epoch"
      Validate = fun c -> if c.X < 0 then [ sprintf "x must be >= 0, got %d" c.X ] else []
      Label = label
      Execute = fun cfg context -> execute cfg context.Report
      Rows =
        fun _ outcome ->
            match outcome with
            | Finished r -> [ {| Square = float r.Square; Diverged = false |} ]
            | Diverged _ -> [ {| Square = nan; Diverged = true |} ]
      Cost = fun cfg -> float cfg.X }

/// An experiment kind that counts its executions.
let private counting () =
    let calls = ref 0
    kindOf (fun (cfg: Cfg) _ ->
        Interlocked.Increment calls |> ignore
        { Square = cfg.X * cfg.X }),
    calls

let private results (runs: Runner.RunRecord<Cfg, Result> list) =
    runs |> List.map (fun r -> r.Config, (match r.Outcome with Finished x -> x | Diverged d -> failtestf "run %A diverged: %O" r.Config d))

let tests =
    testList "Runner" [
        test "results come back in input order" {
            use tmp = new TempDir()
            let opts, _ = optionsIn tmp.Path 1
            let kind, _ = counting ()
            let got = Runner.run opts kind (configs 4) |> results
            Expect.equal got [ for x in 1..4 -> { X = x }, { Square = x * x } ] "each config paired with its own result"
        }

        test "--plan counts the runs, the finished ones and the hours the others cost, and runs nothing" {
            use tmp = new TempDir()
            let opts, _ = optionsIn tmp.Path 1
            let kind, calls = counting ()
            Runner.run opts kind (configs 2) |> ignore
            let cli: Cli.Options =
                { Script = "plan"; Profile = Cli.Paper; Seeds = None; Jobs = Some 2; Device = "cpu"; Out = tmp.Path; CheckpointMinutes = 10.0; Plan = true; Executor = Cli.LocalExecutor; Run = None; Only = []; Interactions = false; Data = None; Model = None }
            // Costs are x hours here; runs 3 and 4 are left: 7 h in all, the longest 4 h.
            let lines = Experiment.plan cli "test" { kind with Cost = fun c -> 3600.0 * float c.X } (configs 4)
            Expect.equal lines[0] "test, Paper profile: 4 runs, 2 finished, 2 to run." "runs counted, finished ones found in the store"
            Expect.stringContains lines[1] "Estimated 7.0 CPU-hours left" "the runs left, their costs summed"
            Expect.stringContains lines[1] "the longest run 4.0 h" "the longest run left"
            Expect.stringContains lines[2] "2 at a time: about 4.0 h" "two jobs: the longest run bounds the wall time"
            Expect.equal calls.Value 2 "planning ran nothing"
        }

        test "a second run skips finished runs" {
            use tmp = new TempDir()
            let opts, lines = optionsIn tmp.Path 1
            let kind, calls = counting ()
            let first = Runner.run opts kind (configs 3)
            Expect.equal calls.Value 3 "the first pass runs everything"
            let second = Runner.run opts kind (configs 3)
            Expect.equal calls.Value 3 "the second pass must execute nothing: all runs have metrics.json"
            Expect.equal second first "loaded results equal the computed ones"
            Expect.equal (lines |> Seq.filter (fun l -> l.Contains "skipped (finished") |> Seq.length) 3 "each skipped run is logged"
        }

        test "a failing run is not saved, the others are, and the error names it" {
            use tmp = new TempDir()
            let opts, _ = optionsIn tmp.Path 2
            let dir = RunStore.experimentDir tmp.Path "test"
            let bad = { X = 2 }
            let kind = kindOf (fun cfg _ -> if cfg = bad then failwith "out of memory" else { Square = cfg.X * cfg.X })
            Expect.throwsC (fun () -> Runner.run opts kind (configs 4) |> ignore) (fun ex ->
                Expect.stringContains ex.Message (RunStore.runId bad) "the error must name the failed run id"
                Expect.stringContains ex.Message "out of memory" "the error must carry the run's own message"
                Expect.isTrue (ex :? Runner.RunsFailedException) "callers can catch the runner's failure type")
            Expect.isFalse (File.Exists(RunStore.metricsPath dir (RunStore.runId bad))) "a failed run must not look finished"
            Expect.isTrue (File.Exists(RunStore.configPath dir (RunStore.runId bad))) "its config stays for inspection"
            for cfg in configs 4 |> List.filter ((<>) bad) do
                Expect.equal (RunStore.tryLoad<Result> dir (RunStore.runId cfg)) (Some(Finished { Square = cfg.X * cfg.X })) "the other runs are saved"
        }

        test "a run folder with only config.json is run again" {
            use tmp = new TempDir()
            let opts, _ = optionsIn tmp.Path 1
            let dir = RunStore.experimentDir tmp.Path "test"
            let cfg = { X = 5 }
            RunStore.writeConfig dir (RunStore.runId cfg) cfg (Provenance.current "cpu")
            let kind, calls = counting ()
            let got = Runner.run opts kind [ cfg ] |> results
            Expect.equal calls.Value 1 "a started but unfinished run must execute"
            Expect.equal got [ cfg, { Square = 25 } ] "and give its result"
        }

        test "duplicate configs execute once" {
            use tmp = new TempDir()
            let opts, _ = optionsIn tmp.Path 2
            let kind, calls = counting ()
            let got = Runner.run opts kind [ { X = 1 }; { X = 2 }; { X = 1 } ] |> results
            Expect.equal calls.Value 2 "the same run id is one run"
            Expect.equal (List.map snd got) [ { Square = 1 }; { Square = 4 }; { Square = 1 } ] "each input still gets its result"
        }

        test "two jobs run at once and keep input order" {
            use tmp = new TempDir()
            let opts, _ = optionsIn tmp.Path 2
            let running = ref 0
            let peak = ref 0
            let execute (cfg: Cfg) (_: Progress -> unit) =
                let now = Interlocked.Increment running
                lock peak (fun () -> peak.Value <- max peak.Value now)
                // Earlier runs take longer, so they finish last.
                Thread.Sleep(40 * (5 - cfg.X))
                Interlocked.Decrement running |> ignore
                { Square = cfg.X * cfg.X }
            let got = Runner.run opts (kindOf execute) (configs 4) |> results
            Expect.equal (List.map fst got) (configs 4) "results are in input order, not completion order"
            Expect.equal peak.Value 2 "jobs=2 runs two at a time, never more"
        }

        test "progress lines show the metric and the time left" {
            use tmp = new TempDir()
            let opts, lines = optionsIn tmp.Path 1
            let execute (cfg: Cfg) (report: Progress -> unit) =
                for e in 1..2 do
                    Thread.Sleep 5
                    report { Done = int64 e; Total = 2L; Metric = "acc"; Value = 0.5 * float e }
                { Square = cfg.X }
            Runner.run opts (kindOf execute) (configs 2) |> ignore
            let line = lines |> Seq.find (fun l -> l.Contains "epoch 1/2")
            Expect.stringContains line "[run 1/2] x=1 epoch 1/2 acc=0.500 elapsed " "the line names run, epoch and metric"
            Expect.stringContains line "left ~" "the line estimates the time left"
        }

        test "progress counts in the kind's unit, and the time left works for environment steps too" {
            use tmp = new TempDir()
            let opts, lines = optionsIn tmp.Path 1
            let execute (cfg: Cfg) (report: Progress -> unit) =
                for step in [ 250_000L; 500_000L ] do
                    Thread.Sleep 5
                    report { Done = step; Total = 1_000_000L; Metric = "return"; Value = float step / 1e6 }
                { Square = cfg.X }
            Runner.run opts { kindOf execute with Unit = "step" } (configs 2) |> ignore
            let line = lines |> Seq.find (fun l -> l.Contains "[run 2/2]" && l.Contains "step 500000/1000000")
            Expect.stringContains line "return=0.500" "the metric"
            Expect.isFalse (line.Contains "left ~?") (sprintf "with steps reported, the time left is estimated: %s" line)
        }

        test "a diverged run is stored and reported as diverged, not as a failure, and is not run again" {
            use tmp = new TempDir()
            let opts, lines = optionsIn tmp.Path 2
            let dir = RunStore.experimentDir tmp.Path "test"
            let calls = ref 0
            let kind =
                kindOf (fun cfg _ ->
                    Interlocked.Increment calls |> ignore
                    if cfg.X = 2 then raise (CommLab.Training.TrainingDivergedException(CommLab.Training.Divergence("epoch", 4L, "train loss", infinity, "batch 3 of 9")))
                    { Square = cfg.X * cfg.X })
            let runs = Runner.run opts kind (configs 3)
            match runs[1].Outcome with
            | Diverged d -> Expect.equal (d.At, d.Quantity) (4L, "train loss") "where and what"
            | Finished r -> failtestf "a diverged run came back finished: %A" r
            Expect.isTrue (File.Exists(RunStore.divergedPath dir runs[1].RunId)) "stored as diverged"
            Expect.isFalse (File.Exists(RunStore.metricsPath dir runs[1].RunId)) "and not as a result"
            Expect.isTrue (lines |> Seq.exists (fun l -> l.Contains "x=2 DIVERGED" && l.Contains "train loss became Infinity in epoch 4")) "the log says so"
            let again = Runner.run opts kind (configs 3)
            Expect.equal calls.Value 3 "a diverged run would diverge again: it is loaded, not re-run"
            Expect.equal (again |> List.map (fun r -> r.Outcome)) (runs |> List.map (fun r -> r.Outcome)) "the same outcomes"
            Expect.isTrue (lines |> Seq.exists (fun l -> l.Contains "skipped (diverged earlier")) "the skip is logged"
        }

        test "a run gets its folder and a checkpoint folder, which is deleted once the outcome is stored" {
            use tmp = new TempDir()
            let opts, lines = optionsIn tmp.Path 1
            let dir = RunStore.experimentDir tmp.Path "test"
            let seen = ResizeArray()
            let kind =
                { kindOf (fun cfg _ -> { Square = cfg.X }) with
                    Execute =
                        fun cfg context ->
                            seen.Add(context.Folder, context.Checkpoints)
                            Directory.CreateDirectory context.Checkpoints |> ignore
                            File.WriteAllText(Path.Combine(context.Checkpoints, "state"), "half way")
                            if cfg.X = 1 then failwith "killed" else { Square = cfg.X } }
            Expect.throwsT<Runner.RunsFailedException> (fun () -> Runner.run opts kind (configs 2) |> ignore) "run x=1 fails"
            let ids = configs 2 |> List.map RunStore.runId
            Expect.equal (List.ofSeq seen |> List.map fst) (ids |> List.map (RunStore.runDir dir)) "each run's own folder"
            Expect.isFalse (Directory.Exists(Path.Combine(RunStore.runDir dir ids[1], "checkpoint"))) "the finished run's checkpoints are gone"
            Expect.isTrue (File.Exists(Path.Combine(RunStore.runDir dir ids[0], "checkpoint", "state"))) "the failed run keeps its checkpoint to resume from"
            seen.Clear()
            Expect.throwsT<Runner.RunsFailedException> (fun () -> Runner.run opts kind (configs 2) |> ignore) "run x=1 fails again"
            Expect.isTrue (lines |> Seq.exists (fun l -> l.Contains "x=1 resumed from its checkpoint")) "the retry says it resumes"
        }

        test "jobs below 1 is an error naming the field" {
            use tmp = new TempDir()
            let opts, _ = optionsIn tmp.Path 0
            let kind, _ = counting ()
            Expect.throwsC (fun () -> Runner.run opts kind (configs 1) |> ignore) (fun ex ->
                Expect.stringContains ex.Message "Jobs" "the message must name the bad option")
        }
    ]

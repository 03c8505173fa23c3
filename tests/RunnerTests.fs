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

/// An execute function that counts its calls.
let private counting () =
    let calls = ref 0
    (fun (cfg: Cfg) (_: Runner.Progress -> unit) ->
        Interlocked.Increment calls |> ignore
        { Square = cfg.X * cfg.X }),
    calls

let private label (cfg: Cfg) = sprintf "x=%d" cfg.X

let tests =
    testList "Runner" [
        test "results come back in input order" {
            use tmp = new TempDir()
            let opts, _ = optionsIn tmp.Path 1
            let execute, _ = counting ()
            let got = Runner.run opts label execute (configs 4)
            Expect.equal got [ for x in 1..4 -> { X = x }, { Square = x * x } ] "each config paired with its own result"
        }

        test "a second run skips finished runs" {
            use tmp = new TempDir()
            let opts, lines = optionsIn tmp.Path 1
            let execute, calls = counting ()
            let first = Runner.run opts label execute (configs 3)
            Expect.equal calls.Value 3 "the first pass runs everything"
            let second = Runner.run opts label execute (configs 3)
            Expect.equal calls.Value 3 "the second pass must execute nothing: all runs have metrics.json"
            Expect.equal second first "loaded results equal the computed ones"
            Expect.equal (lines |> Seq.filter (fun l -> l.Contains "skipped (finished") |> Seq.length) 3 "each skipped run is logged"
        }

        test "a failing run is not saved, the others are, and the error names it" {
            use tmp = new TempDir()
            let opts, _ = optionsIn tmp.Path 2
            let dir = RunStore.experimentDir tmp.Path "test"
            let bad = { X = 2 }
            let execute (cfg: Cfg) (_: Runner.Progress -> unit) =
                if cfg = bad then failwith "diverged" else { Square = cfg.X * cfg.X }
            Expect.throwsC (fun () -> Runner.run opts label execute (configs 4) |> ignore) (fun ex ->
                Expect.stringContains ex.Message (RunStore.runId bad) "the error must name the failed run id"
                Expect.stringContains ex.Message "diverged" "the error must carry the run's own message"
                Expect.isTrue (ex :? Runner.RunsFailedException) "callers can catch the runner's failure type")
            Expect.isFalse (File.Exists(RunStore.metricsPath dir (RunStore.runId bad))) "a failed run must not look finished"
            Expect.isTrue (File.Exists(RunStore.configPath dir (RunStore.runId bad))) "its config stays for inspection"
            for cfg in configs 4 |> List.filter ((<>) bad) do
                Expect.equal (RunStore.tryLoadFinished<Result> dir (RunStore.runId cfg)) (Some { Square = cfg.X * cfg.X }) "the other runs are saved"
        }

        test "a run folder with only config.json is run again" {
            use tmp = new TempDir()
            let opts, _ = optionsIn tmp.Path 1
            let dir = RunStore.experimentDir tmp.Path "test"
            let cfg = { X = 5 }
            RunStore.writeConfig dir (RunStore.runId cfg) cfg
            let execute, calls = counting ()
            let got = Runner.run opts label execute [ cfg ]
            Expect.equal calls.Value 1 "a started but unfinished run must execute"
            Expect.equal got [ cfg, { Square = 25 } ] "and give its result"
        }

        test "duplicate configs execute once" {
            use tmp = new TempDir()
            let opts, _ = optionsIn tmp.Path 2
            let execute, calls = counting ()
            let got = Runner.run opts label execute [ { X = 1 }; { X = 2 }; { X = 1 } ]
            Expect.equal calls.Value 2 "the same run id is one run"
            Expect.equal (List.map snd got) [ { Square = 1 }; { Square = 4 }; { Square = 1 } ] "each input still gets its result"
        }

        test "two jobs run at once and keep input order" {
            use tmp = new TempDir()
            let opts, _ = optionsIn tmp.Path 2
            let running = ref 0
            let peak = ref 0
            let execute (cfg: Cfg) (_: Runner.Progress -> unit) =
                let now = Interlocked.Increment running
                lock peak (fun () -> peak.Value <- max peak.Value now)
                // Earlier runs take longer, so they finish last.
                Thread.Sleep(40 * (5 - cfg.X))
                Interlocked.Decrement running |> ignore
                { Square = cfg.X * cfg.X }
            let got = Runner.run opts label execute (configs 4)
            Expect.equal (List.map fst got) (configs 4) "results are in input order, not completion order"
            Expect.equal peak.Value 2 "jobs=2 runs two at a time, never more"
        }

        test "progress lines show the metric and the time left" {
            use tmp = new TempDir()
            let opts, lines = optionsIn tmp.Path 1
            let execute (cfg: Cfg) (report: Runner.Progress -> unit) =
                for e in 1..2 do
                    Thread.Sleep 5
                    report { Epoch = e; Epochs = 2; Metric = "acc"; Value = 0.5 * float e }
                { Square = cfg.X }
            Runner.run opts label execute (configs 2) |> ignore
            let line = lines |> Seq.find (fun l -> l.Contains "epoch 1/2")
            Expect.stringContains line "[run 1/2] x=1 epoch 1/2 acc=0.500 elapsed " "the line names run, epoch and metric"
            Expect.stringContains line "left ~" "the line estimates the time left"
        }

        test "jobs below 1 is an error naming the field" {
            use tmp = new TempDir()
            let opts, _ = optionsIn tmp.Path 0
            let execute, _ = counting ()
            Expect.throwsC (fun () -> Runner.run opts label execute (configs 1) |> ignore) (fun ex ->
                Expect.stringContains ex.Message "Jobs" "the message must name the bad option")
        }
    ]

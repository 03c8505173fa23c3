/// `--executor slurm`: its options and batch script here, and, against a real Slurm (the SlurmTest
/// target starts a single-node one with build/slurm/start-local-cluster.sh), submitted smoke sweeps
/// whose runs equal local runs, a cancelled task resubmitted alone, and refused submissions.
module CommLab.Tests.SlurmTests

open System
open System.IO
open System.Text.RegularExpressions
open System.Threading
open Expecto
open Newtonsoft.Json.Linq
open CommLab.Dsl

let private script (name: string) = Path.Combine(Approval.repoRoot (), "experiments", name + ".fsx")

// A .NET stack trace has lines "   at Namespace.Type.Method(...)".
let private expectNoTrace (output: string) =
    Expect.isFalse (Regex.IsMatch(output, @"(?m)^\s+at \S+\(")) (sprintf "bad input gets a message, not a stack trace:\n%s" output)

let private request = SlurmRequest.defaults

/// The options, their checks and the batch script: no cluster needed.
let private options =
    testList "options" [
        test "the defaults have no problems" {
            Expect.isEmpty (SlurmRequest.problems request) "one core per task, the cluster's defaults for the rest"
        }
        test "every Slurm time format passes and others name the option, the value and the formats" {
            for ok in [ "90"; "90:30"; "4:00:00"; "2-12"; "2-12:30"; "2-12:30:00"; "UNLIMITED" ] do
                Expect.isEmpty (SlurmRequest.problems { request with Time = Some ok }) ok
            for bad in [ "4h"; "1:2:3:4"; "-5"; "two days"; "" ] do
                match SlurmRequest.problems { request with Time = Some bad } with
                | [ p ] -> Expect.stringContains p (sprintf "--time must be minutes, minutes:seconds, hours:minutes:seconds" ) bad; Expect.stringContains p (sprintf "got '%s'" bad) bad
                | ps -> failtestf "one problem for --time %s, got %A" bad ps
        }
        test "memory, cores, throttle, names and passed-through options are checked" {
            let problems r = SlurmRequest.problems r |> String.concat "\n"
            Expect.stringContains (problems { request with Mem = Some "4GB" }) "--mem must be a whole number with an optional unit K, M, G or T (e.g. 4G, 500M), got '4GB'" "mem"
            Expect.isEmpty (SlurmRequest.problems { request with Mem = Some "4G" }) "4G is fine"
            Expect.stringContains (problems { request with CpusPerTask = 0 }) "--cpus-per-task must be >= 1, got 0" "cores"
            Expect.stringContains (problems { request with MaxParallel = Some 0 }) "--max-parallel must be >= 1, got 0" "throttle"
            Expect.stringContains (problems { request with Partition = Some "a b" }) "--partition must be a name" "no spaces in a #SBATCH line"
            Expect.stringContains (problems { request with SbatchArgs = [ "qos=long" ] }) "--sbatch-arg must be one sbatch option written as --name or --name=value" "an option, not a word"
            Expect.stringContains (problems { request with DryRun = true; Wait = true }) "--dry-run and --wait exclude each other" "nothing to wait for"
        }
        test "the batch script runs line SLURM_ARRAY_TASK_ID+1 of the run list with the script's options" {
            let job: Slurm.BatchJob =
                { Name = "commlab-x"
                  Request = { request with Partition = Some "gpu"; Time = Some "4:00:00"; MaxParallel = Some 3; Gres = Some "gpu:1"; SbatchArgs = [ "--qos=long" ] }
                  Submission = "/shared/results/x/slurm/s1"
                  Tasks = 10
                  WorkingDirectory = "/shared/it's here"
                  Dotnet = "/opt/dotnet/dotnet"
                  Arguments = [ "fsi"; "/shared/experiments/x.fsx"; "--profile"; "paper"; "--run"; "$run" ]
                  TaskOutput = "'/shared/results/x'/runs/\"$run\"/out"
                  Comments = [ "a comment" ] }
            let lines = (Slurm.batchScript job).Split('\n') |> List.ofArray
            for expected in
                [ "#!/bin/bash"; "# a comment"; "#SBATCH --job-name=commlab-x"; "#SBATCH --array=0-9%3"
                  "#SBATCH --output=/shared/results/x/slurm/s1/task-%a.out"; "#SBATCH --cpus-per-task=1"; "#SBATCH --partition=gpu"
                  "#SBATCH --time=4:00:00"; "#SBATCH --gres=gpu:1"; "#SBATCH --qos=long"
                  @"cd '/shared/it'\''s here'"
                  "export PATH='/opt/dotnet':\"$PATH\""
                  "run=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" '/shared/results/x/slurm/s1/runs.txt')"
                  "exec dotnet 'fsi' '/shared/experiments/x.fsx' '--profile' 'paper' '--run' \"$run\" >\"$log\" 2>&1" ] do
                Expect.contains lines expected (sprintf "the script has %s" expected)
            // #SBATCH lines are read only before the first command.
            let firstCommand = lines |> List.findIndex (fun l -> l.Length > 0 && not (l.StartsWith "#"))
            Expect.isTrue (lines |> List.indexed |> List.forall (fun (i, l) -> not (l.StartsWith "#SBATCH") || i < firstCommand)) "every #SBATCH line comes before the first command"
        }
        test "a dry run prints the batch script and the run list, and writes nothing" {
            use dir = new TempDir()
            let code, output =
                CommandRun.dotnet [ "fsi"; script "maddpg-table1"; "--profile"; "smoke"; "--out"; dir.Path; "--executor"; "slurm"; "--dry-run"
                                    "--max-parallel"; "2"; "--time"; "30"; "--sbatch-arg=--qos=normal" ]
            Expect.equal code 0 (sprintf "exit code 0:\n%s" output)
            Expect.stringContains output "maddpg-table1: 4 runs to do" "the smoke grid's runs"
            Expect.stringContains output "#SBATCH --array=0-3%2" "one task per run, throttled"
            Expect.stringContains output "#SBATCH --time=30" "the time limit"
            Expect.stringContains output "#SBATCH --qos=normal" "the passed-through option"
            Expect.stringContains output "'--profile' 'smoke'" "the task runs the same profile"
            Expect.stringContains output (sprintf "'--out' '%s'" dir.Path) "into the same results folder"
            Expect.equal (Regex.Matches(output, @"(?m)^  \d: [0-9a-f]{12} Foraging").Count) 4 "each task's run id and label"
            Expect.isEmpty (Directory.GetFileSystemEntries dir.Path) "nothing written"
        }
        test "slurm options without --executor slurm, a bad time, and a bad run id are refused before anything runs" {
            use dir = new TempDir()
            let code, output = CommandRun.dotnet [ "fsi"; script "quantized-heatmap"; "--profile"; "smoke"; "--out"; dir.Path; "--partition"; "gpu"; "--wait" ]
            Expect.equal code 2 (sprintf "exit code 2:\n%s" output)
            Expect.stringContains output "--partition applies to --executor slurm only" "names the option"
            Expect.stringContains output "--wait applies to --executor slurm only" "every such option"
            expectNoTrace output
            let code, output = CommandRun.dotnet [ "fsi"; script "quantized-heatmap"; "--profile"; "smoke"; "--out"; dir.Path; "--executor"; "slurm"; "--time"; "4h" ]
            Expect.equal code 2 (sprintf "exit code 2:\n%s" output)
            Expect.stringContains output "--time must be minutes" "the option and the formats"
            Expect.stringContains output "got '4h'" "the value"
            let code, output = CommandRun.dotnet [ "fsi"; script "quantized-heatmap"; "--profile"; "smoke"; "--out"; dir.Path; "--executor"; "slurm"; "--run"; "0123456789ab" ]
            Expect.equal code 2 (sprintf "exit code 2:\n%s" output)
            Expect.stringContains output "--run runs one run here; it cannot be combined with --executor slurm" "names the two options"
            let code, output = CommandRun.dotnet [ "fsi"; script "sms-complexity"; "--profile"; "smoke"; "--out"; dir.Path; "--only"; "x" ]
            Expect.equal code 2 (sprintf "exit code 2:\n%s" output)
            Expect.stringContains output "--run and --only: sms-complexity stores no runs" "a script without runs has nothing to select"
            let code, output = CommandRun.dotnet [ "fsi"; script "quantized-heatmap"; "--profile"; "smoke"; "--out"; dir.Path; "--run"; "0123456789ab" ]
            Expect.equal code 2 (sprintf "exit code 2:\n%s" output)
            Expect.stringContains output "--run must be one of the 8 run ids of quantized-heatmap's Smoke profile" "names the sweep and how many runs it has"
            expectNoTrace output
            Expect.isEmpty (Directory.GetFileSystemEntries dir.Path) "nothing written"
        }
        test "without sbatch on PATH the submission stops with the reason and leaves nothing" {
            use dir = new TempDir()
            // Only dotnet's own folder on PATH: no Slurm commands.
            let dotnetDir = Path.GetDirectoryName(Diagnostics.Process.GetCurrentProcess().MainModule.FileName)
            let code, output =
                CommandRun.dotnetWith [ "PATH", dotnetDir ]
                    [ "fsi"; script "maddpg-table1"; "--profile"; "smoke"; "--out"; dir.Path; "--executor"; "slurm" ]
            Expect.equal code 2 (sprintf "exit code 2:\n%s" output)
            Expect.stringContains output "--executor slurm: sbatch and squeue not found on PATH" "names the option and what is missing"
            expectNoTrace output
            Expect.isEmpty (Directory.GetFileSystemEntries dir.Path) "no submission folder, no run folder"
        }
        test "--run runs only that run of the sweep, keeps its log in its folder, and writes no table" {
            use dir = new TempDir()
            let code, output = CommandRun.dotnet [ "fsi"; script "sms-message-length"; "--profile"; "smoke"; "--out"; dir.Path; "--dry-run"; "--executor"; "slurm" ]
            Expect.equal code 0 (sprintf "exit code 0:\n%s" output)
            let ids = Regex.Matches(output, @"(?m)^  \d: ([0-9a-f]{12}) ") |> Seq.map (fun m -> m.Groups[1].Value) |> List.ofSeq
            Expect.equal ids.Length 4 "the smoke grid's runs"
            let code, output = CommandRun.dotnet [ "fsi"; script "sms-message-length"; "--profile"; "smoke"; "--out"; dir.Path; "--run"; ids[2] ]
            Expect.equal code 0 (sprintf "exit code 0:\n%s" output)
            let runs = Path.Combine(dir.Path, "sms-message-length", "runs")
            Expect.equal (Directory.GetDirectories runs |> Array.map Path.GetFileName |> List.ofArray) [ ids[2] ] "that run only"
            Expect.isTrue (File.Exists(Path.Combine(runs, ids[2], "metrics.json"))) "stored as finished"
            let log = File.ReadAllText(Path.Combine(runs, ids[2], "log.txt"))
            Expect.stringContains log "started" "its log is in its folder"
            Expect.stringContains log "finished" "to the end"
            Expect.isFalse (Directory.Exists(Path.Combine(dir.Path, "sms-message-length", "smoke"))) "no table from one run"
        }
    ]

// ---- Against a real Slurm -------------------------------------------------------------------------

let private clusterEnabled = Environment.GetEnvironmentVariable "COMMLAB_SLURM_TESTS" = "1"

let private clusterReason =
    "needs a running Slurm: run `dotnet fsi build.fsx -t SlurmTest`, which starts a single-node one (build/slurm/start-local-cluster.sh) and runs these"

let private requireCluster () =
    if not clusterEnabled then skiptest clusterReason

/// A run's metrics.json without the wall-clock fields (seconds, throughput), which differ between any
/// two executions of the same run.
let private metricsWithoutTiming (path: string) : string =
    let json = JToken.Parse(File.ReadAllText path)
    let timing = json.SelectTokens("$..*") |> Seq.choose (fun t -> match t.Parent with :? JProperty as p when p.Name = "Seconds" || p.Name.EndsWith "PerSecond" -> Some p | _ -> None) |> List.ofSeq
    for p in timing do p.Remove()
    json.ToString(Newtonsoft.Json.Formatting.None)

let private runIds (experimentDir: string) =
    Directory.GetDirectories(Path.Combine(experimentDir, "runs")) |> Array.map Path.GetFileName |> Array.sort |> List.ofArray

/// Every run of the local sweep has the same result in the Slurm sweep, and both tables are equal.
let private expectSameAsLocal (experiment: string) (localOut: string) (slurmOut: string) =
    let local = Path.Combine(localOut, experiment)
    let slurm = Path.Combine(slurmOut, experiment)
    let ids = runIds local
    Expect.isNonEmpty ids "the local sweep stored runs"
    Expect.equal (runIds slurm) ids "the same runs"
    for id in ids do
        Expect.equal (metricsWithoutTiming (Path.Combine(slurm, "runs", id, "metrics.json"))) (metricsWithoutTiming (Path.Combine(local, "runs", id, "metrics.json")))
            (sprintf "run %s: the same result on Slurm as here" id)
    Expect.equal (File.ReadAllText(Path.Combine(slurm, "smoke", "table.md"))) (File.ReadAllText(Path.Combine(local, "smoke", "table.md"))) "the same table"

let private runLocally (experiment: string) (out: string) =
    let code, output = CommandRun.dotnet [ "fsi"; script experiment; "--profile"; "smoke"; "--out"; out; "--jobs"; "2" ]
    Expect.equal code 0 (sprintf "the local sweep ran:\n%s" output)

let private submitted (output: string) =
    let m = Regex.Match(output, @"submitted job (\d+)")
    Expect.isTrue m.Success (sprintf "a job was submitted:\n%s" output)
    m.Groups[1].Value

/// Waits (at most `seconds`) until `ready` holds, looking every 0.2 s.
let private waitUntil (seconds: float) (what: string) (ready: unit -> bool) =
    let clock = Diagnostics.Stopwatch.StartNew()
    while not (ready ()) do
        if clock.Elapsed.TotalSeconds > seconds then failtestf "gave up after %.0f s waiting until %s" seconds what
        Thread.Sleep 200

/// Starts `dotnet <args>` in the repository root; the function returned waits for it and gives its
/// exit code and output (stdout and stderr).
let private startDotnet (args: string list) : unit -> int * string =
    let psi = Diagnostics.ProcessStartInfo("dotnet", args)
    psi.WorkingDirectory <- Approval.repoRoot ()
    psi.RedirectStandardOutput <- true
    psi.RedirectStandardError <- true
    let p = Diagnostics.Process.Start psi
    let out = p.StandardOutput.ReadToEndAsync()
    let err = p.StandardError.ReadToEndAsync()
    fun () ->
        if not (p.WaitForExit(TimeSpan.FromMinutes 10.0)) then
            p.Kill true
            failtest "the waiting submission did not end within 10 minutes"
        p.ExitCode, out.Result + err.Result

let private queue () =
    match Slurm.queued () with
    | Ok q -> q
    | Error message -> failtestf "squeue failed: %s" message

let private slurmOptions (out: string) (more: string list) =
    [ "--profile"; "smoke"; "--out"; out; "--executor"; "slurm"; "--poll-seconds"; "1" ] @ more

let private cluster =
    // Skipped tests are listed by name: the name says why (no dots, which would split it in --filter).
    let name = if clusterEnabled then "cluster" else "cluster (skipped without a running Slurm; the SlurmTest target starts one and runs them)"
    testSequencedGroup "real Slurm" <| testList name [
        test "a smoke sweep submitted as an array and waited for equals a local sweep, run for run" {
            requireCluster ()
            use dir = new TempDir()
            let local, slurm = Path.Combine(dir.Path, "local"), Path.Combine(dir.Path, "slurm")
            runLocally "maddpg-table1" local
            let code, output = CommandRun.dotnet ([ "fsi"; script "maddpg-table1" ] @ slurmOptions slurm [ "--wait"; "--max-parallel"; "2" ])
            Expect.equal code 0 (sprintf "exit code 0:\n%s" output)
            let job = submitted output
            Expect.stringContains output "4 runs as array tasks 0-3, at most 2 at once" "one task per run"
            Expect.stringContains output "slurm: 0 pending, 0 running, 4 done, 0 failed (of 4)" "progress until every run is done"
            expectSameAsLocal "maddpg-table1" local slurm
            for id in runIds (Path.Combine(slurm, "maddpg-table1")) do
                let folder = Path.Combine(slurm, "maddpg-table1", "runs", id)
                let mark = Json.deserialize<Slurm.TaskMark> (File.ReadAllText(Path.Combine(folder, "slurm.json")))
                Expect.equal mark.Job job "the run's mark names its job"
                Expect.isSome mark.Host "and the node, written by the task"
                let taskOutput = File.ReadAllText(Path.Combine(folder, sprintf "slurm-%s_%d.out" job mark.Task))
                Expect.stringContains taskOutput (sprintf "(%s)" id) "the task's output is in the run's folder"
                Expect.stringContains (File.ReadAllText(Path.Combine(folder, "log.txt"))) "finished" "so is the run's log"
        }
        test "a task cancelled mid-run is reported with its output, is the only one a second submission runs, and the tables equal a local run's" {
            requireCluster ()
            use dir = new TempDir()
            let local, slurm = Path.Combine(dir.Path, "local"), Path.Combine(dir.Path, "slurm")
            runLocally "quantized-heatmap" local
            let experimentDir = Path.Combine(slurm, "quantized-heatmap")
            // The first submission waits in the background while the test cancels one of its tasks.
            let waiting = startDotnet ([ "fsi"; script "quantized-heatmap" ] @ slurmOptions slurm [ "--wait"; "--max-parallel"; "2" ])
            waitUntil 120.0 "the array is submitted" (fun () -> Directory.Exists(Path.Combine(experimentDir, "slurm")) && Directory.GetFiles(experimentDir, "slurm.json", SearchOption.AllDirectories).Length = 8)
            let submission = Directory.GetDirectories(Path.Combine(experimentDir, "slurm")) |> Array.exactlyOne
            let job = (Json.deserialize<Slurm.TaskMark> (File.ReadAllText(Directory.GetFiles(experimentDir, "slurm.json", SearchOption.AllDirectories)[0]))).Job
            // Submitting again while the array is queued submits nothing.
            let code, again = CommandRun.dotnet ([ "fsi"; script "quantized-heatmap" ] @ slurmOptions slurm [])
            Expect.equal code 0 (sprintf "exit code 0:\n%s" again)
            Expect.isFalse (again.Contains "submitted job") (sprintf "no second array while the first is queued:\n%s" again)
            Expect.stringContains again "are queued or running already and are not submitted again" "says why"
            Expect.equal (Directory.GetDirectories(Path.Combine(experimentDir, "slurm")).Length) 1 "one submission"
            // Task 3 is cancelled as soon as it runs (while its dotnet starts, before its run can end).
            let task = sprintf "%s_3" job
            waitUntil 300.0 (sprintf "task %s runs" task) (fun () -> (queue ()).TryFind task = Some "RUNNING")
            match Slurm.command "." "scancel" [ task ] with
            | Slurm.Ran (0, _, _) -> ()
            | other -> failtestf "scancel %s: %A" task other
            let code, output = waiting ()
            let cancelled = File.ReadAllLines(Path.Combine(submission, "runs.txt"))[3]
            Expect.equal code 1 (sprintf "the waiting submission ends with exit code 1:\n%s" output)
            Expect.stringContains output "slurm: 0 pending, 0 running, 7 done, 1 failed (of 8)" "its progress counts the cancelled run as failed"
            Expect.stringContains output "1 run ended without a result; submitting the same command again submits exactly those" "the report says what to do"
            Expect.stringContains output (sprintf "(%s): task %s, CANCELLED" cancelled task) "names the run, its task and how Slurm ended it"
            Expect.stringContains output (Path.Combine(experimentDir, "runs", cancelled, sprintf "slurm-%s.out" task)) "and where its output is"
            for id in File.ReadAllLines(Path.Combine(submission, "runs.txt")) do
                Expect.equal (RunStore.hasEnded experimentDir id) (id <> cancelled) (sprintf "run %s: only the cancelled task's run has not ended" id)
            // The same command submits the one run left.
            let code, output = CommandRun.dotnet ([ "fsi"; script "quantized-heatmap" ] @ slurmOptions slurm [ "--wait" ])
            Expect.equal code 0 (sprintf "exit code 0:\n%s" output)
            let second = submitted output
            Expect.notEqual second job "a new array"
            Expect.stringContains output "1 run as array task 0" "with one task"
            let newest = Directory.GetDirectories(Path.Combine(experimentDir, "slurm")) |> Array.filter (fun d -> d <> submission) |> Array.exactlyOne
            Expect.equal (File.ReadAllLines(Path.Combine(newest, "runs.txt")) |> List.ofArray) [ cancelled ] "that runs the cancelled run only"
            expectSameAsLocal "quantized-heatmap" local slurm
            // Collecting without --wait: the script run here once the arrays ended finds every run finished.
            File.Delete(Path.Combine(experimentDir, "smoke", "table.md"))
            let code, output = CommandRun.dotnet [ "fsi"; script "quantized-heatmap"; "--profile"; "smoke"; "--out"; slurm ]
            Expect.equal code 0 (sprintf "exit code 0:\n%s" output)
            Expect.isFalse (output.Contains " started (") (sprintf "nothing runs here:\n%s" output)
            expectSameAsLocal "quantized-heatmap" local slurm
        }
        test "a script without stored runs runs as one job and writes its table" {
            requireCluster ()
            use dir = new TempDir()
            let code, output = CommandRun.dotnet ([ "fsi"; script "sms-complexity" ] @ slurmOptions dir.Path [ "--wait" ])
            Expect.equal code 0 (sprintf "exit code 0:\n%s" output)
            let job = submitted output
            Expect.stringContains output (sprintf "job %s completed" job) "waited until it completed"
            let table = Path.Combine(dir.Path, "sms-complexity", "smoke", "table.md")
            Expect.isTrue (File.Exists table) "the job wrote the table"
            Expect.stringContains (File.ReadAllText(Path.Combine(dir.Path, "sms-complexity", "smoke", sprintf "slurm-%s.out" job))) "wrote " "its output is kept beside it"
        }
        test "an unknown partition and a refused submission stop with Slurm's reason and leave nothing that looks submitted" {
            requireCluster ()
            use dir = new TempDir()
            let code, output = CommandRun.dotnet ([ "fsi"; script "maddpg-table1" ] @ slurmOptions dir.Path [ "--partition"; "nosuch" ])
            Expect.equal code 2 (sprintf "exit code 2:\n%s" output)
            Expect.stringContains output "--partition must be one of this cluster's partitions (local), got 'nosuch'" "names the option, the value and the partitions"
            expectNoTrace output
            // More memory per task than the node has: sbatch refuses the job.
            let code, output = CommandRun.dotnet ([ "fsi"; script "maddpg-table1" ] @ slurmOptions dir.Path [ "--mem"; "100T" ])
            Expect.equal code 2 (sprintf "exit code 2:\n%s" output)
            Expect.stringContains output "Slurm did not accept the array of 4 runs; nothing was submitted." "says nothing was submitted"
            Expect.stringContains output "sbatch: error: Memory specification can not be satisfied" "and shows Slurm's message"
            expectNoTrace output
            Expect.isEmpty (Directory.GetFileSystemEntries dir.Path) "no submission folder, no marks, no run folders"
        }
    ]

let tests = testList "Slurm" [ options; cluster ]

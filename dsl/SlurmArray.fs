/// A sweep as one Slurm job array (`--executor slurm`): the runs still to do are submitted together,
/// task i running run i of a run list with the same script and options (`--run <id>`), on the
/// checkout it was submitted from; waiting follows the array in the queue and the run store. Runs
/// whose task is queued or running are not submitted again, so submitting the same command again
/// after time-outs or failures submits exactly the runs that have not ended.
///
///     <out>/<experiment>/slurm/<stamp>/job.sh            the batch script
///     <out>/<experiment>/slurm/<stamp>/runs.txt          run ids, line i+1 for task i
///     <out>/<experiment>/slurm/<stamp>/submission.json   job id, runs and labels, options
///     <out>/<experiment>/slurm/<stamp>/task-<i>.out      Slurm's own output of task i (time limits, cancellations)
///     <out>/<experiment>/runs/<id>/slurm.json            which task the run was given to (Slurm.TaskMark)
///     <out>/<experiment>/runs/<id>/slurm-<job>_<i>.out   everything the task printed
module CommLab.Dsl.SlurmArray

open System
open System.IO
open System.Threading

/// A run as the array sees it: its id (its folder under runs/) and its label for messages.
type Run = { Id: string; Label: string }

/// The checkout a Slurm task runs in: the repository whose build this process loaded
/// (artifacts/bin/CommLab.Dsl/<configuration>/CommLab.Dsl.dll, four folders up).
let checkout () : string =
    let dll = typeof<Run>.Assembly.Location
    Path.GetFullPath(Path.Combine(Path.GetDirectoryName dll |> string, "..", "..", "..", ".."))

/// The experiment script of the options, in the checkout.
let scriptPath (o: Cli.Options) : string = Path.Combine(checkout (), "experiments", o.Script + ".fsx")

/// What the submission record keeps.
type Submission =
    { Job: string
      Experiment: string
      Profile: string
      Submitted: DateTime
      Script: string
      Arguments: string list
      Request: SlurmRequest.SlurmRequest
      Runs: Run list }

/// Problems that stop a submission before anything is written: Slurm's commands missing, a partition
/// the cluster does not have, the script not in the checkout.
let private clusterProblems (o: Cli.Options) (request: SlurmRequest.SlurmRequest) : string list =
    let missing = [ "sbatch"; "squeue" ] |> List.filter (Slurm.onPath >> not)
    if not missing.IsEmpty then
        [ sprintf "--executor slurm: %s not found on PATH; run on a Slurm login node (or load its module first), or use --executor local"
              (String.concat " and " missing) ]
    else
        let partition =
            match request.Partition with
            | None -> []
            | Some p ->
                match Slurm.partitions () with
                | Ok known when List.contains p known -> []
                | Ok known -> [ sprintf "--partition must be one of this cluster's partitions (%s), got '%s'" (String.concat ", " known) p ]
                | Error message -> [ sprintf "--partition '%s' could not be checked: %s" p message ]
        let script = scriptPath o
        let script = if File.Exists script then [] else [ sprintf "--executor slurm: the script %s is not in the checkout %s, which the tasks run in" script (checkout ()) ]
        partition @ script

/// Splits `runs` into those given to a task that is still queued or running (with that task's id and
/// state) and the others.
let private split (experimentDir: string) (queue: Map<string, string>) (runs: Run list) =
    runs
    |> List.partition (fun r ->
        match Slurm.tryMark experimentDir r.Id with
        | Some mark -> queue.ContainsKey(Slurm.taskId mark)
        | None -> false)

let private stamp () = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss-fff")

/// Removes a refused submission's folder, and the slurm/ and experiment folders it created when they
/// are left empty: nothing of it may later look like a submitted array.
let private discard (submission: string) =
    Directory.Delete(submission, true)
    let rec upward (dir: string) (levels: int) =
        if levels > 0 && Directory.Exists dir && Seq.isEmpty (Directory.EnumerateFileSystemEntries dir) then
            Directory.Delete dir
            upward (Path.GetDirectoryName dir |> string) (levels - 1)
    upward (Path.GetDirectoryName submission |> string) 2

/// Writes a submission's folder (`runs.txt`, one line per task, and `job.sh`) and submits it; returns
/// the job's id. A refused submission leaves nothing behind (`discard`: it would look like a submitted
/// array later) and ends the process with code 2, Slurm's message, and `what` was not submitted.
let private submitFolder (submission: string) (taskLines: string list) (job: Slurm.BatchJob) (what: string) : string =
    Directory.CreateDirectory submission |> ignore
    let script = Path.Combine(submission, "job.sh")
    File.WriteAllText(Path.Combine(submission, "runs.txt"), taskLines |> List.map (fun line -> line + "\n") |> String.concat "")
    File.WriteAllText(script, Slurm.batchScript job)
    match Slurm.submit (checkout ()) script with
    | Ok id -> id
    | Error message ->
        discard submission
        Cli.fail [ sprintf "--executor slurm: Slurm did not accept %s; nothing was submitted." what; message ]

/// The batch job of a sweep's array.
let private arrayJob (o: Cli.Options) (request: SlurmRequest.SlurmRequest) (experiment: string) (experimentDir: string) (submission: string) (runs: Run list) : Slurm.BatchJob =
    { Name = sprintf "commlab-%s" experiment
      Request = request
      Submission = submission
      Tasks = runs.Length
      WorkingDirectory = checkout ()
      Dotnet = defaultArg (Option.ofObj Environment.ProcessPath) "dotnet"
      Arguments = [ "fsi"; scriptPath o ] @ Cli.sweepArguments o @ [ "--run"; "$run" ]
      TaskOutput = sprintf "%s/runs/\"$run\"/slurm-\"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\".out" (Slurm.quote experimentDir)
      Comments =
        [ sprintf "%s, %s profile: %d runs, one per array task; written by `dotnet fsi experiments/%s.fsx --executor slurm` (docs/cluster.md)."
              experiment (Cli.profileName o) runs.Length o.Script
          "Each task picks its run id from runs.txt and runs the same script for that run only (--run)." ] }

/// Submits the runs of `left` (runs that have not ended) whose task is not queued or running, as one
/// array; prints what it did. Returns the runs to wait for: those submitted and those already queued.
/// With `--dry-run` it prints the batch script and ends the process. Bad input (Slurm missing, an
/// unknown partition, a refused submission) ends the process with code 2 and leaves nothing behind.
let submit (o: Cli.Options) (request: SlurmRequest.SlurmRequest) (experiment: string) (left: Run list) : Run list =
    let experimentDir = Path.GetFullPath(RunStore.experimentDir o.Out experiment)
    if request.DryRun then
        // A dry run may be composed away from the cluster: without squeue, nothing counts as queued.
        let queue = if Slurm.onPath "squeue" then (match Slurm.queued () with Ok q -> q | Error _ -> Map.empty) else Map.empty
        let queuedRuns, toSubmit = split experimentDir queue left
        let submission = Path.Combine(experimentDir, "slurm", "<stamp>")
        printfn "%s: %d runs to do, %d of them queued or running; a submission would run %d as one array. Nothing was submitted or written (--dry-run)."
            experiment left.Length queuedRuns.Length toSubmit.Length
        if not toSubmit.IsEmpty then
            printfn "\n%s/job.sh:\n" submission
            printf "%s" (Slurm.batchScript (arrayJob o request experiment experimentDir submission toSubmit))
            printfn "\n%s/runs.txt (task: run id, label):" submission
            toSubmit |> List.iteri (fun i r -> printfn "  %d: %s %s" i r.Id r.Label)
        exit 0
    match clusterProblems o request with
    | [] -> ()
    | problems -> Cli.fail problems
    let queue =
        match Slurm.queued () with
        | Ok q -> q
        | Error message -> Cli.fail [ sprintf "--executor slurm: cannot read the queue: %s" message ]
    let queuedRuns, toSubmit = split experimentDir queue left
    if not queuedRuns.IsEmpty then
        printfn "%s: %d runs are queued or running already and are not submitted again (%s)."
            experiment queuedRuns.Length
            (queuedRuns |> List.choose (fun r -> Slurm.tryMark experimentDir r.Id |> Option.map Slurm.taskId) |> List.truncate 5 |> String.concat ", ")
    if not toSubmit.IsEmpty then
        let submission = Path.Combine(experimentDir, "slurm", stamp ())
        let job = arrayJob o request experiment experimentDir submission toSubmit
        let id = submitFolder submission (toSubmit |> List.map (fun r -> r.Id)) job (sprintf "the array of %d runs" toSubmit.Length)
        let record =
            { Job = id; Experiment = experiment; Profile = Cli.profileName o; Submitted = DateTime.UtcNow
              Script = scriptPath o; Arguments = job.Arguments; Request = request; Runs = toSubmit }
        File.WriteAllText(Path.Combine(submission, "submission.json"), Json.serialize record + "\n")
        toSubmit
        |> List.iteri (fun i r ->
            // A task that already started wrote its own mark (with its host): keep that one.
            match Slurm.tryMark experimentDir r.Id with
            | Some m when m.Job = id -> ()
            | _ -> Slurm.writeMark experimentDir r.Id { Job = id; Task = i; Submission = submission; Host = None; Started = None })
        let throttle = match request.MaxParallel with Some k -> sprintf ", at most %d at once" k | None -> ""
        let tasks = if toSubmit.Length = 1 then "1 run as array task 0" else sprintf "%d runs as array tasks 0-%d" toSubmit.Length (toSubmit.Length - 1)
        printfn "%s: submitted job %s, %s%s (%s)." experiment id tasks throttle submission
        printfn "Each run's output: %s/runs/<id>/slurm-%s_<task>.out. Watch: squeue -j %s." experimentDir id id
    queuedRuns @ toSubmit

/// Seconds a wait gives the file system to show the results of tasks that left the queue before it
/// reports their runs as failed: two looks at the queue, at most a minute.
let private storeLag (request: SlurmRequest.SlurmRequest) = min 60.0 (2.0 * request.PollSeconds)

/// The counts a wait reports.
type private Progress = { Pending: int; Running: int; Done: int; Failed: int }

/// Waits until none of `runs` is queued or running, printing the counts of pending, running, done
/// (ended in the store) and failed (left the queue without ending) runs whenever they change.
/// Returns the failed runs.
let wait (o: Cli.Options) (request: SlurmRequest.SlurmRequest) (experiment: string) (runs: Run list) : Run list =
    let experimentDir = Path.GetFullPath(RunStore.experimentDir o.Out experiment)
    // Given the queue, looked at before the store: a task that ends between the two looks is seen
    // ended, never as failed.
    let state (queue: Map<string, string>) (r: Run) =
        let inQueue = Slurm.tryMark experimentDir r.Id |> Option.bind (fun m -> queue.TryFind(Slurm.taskId m))
        match inQueue with
        | _ when RunStore.hasEnded experimentDir r.Id -> "done"
        | Some "RUNNING" | Some "COMPLETING" -> "running"
        | Some _ -> "pending"
        | None -> "failed"
    let rec poll (last: Progress option) =
        match Slurm.queued () with
        | Error message ->
            // A controller that does not answer for a while is not a reason to call runs failed.
            eprintfn "%s: squeue failed (%s); looking again in %g s" experiment message request.PollSeconds
            Thread.Sleep(TimeSpan.FromSeconds request.PollSeconds)
            poll last
        | Ok queue ->
            let states = runs |> List.map (fun r -> r, state queue r)
            let count s = states |> List.filter (fun (_, x) -> x = s) |> List.length
            let progress = { Pending = count "pending"; Running = count "running"; Done = count "done"; Failed = count "failed" }
            if last <> Some progress then
                printfn "%s [%s] slurm: %d pending, %d running, %d done, %d failed (of %d)"
                    experiment (DateTime.Now.ToString "HH:mm:ss") progress.Pending progress.Running progress.Done progress.Failed runs.Length
            if progress.Pending + progress.Running > 0 then
                Thread.Sleep(TimeSpan.FromSeconds request.PollSeconds)
                poll (Some progress)
            else
                match states |> List.filter (fun (_, s) -> s = "failed") |> List.map fst with
                | [] -> []
                | failed ->
                    // A network file system may show a file written on a node to this one only after
                    // its attribute cache expires (NFS: up to 60 s): look once more before calling
                    // runs failed.
                    Thread.Sleep(TimeSpan.FromSeconds(storeLag request))
                    failed |> List.filter (fun r -> not (RunStore.hasEnded experimentDir r.Id))
    poll None

/// The last `n` lines of a file, or a note that it is missing.
let private tail (n: int) (path: string) : string list =
    if File.Exists path then
        let lines = File.ReadAllLines path
        lines |> Array.skip (max 0 (lines.Length - n)) |> List.ofArray
    else
        [ "(no such file)" ]

/// What to print of each failed run: its label, id, how Slurm ended its task, where its output is,
/// and the output's last lines (and Slurm's own, which says so when it ended a task on a time limit).
let failureReport (o: Cli.Options) (experiment: string) (failed: Run list) : string list =
    let experimentDir = Path.GetFullPath(RunStore.experimentDir o.Out experiment)
    let count = if failed.Length = 1 then "1 run" else sprintf "%d runs" failed.Length
    [ yield sprintf "%s: %s ended without a result; submitting the same command again submits exactly those:" experiment count
      for r in failed do
          match Slurm.tryMark experimentDir r.Id with
          | None -> yield sprintf "- %s (%s): never given to a task" r.Label r.Id
          | Some mark ->
              let task = Slurm.taskId mark
              let state = Slurm.finalState task |> Option.defaultValue "state no longer known to Slurm"
              let output = Slurm.taskLog experimentDir r.Id mark
              yield sprintf "- %s (%s): task %s, %s; output %s, last lines:" r.Label r.Id task state output
              for line in tail 10 output do yield "    " + line
              let slurmOutput = Path.Combine(mark.Submission, sprintf "task-%d.out" mark.Task)
              let slurmLines = tail 5 slurmOutput |> List.filter (fun l -> l.Contains "slurmstepd" || l.Contains "CANCELLED" || l.Contains "error")
              for line in slurmLines do yield "    (slurm) " + line ]

/// Marks a run's folder with the array task running it (called by the task itself, `--run` inside an
/// array job): the mark then names the node, and a submission made before the array's own marks
/// were written still sees the run as taken.
let markStarted (o: Cli.Options) (experiment: string) (runId: string) : unit =
    match Environment.GetEnvironmentVariable "SLURM_ARRAY_JOB_ID", Environment.GetEnvironmentVariable "SLURM_ARRAY_TASK_ID" with
    | null, _
    | _, null -> ()
    | job, task ->
        let experimentDir = Path.GetFullPath(RunStore.experimentDir o.Out experiment)
        let submission = Slurm.tryMark experimentDir runId |> Option.map (fun m -> m.Submission) |> Option.defaultValue ""
        Slurm.writeMark experimentDir runId
            { Job = job; Task = int task; Submission = submission; Host = Some(Environment.MachineName); Started = Some DateTime.UtcNow }

/// The cores Slurm gave this task (`SLURM_CPUS_PER_TASK`), when it runs inside an allocation that says.
let allocatedCores () : int option =
    match Environment.GetEnvironmentVariable "SLURM_CPUS_PER_TASK" with
    | null -> None
    | value ->
        match Int32.TryParse value with
        | true, n when n >= 1 -> Some n
        | _ -> None

/// `--executor slurm` for a script that stores no runs (it measures or counts, one job): submits the
/// whole script, with the same options and the local executor, as an array of one task whose output
/// goes to the profile's folder; prints what it did and ends the process, or with `--wait` waits for
/// the task and ends with code 0 when it completed, else 1 with its last lines. `--dry-run` prints the
/// batch script. Bad input ends the process with code 2 and leaves nothing behind.
let submitWhole (o: Cli.Options) (request: SlurmRequest.SlurmRequest) (experiment: string) (outputDir: string) : unit =
    let experimentDir = Path.GetFullPath(RunStore.experimentDir o.Out experiment)
    let output = Path.Combine(Path.GetFullPath outputDir, "slurm-${SLURM_ARRAY_JOB_ID}.out")
    let job submission : Slurm.BatchJob =
        { Name = sprintf "commlab-%s" experiment
          Request = request
          Submission = submission
          Tasks = 1
          WorkingDirectory = checkout ()
          Dotnet = defaultArg (Option.ofObj Environment.ProcessPath) "dotnet"
          Arguments = [ "fsi"; scriptPath o ] @ Cli.sweepArguments o
          TaskOutput = Slurm.quote (Path.GetDirectoryName output |> string) + "/slurm-\"${SLURM_ARRAY_JOB_ID}\".out"
          Comments =
            [ sprintf "%s, %s profile: one job that stores no runs (it trains nothing); written by `dotnet fsi experiments/%s.fsx --executor slurm` (docs/cluster.md)."
                  experiment (Cli.profileName o) o.Script ] }
    if request.DryRun then
        printfn "%s: one job; nothing was submitted or written (--dry-run).\n" experiment
        printf "%s" (Slurm.batchScript (job (Path.Combine(experimentDir, "slurm", "<stamp>"))))
        exit 0
    match clusterProblems o request with
    | [] -> ()
    | problems -> Cli.fail problems
    let submission = Path.Combine(experimentDir, "slurm", stamp ())
    let id = submitFolder submission [ experiment ] (job submission) (sprintf "the job of %s" experiment)
    let log = output.Replace("${SLURM_ARRAY_JOB_ID}", id)
    printfn "%s: submitted job %s (%s); its output: %s. Watch: squeue -j %s." experiment id submission log id
    if not request.Wait then exit 0
    let task = sprintf "%s_0" id
    let rec poll (last: string) =
        let state =
            match Slurm.queued () with
            | Ok q -> q.TryFind task
            | Error _ -> Some last
        match state with
        | Some s ->
            if s <> last then printfn "%s [%s] slurm: job %s %s" experiment (DateTime.Now.ToString "HH:mm:ss") id (s.ToLowerInvariant())
            Thread.Sleep(TimeSpan.FromSeconds request.PollSeconds)
            poll s
        | None -> ()
    poll ""
    // Without accounting Slurm forgets ended jobs after a few minutes; the script's own last words
    // ("wrote <folder>") then tell.
    let completed =
        match Slurm.finalState task with
        | Some state -> state = "COMPLETED"
        | None -> File.Exists log && (File.ReadAllLines log |> Array.exists (fun l -> l.StartsWith "wrote "))
    if completed then
        printfn "%s: job %s completed; its tables and plots are in %s." experiment id outputDir
        exit 0
    else
        eprintfn "%s: job %s did not complete (%s); output %s, last lines:" experiment id (Slurm.finalState task |> Option.defaultValue "state no longer known to Slurm") log
        for line in tail 10 log do eprintfn "    %s" line
        exit 1

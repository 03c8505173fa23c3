/// What CommLab asks of Slurm itself, through its commands (sbatch, squeue, sinfo, scontrol) rather
/// than a library, so it works with whatever Slurm version a cluster runs: whether the commands are
/// there, the partitions, the tasks still queued or running, a submission, and a task's final state.
/// Also the marks a sweep leaves in its run folders for Slurm: which array task a run was given to.
module CommLab.Dsl.Slurm

open System
open System.Diagnostics
open System.IO

/// Exit code, standard output and standard error of a command that ended; or why it did not run.
type CommandResult =
    | Ran of code: int * stdout: string * stderr: string
    | CouldNotRun of reason: string

// Slurm's commands answer in seconds; one that hangs (a controller that does not answer) must not
// hang a submission forever.
let private commandTimeout = TimeSpan.FromMinutes 2.0

/// Runs `program args` (no shell) in `workingDirectory` and waits for it, at most two minutes.
let command (workingDirectory: string) (program: string) (args: string list) : CommandResult =
    try
        let psi = ProcessStartInfo(program, args)
        psi.WorkingDirectory <- workingDirectory
        psi.RedirectStandardOutput <- true
        psi.RedirectStandardError <- true
        psi.UseShellExecute <- false
        match Process.Start psi with
        | null -> CouldNotRun(sprintf "`%s` could not be started" program)
        | p ->
            use p = p
            let err = p.StandardError.ReadToEndAsync()
            let out = p.StandardOutput.ReadToEndAsync()
            if p.WaitForExit commandTimeout then
                Ran(p.ExitCode, out.Result, err.Result)
            else
                (try p.Kill true with _ -> ())
                CouldNotRun(sprintf "`%s %s` did not answer within %.0f s" program (String.concat " " args) commandTimeout.TotalSeconds)
    with :? ComponentModel.Win32Exception as e ->
        CouldNotRun(sprintf "`%s` could not be started: %s" program e.Message)

/// Whether `program` is an executable file in a folder of PATH.
let onPath (program: string) : bool =
    match Environment.GetEnvironmentVariable "PATH" with
    | null -> false
    | path ->
        path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        |> Array.exists (fun dir -> File.Exists(Path.Combine(dir, program)))

/// The cluster's partitions (`sinfo`), or Slurm's message when it cannot say.
let partitions () : Result<string list, string> =
    match command "." "sinfo" [ "--noheader"; "--format=%R" ] with
    | Ran (0, out, _) -> Ok(out.Split('\n', StringSplitOptions.RemoveEmptyEntries ||| StringSplitOptions.TrimEntries) |> List.ofArray |> List.distinct)
    | Ran (code, out, err) -> Error(sprintf "sinfo failed (exit %d): %s" code ((err + out).Trim()))
    | CouldNotRun reason -> Error reason

/// The user's jobs and array tasks still in the queue (pending, running, completing, suspended...),
/// by id as squeue prints it ("123_4" for task 4 of array job 123), with their state ("PENDING",
/// "RUNNING"); Slurm's message when squeue fails. Tasks that ended are not listed.
let queued () : Result<Map<string, string>, string> =
    // --array lists each task of an array on its own line; --me keeps a shared cluster's queue out.
    match command "." "squeue" [ "--noheader"; "--array"; "--me"; "--format=%i %T" ] with
    | Ran (0, out, _) ->
        out.Split('\n', StringSplitOptions.RemoveEmptyEntries ||| StringSplitOptions.TrimEntries)
        |> Array.choose (fun line ->
            match line.Split(' ', StringSplitOptions.RemoveEmptyEntries) with
            | [| id; state |] -> Some(id, state)
            | _ -> None)
        |> Map.ofArray
        |> Ok
    | Ran (code, out, err) -> Error(sprintf "squeue failed (exit %d): %s" code ((err + out).Trim()))
    | CouldNotRun reason -> Error reason

/// How a task ended as Slurm still remembers it ("COMPLETED", "TIMEOUT", "CANCELLED", "FAILED",
/// "OUT_OF_MEMORY"), from `scontrol show job`, which keeps ended jobs for a few minutes (MinJobAge);
/// None once Slurm has forgotten the task.
let finalState (task: string) : string option =
    match command "." "scontrol" [ "show"; "job"; task ] with
    | Ran (0, out, _) ->
        out.Split([| ' '; '\n' |], StringSplitOptions.RemoveEmptyEntries)
        |> Array.tryPick (fun field -> if field.StartsWith "JobState=" then Some(field.Substring 9) else None)
    | _ -> None

/// Which array task a run was given to: written into the run's folder (`slurm.json`) when the array
/// is submitted, and again by the task when it starts (with its host), so a second submission
/// leaves a run alone while that task is queued or running.
type TaskMark =
    { /// The array job's id.
      Job: string
      /// The run's index in the array.
      Task: int
      /// The submission's folder (its batch script, run list and Slurm's own output files).
      Submission: string
      /// The node the task runs on, once it started.
      Host: string option
      /// When the task started (UTC), once it did.
      Started: DateTime option }

/// The task's id as squeue and scancel know it: "123_4".
let taskId (mark: TaskMark) : string = sprintf "%s_%d" mark.Job mark.Task

/// `<run folder>/slurm.json`.
let markPath (experimentDir: string) (runId: string) : string = Path.Combine(RunStore.runDir experimentDir runId, "slurm.json")

/// Writes a run's mark (creating its folder), atomically.
let writeMark (experimentDir: string) (runId: string) (mark: TaskMark) : unit =
    Directory.CreateDirectory(RunStore.runDir experimentDir runId) |> ignore
    let path = markPath experimentDir runId
    CommLab.Files.AtomicFile.Write(path, fun stream ->
        let bytes = Text.Encoding.UTF8.GetBytes(Json.serialize mark + "\n")
        stream.Write(bytes, 0, bytes.Length))

/// The run's mark, if it was ever given to an array task. A mark that does not parse counts as none:
/// it only ever prevents a double submission, and the queue is asked about it anyway.
let tryMark (experimentDir: string) (runId: string) : TaskMark option =
    let path = markPath experimentDir runId
    if File.Exists path then
        try Some(Json.deserialize<TaskMark> (File.ReadAllText path)) with _ -> None
    else
        None

/// The output file of a run's array task, in the run's folder: everything the task printed.
let taskLog (experimentDir: string) (runId: string) (mark: TaskMark) : string =
    Path.Combine(RunStore.runDir experimentDir runId, sprintf "slurm-%s.out" (taskId mark))

/// `value` quoted for bash: inside single quotes, each ' written as '\''.
let quote (value: string) : string = "'" + value.Replace("'", @"'\''") + "'"

/// The parts of an array job's batch script.
type BatchJob =
    { /// The job's name in squeue.
      Name: string
      /// The request's sbatch options.
      Request: SlurmRequest.SlurmRequest
      /// The submission's folder: the run list and Slurm's per-task output files.
      Submission: string
      /// Tasks in the array (0..Tasks-1).
      Tasks: int
      /// Where the task runs: the checkout it was submitted from.
      WorkingDirectory: string
      /// The dotnet executable that submitted it (its folder goes first on the task's PATH).
      Dotnet: string
      /// The command each task runs after `dotnet`, with "$run" standing for the task's run id.
      Arguments: string list
      /// Where each task's output goes, a bash word in which "$run" and Slurm's variables expand.
      TaskOutput: string
      /// Comment lines at the top (without "# ").
      Comments: string list }

/// The batch script of an array job: `#SBATCH` lines, then the task picks line SLURM_ARRAY_TASK_ID+1
/// of `runs.txt` and runs the same script for that one run, its output into the run's folder.
let batchScript (job: BatchJob) : string =
    let throttle = match job.Request.MaxParallel with Some k -> sprintf "%%%d" k | None -> ""
    let runs = Path.Combine(job.Submission, "runs.txt")
    let arguments = job.Arguments |> List.map (fun a -> if a = "$run" then "\"$run\"" else quote a) |> String.concat " "
    [ yield "#!/bin/bash"
      for line in job.Comments do yield "# " + line
      yield sprintf "#SBATCH --job-name=%s" job.Name
      yield sprintf "#SBATCH --array=0-%d%s" (job.Tasks - 1) throttle
      // Slurm's own file: what the script prints before it hands over, and what Slurm says on ending it
      // (a time limit, a cancellation).
      yield sprintf "#SBATCH --output=%s" (Path.Combine(job.Submission, "task-%a.out"))
      for option in SlurmRequest.sbatchOptions job.Request do yield "#SBATCH " + option
      yield "set -euo pipefail"
      yield sprintf "cd %s" (quote job.WorkingDirectory)
      yield sprintf "export PATH=%s:\"$PATH\"" (quote (Path.GetDirectoryName job.Dotnet |> string))
      yield sprintf "run=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" %s)" (quote runs)
      yield sprintf "log=%s" job.TaskOutput
      yield "mkdir -p \"$(dirname \"$log\")\""
      yield "echo \"task $SLURM_ARRAY_TASK_ID of job $SLURM_ARRAY_JOB_ID: run $run on $(hostname), output in $log\""
      yield sprintf "exec dotnet %s >\"$log\" 2>&1" arguments ]
    |> String.concat "\n"
    |> fun s -> s + "\n"

/// Submits a batch script (`sbatch --parsable`) from `workingDirectory`: the array job's id, or
/// Slurm's message when it refused the job.
let submit (workingDirectory: string) (scriptPath: string) : Result<string, string> =
    match command workingDirectory "sbatch" [ "--parsable"; scriptPath ] with
    | Ran (0, out, _) ->
        // --parsable prints "<id>" or "<id>;<cluster>".
        let id = out.Trim().Split(';').[0]
        if id.Length > 0 && Seq.forall Char.IsDigit id then Ok id
        else Error(sprintf "sbatch answered '%s' instead of a job id" (out.Trim()))
    | Ran (code, out, err) -> Error(sprintf "sbatch refused the job (exit %d):\n%s" code ((err + out).Trim()))
    | CouldNotRun reason -> Error reason

/// Runs a list of configs of one experiment kind, a few at a time, saving each outcome in the RunStore
/// as it ends. Finished and diverged runs are loaded instead of run again, so an interrupted sweep
/// resumes where it stopped.
module CommLab.Dsl.Runner

open System
open System.Collections.Concurrent
open System.Diagnostics
open System.Threading.Tasks
open CommLab.Training

/// Where and how to run a sweep.
type RunnerOptions =
    {
      /// Folder name of the experiment under `OutDir`.
      Experiment: string
      /// Root of all results, e.g. "results".
      OutDir: string
      /// How many runs execute at the same time (>= 1).
      Jobs: int
      /// The device recorded in each run's provenance.
      Device: string
      /// Least wall time between checkpoints of runs whose kind writes them.
      CheckpointEvery: TimeSpan
      /// Finished runs of kinds that can save their evaluation games in their folder.
      SaveInteractions: bool
      /// Receives every log line; the runner never calls it from two threads at once.
      Log: string -> unit }

/// One run of a sweep and how it ended.
type RunRecord<'cfg, 'result> =
    { Config: 'cfg
      /// The run's folder name under runs/ (RunStore.runId of the config).
      RunId: string
      Outcome: Outcome<'result> }

/// One run that threw (other than by diverging).
type RunFailure =
    { RunId: string
      Label: string
      Error: exn }

/// Raised once every run has ended when some of them failed; the other outcomes are already saved.
type RunsFailedException(failures: RunFailure list, message: string) =
    inherit Exception(message, (List.head failures).Error)
    /// The failed runs, in input order.
    member _.Failures = failures

/// Options with one job on the CPU that log to stdout.
let options (experiment: string) (outDir: string) : RunnerOptions =
    { Experiment = experiment
      OutDir = outDir
      Jobs = 1
      Device = "cpu"
      CheckpointEvery = TimeSpan.FromMinutes 10.0
      SaveInteractions = false
      Log = stdout.WriteLine }

/// "42s", "3m05s", "2h03m".
let formatDuration (t: TimeSpan) : string =
    let s = int (Math.Round t.TotalSeconds)
    if s < 60 then sprintf "%ds" s
    elif s < 3600 then sprintf "%dm%02ds" (s / 60) (s % 60)
    else sprintf "%dh%02dm" (s / 3600) (s % 3600 / 60)

/// Progress of the runs executing in this call, in the kind's unit (epochs, environment steps). Time
/// left is the units still to do divided by the units done per second so far; a run that has not
/// reported yet is assumed as long as the average run that has. No estimate until some unit is done.
type private Eta(runs: int) =
    let done' = Array.zeroCreate<int64> runs
    let total = Array.create<int64 option> runs None
    let ended = Array.zeroCreate<bool> runs

    member _.Report(run: int, p: Progress) =
        done'[run] <- p.Done
        total[run] <- Some p.Total

    member _.End(run: int) = ended[run] <- true

    member _.Left(elapsed: TimeSpan) : TimeSpan option =
        let doneSum = Array.sum done'
        let known = total |> Array.choose id
        if doneSum = 0L || known.Length = 0 || elapsed.TotalSeconds <= 0.0 then
            None
        else
            let average = float (Array.sum known) / float known.Length
            let remaining =
                Seq.init runs (fun i ->
                    if ended[i] then 0.0
                    else max 0.0 ((total[i] |> Option.map float |> Option.defaultValue average) - float done'[i]))
                |> Seq.sum
            Some(TimeSpan.FromSeconds(remaining / (float doneSum / elapsed.TotalSeconds)))

/// Runs every config of `kind` without a stored outcome (at most `opts.Jobs` at once) and returns
/// every run with its outcome, in the order of `configs`. Each run writes `config.json` (with its
/// provenance) when it starts and `metrics.json`, or `diverged.json` when the kind's execute throws
/// `TrainingDivergedException`, when it ends; runs with either are loaded and logged as skipped.
/// Configs with the same run id execute once and share the outcome. If some runs throw anything
/// else, the others still run and are saved, then a `RunsFailedException` lists the failed run ids
/// and messages. Configs are expected valid (`Experiment.run` checks them first).
let run (opts: RunnerOptions) (kind: ExperimentKind<'cfg, 'result, 'row>) (configs: 'cfg list) : RunRecord<'cfg, 'result> list =
    if opts.Jobs < 1 then
        invalidArg "opts" (sprintf "RunnerOptions.Jobs must be >= 1, got %d" opts.Jobs)
    if String.IsNullOrWhiteSpace opts.Experiment then
        invalidArg "opts" (sprintf "RunnerOptions.Experiment must name a folder, got %A" opts.Experiment)
    let dir = RunStore.experimentDir opts.OutDir opts.Experiment
    let gate = obj ()
    let log line = lock gate (fun () -> opts.Log line)

    let ids = configs |> List.map RunStore.runId
    let unique = List.zip ids configs |> List.distinctBy fst
    let n = unique.Length
    let outcomes = ConcurrentDictionary<string, Outcome<'result>>()
    let pending = ResizeArray()
    unique
    |> List.iteri (fun i (id, cfg) ->
        match RunStore.tryLoad<'result> dir id with
        | Some (Finished _ as outcome) ->
            outcomes[id] <- outcome
            log (sprintf "[run %d/%d] %s skipped (finished, %s)" (i + 1) n (kind.Label cfg) id)
        | Some (Diverged d as outcome) ->
            outcomes[id] <- outcome
            log (sprintf "[run %d/%d] %s skipped (diverged earlier: %O; delete %s to run it again)" (i + 1) n (kind.Label cfg) d (RunStore.runDir dir id))
        | None -> pending.Add((i, id, cfg)))

    log (sprintf "%s: %d runs, %d done, %d to run with %d jobs (%s)" opts.Experiment n (n - pending.Count) pending.Count opts.Jobs dir)
    let clock = Stopwatch.StartNew()
    let eta = Eta(pending.Count)
    let timing () =
        let elapsed = clock.Elapsed
        let left = lock gate (fun () -> eta.Left elapsed)
        sprintf "elapsed %s left ~%s" (formatDuration elapsed) (left |> Option.map formatDuration |> Option.defaultValue "?")

    let failures = ConcurrentBag<int * RunFailure>()
    let execOne k (i, id, cfg) =
        let name = sprintf "[run %d/%d] %s" (i + 1) n (kind.Label cfg)
        let started = clock.Elapsed
        let folder = RunStore.runDir dir id
        let checkpoints = IO.Path.Combine(folder, "checkpoint")
        // Each run's own lines are kept in its folder too (log.txt), whichever executor ran it.
        let logRun line =
            lock gate (fun () ->
                opts.Log line
                IO.Directory.CreateDirectory folder |> ignore
                IO.File.AppendAllText(IO.Path.Combine(folder, "log.txt"), sprintf "%s %s\n" (DateTime.Now.ToString "yyyy-MM-dd HH:mm:ss") line))
        let finish outcome =
            RunStore.writeOutcome dir id outcome
            outcomes[id] <- outcome
            // The outcome is stored: what the run would have resumed from is no longer needed.
            if IO.Directory.Exists checkpoints then IO.Directory.Delete(checkpoints, true)
        try
            try
                let resuming = IO.Directory.Exists checkpoints && not (Seq.isEmpty (IO.Directory.EnumerateFiles checkpoints))
                RunStore.writeConfig dir id cfg (Provenance.current opts.Device)
                logRun (sprintf "%s %s (%s)" name (if resuming then "resumed from its checkpoint" else "started") id)
                let report (p: Progress) =
                    lock gate (fun () -> eta.Report(k, p))
                    logRun (sprintf "%s %s %d/%d %s=%.3f %s" name kind.Unit p.Done p.Total p.Metric p.Value (timing ()))
                let context = { Report = report; Folder = folder; Checkpoints = checkpoints; CheckpointEvery = opts.CheckpointEvery; SaveInteractions = opts.SaveInteractions
                                Note = fun line -> logRun (sprintf "%s %s" name line) }
                finish (Finished(kind.Execute cfg context))
                logRun (sprintf "%s finished in %s" name (formatDuration (clock.Elapsed - started)))
            with
            | :? TrainingDivergedException as ex ->
                finish (Diverged ex.Divergence)
                logRun (sprintf "%s DIVERGED (%s): %O; stored as diverged, not as a result" name id ex.Divergence)
            | ex ->
                failures.Add((i, { RunId = id; Label = kind.Label cfg; Error = ex }))
                logRun (sprintf "%s FAILED (%s): %s" name id ex.Message)
        finally
            lock gate (fun () -> eta.End k)

    // A fixed set of workers pulling from a queue, rather than one task per run waiting on a
    // semaphore: a sweep of hundreds of runs then never parks hundreds of pool threads.
    let queue = ConcurrentQueue(pending |> Seq.mapi (fun k run -> k, run))
    let worker () =
        let mutable next = Unchecked.defaultof<_>
        while queue.TryDequeue(&next) do
            execOne (fst next) (snd next)
    let workers =
        Array.init (min opts.Jobs (max 1 pending.Count)) (fun _ ->
            Task.Factory.StartNew(worker, TaskCreationOptions.LongRunning))
    Task.WaitAll workers

    if not failures.IsEmpty then
        let failed = failures |> Seq.sortBy fst |> Seq.map snd |> List.ofSeq
        let lines = failed |> List.map (fun f -> sprintf "  %s %s: %s" f.RunId f.Label f.Error.Message)
        let message =
            sprintf "%d of %d runs failed; the other results are saved under %s and a re-run resumes from them:\n%s"
                failed.Length n dir (String.concat "\n" lines)
        raise (RunsFailedException(failed, message))
    List.zip configs ids |> List.map (fun (cfg, id) -> { Config = cfg; RunId = id; Outcome = outcomes[id] })

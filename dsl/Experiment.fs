/// What every experiment script does around its own setup: check every config of a sweep (and the
/// device) before anything trains, run the sweep through the run store, and write the outputs
/// (results.csv, HTML plots, table.md) with one call. A script reads like the paper's setup section:
/// options, configs, `run`, `publish`.
module CommLab.Dsl.Experiment

open System.IO
open Deedle
open XPlot.Plotly
open CommLab.Devices
open CommLab.Training

/// Folder of one profile's outputs: <out>/<experiment>/<profile>/, or <profile>-only-<text>/ for a
/// slice of the sweep (`Cli.outputName`; not created).
let outputPath (o: Cli.Options) (experiment: string) =
    Path.Combine(o.Out, experiment, Cli.outputName o)

/// `outputPath`, created when missing.
let outputDir (o: Cli.Options) (experiment: string) =
    let dir = outputPath o experiment
    Directory.CreateDirectory dir |> ignore
    dir

/// What a sweep produced.
type Results<'cfg, 'result, 'row> =
    { /// The experiment's folder name.
      Experiment: string
      /// Every run with its outcome, in the order of the configs.
      Runs: Runner.RunRecord<'cfg, 'result> list
      /// The rows of every run, diverged ones included (flagged), in run order.
      Rows: 'row list
      /// Each diverged run's label and where it diverged.
      Diverged: (string * Divergence) list }

/// Every problem that stops a sweep before it starts, each prefixed with the label of its config;
/// and the device, once: a CUDA device on a CPU build would otherwise fail every run in turn.
let problems (o: Cli.Options) (kind: ExperimentKind<'cfg, 'result, 'row>) (configs: 'cfg list) : string list =
    let configProblems =
        configs
        |> List.collect (fun c -> kind.Validate c |> List.map (fun p -> sprintf "%s: %s" (kind.Label c) p))
        |> List.distinct
    let device =
        try
            DeviceChoice.Resolve o.Device |> ignore
            []
        with
        | :? System.ArgumentException
        | :? System.InvalidOperationException as e -> [ sprintf "--device: %s" e.Message ]
    configProblems @ device

/// How many runs execute at once: `--jobs` when given; otherwise, on the CPU, one per core (each with
/// one torch thread) when several runs are still to do, because two runs of one thread each finish
/// sooner than one run of two threads after another on a 2-core machine (two-thread regions stall when
/// anything else runs); else 1, which then gets every core. On a GPU, 1: runs would share the device.
let jobsFor (o: Cli.Options) (toDo: int) : int =
    match o.Jobs with
    | Some jobs -> jobs
    | None when toDo > 1 && o.Device = "cpu" -> min toDo System.Environment.ProcessorCount
    | None -> 1

/// The distinct runs of `configs` that have not ended in the store (no `metrics.json`, no `diverged.json`).
let private runsLeft (o: Cli.Options) (experiment: string) (configs: 'cfg list) : 'cfg list =
    let dir = RunStore.experimentDir o.Out experiment
    configs |> List.distinctBy RunStore.runId |> List.filter (fun c -> not (RunStore.hasEnded dir (RunStore.runId c)))

/// What `--plan` says of a sweep: how many distinct runs it has, how many have ended (stored), and the
/// one-core hours the others need by `kind.Cost`, with the wall time that means at `jobs` runs at once
/// (the longest run bounds it from below).
let plan (o: Cli.Options) (experiment: string) (kind: ExperimentKind<'cfg, 'result, 'row>) (configs: 'cfg list) : string list =
    let runs = configs |> List.distinctBy RunStore.runId |> List.length
    let left = runsLeft o experiment configs
    let costs = left |> List.map kind.Cost
    let total = List.sum costs
    let longest = List.fold max 0.0 costs
    let jobs = jobsFor o left.Length
    let duration (seconds: float) =
        if seconds < 60.0 then sprintf "%.0f s" seconds
        elif seconds < 3600.0 then sprintf "%.0f min" (seconds / 60.0)
        else sprintf "%.1f h" (seconds / 3600.0)
    [ sprintf "%s, %s profile: %d runs, %d finished, %d to run." experiment (Cli.profileName o) runs (runs - left.Length) left.Length
      sprintf "Estimated %.1f CPU-hours left, one core per run (the longest run %s), from throughput measured on a 2-core VM (docs/benchmarks.md)."
          (total / 3600.0) (duration longest)
      sprintf "Here, %d at a time: about %s of wall time." jobs (duration (max (total / float jobs) longest)) ]

/// What an experiment that stores no runs (one job that measures or counts and trains nothing) does
/// before its own work: with `--plan` it prints the job's measured time (`Costs.singleJob`) and ends
/// the process; with `--executor slurm` it submits the whole script as one Slurm job
/// (`SlurmArray.submitWhole`) and ends the process; `--run` and `--only` are refused (there are no
/// runs). Otherwise it returns and the script runs here.
let wholeJob (o: Cli.Options) (experiment: string) : unit =
    if o.Run.IsSome || not o.Only.IsEmpty then
        Cli.fail [ sprintf "--run and --only: %s stores no runs (it is one job that trains nothing); leave them out" experiment ]
    if o.Plan then
        let seconds = Costs.singleJob experiment o.Profile
        printfn "%s, %s profile: one job, no stored runs (it trains nothing); about %.0f s on this kind of machine (%.2f CPU-hours; docs/benchmarks.md)."
            experiment (Cli.profileName o) seconds (seconds / 3600.0)
        exit 0
    match o.Executor with
    | Cli.SlurmExecutor request -> SlurmArray.submitWhole o request experiment (outputPath o experiment)
    | Cli.LocalExecutor -> ()

/// The runs of `configs` that `--only` and `--run` select: all of them without either; with `--only`,
/// those whose label contains every text; with `--run`, the one with that id (its array task marks
/// the run's folder as its own). A selection that matches nothing ends the process with code 2.
let private selected (o: Cli.Options) (experiment: string) (kind: ExperimentKind<'cfg, 'result, 'row>) (configs: 'cfg list) : 'cfg list =
    let configs =
        match o.Only with
        | [] -> configs
        | texts ->
            match configs |> List.filter (fun c -> let label = kind.Label c in texts |> List.forall (fun t -> label.Contains t)) with
            | [] ->
                let labels = configs |> List.map kind.Label |> List.distinct
                Cli.fail
                    [ sprintf "--only %s matches none of the %d runs of %s's %s profile; their labels are, e.g.:"
                          (texts |> List.map (sprintf "'%s'") |> String.concat " and ") labels.Length experiment (Cli.profileName o)
                      yield! labels |> List.truncate 8 |> List.map (sprintf "  %s") ]
            | slice -> slice
    match o.Run with
    | None -> configs
    | Some id ->
        match configs |> List.filter (fun c -> RunStore.runId c = id) with
        | [] ->
            let ids = configs |> List.map RunStore.runId |> List.distinct
            Cli.fail
                [ sprintf "--run must be one of the %d run ids of %s's %s profile (with these options), got '%s'; they are:"
                      ids.Length experiment (Cli.profileName o) id
                  String.concat " " ids ]
        | mine ->
            SlurmArray.markStarted o experiment id
            mine

/// With `--executor slurm`: submits the runs still to do as one job array (`SlurmArray.submit`) and
/// ends the process, or with `--wait` waits for it and returns when every run has ended (a run that
/// ended without a result is reported and the process exits with code 1). Returns at once when
/// nothing is left to do, and with the local executor.
let private onCluster (o: Cli.Options) (experiment: string) (kind: ExperimentKind<'cfg, 'result, 'row>) (configs: 'cfg list) : unit =
    match o.Executor with
    | Cli.LocalExecutor -> ()
    | Cli.SlurmExecutor request ->
        let left = runsLeft o experiment configs |> List.map (fun c -> ({ Id = RunStore.runId c; Label = kind.Label c }: SlurmArray.Run))
        if left.IsEmpty then
            printfn "%s: every run has ended; writing the tables and plots here." experiment
        else
            let submitted = SlurmArray.submit o request experiment left
            if not request.Wait then
                printfn "When the array has ended, the same command (with --executor local, or again with slurm) writes the tables and plots: every run is then found finished."
                exit 0
            match SlurmArray.wait o request experiment submitted with
            | [] -> ()
            | failed ->
                SlurmArray.failureReport o experiment failed |> List.iter (eprintfn "%s")
                exit 1

/// Runs `configs` of `kind` after checking all of them and the device (a problem stops everything
/// before any training: the problems are printed and the process exits with code 2); runs already
/// stored are loaded, not re-run. With `--plan` it prints the `plan` and ends the process instead.
/// With `--executor slurm` the runs still to do go to Slurm as one array (`onCluster`) and the sweep
/// continues here only once every run has ended. With `--run <id>` only that run executes and the
/// process ends after it (the tables need the whole sweep). libtorch's threads are shared between
/// the parallel runs (`jobsFor`), or are the cores Slurm gave the task.
/// When runs fail (other than by diverging) the others are saved, the failures are printed, and the
/// process exits with code 1.
let run (o: Cli.Options) (experiment: string) (kind: ExperimentKind<'cfg, 'result, 'row>) (configs: 'cfg list) : Results<'cfg, 'result, 'row> =
    match problems o kind configs with
    | [] -> ()
    | ps -> Cli.fail (sprintf "%s: invalid configuration, nothing was run:" experiment :: (ps |> List.map (sprintf "  - %s")))
    let configs = selected o experiment kind configs
    if o.Plan then
        plan o experiment kind configs |> List.iter (printfn "%s")
        exit 0
    // Before any run: results that cannot be written would otherwise fail each run after its training.
    try
        OutputFile.checkFolder "--out" o.Out
    with :? System.ArgumentException as e ->
        Cli.fail [ e.Message ]
    onCluster o experiment kind configs
    let jobs = jobsFor o (runsLeft o experiment configs).Length
    match o.Run, SlurmArray.allocatedCores () with
    | Some _, Some cores -> Compute.UseThreads cores
    | _ -> Compute.ShareThreadsBetween jobs
    let runner: Runner.RunnerOptions =
        { Experiment = experiment
          OutDir = o.Out
          Jobs = jobs
          Device = o.Device
          CheckpointEvery = System.TimeSpan.FromMinutes o.CheckpointMinutes
          SaveInteractions = o.Interactions
          Log = stdout.WriteLine }
    let runs =
        try
            Runner.run runner kind configs
        with :? Runner.RunsFailedException as e ->
            eprintfn "%s" e.Message
            exit 1
    if o.Run.IsSome then
        printfn "%s: run %s stored; the tables are written by a run of the whole sweep." experiment o.Run.Value
        exit 0
    { Experiment = experiment
      Runs = runs
      Rows = runs |> List.collect (fun r -> kind.Rows r.Config r.Outcome)
      Diverged = runs |> List.choose (fun r -> match r.Outcome with Diverged d -> Some(kind.Label r.Config, d) | Finished _ -> None) }

/// One HTML page of charts in the profile's folder.
type Page =
    { /// File name, e.g. "candidates.html".
      File: string
      /// The page's heading.
      Title: string
      Charts: PlotlyChart list }

/// What a script publishes besides its rows.
type Report =
    { /// The heading of table.md, e.g. "Object game (Quick profile)".
      Title: string
      /// The paragraphs, headings and tables of table.md, in order.
      Body: string list
      /// The HTML pages of plots.
      Pages: Page list }

/// Writes rows as CSV through a Deedle frame (union fields as their case names) and returns the frame.
let saveCsv (path: string) (rows: 'row list) : Frame<int, string> =
    let frame = Frame.ofRecords rows
    frame.SaveCsv(path, includeRowKeys = false)
    frame

/// Loads a results CSV written by `saveCsv`.
let loadCsv (path: string) : Frame<int, string> =
    if not (File.Exists path) then
        raise (FileNotFoundException(sprintf "results file not found: %s (run the experiment first)" path, path))
    Frame.ReadCsv(path, inferTypes = true)

/// The markdown of a report: its title, its body, then (only when some run diverged) a section
/// listing each diverged run with where and how it diverged.
let markdown (report: Report) (diverged: (string * Divergence) list) : string =
    let divergedSection =
        match diverged with
        | [] -> []
        | runs ->
            [ "## Diverged runs"
              sprintf "%d run(s) met a non-finite loss or metric and stopped there; they are counted in the tables above and left out of every mean." runs.Length
              // Divergence prints as "train loss became NaN in epoch 3 (batch 17 of 250)".
              Markdown.table [ "run"; "what happened" ] [ for label, d in runs -> [ label; string d ] ] ]
    sprintf "# %s" report.Title :: report.Body @ divergedSection |> String.concat "\n\n"

/// Writes the outputs of an experiment into `<out>/<experiment>/<profile>/`: `results.csv` (the rows),
/// each HTML page of the report, and `table.md`; prints the table and where it went.
let publishRows (o: Cli.Options) (experiment: string) (rows: 'row list) (diverged: (string * Divergence) list) (report: Report) : unit =
    let dir = outputDir o experiment
    let report =
        match o.Only with
        | [] -> report
        | texts ->
            let slice = sprintf "A slice of the sweep: only the runs whose label contains %s (`--only`)." (texts |> List.map (sprintf "'%s'") |> String.concat " and ")
            { report with Body = slice :: report.Body }
    saveCsv (Path.Combine(dir, "results.csv")) rows |> ignore
    // The page's title names the experiment and the profile: a browser tab or a printout says which run it shows.
    for page in report.Pages do
        Plots.saveHtml (Path.Combine(dir, page.File)) (sprintf "%s (%s, %s profile)" page.Title experiment (Cli.profileName o)) page.Charts
    let table = markdown report diverged
    File.WriteAllText(Path.Combine(dir, "table.md"), table + "\n")
    printfn "%s\nwrote %s" table dir

/// `publishRows` for a sweep's results: its rows and its diverged runs.
let publish (o: Cli.Options) (results: Results<'cfg, 'result, 'row>) (report: Report) : unit =
    publishRows o results.Experiment results.Rows results.Diverged report

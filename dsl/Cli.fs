/// Command-line options shared by every experiment script (Argu).
module CommLab.Dsl.Cli

open Argu
open CommLab.Devices

/// How much of the paper's budget a run uses.
type Profile =
    /// Seconds: a handful of tiny runs, used by the tests.
    | Smoke
    /// Minutes on 2 CPU cores: reduced grids and epochs, shows the paper's qualitative pattern.
    | Quick
    /// The paper's settings (hours on CPU).
    | Paper

/// Where a sweep's runs execute.
type ExecutorName =
    /// In this process, `--jobs` at a time (the default).
    | Local
    /// As one Slurm job array, one array task per run, on the cluster this machine submits to.
    | Slurm

/// A setting that is on or off.
type OnOff =
    | On
    | Off

/// The options every experiment script accepts.
type Arguments =
    | Profile of profile: Profile
    | Seeds of seed: int list
    | Jobs of jobs: int
    | Device of device: string
    | Out of dir: string
    | Checkpoint_Minutes of minutes: float
    | Plan
    | Executor of executor: ExecutorName
    | Partition of name: string
    | Time of limit: string
    | Cpus_Per_Task of cpus: int
    | Mem of memory: string
    | Max_Parallel of tasks: int
    | Account of account: string
    | Gres of gres: string
    | [<EqualsAssignmentOrSpaced>] Sbatch_Arg of option: string
    | Dry_Run
    | Wait
    | Poll_Seconds of seconds: float
    | Run of id: string
    | Only of text: string
    | Interactions of save: OnOff
    | Data of path: string
    | Model of dir: string

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Profile _ -> "budget: smoke (seconds, used by tests), quick (minutes), paper (the paper's settings)."
            | Seeds _ -> "random seeds to run (default: the profile's, 3 seeds for paper)."
            | Jobs _ -> "runs executed in parallel, torch threads split between them (default: on the CPU, one per core, each with one torch thread, when the sweep has several runs to do; otherwise 1, which gets every core)."
            | Device _ -> "cpu (default), cuda or cuda:N; CUDA needs the CUDA libtorch package (docs/setup.md)."
            | Out _ -> "results root folder (default: results)."
            | Checkpoint_Minutes _ -> "least minutes between checkpoints a killed run resumes from (MADDPG at an evaluation, the games after an epoch; default 10, 0: every time)."
            | Plan -> "print the sweep's runs, how many are finished and the CPU-hours the rest need (from measured throughput, docs/benchmarks.md), then stop: nothing runs."
            | Executor _ -> "local (default): run here; slurm: submit the runs still to do as one Slurm job array, one task per run (docs/cluster.md)."
            | Partition _ -> "slurm: the partition (default: the cluster's default)."
            | Time _ -> "slurm: time limit of each task, e.g. 90, 4:00:00, 2-00:00:00 (default: the partition's)."
            | Cpus_Per_Task _ -> "slurm: cores of each task, its torch threads (default 1)."
            | Mem _ -> "slurm: memory of each task, e.g. 4G (default: the cluster's)."
            | Max_Parallel _ -> "slurm: at most this many tasks at once (the array's %K throttle)."
            | Account _ -> "slurm: the account to charge."
            | Gres _ -> "slurm: generic resources of each task, e.g. gpu:1 with --device cuda."
            | Sbatch_Arg _ -> "slurm: one more sbatch option, passed through as written (repeatable), e.g. --sbatch-arg=--qos=long."
            | Dry_Run -> "slurm: print the batch script and the runs it would run; submit and write nothing."
            | Wait -> "slurm: wait for the array (progress from squeue), then write the tables and plots."
            | Poll_Seconds _ -> "slurm: seconds between looks at the queue while waiting (default 30)."
            | Run _ -> "run only the run with this id (a folder name under runs/), as each Slurm array task does."
            | Only _ -> "keep only the sweep's runs whose label (as the log prints it) contains this text (repeatable: all must match); tables go to <profile>-only-<text>/."
            | Data _ -> "Image and sentence games: the paper's data, EGG's signal-game folder (train, val, test) or Banking77's train.csv (default: a synthetic stand-in for smoke and quick; required for paper)."
            | Model _ -> "sentence games: a DistilBERT checkpoint folder (config.json, vocab.txt, model.safetensors; required with --data)."
            | Interactions _ -> "on: each run that finishes saves its evaluation games (target, message, guess) as interactions.csv.gz in its run folder, for the analyse step; off: not (default: on for smoke and quick, off for paper)."

/// Parsed options.
type Options =
    { /// The script's name, e.g. "quantized-heatmap" for experiments/quantized-heatmap.fsx.
      Script: string
      Profile: Profile
      /// None: the profile's default seeds.
      Seeds: int list option
      /// None: one per core when several runs are to do on the CPU (`Experiment.jobsFor`), else 1.
      Jobs: int option
      Device: string
      Out: string
      /// Least minutes between checkpoints of a run (MADDPG at evaluations, the games after epochs).
      CheckpointMinutes: float
      /// Print the plan (runs, finished, CPU-hours left) instead of running.
      Plan: bool
      /// Where the runs execute: here, or as a Slurm job array with these options.
      Executor: Executor
      /// Only this run of the sweep (its run id), as a Slurm array task runs it.
      Run: string option
      /// Only the runs whose label contains every one of these texts (a slice of the sweep); empty: all.
      Only: string list
      /// Runs that finish save their evaluation games (`InteractionFile`) in their folder.
      Interactions: bool
      /// The Image and sentence games' data (`--data`); None: a synthetic stand-in, or an error for paper.
      Data: string option
      /// The sentence games' DistilBERT checkpoint folder (`--model`).
      Model: string option }

/// Where a sweep's runs execute.
and Executor =
    | LocalExecutor
    | SlurmExecutor of SlurmRequest.SlurmRequest

/// Prints `lines` to stderr and ends the process with exit code 2: how every script and command ends
/// on bad input (an option, a config, a file), with the reason and no stack trace.
let fail (lines: string list) : 'a =
    eprintfn "%s" (String.concat "\n" lines)
    exit 2

// Argu's answer to --help (the usage: exit 0) or to a bad option (the problem: exit 2).
let private usageOrFail (e: ArguParseException) : 'a =
    if e.ErrorCode = ErrorCode.HelpText then
        printfn "%s" e.Message
        exit 0
    else
        fail [ e.Message ]

/// Parses a script's own options (not an experiment's: `analyse.fsx`, `export-figures.fsx`), given
/// without the script name: `--help` prints the usage and exits 0; a bad option prints the problem
/// and the usage and exits 2.
let parseOwn<'Args when 'Args :> IArgParserTemplate> (program: string) (argv: string[]) : ParseResults<'Args> =
    let parser = ArgumentParser.Create<'Args>(programName = program)
    try
        parser.ParseCommandLine(argv, raiseOnUsage = true)
    with :? ArguParseException as e ->
        usageOrFail e

/// Parses the script's arguments (fsi.CommandLineArgs without the script name). Prints usage and
/// exits 0 on --help; prints the problem and exits 2 on bad input, before anything runs.
let parse (script: string) (defaultProfile: Profile) (argv: string[]) : Options =
    let parser = ArgumentParser.Create<Arguments>(programName = sprintf "dotnet fsi experiments/%s.fsx" script)
    // Argu answers a value of the wrong type with "unrecognized argument"; name the option and what it takes.
    let numbers =
        [ "--seeds", "whole numbers", (fun (v: string) -> fst (System.Int32.TryParse v)), true
          "--jobs", "a whole number", (fun v -> fst (System.Int32.TryParse v)), false
          "--cpus-per-task", "a whole number", (fun v -> fst (System.Int32.TryParse v)), false
          "--max-parallel", "a whole number", (fun v -> fst (System.Int32.TryParse v)), false
          "--checkpoint-minutes", "a number", (fun v -> fst (System.Double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture))), false
          "--poll-seconds", "a number", (fun v -> fst (System.Double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture))), false ]
    let typeProblems =
        [ for i, a in Array.indexed argv do
              match numbers |> List.tryFind (fun (name, _, _, _) -> name = a) with
              | Some(name, what, ok, many) ->
                  // The option's values: the next token, or (a list) every token up to the next option.
                  let values = argv[i + 1 ..] |> Array.takeWhile (fun v -> not (v.StartsWith "--" && v.Length > 2 && System.Char.IsLetter v[2]))
                  let values = if many then values else Array.truncate 1 values
                  match values |> Array.tryFind (ok >> not) with
                  | Some bad -> yield sprintf "%s takes %s, got '%s'" name what bad
                  | None -> if values.Length = 0 then yield sprintf "%s needs %s" name what
              | None -> () ]
    if not typeProblems.IsEmpty then fail (typeProblems @ [ ""; parser.PrintUsage() ])
    try
        let r = parser.ParseCommandLine(argv, raiseOnUsage = true)
        // Argu keeps the last of a repeated option silently; a repeated single-valued option is a mistake to name.
        let repeated =
            r.GetAllResults()
            |> List.filter (function Only _ | Sbatch_Arg _ -> false | _ -> true)
            |> List.countBy (fun a -> Microsoft.FSharp.Reflection.FSharpValue.GetUnionFields(a, typeof<Arguments>) |> fst |> fun c -> c.Tag)
            |> List.filter (fun (_, n) -> n > 1)
            |> List.map (fun (tag, n) ->
                let name = (Microsoft.FSharp.Reflection.FSharpType.GetUnionCases typeof<Arguments> |> Array.find (fun c -> c.Tag = tag)).Name
                sprintf "--%s is given %d times; give it once" (name.ToLowerInvariant().Replace('_', '-')) n)
        if not repeated.IsEmpty then fail (repeated @ [ ""; parser.PrintUsage() ])
        let options =
            { Script = script
              Profile = r.GetResult(Profile, defaultValue = defaultProfile)
              Seeds = r.TryGetResult Seeds
              Jobs = r.TryGetResult Jobs
              Device = r.GetResult(Device, defaultValue = "cpu")
              Out = r.GetResult(Out, defaultValue = "results")
              CheckpointMinutes = r.GetResult(Checkpoint_Minutes, defaultValue = 10.0)
              Plan = r.Contains Plan
              Executor =
                match r.GetResult(Executor, defaultValue = Local) with
                | Local -> LocalExecutor
                | Slurm ->
                    SlurmExecutor
                        { Partition = r.TryGetResult Partition
                          Time = r.TryGetResult Time
                          CpusPerTask = r.GetResult(Cpus_Per_Task, defaultValue = SlurmRequest.defaults.CpusPerTask)
                          Mem = r.TryGetResult Mem
                          MaxParallel = r.TryGetResult Max_Parallel
                          Account = r.TryGetResult Account
                          Gres = r.TryGetResult Gres
                          SbatchArgs = r.GetResults Sbatch_Arg
                          DryRun = r.Contains Dry_Run
                          Wait = r.Contains Wait
                          PollSeconds = r.GetResult(Poll_Seconds, defaultValue = SlurmRequest.defaults.PollSeconds) }
              Run = r.TryGetResult Run
              Only = r.GetResults Only
              Interactions =
                match r.TryGetResult Interactions with
                | Some On -> true
                | Some Off -> false
                | None -> r.GetResult(Profile, defaultValue = defaultProfile) <> Paper
              Data = r.TryGetResult Data
              Model = r.TryGetResult Model }
        // The Slurm options mean nothing to a local sweep: saying so beats ignoring a typo'd --executor.
        let slurmOnly =
            match options.Executor with
            | SlurmExecutor request ->
                SlurmRequest.problems request
                @ (match options.Run with
                   | Some _ -> [ "--run runs one run here; it cannot be combined with --executor slurm" ]
                   | None -> [])
            | LocalExecutor ->
                r.GetAllResults()
                |> List.choose (fun a ->
                    match a with
                    | Partition _ -> Some "--partition"
                    | Time _ -> Some "--time"
                    | Cpus_Per_Task _ -> Some "--cpus-per-task"
                    | Mem _ -> Some "--mem"
                    | Max_Parallel _ -> Some "--max-parallel"
                    | Account _ -> Some "--account"
                    | Gres _ -> Some "--gres"
                    | Sbatch_Arg _ -> Some "--sbatch-arg"
                    | Dry_Run -> Some "--dry-run"
                    | Wait -> Some "--wait"
                    | Poll_Seconds _ -> Some "--poll-seconds"
                    | _ -> None)
                |> List.map (sprintf "%s applies to --executor slurm only (the executor here is local)")
                |> List.distinct
        // Only the Image and sentence games read data files; elsewhere --data or --model is a mistake to name.
        let dataOptions =
            let reads = script.StartsWith "image-" || script.StartsWith "sent-"
            [ if not reads && options.Data.IsSome then sprintf "--data applies to the Image and sentence games only, not %s" script
              if not (script.StartsWith "sent-") && options.Model.IsSome then sprintf "--model applies to the sentence games only, not %s" script ]
        let runId =
            match options.Run with
            | Some id when not (System.Text.RegularExpressions.Regex.IsMatch(id, "^[0-9a-f]{12}$")) ->
                Some(sprintf "--run must be a run id, 12 hex digits (a folder name under <out>/<experiment>/runs/), got '%s'" id)
            | _ -> None
        match slurmOnly @ dataOptions @ Validation.problems
                  [ (match options.Jobs with Some j -> Validation.atLeast "--jobs" 1 j | None -> None)
                    (if options.CheckpointMinutes >= 0.0 && System.Double.IsFinite options.CheckpointMinutes then None
                     else Some(sprintf "--checkpoint-minutes must be a finite number >= 0, got %g" options.CheckpointMinutes))
                    Validation.oneOf "--device" DeviceChoice.Allowed DeviceChoice.IsValid options.Device
                    (match options.Seeds with Some [] -> Some "--seeds needs at least one seed" | _ -> None)
                    (options.Only |> List.tryFind System.String.IsNullOrWhiteSpace |> Option.map (fun _ -> "--only needs a text to look for in the runs' labels"))
                    runId ] with
        | [] -> options
        | ps -> fail (ps @ [ ""; parser.PrintUsage() ])
    with :? ArguParseException as e ->
        usageOrFail e

/// The output folder's name for the options: the profile ("paper"), or for a slice of the sweep the
/// profile and the texts (`--only Inst` -> "paper-only-Inst"), so a slice never overwrites the whole
/// sweep's tables. Characters that do not belong in a folder name become '-'.
let outputName (o: Options) : string =
    let profile =
        match o.Profile with
        | Smoke -> "smoke"
        | Quick -> "quick"
        | Paper -> "paper"
    match o.Only with
    | [] -> profile
    | texts ->
        let slug = texts |> String.concat "-" |> String.map (fun c -> if System.Char.IsLetterOrDigit c || c = '.' || c = '_' then c else '-')
        sprintf "%s-only-%s" profile slug

/// The profile's name as tables print it: "Smoke", "Quick", "Paper".
let profileName (o: Options) : string =
    match o.Profile with
    | Smoke -> "Smoke"
    | Quick -> "Quick"
    | Paper -> "Paper"

/// The seeds to run: the user's, else the profile's default.
let seeds (o: Options) (profileDefault: int list) = defaultArg o.Seeds profileDefault

/// The command-line arguments that give a local run of the same script the same sweep: profile,
/// seeds, device, results folder (absolute, so the meaning does not depend on the working directory)
/// checkpoint interval and whether runs save their interactions; not the executor, `--jobs`, `--plan` or `--run`. What a Slurm array task
/// runs, with `--run <id>` added.
let sweepArguments (o: Options) : string list =
    [ yield! [ "--profile"; (profileName o).ToLowerInvariant() ]
      match o.Seeds with
      | Some seeds -> yield "--seeds"; yield! seeds |> List.map string
      | None -> ()
      yield! [ "--device"; o.Device ]
      yield! [ "--out"; System.IO.Path.GetFullPath o.Out ]
      yield! [ "--checkpoint-minutes"; o.CheckpointMinutes.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ]
      yield! [ "--interactions"; (if o.Interactions then "on" else "off") ]
      match o.Data with
      | Some path -> yield! [ "--data"; System.IO.Path.GetFullPath path ]
      | None -> ()
      match o.Model with
      | Some dir -> yield! [ "--model"; System.IO.Path.GetFullPath dir ]
      | None -> () ]

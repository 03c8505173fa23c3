/// What a user asks of Slurm when a sweep runs on a cluster (`--executor slurm`): the sbatch options of
/// the job array and how the submitting process behaves (print the script only, wait for the array).
/// Checked once, before anything is submitted, like every other option.
module CommLab.Dsl.SlurmRequest

open System.Text.RegularExpressions

/// The sbatch options and submission behaviour of one sweep's job array.
type SlurmRequest =
    { /// `--partition`; None: the cluster's default partition.
      Partition: string option
      /// `--time`, in one of Slurm's formats ("90", "4:00:00", "2-00:00:00"); None: the partition's default.
      Time: string option
      /// `--cpus-per-task`: cores of each array task, which become its torch threads (default 1, the
      /// one-core-per-run that `--plan`'s CPU-hours assume).
      CpusPerTask: int
      /// `--mem` per task ("4G", "500M"); None: the cluster's default.
      Mem: string option
      /// The array's throttle `%K`: at most K tasks run at once; None: as many as Slurm allows.
      MaxParallel: int option
      /// `--account`; None: the user's default account.
      Account: string option
      /// `--gres`, e.g. "gpu:1" for runs on `--device cuda`; None: no generic resources.
      Gres: string option
      /// Further sbatch options, passed through as written ("--qos=long", "--constraint=avx512").
      SbatchArgs: string list
      /// Print the batch script and the runs it would run, submit nothing, write nothing.
      DryRun: bool
      /// After submitting, wait for the array to end, then write the tables and plots.
      Wait: bool
      /// Seconds between two looks at the queue while waiting.
      PollSeconds: float }

/// The defaults: one core per task, no throttle, the cluster's defaults for everything else.
let defaults =
    { Partition = None
      Time = None
      CpusPerTask = 1
      Mem = None
      MaxParallel = None
      Account = None
      Gres = None
      SbatchArgs = []
      DryRun = false
      Wait = false
      PollSeconds = 30.0 }

// Slurm's time formats (sbatch(1), --time): minutes, minutes:seconds, hours:minutes:seconds,
// days-hours, days-hours:minutes, days-hours:minutes:seconds; and no limit.
let private timeFormat = Regex(@"^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d+|\d+-\d+:\d{1,2}|\d+-\d+:\d{1,2}:\d{1,2}|UNLIMITED|INFINITE)$")

// sbatch(1), --mem: a number with an optional unit suffix K, M, G or T (megabytes without one).
let private memFormat = Regex(@"^\d+[KMGT]?$")

// Names go into `#SBATCH` lines of a shell script: no whitespace, quotes or shell syntax.
let private nameFormat = Regex(@"^[A-Za-z0-9_.:,+=/@-]+$")

/// Every problem with the request, each naming the option, the value and what is allowed.
let problems (r: SlurmRequest) : string list =
    let format (option: string) (allowed: string) (regex: Regex) (value: string option) =
        match value with
        | Some v when not (regex.IsMatch v) -> Some(sprintf "%s must be %s, got '%s'" option allowed v)
        | _ -> None
    let names = "a name of letters, digits and _.:,+=/@-"
    Validation.problems
        [ format "--time" "minutes, minutes:seconds, hours:minutes:seconds, days-hours, days-hours:minutes or days-hours:minutes:seconds (e.g. 90, 4:00:00, 2-00:00:00), or UNLIMITED" timeFormat r.Time
          format "--mem" "a whole number with an optional unit K, M, G or T (e.g. 4G, 500M)" memFormat r.Mem
          format "--partition" names nameFormat r.Partition
          format "--account" names nameFormat r.Account
          format "--gres" names nameFormat r.Gres
          Validation.atLeast "--cpus-per-task" 1 r.CpusPerTask
          (match r.MaxParallel with Some k -> Validation.atLeast "--max-parallel" 1 k | None -> None)
          (if r.PollSeconds > 0.0 && System.Double.IsFinite r.PollSeconds then None
           else Some(sprintf "--poll-seconds must be a finite number > 0, got %g" r.PollSeconds))
          (if r.DryRun && r.Wait then Some "--dry-run and --wait exclude each other: a dry run submits nothing to wait for" else None)
          (r.SbatchArgs
           |> List.tryFind (fun a -> not (a.StartsWith "--") || a.Contains '\n')
           |> Option.map (sprintf "--sbatch-arg must be one sbatch option written as --name or --name=value (e.g. --sbatch-arg=--qos=long), got '%s'")) ]

/// The `#SBATCH` option lines the request sets (the array and the output file are added by the
/// submission).
let sbatchOptions (r: SlurmRequest) : string list =
    [ yield sprintf "--cpus-per-task=%d" r.CpusPerTask
      match r.Partition with Some p -> yield sprintf "--partition=%s" p | None -> ()
      match r.Time with Some t -> yield sprintf "--time=%s" t | None -> ()
      match r.Mem with Some m -> yield sprintf "--mem=%s" m | None -> ()
      match r.Account with Some a -> yield sprintf "--account=%s" a | None -> ()
      match r.Gres with Some g -> yield sprintf "--gres=%s" g | None -> ()
      yield! r.SbatchArgs ]

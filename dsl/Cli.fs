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

/// The options every experiment script accepts.
type Arguments =
    | Profile of profile: Profile
    | Seeds of seed: int list
    | Jobs of jobs: int
    | Device of device: string
    | Out of dir: string
    | Checkpoint_Minutes of minutes: float
    | Plan

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Profile _ -> "budget: smoke (seconds, used by tests), quick (minutes), paper (the paper's settings)."
            | Seeds _ -> "random seeds to run (default: the profile's, 3 seeds for paper)."
            | Jobs _ -> "runs executed in parallel, torch threads split between them (default: on the CPU, one per core, each with one torch thread, when the sweep has several runs to do; otherwise 1, which gets every core)."
            | Device _ -> "cpu (default), cuda or cuda:N; CUDA needs the CUDA libtorch package (docs/setup.md)."
            | Out _ -> "results root folder (default: results)."
            | Checkpoint_Minutes _ -> "least minutes between checkpoints of runs that write them (MADDPG; default 10, 0: at every evaluation)."
            | Plan -> "print the sweep's runs, how many are finished and the CPU-hours the rest need (from measured throughput, docs/benchmarks.md), then stop: nothing runs."

/// Parsed options.
type Options =
    { Profile: Profile
      /// None: the profile's default seeds.
      Seeds: int list option
      /// None: one per core when several runs are to do on the CPU (`Experiment.jobsFor`), else 1.
      Jobs: int option
      Device: string
      Out: string
      /// Least minutes between checkpoints of a run (kinds that checkpoint: MADDPG).
      CheckpointMinutes: float
      /// Print the plan (runs, finished, CPU-hours left) instead of running.
      Plan: bool }

/// Prints `lines` to stderr and ends the process with exit code 2: how every script and command ends
/// on bad input (an option, a config, a file), with the reason and no stack trace.
let fail (lines: string list) : 'a =
    eprintfn "%s" (String.concat "\n" lines)
    exit 2

/// Parses the script's arguments (fsi.CommandLineArgs without the script name). Prints usage and
/// exits 0 on --help; prints the problem and exits 2 on bad input, before anything runs.
let parse (script: string) (defaultProfile: Profile) (argv: string[]) : Options =
    let parser = ArgumentParser.Create<Arguments>(programName = sprintf "dotnet fsi experiments/%s.fsx" script)
    try
        let r = parser.ParseCommandLine(argv, raiseOnUsage = true)
        let options =
            { Profile = r.GetResult(Profile, defaultValue = defaultProfile)
              Seeds = r.TryGetResult Seeds
              Jobs = r.TryGetResult Jobs
              Device = r.GetResult(Device, defaultValue = "cpu")
              Out = r.GetResult(Out, defaultValue = "results")
              CheckpointMinutes = r.GetResult(Checkpoint_Minutes, defaultValue = 10.0)
              Plan = r.Contains Plan }
        match Validation.problems
                  [ (match options.Jobs with Some j -> Validation.atLeast "--jobs" 1 j | None -> None)
                    (if options.CheckpointMinutes >= 0.0 && System.Double.IsFinite options.CheckpointMinutes then None
                     else Some(sprintf "--checkpoint-minutes must be a finite number >= 0, got %g" options.CheckpointMinutes))
                    Validation.oneOf "--device" DeviceChoice.Allowed DeviceChoice.IsValid options.Device
                    (match options.Seeds with Some [] -> Some "--seeds needs at least one seed" | _ -> None) ] with
        | [] -> options
        | ps -> fail (ps @ [ ""; parser.PrintUsage() ])
    with :? ArguParseException as e ->
        if e.ErrorCode = ErrorCode.HelpText then
            printfn "%s" e.Message
            exit 0
        else
            fail [ e.Message ]

/// The profile's name as tables print it: "Smoke", "Quick", "Paper".
let profileName (o: Options) : string =
    match o.Profile with
    | Smoke -> "Smoke"
    | Quick -> "Quick"
    | Paper -> "Paper"

/// The seeds to run: the user's, else the profile's default.
let seeds (o: Options) (profileDefault: int list) = defaultArg o.Seeds profileDefault

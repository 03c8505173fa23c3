/// Glue between a script's options and the runner: validates every config first, splits CPU
/// threads between parallel runs, runs the sweep and writes the rows as CSV.
module CommLab.Dsl.Experiment

open System
open System.IO
open Deedle

/// Folder of one profile's outputs: <out>/<experiment>/<profile>/.
let outputDir (o: Cli.Options) (experiment: string) =
    let dir = Path.Combine(o.Out, experiment, (sprintf "%A" o.Profile).ToLowerInvariant())
    Directory.CreateDirectory dir |> ignore
    dir

/// Runs `configs` after validating all of them (an invalid one stops everything before any
/// training, with every problem listed); finished runs are reused from the run store.
let run (o: Cli.Options) (experiment: string) (validate: 'cfg -> string list) (label: 'cfg -> string)
        (execute: 'cfg -> (Runner.Progress -> unit) -> 'result) (configs: 'cfg list) =
    let problems =
        configs
        |> List.collect (fun c -> validate c |> List.map (fun p -> sprintf "%s: %s" (label c) p))
        |> List.distinct
    if not problems.IsEmpty then raise (Validation.ConfigError problems)
    TorchSharp.torch.set_num_threads (max 1 (Environment.ProcessorCount / o.Jobs))
    Runner.run { Experiment = experiment; OutDir = o.Out; Jobs = o.Jobs; Log = stdout.WriteLine } label execute configs

/// Writes rows as CSV through a Deedle frame and returns the frame.
let saveCsv (path: string) (rows: 'row list) : Frame<int, string> =
    let frame = Frame.ofRecords rows
    frame.SaveCsv(path, includeRowKeys = false)
    frame

/// Loads a results CSV written by `saveCsv`.
let loadCsv (path: string) : Frame<int, string> =
    if not (File.Exists path) then
        raise (FileNotFoundException(sprintf "results file not found: %s (run the experiment first)" path, path))
    Frame.ReadCsv(path, inferTypes = true)

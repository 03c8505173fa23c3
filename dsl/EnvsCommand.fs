/// The `envs` command line: replay a JSON scenario in a grid world, draw a state, list the paper's
/// tasks. The console app in apps/envs calls `run`.
module CommLab.Dsl.EnvsCommand

open System
open System.IO
open Argu
open CommLab.Envs

type ReplayArgs =
    | [<Mandatory>] Task of name: string
    | [<Mandatory>] Scenario of file: string

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Task _ -> "task name as the reference registers it, e.g. Foraging-8x8-2p-2f-coop or rware-tiny-4ag."
            | Scenario _ -> "JSON scenario: {\"settings\": {...}, \"state\": {...}, \"actions\": [[...], ...]} (see docs/envs.md)."

type RenderArgs =
    | [<Mandatory>] Task of name: string
    | State of file: string
    | Seed of seed: int
    | Svg of file: string

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Task _ -> "task name, e.g. rware-tiny-2ag."
            | State _ -> "JSON file in the saved-state format (default: the state after reset with --seed)."
            | Seed _ -> "reset seed when no --state is given (default 0)."
            | Svg _ -> "also write an SVG picture to this file."

type TasksArgs =
    | Markdown

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Markdown -> "print a Markdown table instead of tab-separated lines."

type EnvsArgs =
    | [<CliPrefix(CliPrefix.None)>] Replay of ParseResults<ReplayArgs>
    | [<CliPrefix(CliPrefix.None)>] Render of ParseResults<RenderArgs>
    | [<CliPrefix(CliPrefix.None)>] Tasks of ParseResults<TasksArgs>

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Replay _ -> "step a task from a JSON scenario; print each agent's observation, reward and done as JSON lines."
            | Render _ -> "print a state as text (and optionally write it as SVG)."
            | Tasks _ -> "list the nine tasks of the MADDPG paper's Table 1 with their sizes."

let private readFile (what: string) (path: string) =
    if not (File.Exists path) then raise (FileNotFoundException(sprintf "%s file not found: %s" what path))
    File.ReadAllText path

/// Runs the command with `argv`, writing results to `out` and problems to `err`; returns the exit code
/// (0 done, 2 bad arguments or input). Replay lines already printed stay printed when a later action fails.
let run (argv: string[]) (out: TextWriter) (err: TextWriter) : int =
    Command.run<EnvsArgs> "envs" argv out err (fun args ->
    match args.GetSubCommand() with
    | Replay r ->
        let task = EnvTask.Parse(r.GetResult ReplayArgs.Task)
        let scenario = Scenario.Parse(task, readFile "scenario" (r.GetResult ReplayArgs.Scenario))
        scenario.Replay out
        0
    | Render r ->
        let task = EnvTask.Parse(r.GetResult RenderArgs.Task)
        let seed = r.GetResult(RenderArgs.Seed, 0)
        if seed < 0 then raise (ArgumentException(sprintf "--seed must be >= 0, got %d" seed))
        r.TryGetResult RenderArgs.Svg |> Option.iter (OutputFile.check "--svg")
        use env = task.Create 1
        env.Reset(uint64 seed)
        r.TryGetResult RenderArgs.State |> Option.iter (fun path -> env.RestoreState(0, readFile "state" path))
        out.Write(env.RenderText 0)
        r.TryGetResult RenderArgs.Svg
        |> Option.iter (fun path ->
            let svg = Text.UTF8Encoding(false).GetBytes(env.RenderSvg 0)
            CommLab.Files.AtomicFile.Write(path, fun stream -> stream.Write(svg, 0, svg.Length))
            err.WriteLine(sprintf "wrote %s" path))
        0
    | Tasks t ->
        let rows =
            [ for name in EnvTask.PaperTasks ->
                  let task = EnvTask.Parse name
                  [ task.Name; string task.Agents; string task.ActionCount; string task.ObservationLength ] ]
        let columns = [ "task", Markdown.Left; "agents", Markdown.Right; "actions", Markdown.Right; "observation", Markdown.Right ]
        if t.Contains Markdown then out.Write(Markdown.tableAligned columns rows)
        else
            for cells in List.map fst columns :: rows do
                out.WriteLine(String.Join("\t", cells))
        0)

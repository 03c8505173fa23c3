/// The `sms` command line: solve min(|M|) of games in a file, generate min(|M|)-controlled datasets,
/// and print the min(|M|) distribution of a game shape. The console app in apps/sms calls `run`.
module CommLab.Dsl.SmsCommand

open System
open System.IO
open Argu
open CommLab.Symbolic
open CommLab.Validation

type SolveArgs =
    | [<Mandatory>] Input of file: string

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Input _ -> "games file (one game per line: target index, then each candidate's attribute values; see docs/combinatorial-communication.md)."

type GenerateArgs =
    | [<Mandatory>] Min of symbols: int
    | [<Mandatory>] Games of count: int
    | Seed of seed: int
    | [<Mandatory>] Out of file: string
    | Attributes of count: int
    | Values of count: int
    | Candidates of count: int

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Min _ -> "min(|M|) every generated game must have (paper: 2 or 3)."
            | Games _ -> "number of games to keep (paper: 10000)."
            | Seed _ -> "sampler seed (default 0); the same seed gives the same file on any machine."
            | Out _ -> "file to write (replaced atomically)."
            | Attributes _ -> "|A|, attributes per object (default 20)."
            | Values _ -> "|V|, values per attribute (default 4)."
            | Candidates _ -> "objects per game, target included (default 64)."

type HistogramArgs =
    | Games of count: int
    | Seed of seed: int
    | Attributes of count: int
    | Values of count: int
    | Candidates of count: int

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Games _ -> "games to draw (default 100000)."
            | Seed _ -> "sampler seed (default 0)."
            | Attributes _ -> "|A| (default 20)."
            | Values _ -> "|V| (default 4)."
            | Candidates _ -> "objects per game (default 64)."

type SmsArgs =
    | [<CliPrefix(CliPrefix.None)>] Solve of ParseResults<SolveArgs>
    | [<CliPrefix(CliPrefix.None)>] Generate of ParseResults<GenerateArgs>
    | [<CliPrefix(CliPrefix.None)>] Histogram of ParseResults<HistogramArgs>

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Solve _ -> "print min(|M|) of every game in a file, one per line (0: no distractor differs from the target)."
            | Generate _ -> "sample games with a given min(|M|) and write them to a file."
            | Histogram _ -> "draw uncontrolled games and print how many have each min(|M|)."

let private shapeOf attributes values candidates =
    let shape = GameShape(attributes, values, candidates)
    shape.Validate()
    shape

/// Runs the command with `argv`, writing results to `out` and problems to `err`; returns the exit
/// code (0 done, 2 bad arguments or input). Bad input never leaves a partial output file.
let run (argv: string[]) (out: TextWriter) (err: TextWriter) : int =
    Command.run<SmsArgs> "sms" argv out err (fun args ->
    match args.GetSubCommand() with
    | Solve s ->
        let games = GameFile.Read(s.GetResult SolveArgs.Input)
        for m in games.MinSymbols() do out.WriteLine m
        0
    | Generate g ->
        let shape =
            shapeOf (g.GetResult(GenerateArgs.Attributes, 20)) (g.GetResult(GenerateArgs.Values, 4)) (g.GetResult(GenerateArgs.Candidates, 64))
        let min, count, seed = g.GetResult Min, g.GetResult GenerateArgs.Games, g.GetResult(GenerateArgs.Seed, 0)
        if seed < 0 then raise (ArgumentException(sprintf "--seed must be >= 0, got %d" seed))
        let clock = Diagnostics.Stopwatch.StartNew()
        let sampled = ControlledSampler.Sample(shape, min, count, uint64 seed)
        let path = g.GetResult Out
        GameFile.Write(path, sampled.Games,
            sprintf "min(|M|)=%d controlled sampling (Zhang 2024), seed %d: %d games kept of %d drawn" min seed count sampled.Drawn)
        err.WriteLine(sprintf "wrote %d games with min(|M|) = %d to %s (%d drawn, %.1f s)" count min path sampled.Drawn clock.Elapsed.TotalSeconds)
        0
    | Histogram h ->
        let shape =
            shapeOf (h.GetResult(HistogramArgs.Attributes, 20)) (h.GetResult(HistogramArgs.Values, 4)) (h.GetResult(HistogramArgs.Candidates, 64))
        let games = h.GetResult(HistogramArgs.Games, 100000)
        let seed = h.GetResult(HistogramArgs.Seed, 0)
        if games < 1 then raise (ArgumentException(sprintf "--games must be >= 1, got %d" games))
        if seed < 0 then raise (ArgumentException(sprintf "--seed must be >= 0, got %d" seed))
        let counts = ControlledSampler.Histogram(shape, int64 games, uint64 seed)
        out.WriteLine "min_symbols\tgames\tshare"
        counts |> Array.iteri (fun m n -> if n > 0L then out.WriteLine(sprintf "%d\t%d\t%.4f" m n (float n / float games)))
        0)

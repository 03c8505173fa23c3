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

// "45 s", "12 min", "3.5 h", "2.1e+04 days".
let private duration (seconds: float) =
    if seconds < 90.0 then sprintf "%.0f s" seconds
    elif seconds < 5400.0 then sprintf "%.0f min" (seconds / 60.0)
    elif seconds < 172800.0 then sprintf "%.1f h" (seconds / 3600.0)
    else sprintf "%.2g days" (seconds / 86400.0)

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
        ControlledSampler.MinSymbolsProblems(shape.Attributes, min).Validate()
        if count < 1 then raise (ArgumentException(sprintf "--games must be >= 1, got %d" count))
        // The kept games are held in memory (and then written as text): refuse what cannot fit.
        let bytes = float count * float shape.Candidates * float shape.Attributes
        if bytes > 4e9 then
            raise (ArgumentException(sprintf "--games %d of %d objects x %d attributes would hold %.2g bytes in memory (at most 4e+09); ask for fewer games, or generate several files with different --seed" count shape.Candidates shape.Attributes bytes))
        let path = g.GetResult Out
        // Before minutes of drawing: the file must be one this process can write.
        OutputFile.check "--out" path
        let pilot = ControlledSampler.Pilot(shape, min, uint64 seed)
        let describe () =
            let total = Array.sum pilot.Histogram
            pilot.Histogram |> Array.indexed |> Array.filter (fun (_, n) -> n > 0L)
            |> Array.map (fun (m, n) -> sprintf "%d: %.3g" m (float n / float total)) |> String.concat ", "
        let shapeText = sprintf "|A| = %d, |V| = %d, %d objects" shape.Attributes shape.Values shape.Candidates
        if pilot.Seen = 0L then
            raise (ArgumentException(
                sprintf "--min %d: no game of this shape (%s) had min(|M|) = %d in a pilot of %d draws, so its share is below %.2g (95%% confidence) and %d games would need more than %.3g draws, at least %s here, probably far more. The pilot's shares by min(|M|): %s. Ask for a min(|M|) it saw, or a shape where it is common (`sms histogram` shows the shares)."
                    min shapeText min pilot.Pilot pilot.UpperRate count (float count / pilot.UpperRate)
                    (duration (float count / pilot.UpperRate / pilot.DrawsPerSecond)) (describe ())))
        let expected = pilot.ExpectedDraws count
        if expected > float ControlledSampler.DefaultMaxDraws then
            raise (ArgumentException(
                sprintf "--min %d: min(|M|) = %d is rare for this shape (%s): %d of %d pilot draws (share %.2g), so %d games need about %.3g draws, about %s here, beyond the %.0e draws one call may make. Ask for fewer games, another min(|M|) (pilot shares: %s), or another shape."
                    min min shapeText pilot.Seen pilot.Pilot pilot.Rate count expected (duration (expected / pilot.DrawsPerSecond))
                    (float ControlledSampler.DefaultMaxDraws) (describe ())))
        let seconds = expected / pilot.DrawsPerSecond
        if seconds > 10.0 then
            err.WriteLine(sprintf "drawing about %.3g games to keep %d with min(|M|) = %d (pilot share %.2g): about %s" expected count min pilot.Rate (duration seconds))
        let clock = Diagnostics.Stopwatch.StartNew()
        let mutable last = TimeSpan.Zero
        let progress (p: SamplingProgress) =
            if clock.Elapsed - last >= TimeSpan.FromSeconds 5.0 then
                last <- clock.Elapsed
                let left = if p.Accepted > 0 then clock.Elapsed.TotalSeconds * float (p.Wanted - p.Accepted) / float p.Accepted else nan
                err.WriteLine(sprintf "  drawn %d games, kept %d of %d (%s left)" p.Drawn p.Accepted p.Wanted (if Double.IsNaN left then "?" else duration left))
        let sampled = ControlledSampler.Sample(shape, min, count, uint64 seed, progress = Action<SamplingProgress> progress)
        OutputFile.write "--out" path (fun () ->
            GameFile.Write(path, sampled.Games,
                sprintf "min(|M|)=%d controlled sampling (Zhang 2024), seed %d: %d games kept of %d drawn" min seed count sampled.Drawn))
        err.WriteLine(sprintf "wrote %d games with min(|M|) = %d to %s (%d drawn, %.1f s)" count min path sampled.Drawn clock.Elapsed.TotalSeconds)
        0
    | Histogram h ->
        let shape =
            shapeOf (h.GetResult(HistogramArgs.Attributes, 20)) (h.GetResult(HistogramArgs.Values, 4)) (h.GetResult(HistogramArgs.Candidates, 64))
        let games = h.GetResult(HistogramArgs.Games, 100000)
        let seed = h.GetResult(HistogramArgs.Seed, 0)
        if games < 1 then raise (ArgumentException(sprintf "--games must be >= 1, got %d" games))
        if seed < 0 then raise (ArgumentException(sprintf "--seed must be >= 0, got %d" seed))
        // Large games are slow to draw and solve: say so before the first block ends.
        let blockBytes = ControlledSampler.BlockBytes shape
        if blockBytes >= 1e8 then
            err.WriteLine(sprintf "drawing %d games of %d objects x %d attributes: each block of %d games holds %.2g values, so this takes a while; progress every block" games shape.Candidates shape.Attributes ControlledSampler.BlockSize blockBytes)
        let clock = Diagnostics.Stopwatch.StartNew()
        let mutable last = TimeSpan.Zero
        let progress (drawn: int64) =
            if (clock.Elapsed - last >= TimeSpan.FromSeconds 5.0 || blockBytes >= 1e8) && drawn < int64 games then
                last <- clock.Elapsed
                err.WriteLine(sprintf "  drawn %d of %d games (%s left)" drawn games (duration (clock.Elapsed.TotalSeconds * float (int64 games - drawn) / float drawn)))
        let counts = ControlledSampler.Histogram(shape, int64 games, uint64 seed, Action<int64> progress)
        out.WriteLine "min_symbols\tgames\tshare"
        counts |> Array.iteri (fun m n -> if n > 0L then out.WriteLine(sprintf "%d\t%d\t%.4f" m n (float n / float games)))
        0)

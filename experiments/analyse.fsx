// The language measures of an experiment's stored runs, from the games each saved after training
// (interactions.csv.gz, written by runs of a sweep run with --interactions on, the default for the
// smoke and quick profiles): topographic similarity, posdis, bosdis and message entropy, with any
// distance. Nothing is retrained.
//
//   dotnet fsi experiments/analyse.fsx --experiment object-game-candidates
//   dotnet fsi experiments/analyse.fsx --experiment sms-message-length --message-distance hamming
#load "Load.fsx"

open System.IO
open Argu
open CommLab.Dsl
open CommLab.Metrics

type Arguments =
    | [<Mandatory>] Experiment of name: string
    | Out of dir: string
    | Object_Distance of distance: string
    | Message_Distance of distance: string
    | Max_Games of games: int

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Experiment _ -> "the experiment whose runs to analyse: a folder under --out, e.g. object-game-candidates."
            | Out _ -> "results root folder (default: results)."
            | Object_Distance _ -> "distance between the targets' attribute values (default: hamming)."
            | Message_Distance _ -> "distance between messages (default: the game's own: hamming in the Object game, edit in the Lewis game; euclidean for CN's continuous messages)."
            | Max_Games _ -> "topographic similarity over at most this many games of a run, a seeded sample (default 4000; pairs grow with its square)."

let args = Cli.parseOwn<Arguments> "dotnet fsi experiments/analyse.fsx" (fsi.CommandLineArgs |> Array.skip 1)

let out = args.GetResult(Out, defaultValue = "results")
let experiment = args.GetResult Experiment
let dir = Path.Combine(out, experiment)
if not (Directory.Exists(Path.Combine(dir, "runs"))) then
    let known = if Directory.Exists out then Directory.GetDirectories out |> Array.map Path.GetFileName |> Array.sort |> String.concat ", " else "none"
    Cli.fail [ sprintf "--experiment: no stored runs in %s (the folders under %s are: %s)" (Path.Combine(dir, "runs")) out known ]

// Parsed here rather than by Argu, so a wrong name gets the list of right ones.
let distance (option: string) (name: string) =
    match System.Enum.TryParse<Distance>(name, true) with
    | true, d when System.Enum.IsDefined d && not (System.Char.IsDigit name[0]) -> d
    | _ -> Cli.fail [ sprintf "%s must be one of hamming, edit, euclidean, cosine; got '%s'" option name ]
let objectDistance = args.TryGetResult Object_Distance |> Option.map (distance "--object-distance") |> Option.defaultValue Distance.Hamming
let messageDistance = args.TryGetResult Message_Distance |> Option.map (distance "--message-distance")
let maxGames = args.GetResult(Max_Games, defaultValue = TopographicSimilarity.DefaultMaxRows)
if maxGames < 3 then Cli.fail [ sprintf "--max-games must be at least 3 (topographic similarity needs 2 pairs), got %d" maxGames ]
let analysis = Analyse.analyse objectDistance messageDistance maxGames (eprintfn "warning: %s") dir

let describe =
    sprintf "Distances: %O between the targets' attribute values, %s between messages; topographic similarity over at most %d games per run." objectDistance
        (match messageDistance with Some d -> string d | None -> "each game's own (Hamming in the Object game, edit distance in the Lewis game, Euclidean for continuous messages)") maxGames
let report =
    [ sprintf "# Language of %s's runs" experiment
      ""
      sprintf "From the games each run saved (`%s`), measured by `dotnet fsi experiments/analyse.fsx --experiment %s`. %s" InteractionFile.FileName experiment describe
      ""
      Analyse.table analysis.Runs
      ""
      sprintf "%d run folders have no saved games (trained with `--interactions off`, or not finished)." analysis.WithoutGames.Length ]
    |> String.concat "\n"

let target = Path.Combine(dir, "analysis")
if not analysis.Runs.IsEmpty then
    try
        Directory.CreateDirectory target |> ignore
        CommLab.Files.AtomicFile.Write(Path.Combine(target, "language.md"), fun s -> let b = System.Text.Encoding.UTF8.GetBytes(report + "\n") in s.Write(b, 0, b.Length))
        Experiment.saveCsv (Path.Combine(target, "language.csv")) analysis.Runs |> ignore
    with :? System.IO.IOException | :? System.UnauthorizedAccessException as e ->
        Cli.fail [ sprintf "cannot write the analysis to %s: %s" target e.Message ]
printfn "%s" report
if not analysis.Runs.IsEmpty then printfn "\nwrote %s" target
match analysis.Unreadable with
| [] -> if analysis.Runs.IsEmpty then Cli.fail [ sprintf "no run of %s saved its games: run its sweep with --interactions on (runs already stored keep what they saved; delete a run's folder to train it again)" experiment ]
| bad -> Cli.fail ("These files could not be read (the other runs are analysed above):" :: bad)

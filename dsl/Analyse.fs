/// The language measures of stored runs, computed from the games they saved (`--interactions on`)
/// without retraining: what `experiments/analyse.fsx` runs. Any distance can be chosen, so a user can
/// ask what the measures of a run would be under another definition.
module CommLab.Dsl.Analyse

open System.IO
open CommLab.Metrics

/// The measures of one stored run.
type RunLanguage =
    { RunId: string
      /// The game ("Object game", "Lewis game") and the run's label as its sweep logs it.
      Game: string
      Label: string
      /// Games in the saved file and the share the receiver won.
      Games: int
      Accuracy: float
      TopSim: float
      /// NaN for continuous messages (CN), which have no symbols.
      PosDis: float
      BosDis: float
      Entropy: float }

/// What the analysis of an experiment's run folders found.
type Analysis =
    { Runs: RunLanguage list
      /// Run folders without an interactions file (trained with `--interactions off`, or unfinished).
      WithoutGames: string list
      /// Files that could not be read, each with the reason (naming the file).
      Unreadable: string list }

// The run's game and label from its config.json: the one run type the file reads as (each requires
// all of its own fields, so an Object game config is no Lewis game config).
let private describe (configPath: string) =
    let text = File.ReadAllText configPath
    try
        let r = Json.deserialize<ObjectGame.Run> text
        "Object game", ObjectGame.label r
    with _ ->
        try
            let r = Json.deserialize<LewisGame.Run> text
            "Lewis game", LewisGame.label r
        with _ -> "unknown game", "(config.json is neither an Object game nor a Lewis game run)"

/// Measures every run of `experimentDir` (`<out>/<experiment>`) that saved its games. `messageDistance`
/// None uses each game's own (Hamming in the Object game, edit distance in the Lewis game);
/// continuous messages always use `messageDistance` when given, else Euclidean.
/// Topographic similarity uses at most `maxGames` games of a run (a seeded sample); `warn` hears of
/// runs whose distances take minutes (edit distance over long messages).
let analyse (objectDistance: Distance) (messageDistance: Distance option) (maxGames: int) (warn: string -> unit) (experimentDir: string) : Analysis =
    let runsDir = Path.Combine(experimentDir, "runs")
    let folders = if Directory.Exists runsDir then Directory.GetDirectories runsDir |> Array.sort |> List.ofArray else []
    let results =
        [ for folder in folders ->
              let id = Path.GetFileName folder
              let file = Language.interactionsPath folder
              if not (File.Exists file) then Choice2Of3 id
              else
                  try
                      let games = InteractionFile.Read file
                      let game, label =
                          let config = Path.Combine(folder, "config.json")
                          if File.Exists config then describe config else "unknown game", "(no config.json)"
                      let own = if game = "Lewis game" then Distance.Edit else Referential.messageDistance
                      let distance =
                          match games.Kind, messageDistance with
                          | _, Some d -> System.Nullable d
                          | MessageKind.Symbols, None -> System.Nullable own
                          | _, None -> System.Nullable()
                      let steps = games.TopographicSteps((if distance.HasValue then distance.Value else Distance.Euclidean), maxGames)
                      // About 10^8 simple steps a second on one core.
                      if steps > 1e10 then
                          warn (sprintf "run %s: topographic similarity over %d games of %.0f symbols takes about %.0f minutes with %O distances; --max-games or another --message-distance cuts it"
                                    id (min maxGames games.Games.Count) (games.Games |> Seq.averageBy (fun g -> float g.Message.Length)) (steps / 1e8 / 60.0) distance.Value)
                      let m = games.Measures(objectDistance, distance, maxGames)
                      let orNaN (x: System.Nullable<float>) = if x.HasValue then x.Value else nan
                      Choice1Of3
                          { RunId = id; Game = game; Label = label; Games = games.Games.Count; Accuracy = games.Accuracy
                            TopSim = m.TopographicSimilarity; PosDis = orNaN m.PositionalDisentanglement
                            BosDis = orNaN m.BagOfSymbolsDisentanglement; Entropy = orNaN m.Entropy }
                  with
                  | :? InvalidDataException as e -> Choice3Of3 e.Message
                  | :? System.ArgumentException as e -> Choice3Of3(sprintf "%s: %s" file e.Message) ]
    { Runs = results |> List.choose (function Choice1Of3 r -> Some r | _ -> None)
      WithoutGames = results |> List.choose (function Choice2Of3 id -> Some id | _ -> None)
      Unreadable = results |> List.choose (function Choice3Of3 e -> Some e | _ -> None) }

/// One row per run: id, game, label, games, accuracy and the measures.
let table (runs: RunLanguage list) =
    let number digits (x: float) = if System.Double.IsNaN x then Markdown.missing else Markdown.decimals digits x
    Markdown.table
        [ "run"; "game"; "label"; "games"; "accuracy"; "topsim"; "posdis"; "bosdis"; "entropy (bits)" ]
        [ for r in runs ->
              [ r.RunId; r.Game; r.Label; string r.Games; number 3 r.Accuracy; number 3 r.TopSim; number 3 r.PosDis; number 3 r.BosDis; number 2 r.Entropy ] ]

/// The games a run played after training (interactions): what the trainers return, the file they are
/// saved in, and the reader's answers to files that are not such a file.
module CommLab.Tests.InteractionsTests

open System
open System.IO
open System.IO.Compression
open Expecto
open CommLab.Channels
open CommLab.Estimators
open CommLab.Games
open CommLab.Metrics
open CommLab.Optim
open CommLab.Symbolic
open CommLab.Training

let private symbols =
    Interactions(MessageKind.Symbols,
        [| Interaction(0, 3, [| 0; 2; 1 |], [| 4.0; 17.0 |], 3, true)
           Interaction(1, 0, [| 3; 3; 0 |], [||], 2, false) |])

let private continuous =
    Interactions(MessageKind.Continuous, [| Interaction(7, 7, [| 1; 0 |], [| 0.1; 1.0 / 3.0; -2.5e-7 |], 7, true) |])

let private same (a: Interactions) (b: Interactions) =
    Expect.equal b.Kind a.Kind "kind"
    Expect.equal b.Games.Count a.Games.Count "games"
    for x, y in Seq.zip a.Games b.Games do
        Expect.equal (y.Game, y.Target, y.Guess, y.Correct) (x.Game, x.Target, x.Guess, x.Correct) "game, target, guess, correct"
        Expect.sequenceEqual y.Attributes x.Attributes "attributes"
        Expect.sequenceEqual y.Message x.Message "message, exactly"

/// Writes `lines` gzipped, as a broken or foreign interactions file.
let private gzipLines (path: string) (lines: string list) =
    use file = File.Create path
    use zip = new GZipStream(file, CompressionLevel.Fastest)
    use writer = new StreamWriter(zip)
    for l in lines do writer.WriteLine l

let private readError (path: string) =
    try
        InteractionFile.Read path |> ignore
        "read without error"
    with
    | :? InvalidDataException as e -> e.Message
    | :? FileNotFoundException as e -> e.Message

// Object game: 4 x 4 objects (25 test targets), every object a candidate at the last count.
let private objectRun mode =
    let alphabet, word, phase = (match mode with ChannelMode.Gumbel -> 8, 8, QuantizePhase.TrainAndInference | _ -> 5, 6, QuantizePhase.InferenceOnly)
    let channel = ChannelSpec(mode, ChannelArchitecture.Recurrent, alphabet, word, 2, phase, EstimatorSpec.Stgs 1.0, 16, 16)
    ObjectGameRun(channel, 4, 4, 1e-2, 32, 2, 2, Nullable 20, Nullable(), [| 2; 256 |], 2, 1, 0, "cpu")

let private games = lazy (ControlledSampler.Sample(GameShape(3, 4, 4), 1, 600, 3UL).Games)

let tests =
    testList "interactions" [
        test "symbols and continuous messages round-trip through the file exactly" {
            use dir = new TempDir()
            for name, games in [ "symbols", symbols; "continuous", continuous ] do
                let path = Path.Combine(dir.Path, name + ".csv.gz")
                InteractionFile.Write(path, games)
                same games (InteractionFile.Read path)
        }

        test "the file is gzipped CSV with two comment lines, readable by any CSV tool" {
            use dir = new TempDir()
            let path = Path.Combine(dir.Path, InteractionFile.FileName)
            InteractionFile.Write(path, symbols)
            use zip = new GZipStream(File.OpenRead path, CompressionMode.Decompress)
            let lines = (new StreamReader(zip)).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            Expect.sequenceEqual lines [| "# CommLab interactions v1"; "# message: symbols"; "game,target,attributes,message,guess,correct"; "0,3,0 2 1,4 17,3,1"; "1,0,3 3 0,,2,0" |] "the documented layout"
        }

        test "a file that is not an interactions file is refused with its path, line and what was expected" {
            use dir = new TempDir()
            let path name = Path.Combine(dir.Path, name)
            File.WriteAllText(path "plain.csv.gz", "game,target\n1,2\n")
            Expect.stringContains (readError (path "plain.csv.gz")) "not a gzip file or cut short" "not gzip"
            gzipLines (path "foreign.csv.gz") [ "a,b,c" ]
            Expect.stringContains (readError (path "foreign.csv.gz")) (sprintf "%s: line 1: expected '# CommLab interactions v1'" (path "foreign.csv.gz")) "foreign CSV"
            gzipLines (path "kind.csv.gz") [ "# CommLab interactions v1"; "# message: pictures" ]
            Expect.stringContains (readError (path "kind.csv.gz")) "line 2: expected '# message: symbols' or '# message: continuous', got '# message: pictures'" "unknown kind"
            gzipLines (path "cells.csv.gz") [ "# CommLab interactions v1"; "# message: symbols"; "game,target,attributes,message,guess,correct"; "0,3,0 2 1,4 17,3" ]
            Expect.stringContains (readError (path "cells.csv.gz")) "line 4: expected 6 comma-separated cells" "short row"
            gzipLines (path "symbol.csv.gz") [ "# CommLab interactions v1"; "# message: symbols"; "game,target,attributes,message,guess,correct"; "0,3,0 2 1,4 1.5,3,1" ]
            Expect.stringContains (readError (path "symbol.csv.gz")) "line 4: symbols must be integers, got '4 1.5'" "fractional symbol"
            gzipLines (path "correct.csv.gz") [ "# CommLab interactions v1"; "# message: symbols"; "game,target,attributes,message,guess,correct"; "0,3,0 2 1,4,3,yes" ]
            Expect.stringContains (readError (path "correct.csv.gz")) "line 4: correct must be 0 or 1, got 'yes'" "bad flag"
            Expect.stringContains (readError (path "missing.csv.gz")) (path "missing.csv.gz") "a missing file is named"
        }

        test "the Lewis game returns its validation games as played after the last epoch" {
            let run = LewisGameRun(LewisGameSpec(12, 8, 3, 64, 16, EstimatorSpec.Stgs(1.0)), OptimizerKind.ScheduleFreeAdamW, ScheduleFreeOptions(LearningRate = 0.01), 32, 3, 1, "cpu")
            let validation = games.Value.Slice(400, 200)
            let result = LewisGameTrainer.Train(run, games.Value.Slice(0, 400), validation)
            let final = result.Final
            let last = (Array.last result.History).Validation
            Expect.equal final.Games.Count 200 "one per validation game"
            Expect.equal final.Kind MessageKind.Symbols "symbols"
            Expect.floatClose Accuracy.veryHigh final.Accuracy last.Accuracy "the last epoch's accuracy"
            Expect.equal (final.Games |> Seq.map (fun g -> String.Join(",", g.Symbols)) |> Seq.distinct |> Seq.length) last.UniqueMessages "its distinct messages"
            Expect.floatClose Accuracy.veryHigh (final.Games |> Seq.averageBy (fun g -> float g.Message.Length)) last.MeanLength "its mean length"
            for g in final.Games do
                Expect.isTrue (g.Message.Length <= 3 && g.Symbols |> Array.forall (fun s -> s >= 1 && s < 8)) "content symbols only, at most L, no EOS"
                Expect.equal g.Target (validation.Target g.Game) "the game's target"
                let row = validation.Game(g.Game).Slice(g.Target * 3, 3).ToArray() |> Array.map int
                Expect.sequenceEqual g.Attributes row "the target's attribute values"
                Expect.equal g.Correct (g.Guess = g.Target) "correct means the guess is the target"
        }

        test "the Object game returns its test games: QT levels, GS categories, CN values" {
            for mode in [ ChannelMode.Quantized; ChannelMode.Gumbel; ChannelMode.Continuous ] do
                let run = objectRun mode
                let result = ObjectGameTrainer.Train run
                let final = result.Final
                Expect.equal final.Games.Count result.TestTargets (sprintf "%O: one per test target" mode)
                Expect.floatClose Accuracy.veryHigh final.Accuracy result.TestAccuracy[1] (sprintf "%O: the accuracy with every object a candidate" mode)
                Expect.equal (final.Games |> Seq.map (fun g -> String.Join(",", g.Message)) |> Seq.distinct |> Seq.length) result.TestMessages (sprintf "%O: NoUM" mode)
                let world = CommLab.Data.ObjectWorld(4, 4)
                for g in final.Games do
                    Expect.sequenceEqual g.Attributes (world.AttributesOf g.Target) "the target's attributes"
                    match mode with
                    | ChannelMode.Quantized ->
                        Expect.equal final.Kind MessageKind.Symbols "QT: symbols"
                        Expect.equal g.Message.Length 12 "QT: 2 words x 6 elements"
                        Expect.isTrue (g.Symbols |> Array.forall (fun s -> s >= 0 && s < 5)) "QT: levels 0..4"
                    | ChannelMode.Gumbel ->
                        Expect.equal final.Kind MessageKind.Symbols "GS: symbols"
                        Expect.equal g.Message.Length 2 "GS: one category per word"
                        Expect.isTrue (g.Symbols |> Array.forall (fun s -> s >= 0 && s < 8)) "GS: categories 0..7"
                    | _ ->
                        Expect.equal final.Kind MessageKind.Continuous "CN: values"
                        Expect.equal g.Message.Length 12 "CN: 2 words x 6 values"
                        Expect.isTrue (g.Message |> Array.forall (fun v -> v >= 0.0 && v <= 1.0)) "CN: normalized to [0,1]"
        }
    ]

/// The Image game's parts: EGG's informed sender computes what its layers say, distractors come from
/// distinct classes other than the target's, uniformly, and the receiver cannot use where the target sits.
module CommLab.Tests.ImageGameTests

open System
open Expecto
open TorchSharp
open CommLab.Agents
open CommLab.Channels
open CommLab.Data
open CommLab.Estimators
open CommLab.Games

let private floats (t: torch.Tensor) = t.contiguous().data<float32>().ToArray()

let private sigmoid (x: float) = 1.0 / (1.0 + exp -x)

let tests =
    testList "image game" [
        test "the informed sender embeds each image, mixes the positions per filter, merges the filters and scales" {
            let g, f, e, h, out = 3, 5, 4, 2, 6
            use sender = InformedSender(g, f, e, h, out)
            let p = sender.state_dict()
            let embed = p["embed.weight"] |> floats        // [e, f]
            let mix = p["mix.weight"] |> floats            // [h, 1, g, 1]
            let merge = p["merge.weight"] |> floats        // [1, 1, h, 1]
            let output = p["output.weight"] |> floats      // [out, e]
            let gen = new torch.Generator(5UL)
            use view = torch.rand([| 2L; int64 g; int64 f |], generator = gen)
            let x = floats view
            let actual = floats (sender.forward view)
            for b in 0 .. 1 do
                // The same layers written out as sums.
                let emb = Array.init g (fun i -> Array.init e (fun k -> Seq.sum (seq { for j in 0 .. f - 1 -> float embed[k * f + j] * float x[(b * g + i) * f + j] })))
                let maps = Array.init h (fun c -> Array.init e (fun k -> sigmoid (Seq.sum (seq { for i in 0 .. g - 1 -> float mix[c * g + i] * emb[i][k] }))))
                let merged = Array.init e (fun k -> sigmoid (Seq.sum (seq { for c in 0 .. h - 1 -> float merge[c] * maps[c][k] })))
                for o in 0 .. out - 1 do
                    let expected = Seq.sum (seq { for k in 0 .. e - 1 -> float output[o * e + k] * merged[k] })
                    Expect.floatClose { absolute = 1e-5; relative = 1e-5 } (float actual[b * out + o]) expected (sprintf "game %d, output %d" b o)
            Expect.equal (p.Keys |> Seq.sort |> List.ofSeq) [ "embed.weight"; "merge.weight"; "mix.weight"; "output.weight" ] "no biases, as in EGG"
        }
        test "the informed sender refuses a view of another size, naming both" {
            use sender = InformedSender(4, 3, 2, 2, 2)
            use view = torch.zeros(1L, 3L, 3L)
            let e = Expect.throwsC (fun () -> sender.forward view |> ignore) (fun e -> e.Message)
            Expect.equal e "the informed sender sees 4 images per game, got 3" "the message"
        }
        test "distractors are distinct classes, never the target's, one image each" {
            // 40 images of 8 classes (class c holds images 5c..5c+4), ids not starting at 0.
            use classes = torch.tensor([| for i in 0L .. 39L -> 100L + i / 5L |])
            use draws = new ClassDistractors(classes)
            Expect.equal (draws.Classes, draws.MostDistractors) (8, 7) "8 classes, 7 possible distractors"
            let gen = new torch.Generator(3UL)
            use targets = torch.tensor([| 0L; 7L; 39L; 22L |])
            for _ in 1 .. 50 do
                use rows = draws.Draw(targets, 7, gen)
                let r = rows.data<int64>().ToArray()
                for b, t in Seq.indexed [ 0; 7; 39; 22 ] do
                    let drawn = r[b * 7 .. b * 7 + 6] |> Array.map (fun i -> i / 5L)
                    Expect.equal (Array.distinct drawn).Length 7 "distinct classes"
                    Expect.isFalse (Array.contains (int64 t / 5L) drawn) "none of the target's class"
        }
        test "distractor classes and their images are drawn uniformly" {
            use classes = torch.tensor([| for i in 0L .. 39L -> i / 10L |])  // 4 classes of 10 images
            use draws = new ClassDistractors(classes)
            let gen = new torch.Generator(11UL)
            use targets = torch.zeros([| 20000L |], dtype = torch.int64)       // image 0, class 0
            use rows = draws.Draw(targets, 1, gen)
            let r = rows.data<int64>().ToArray()
            let share c = float (r |> Array.filter (fun i -> i / 10L = c) |> Array.length) / 20000.0
            for c in 1L .. 3L do Expect.floatClose { absolute = 0.02; relative = 0.0 } (share c) (1.0 / 3.0) (sprintf "class %d a third of the time" c)
            let image i = float (r |> Array.filter ((=) i) |> Array.length) / 20000.0
            for i in 10L .. 39L do Expect.floatClose { absolute = 0.01; relative = 0.0 } (image i) (1.0 / 30.0) (sprintf "image %d" i)
        }
        test "asking for more distractors than other classes names the limit" {
            use classes = torch.tensor([| 0L; 0L; 1L; 2L |])
            use draws = new ClassDistractors(classes)
            use targets = torch.tensor([| 0L |])
            let e = Expect.throwsC (fun () -> draws.Draw(targets, 3, null) |> ignore) (fun e -> e.Message)
            Expect.equal e "distractors per game must be in 1..2 (the pool's classes but the target's), got 3" "the message"
        }
        test "the receiver scores each candidate alone: reordering the distractors leaves the loss" {
            let spec = ChannelSpec(ChannelMode.Continuous, ChannelArchitecture.Instant, 2, 8, 1, QuantizePhase.InferenceOnly, EstimatorSpec.Relaxed 1.0, 8, 8)
            use game = ReferentialGame.ForImages(spec, 5, 6, 4, 3, null)
            let gen = new torch.Generator(2UL)
            use view = torch.rand([| 3L; 5L; 6L |], generator = gen)
            use reordered = view.index_select(1L, torch.tensor([| 0L; 3L; 1L; 4L; 2L |]))
            let a = game.LossOverSets(view, view).item<float32>()
            let b = game.LossOverSets(view, reordered).item<float32>()
            Expect.floatClose Accuracy.high (float a) (float b) "same loss"
            use first = view.index_select(1L, torch.tensor([| 1L; 0L; 2L; 3L; 4L |]))
            Expect.notEqual (game.LossOverSets(view, first).item<float32>()) a "but the target must come first"
        }
    ]

/// A QT-Instant run on a stand-in of 12 concepts (features of 64), games of 6 images.
let private run (folder: string) epochs seed =
    let spec = ChannelSpec(ChannelMode.Quantized, ChannelArchitecture.Instant, 4, 16, 1, QuantizePhase.InferenceOnly, EstimatorSpec.Relaxed 1.0, 16, 16)
    CommLab.Training.ImageGameRun(spec, folder, 200, 40, 40, 6, 16, 4, 1e-2, 16, epochs, epochs, [| 2; 4; 6 |], 6, seed, 0, "cpu")

let training =
    testSequenced <| testList "image game training" [
        test "trains above chance on a stand-in, reproducibly" {
            use dir = new TempDir()
            StandIns.WriteImageGameData(dir.Path, 12, 20, 5, 64, 7)
            // The losses sit near ln 6 for about 10 epochs before the sender finds the target's position;
            // the run stops at the first epoch with validation accuracy 1 (about 20 with seed 1).
            let a = CommLab.Training.ImageGameTrainer.Train(run dir.Path 40 1)
            // Chance is 1/k with k candidates; the stand-in's classes are well apart.
            Expect.isGreaterThan a.TestAccuracy[0] 0.9 "2 candidates"
            Expect.isGreaterThan a.TestAccuracy[2] 0.6 "6 candidates"
            Expect.isTrue (a.TestAccuracy[0] >= a.TestAccuracy[1] && a.TestAccuracy[1] >= a.TestAccuracy[2]) "fewer found among more candidates"
            Expect.equal a.TestTargets 40 "40 test targets"
            Expect.equal a.Final.Games.Count 40 "one game each"
            Expect.floatClose Accuracy.veryHigh a.Final.Accuracy a.TestAccuracy[2] "the games are the test at 6 candidates"
            let b = CommLab.Training.ImageGameTrainer.Train(run dir.Path 40 1)
            Expect.sequenceEqual (b.History |> Array.map (fun h -> h.TrainLoss)) (a.History |> Array.map (fun h -> h.TrainLoss)) "the same losses"
            Expect.sequenceEqual b.TestAccuracy a.TestAccuracy "the same accuracies"
        }
        test "a data folder without a validation folder names what is missing" {
            use dir = new TempDir()
            StandIns.WriteImageFolder(IO.Path.Combine(dir.Path, "train"), 8, 5, 8, 1)
            StandIns.WriteImageFolder(IO.Path.Combine(dir.Path, "test"), 8, 5, 8, 2)
            let e = Expect.throwsC (fun () -> CommLab.Training.ImageGameTrainer.Train(run dir.Path 1 1) |> ignore) (fun e -> e.Message)
            Expect.stringContains e "lacks the folder(s) val or valid or validation" "names the folder"
            Expect.stringContains e "https://dl.fbaipublicfiles.com/signaling_game_data" "and where the data comes from"
        }
        test "too few classes for the game size is refused before training" {
            use dir = new TempDir()
            StandIns.WriteImageGameData(dir.Path, 5, 60, 10, 8, 1)
            let e = Expect.throwsC (fun () -> CommLab.Training.ImageGameTrainer.Train(run dir.Path 1 1) |> ignore) (fun e -> e.Message)
            Expect.stringContains e "the train targets cover 5 classes, too few for games of 6 images" "the message"
        }
        test "candidate counts above the game size are refused, naming both" {
            let r = run "x" 1 1
            let bad = CommLab.Training.ImageGameRun(r.Channel, "x", 1, 1, 1, 6, 16, 4, 1e-2, 16, 1, 1, [| 2; 10 |], 6, 1, 0, "cpu")
            Expect.contains (bad.Problems()) "candidate counts must be in 2..6 (the game size), got 10" "the problem"
        }
    ]

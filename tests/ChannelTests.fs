/// Channels in every mode and architecture: message shapes, what a word looks like in training and in
/// evaluation, and that the sender's gradient survives the discretization.
module CommLab.Tests.ChannelTests

open System
open Expecto
open TorchSharp
open CommLab.Channels
open CommLab.Estimators
open CommLab.Data
open CommLab.Games
open CommLab.Tests.TensorValues

let private alphabet = 4
let private hidden = 8

/// A small channel: GS words are one-hot (word length = alphabet), other words have 6 elements;
/// Instant channels send one word, Recurrent ones three.
let private specOf mode arch phase straightThrough =
    let word = if mode = ChannelMode.Gumbel then alphabet else 6
    let words = if arch = ChannelArchitecture.Instant then 1 else 3
    ChannelSpec(mode, arch, alphabet, word, words, phase, (if straightThrough then EstimatorSpec.Stgs 1.0 else EstimatorSpec.Relaxed 1.0), hidden, hidden)

let private spec mode arch = specOf mode arch QuantizePhase.TrainAndInference false

/// 2 attributes x 4 values: 16 objects with 8 one-hot features.
let private world = ObjectWorld(2, 4)

/// A fresh game and its objects' features; `noise` is seeded so Gumbel words are reproducible.
let private game (s: ChannelSpec) =
    let features = world.Features torch.CPU
    ReferentialGame.ForObjects(world, s, new torch.Generator(11UL)), features

/// The messages for every object, with the game in training or evaluation mode.
let private messages (s: ChannelSpec) (training: bool) =
    let g, features = game s
    g.train training
    use _ = torch.no_grad()
    g.Send features

let private modes = [ ChannelMode.Continuous; ChannelMode.Gumbel; ChannelMode.Quantized ]
let private architectures = [ ChannelArchitecture.Instant; ChannelArchitecture.Recurrent ]

let private senderWeightGrad (s: ChannelSpec) =
    let g, features = game s
    g.train true
    use ids = torch.arange(int64 world.Count)
    use loss = g.Loss(features, ids, Nullable(), null)
    loss.backward()
    let named = g.named_parameters() |> Seq.map (fun struct (name, p) -> name, p) |> Map.ofSeq
    match Map.tryFind "senderAgent.weight" named with
    | Some w -> gradient w
    | None -> failtestf "the sender agent's weight is registered as senderAgent.weight; found %A" (Map.keys named |> List.ofSeq)

let tests =
    testList "Channels" [
        testList "Send gives [B, M, W] and Receive gives [B, H]" [
            for mode in modes do
                for arch in architectures ->
                    test (sprintf "%A %A" mode arch) {
                        let s = spec mode arch
                        let g, features = game s
                        use message = g.Send features
                        Expect.sequenceEqual message.shape [| int64 world.Count; int64 s.MessageLength; int64 s.WordLength |]
                            "one message of MessageLength words of WordLength elements per target"
                        use decoded = g.Receive message
                        Expect.sequenceEqual decoded.shape [| int64 world.Count; int64 s.EncodingSize |]
                            "the receiver turns each message into one vector of the agents' size"
                    }
        ]

        testList "QT TrainAndInference sends words on the grid in training and in evaluation" [
            for arch in architectures do
                for training in [ true; false ] ->
                    test (sprintf "%A, training=%b" arch training) {
                        let off = floats (messages (spec ChannelMode.Quantized arch) training) |> Array.filter (onGrid alphabet >> not)
                        Expect.isEmpty off "quantization in both phases: every element is k/(a-1)"
                    }
        ]

        testList "QT InferenceOnly sends continuous words in training and quantized ones in evaluation" [
            for arch in architectures ->
                test (sprintf "%A" arch) {
                    let s = specOf ChannelMode.Quantized arch QuantizePhase.InferenceOnly false
                    let trained = floats (messages s true)
                    let offGrid = trained |> Array.filter (onGrid alphabet >> not)
                    Expect.isGreaterThan offGrid.Length (trained.Length / 4) "in training the normalized word is not rounded"
                    let off = floats (messages s false) |> Array.filter (onGrid alphabet >> not)
                    Expect.isEmpty off "in evaluation the word is quantized like TrainAndInference"
                }
        ]

        testList "the sender agent gets a gradient through the quantizer" [
            for arch in architectures ->
                test (sprintf "QT TrainAndInference %A" arch) {
                    let grad = senderWeightGrad (spec ChannelMode.Quantized arch)
                    Expect.isGreaterThan (grad |> Array.sumBy abs) 1e-6f
                        "rounding has zero derivative; the straight-through estimator must carry the loss back to the sender"
                }
        ]

        test "the sender agent gets a gradient through a straight-through Gumbel word" {
            let grad = senderWeightGrad (specOf ChannelMode.Gumbel ChannelArchitecture.Instant QuantizePhase.TrainAndInference true)
            Expect.isGreaterThan (grad |> Array.sumBy abs) 1e-6f "the one-hot forward keeps the relaxed gradient"
        }

        testList "GS with straight-through sends one-hot words in training" [
            for arch in architectures ->
                test (sprintf "%A" arch) {
                    let s = specOf ChannelMode.Gumbel arch QuantizePhase.TrainAndInference true
                    let notOneHot = rows (messages s true) |> Array.filter (isOneHot >> not)
                    Expect.isEmpty notOneHot "hard Gumbel-Softmax words are one-hot in the forward pass"
                }
        ]

        testList "GS sends one-hot words in evaluation and relaxed ones in training" [
            for arch in architectures ->
                test (sprintf "%A" arch) {
                    let s = spec ChannelMode.Gumbel arch
                    let evaluated = rows (messages s false)
                    Expect.isEmpty (evaluated |> Array.filter (isOneHot >> not)) "evaluation sends one-hot(argmax)"
                    let relaxed = rows (messages s true)
                    for row in relaxed do
                        Expect.floatClose Accuracy.medium (float (Array.sum row)) 1.0 "a relaxed word is a softmax"
                    Expect.isNonEmpty (relaxed |> Array.filter (isOneHot >> not)) "without straight-through, training words are relaxed"
                }
        ]

        testList "CN sends normalized words, the same in training and evaluation" [
            for arch in architectures ->
                test (sprintf "%A" arch) {
                    let s = spec ChannelMode.Continuous arch
                    let g, features = game s
                    use _ = torch.no_grad()
                    g.train true
                    let trained = rows (g.Send features)
                    g.train false
                    let evaluated = rows (g.Send features)
                    for row in trained do
                        Expect.equal (Array.min row, Array.max row) (0f, 1f) "each word is min-max normalized to [0,1]"
                    Expect.equal evaluated trained "a continuous channel has no noise or rounding, so both phases agree"
                }
        ]

        test "WordDiscretizer: QT InferenceOnly normalizes in training and quantizes in evaluation" {
            let d = WordDiscretizer(specOf ChannelMode.Quantized ChannelArchitecture.Instant QuantizePhase.InferenceOnly false, null)
            use raw = matrix [| [| 0f; 0.3f; 1f; 0.8f |] |]
            Expect.sequenceEqual (floats (d.Apply(raw, true))) [| 0f; 0.3f; 1f; 0.8f |] "training: Normalize only"
            Expect.sequenceEqual (floats (d.Apply(raw, false))) [| 0f; 1f / 3f; 1f; 2f / 3f |] "evaluation: rounded to thirds (alphabet 4)"
        }
    ]

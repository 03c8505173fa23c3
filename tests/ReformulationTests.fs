/// The same math with less work (issue 13): every computation the games re-formulated for speed gives
/// the loss and gradients of the straightforward formulation it replaced, to float tolerance, at the
/// same weights. The straightforward formulations are written out here, so they stay as a reference.
module CommLab.Tests.ReformulationTests

open Expecto
open TorchSharp
open TorchSharp.Modules
open CommLab.Agents
open CommLab.Channels
open CommLab.Data
open CommLab.Estimators
open CommLab.Games
open CommLab.Tests.TensorValues

/// Float32 sums in another order agree to a few ulps of the largest terms (a gradient that is zero in
/// exact arithmetic, like a bias shared by every candidate's score, is float noise around 1e-8).
let private close (what: string) (expected: float32[]) (actual: float32[]) =
    Expect.equal actual.Length expected.Length (sprintf "%s: same number of values" what)
    let scale = expected |> Array.fold (fun m v -> max m (abs v)) 1e-2f
    let worst = Array.map2 (fun (e: float32) a -> abs (e - a)) expected actual |> Array.max
    Expect.isLessThan worst (2e-5f * scale) (sprintf "%s: largest difference %g (values up to %g)" what worst scale)

/// The gradient of `loss` with respect to each of `tensors` (the tensors' .grad are left alone).
let private gradients (loss: torch.Tensor) (tensors: torch.Tensor list) =
    torch.autograd.grad([| loss |], Array.ofList tensors, retain_graph = true) |> Seq.map floats |> List.ofSeq

let private parameters (m: torch.nn.Module) =
    m.named_parameters() |> Seq.map (fun struct (name, p) -> name, (p :> torch.Tensor)) |> List.ofSeq

/// Checks that two losses and their gradients with respect to `tensors` agree.
let private sameLossAndGradients (straightforward: torch.Tensor) (reformulated: torch.Tensor) (tensors: (string * torch.Tensor) list) =
    close "loss" (floats straightforward) (floats reformulated)
    let expected = gradients straightforward (List.map snd tensors)
    let actual = gradients reformulated (List.map snd tensors)
    List.zip3 (List.map fst tensors) expected actual
    |> List.iter (fun (name, e, a) -> close (sprintf "gradient of %s" name) e a)

/// 3 attributes x 4 values: 64 objects with 12 one-hot features.
let private world = ObjectWorld(3, 4)

let private objectGame (architecture: ChannelArchitecture) =
    let words = if architecture = ChannelArchitecture.Instant then 1 else 3
    let spec = ChannelSpec(ChannelMode.Continuous, architecture, 4, 6, words, QuantizePhase.TrainAndInference, EstimatorSpec.Relaxed 1.0, 10, 7)
    torch.random.manual_seed 5L |> ignore
    let features = world.Features torch.CPU
    ReferentialGame.ForObjects(world, spec, null), features

/// The receiver the GRU replaced: the word embedding, then a GRU cell's equations applied word by word,
/// with the receiver's own weights (so gradients reach them).
let private cellLoop (receiver: GruReceiver) (message: torch.Tensor) =
    let p = parameters receiver |> Map.ofList
    let hidden = p["gru.weight_hh_l0"].shape[1]
    let w name = p[sprintf "gru.%s_l0" name]
    let step (x: torch.Tensor) (h: torch.Tensor) =
        let gi = torch.nn.functional.linear(x, w "weight_ih", w "bias_ih").chunk(3L, 1)
        let gh = torch.nn.functional.linear(h, w "weight_hh", w "bias_hh").chunk(3L, 1)
        let r = (gi[0] + gh[0]).sigmoid()
        let z = (gi[1] + gh[1]).sigmoid()
        let n = (gi[2] + r * gh[2]).tanh()
        (1.0f - z) * n + z * h
    let mutable h = torch.zeros(message.shape[0], hidden)
    [ for t in 0L .. message.shape[1] - 1L ->
          let x = torch.nn.functional.linear(message.select(1, t), p["embed.weight"], p["embed.bias"])
          h <- step x h
          h ]
    |> fun states -> torch.stack(states, 1)

// In sequence: one test compares draws from libtorch's global generator, which the others use too.
let tests =
    testSequenced <| testList "Reformulations" [
        testList "Object game: re-associated scoring of all 10^4 objects" [
            for architecture in [ ChannelArchitecture.Instant; ChannelArchitecture.Recurrent ] ->
                test (sprintf "%A channel: loss and every parameter's gradient as with encoded candidates" architecture) {
                    let g, features = objectGame architecture
                    use ids = torch.tensor [| 0L; 5L; 17L; 63L; 40L |]
                    let decoded = g.Receive(g.Send(features.index_select(0, ids)))
                    let straightforward = torch.nn.functional.cross_entropy(ReferentialGame.ScoreAll(decoded, g.EncodeCandidates features), ids)
                    sameLossAndGradients straightforward (g.Loss(features, ids, System.Nullable(), null)) (parameters g)
                }
        ]

        test "the product with every object's features, from their one-hot structure, is the matrix product" {
            use weights = torch.randn(5L, 12L).requires_grad_()
            let features = world.Features torch.CPU
            let mix = torch.randn(5L, int64 world.Count)
            sameLossAndGradients ((weights.matmul(features.t()) * mix).sum()) ((world.Dot weights * mix).sum()) [ "weights", weights ]
            Expect.sequenceEqual (world.Dot weights).shape [| 5L; int64 world.Count |] "one score per object"
        }

        test "Object game: re-associated scoring of sampled candidates, as with encoded ones" {
            let g, features = objectGame ChannelArchitecture.Instant
            use decoded = torch.randn(5L, 6L).requires_grad_()
            use candidates = features.index_select(0, torch.randint(64L, [| 15L |])).reshape(5L, 3L, -1L)
            let straightforward = ReferentialGame.ScoreEach(decoded, g.EncodeCandidates candidates)
            let weights = torch.randn(5L, 3L)
            sameLossAndGradients ((straightforward * weights).sum()) ((g.ScoreCandidateSets(decoded, candidates) * weights).sum())
                (("decoded", decoded) :: (parameters g |> List.filter (fun (name, _) -> name.StartsWith "receiverAgent")))
        }

        test "the GRU sender's weight gradients, formed once over all steps, are the cell loop's" {
            torch.random.manual_seed 13L |> ignore
            let sender = new GruSender(5, 8, 4)
            use encoded = torch.randn(3L, 8L).requires_grad_()
            let send (raw: torch.Tensor) = raw.softmax(-1)
            let children = sender.named_children() |> Seq.map (fun struct (name, m) -> name, m) |> Map.ofSeq
            let cell = children["cell"] :?> GRUCell
            let linear name = children[name] :?> Linear
            let start = (parameters sender |> Map.ofList)["start"]
            let cellLoopWords =
                let mutable h = encoded
                let mutable input = start.expand(3L, 4L)
                [ for _ in 1 .. 4 ->
                      h <- cell.call(input, h)
                      let word = send ((linear "toWord").call h)
                      input <- (linear "embed").call word
                      word ]
                |> fun words -> torch.stack(words, 1)
            let weights = torch.randn(3L, 4L, 5L)
            let tensors = ("encoded", encoded) :: parameters sender
            sameLossAndGradients ((cellLoopWords * weights).sum()) ((sender.Speak(encoded, 4, send) * weights).sum()) tensors
            // Through backward() too, as the trainers call it: the gradients land on the parameters.
            let expected = gradients ((cellLoopWords * weights).sum()) (List.map snd tensors)
            (sender.Speak(encoded, 4, send) * weights).sum().backward()
            List.zip tensors expected |> List.iter (fun ((name, t), e) -> close (sprintf "backward(): gradient of %s" name) e (gradient t))
        }

        test "the GRU receiver reads a message as a GRU cell would, word by word" {
            torch.random.manual_seed 9L |> ignore
            let receiver = new GruReceiver(5, 8, 4)
            use message = torch.rand(3L, 4L, 5L).requires_grad_()
            let weights = torch.randn(3L, 4L, 8L)
            let states = receiver.States message
            Expect.sequenceEqual states.shape [| 3L; 4L; 8L |] "a state after every word"
            sameLossAndGradients ((cellLoop receiver message * weights).sum()) ((states * weights).sum())
                (("message", message) :: parameters receiver)
        }

        test "the GRU receiver draws its initial weights as the GRU cell it replaced did" {
            // Under the lock every trainer takes to seed libtorch's global generator; the list runs in
            // sequence, so no sibling test draws from that generator in between either.
            let before = CommLab.Training.Reproducibility.Seeded(21, fun () -> torch.nn.Linear(5L, 4L), torch.nn.GRUCell(4L, 8L))
            let receiver = CommLab.Training.Reproducibility.Seeded(21, fun () -> new GruReceiver(5, 8, 4))
            let p = parameters receiver |> Map.ofList
            let cell = parameters (snd before) |> Map.ofList
            for name in [ "weight_ih"; "weight_hh"; "bias_ih"; "bias_hh" ] do
                Expect.equal (floats p[sprintf "gru.%s_l0" name]) (floats cell[name]) (sprintf "%s drawn the same" name)
            Expect.equal (floats p["embed.weight"]) (floats (fst before).weight) "embedding drawn the same"
        }

        test "Lewis game: candidates scored once after the message, as after every word" {
            let spec = LewisGameSpec(12, 5, 3, 8, 4, EstimatorSpec.Stgs 1.0, MessageTermination.Eos)
            torch.random.manual_seed 4L |> ignore
            let game = new LewisGame(spec, new torch.Generator(3UL))
            let candidates = torch.rand(2L, 6L, 12L)
            let messages = game.Send(candidates.select(1, 0L))
            let p = parameters game |> Map.ofList
            let encoded = torch.nn.functional.linear(candidates, p["candidateEncoder.weight"], p["candidateEncoder.bias"]).tanh()
            let receiver = game.named_children() |> Seq.pick (fun struct (_, m) -> match m with :? GruReceiver as r -> Some r | _ -> None)
            let states = cellLoop receiver messages
            let perWord = torch.stack([ for t in 0L .. states.shape[1] - 1L -> encoded.bmm(states.select(1, t).unsqueeze(-1)).squeeze(-1) ], 1)
            let targets = torch.tensor [| 0L; 3L |]
            sameLossAndGradients (game.Loss(messages, perWord, targets).sum()) (game.Loss(messages, game.Receive(messages, candidates), targets).sum())
                (parameters game)
        }
    ]

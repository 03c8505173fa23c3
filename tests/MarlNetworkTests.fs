/// The MADDPG networks as stacked modules: each agent's slice computes what a plain nn.Linear / MLP
/// with its values computes, is initialized as nn.Linear initializes, and gets gradient only from its own
/// loss; per-agent gradient clipping against clip_grad_norm_ on separate modules; soft target updates.
module CommLab.Tests.MarlNetworkTests

open Expecto
open TorchSharp
open TorchSharp.Modules
open CommLab.Marl
open CommLab.Training
open CommLab.Tests.TensorValues

let private close (tolerance: float) (expected: float32[]) (actual: float32[]) (what: string) =
    Expect.equal actual.Length expected.Length (sprintf "%s: as many values" what)
    Array.iteri2 (fun i (e: float32) (a: float32) ->
        Expect.floatClose { absolute = tolerance; relative = tolerance } (float a) (float e) (sprintf "%s, value %d" what i)) expected actual

/// nn.Linear holding agent `i`'s slice of `layer` (its weight is the slice transposed).
let private linearOf (layer: StackedLinear) (i: int) =
    let slice = if layer.Shared then 0L else int64 i
    let linear = torch.nn.Linear(int64 layer.Inputs, int64 layer.Outputs)
    use _ = torch.no_grad()
    linear.weight.copy_(layer.Weight[slice].t()) |> ignore
    linear.bias.copy_(layer.Bias[slice]) |> ignore
    linear

/// A plain MLP (Linear, ReLU, ..., Linear) holding agent `i`'s slices of `mlp`.
let private mlpOf (mlp: StackedMlp) (i: int) =
    let layers = mlp.Layers |> Seq.map (fun l -> linearOf l i) |> Seq.toArray
    fun (x: torch.Tensor) ->
        layers |> Array.indexed |> Array.fold (fun h (k, l) -> let y = l.call(h) in if k < layers.Length - 1 then y.relu() else y) x

let private generator (seed: int) = new torch.Generator(uint64 seed)

let private setGradients (parameters: Parameter seq) (agentScales: float32[]) (g: torch.Generator) =
    for p in parameters do
        let shape = Array.append [| int64 agentScales.Length |] (Array.create (p.shape.Length - 1) 1L)
        p.grad <- torch.randn(p.shape, generator = g) * torch.tensor(agentScales).reshape(shape)

let private stackedLayers =
    testList "stacked layers" [
        test "agent i's output is what nn.Linear with agent i's slice computes" {
            use layer = new StackedLinear(3, 5, 4, generator = generator 1)
            let x = torch.randn([| 3L; 7L; 5L |], generator = generator 2)
            let y = layer.call(x)
            Expect.sequenceEqual y.shape [| 3L; 7L; 4L |] "[N, B, in] -> [N, B, out]"
            for i in 0 .. 2 do
                close 1e-6 (floats ((linearOf layer i).call(x[int64 i]))) (floats y[int64 i]) (sprintf "agent %d" i)
        }

        test "a [B, in] input is given to every agent" {
            use layer = new StackedLinear(3, 5, 4, generator = generator 1)
            let x = torch.randn([| 6L; 5L |], generator = generator 2)
            close 0.0 (floats (layer.call(x.unsqueeze(0L).expand(3L, -1L, -1L)))) (floats (layer.call(x))) "same as the input repeated per agent"
        }

        test "agent i of a stacked MLP is the plain MLP built from its slices" {
            use mlp = StackedMlp.Actors(3, 10, 6, 16, generator = generator 3)
            Expect.sequenceEqual mlp.Sizes [| 10; 16; 16; 6 |] "actor: obs -> hidden -> hidden -> |A|"
            let x = torch.randn([| 3L; 9L; 10L |], generator = generator 4)
            let y = mlp.call(x)
            for i in 0 .. 2 do
                close 1e-5 (floats ((mlpOf mlp i) x[int64 i])) (floats y[int64 i]) (sprintf "agent %d" i)
        }

        test "critics take all observations and all one-hot actions and give one Q per agent" {
            use critics = StackedMlp.Critics(2, 7, 5, 8, generator = generator 5)
            Expect.sequenceEqual critics.Sizes [| 24; 8; 8; 1 |] "2 x (7 + 5) inputs"
            let joint = torch.randn([| 4L; 24L |], generator = generator 6)
            Expect.sequenceEqual (critics.call(joint).shape) [| 2L; 4L; 1L |] "[N, B, 1]"
        }

        test "gradients of agent 1's loss touch only agent 1's slices" {
            use mlp = StackedMlp.Actors(3, 6, 4, 8, generator = generator 7)
            let x = torch.randn([| 3L; 5L; 6L |], generator = generator 8)
            let y = mlp.call(x)
            y[1L].square().sum().backward()
            for p in mlp.parameters() do
                let g = p.grad
                Expect.isTrue (g[0L].abs().max().item<float32>() = 0f && g[2L].abs().max().item<float32>() = 0f) "agents 0 and 2 get exactly zero gradient"
                Expect.isGreaterThan (g[1L].abs().max().item<float32>()) 0f "agent 1 gets gradient"
        }

        test "shared parameters are one slice used by every agent, and their gradients add up" {
            use layer = new StackedLinear(3, 5, 4, shared = true, generator = generator 9)
            Expect.sequenceEqual layer.Weight.shape [| 1L; 5L; 4L |] "one weight slice"
            Expect.sequenceEqual layer.Bias.shape [| 1L; 4L |] "one bias slice"
            let x = torch.randn([| 3L; 6L; 5L |], generator = generator 10)
            let y = layer.call(x)
            let plain = linearOf layer 0
            for i in 0 .. 2 do
                close 1e-6 (floats (plain.call(x[int64 i]))) (floats y[int64 i]) (sprintf "agent %d uses the shared slice" i)
            y.sum().backward()
            ([ for i in 0L .. 2L -> plain.call(x[i]).sum() ] |> List.reduce (+)).backward()
            close 1e-5 (floats (plain.weight.grad.t())) (gradient layer.Weight) "weight gradient = sum of the agents' gradients"
            close 1e-5 (floats plain.bias.grad) (gradient layer.Bias) "bias gradient = sum of the agents' gradients"
        }

        test "initial values are uniform in +-1/sqrt(in), weights and biases, every agent" {
            use layer = new StackedLinear(2, 100, 400, generator = generator 11)
            for name, values in [ "weight", floats layer.Weight; "bias", floats layer.Bias ] do
                let bound = 1.0 / sqrt 100.0
                Expect.isTrue (values |> Array.forall (fun v -> abs (float v) <= bound)) (sprintf "%s within the bound" name)
                // Uniform(-b, b): mean 0, variance b^2 / 3; 80,000 weights (800 biases) fix both closely.
                let n = float values.Length
                let mean = Array.averageBy float values
                let variance = values |> Array.averageBy (fun v -> (float v - mean) ** 2.0)
                Expect.isLessThan (abs mean) (5.0 * bound / sqrt (3.0 * n)) (sprintf "%s mean near 0" name)
                Expect.floatClose { absolute = 0.0; relative = 8.0 / sqrt n } variance (bound * bound / 3.0) (sprintf "%s variance b^2 / 3" name)
        }

        test "a wrongly shaped input is refused with both shapes" {
            use layer = new StackedLinear(3, 5, 4)
            let e = Expect.throwsC (fun () -> layer.call(torch.zeros(2L, 7L, 5L)) |> ignore) id
            Expect.stringContains e.Message "[3, B, 5]" "the expected shape"
            Expect.stringContains e.Message "[2, 7, 5]" "the shape given"
        }
    ]

/// Uses libtorch's global generator, so it runs after the parallel tests.
let private asLinear =
    testSequenced <| testList "stacked layers from the global generator" [
        test "after the same seed, agent i's slice holds the values of the i-th of N nn.Linear created in turn" {
            let stacked = Reproducibility.Seeded(17, fun () -> new StackedLinear(3, 6, 5))
            let linears = Reproducibility.Seeded(17, fun () -> Array.init 3 (fun _ -> torch.nn.Linear(6L, 5L)))
            for i in 0 .. 2 do
                close 1e-7 (floats linears[i].weight) (floats (stacked.Weight[int64 i].t())) (sprintf "agent %d weight" i)
                close 1e-7 (floats linears[i].bias) (floats stacked.Bias[int64 i]) (sprintf "agent %d bias" i)
        }
    ]

let private clipping =
    testList "per-agent gradient clipping" [
        test "each agent is clipped as clip_grad_norm_ clips its own module" {
            use mlp = StackedMlp.Actors(3, 6, 4, 8, generator = generator 12)
            // Agent 0's norm stays below 1 (left alone), agents 1 and 2 are clipped.
            setGradients (mlp.parameters()) [| 0.01f; 1.0f; 30.0f |] (generator 13)
            let separate = [| for i in 0 .. 2 -> mlp.Layers |> Seq.map (fun l -> linearOf l i) |> Seq.toArray |]
            for i in 0 .. 2 do
                for l, layer in Seq.indexed mlp.Layers do
                    separate.[i].[l].weight.grad <- layer.Weight.grad[int64 i].t().clone()
                    separate.[i].[l].bias.grad <- layer.Bias.grad[int64 i].clone()
            let expectedNorms = [| for i in 0 .. 2 -> torch.nn.utils.clip_grad_norm_(separate[i] |> Seq.collect (fun l -> l.parameters()), 1.0, 2.0) |]
            let norms = AgentGradientClipping.ClipNorms(mlp.parameters(), 1.0)
            Expect.isLessThan expectedNorms[0] 1.0 "agent 0 is below the limit"
            Expect.isGreaterThan expectedNorms[1] 1.0 "agent 1 is above it"
            close 1e-5 (Array.map float32 expectedNorms) (floats norms) "the norms before clipping"
            for i in 0 .. 2 do
                for l, layer in Seq.indexed mlp.Layers do
                    close 1e-6 (floats separate.[i].[l].weight.grad) (floats (layer.Weight.grad[int64 i].t())) (sprintf "agent %d layer %d weight" i l)
                    close 1e-6 (floats separate.[i].[l].bias.grad) (floats layer.Bias.grad[int64 i]) (sprintf "agent %d layer %d bias" i l)
        }

        test "shared parameters are clipped as one module" {
            use mlp = StackedMlp.Actors(3, 6, 4, 8, shared = true, generator = generator 14)
            setGradients (mlp.parameters()) [| 5.0f |] (generator 15)
            let copies = mlp.parameters() |> Seq.map (fun p -> let c = new Parameter(p.detach().clone()) in c.grad <- p.grad.clone(); c) |> Seq.toArray
            let expected = torch.nn.utils.clip_grad_norm_(copies, 1.0, 2.0)
            let norms = AgentGradientClipping.ClipNorms(mlp.parameters(), 1.0)
            close 1e-5 [| float32 expected |] (floats norms) "one norm"
            Seq.iter2 (fun (p: Parameter) (c: Parameter) -> close 1e-6 (floats c.grad) (floats p.grad) "clipped alike") (mlp.parameters()) copies
        }

        test "parameters stacked over different agent counts are refused" {
            use a = new StackedLinear(3, 2, 2)
            use b = new StackedLinear(2, 2, 2)
            for p in Seq.append (a.parameters()) (b.parameters()) do p.grad <- torch.ones_like(p)
            let e = Expect.throwsC (fun () -> AgentGradientClipping.ClipNorms(Seq.append (a.parameters()) (b.parameters()), 1.0) |> ignore) id
            Expect.stringContains e.Message "leading sizes: 3, 3, 2, 2" "names every leading size"
        }
    ]

let private stackedAdam =
    testList "stacked Adam" [
        test "per-agent clipping then Adam, as ClipNorms and torch's Adam give, step after step" {
            for shared in [ false; true ] do
                use ours = StackedMlp.Actors(3, 6, 4, 8, shared, generator 21)
                use theirs = StackedMlp.Actors(3, 6, 4, 8, shared, generator 21)
                use optimizer = new StackedAdam(ours.parameters(), 1e-2, 1e-3, 1.0)
                let adam = torch.optim.Adam(theirs.parameters(), 1e-2, eps = 1e-3)
                let g = generator 22
                for step in 1 .. 5 do
                    // Agents of very different gradient scales: some clipped, some not, the scales varying by step.
                    let scales = [| 0.01f; float32 step; 30.0f |] |> Array.truncate (if shared then 1 else 3)
                    setGradients (ours.parameters()) scales g
                    Seq.iter2 (fun (t: Parameter) (o: Parameter) -> t.grad <- o.grad.clone()) (theirs.parameters()) (ours.parameters())
                    let norms = optimizer.Step()
                    let expected = AgentGradientClipping.ClipNorms(theirs.parameters(), 1.0)
                    adam.step() |> ignore
                    close 1e-5 (floats expected) (floats norms) (sprintf "shared=%b step %d: the norms before clipping" shared step)
                    Seq.iter2 (fun (t: Parameter) (o: Parameter) -> close 1e-5 (floats t) (floats o) (sprintf "shared=%b step %d: parameters" shared step))
                        (theirs.parameters()) (ours.parameters())
                Expect.equal optimizer.Steps 5L "five steps"
        }
        test "a saved state continues exactly" {
            use a = StackedMlp.Actors(2, 3, 2, 4, false, generator 31)
            use b = StackedMlp.Actors(2, 3, 2, 4, false, generator 31)
            use first = new StackedAdam(a.parameters(), 1e-2, 1e-3, 1.0)
            use second = new StackedAdam(b.parameters(), 1e-2, 1e-3, 1.0)
            let g = generator 32
            let step () =
                setGradients (a.parameters()) [| 1.0f; 2.0f |] g
                Seq.iter2 (fun (q: Parameter) (p: Parameter) -> q.grad <- p.grad.clone()) (b.parameters()) (a.parameters())
                first.Step() |> ignore
            for _ in 1 .. 3 do step ()
            use stream = new System.IO.MemoryStream()
            first.Save(new System.IO.BinaryWriter(stream))
            stream.Position <- 0L
            second.Load(new System.IO.BinaryReader(stream))
            Seq.iter2 (fun (q: Parameter) (p: Parameter) -> (use _ = torch.no_grad() in q.copy_(p) |> ignore)) (b.parameters()) (a.parameters())
            step ()
            second.Step() |> ignore
            Seq.iter2 (fun (p: Parameter) (q: Parameter) -> close 0.0 (floats p) (floats q) "the same fourth step") (a.parameters()) (b.parameters())
        }
    ]

let private softUpdates =
    testList "soft target updates" [
        test "target <- (1 - beta) target + beta online, in place and outside autograd" {
            use target = StackedMlp.Critics(2, 3, 4, 8, generator = generator 16)
            use online = StackedMlp.Critics(2, 3, 4, 8, generator = generator 17)
            let before = target.parameters() |> Seq.map floats |> Seq.toArray
            let onlineValues = online.parameters() |> Seq.map floats |> Seq.toArray
            let handles = target.parameters() |> Seq.map (fun p -> p.Handle) |> Seq.toArray
            SoftUpdate.Apply(target, online, 0.01)
            for k, p in Seq.indexed (target.parameters()) do
                close 1e-7 (Array.map2 (fun t o -> 0.99f * t + 0.01f * o) before[k] onlineValues[k]) (floats p) (sprintf "parameter %d" k)
                Expect.equal p.Handle handles[k] "the same tensor, changed in place"
                Expect.isTrue (p.is_leaf && p.requires_grad && isNull p.grad) "still a trainable leaf, no gradient made"
            for k, p in Seq.indexed (online.parameters()) do
                close 0.0 onlineValues[k] (floats p) "the online network is unchanged"
        }

        test "Copy makes the target equal the online network exactly" {
            use target = StackedMlp.Actors(2, 3, 4, 8, generator = generator 18)
            use online = StackedMlp.Actors(2, 3, 4, 8, generator = generator 19)
            SoftUpdate.Copy(target, online)
            Seq.iter2 (fun (t: Parameter) (o: Parameter) -> close 0.0 (floats o) (floats t) "equal") (target.parameters()) (online.parameters())
        }

        test "modules of other shapes are refused before anything changes" {
            use target = StackedMlp.Actors(2, 3, 4, 8)
            use online = StackedMlp.Actors(2, 3, 4, 16)
            let before = target.parameters() |> Seq.map floats |> Seq.toArray
            let e = Expect.throwsC (fun () -> SoftUpdate.Apply(target, online, 0.5)) id
            Expect.stringContains e.Message "layers.0.weight" "names the parameter"
            Seq.iter2 (fun b (p: Parameter) -> close 0.0 b (floats p) "unchanged") before (target.parameters())
        }
    ]

let private acting =
    testList "acting policy" [
        test "actions are drawn with the probabilities softmax of the actors' logits gives, per agent, shared or not" {
            for shared in [ false; true ] do
                use actors = StackedMlp.Actors(3, 4, 5, 16, shared, generator 4)
                // Larger weights than the initial ones, so the three agents' distributions are far from uniform.
                do
                    use _ = torch.no_grad()
                    for p in actors.parameters() do p.mul_(torch.tensor 3.0f) |> ignore
                let policy = ActingPolicy(actors)
                let observations = [| for k in 0 .. 11 -> float32 (sin (float k)) |]   // 3 agents x 4 floats
                let expected = floats ((actors.call(torch.tensor(observations).reshape(3L, 1L, 4L))).softmax(-1))
                let counts = Array.zeroCreate<int> 15
                let mutable random = CommLab.Rng.Xoshiro256(5UL)
                let actions = Array.zeroCreate<int> 3
                let draws = 40_000
                for _ in 1 .. draws do
                    policy.Sample(System.ReadOnlySpan observations, System.Span actions, &random)
                    for a in 0 .. 2 do counts[a * 5 + actions[a]] <- counts[a * 5 + actions[a]] + 1
                for k in 0 .. 14 do
                    // Binomial standard error at 40,000 draws is at most 0.0025: 4 of them.
                    Expect.floatClose { absolute = 0.01; relative = 0.0 } (float counts[k] / float draws) (float expected[k])
                        (sprintf "shared=%b agent %d action %d" shared (k / 5) (k % 5))
                if shared then
                    Expect.isTrue (expected[0..4] <> expected[5..9]) "a shared actor still sees each agent's own observation"
        }
        test "refreshed weights are the ones it acts with" {
            use actors = StackedMlp.Actors(1, 2, 3, 8, false, generator 1)
            let policy = ActingPolicy(actors)
            do
                use _ = torch.no_grad()
                actors.Layers[2].Bias.copy_(torch.tensor([| 0f; 0f; 50f |]).reshape(1L, 3L)) |> ignore
            policy.Refresh actors
            let mutable random = CommLab.Rng.Xoshiro256(2UL)
            let actions = Array.zeroCreate<int> 1
            let chosen = [ for _ in 1 .. 100 -> policy.Sample(System.ReadOnlySpan [| 0.5f; -0.5f |], System.Span actions, &random); actions[0] ]
            Expect.isTrue (chosen |> List.forall ((=) 2)) "a bias of 50 on action 2 makes it (almost) certain"
        }
    ]

let tests =
    testList "MADDPG parts" [ stackedLayers; asLinear; clipping; stackedAdam; softUpdates; acting ]

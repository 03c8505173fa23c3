/// The GRU Lewis game: EOS semantics, the receiver reading only up to the end, the loss, and the
/// trainer (learning, reproducibility, strict settings).
module CommLab.Tests.LewisGameTests

open System
open Expecto
open TorchSharp
open CommLab.Estimators
open CommLab.Games
open CommLab.Optim
open CommLab.Symbolic
open CommLab.Training
open CommLab.Tests.TensorValues

/// Hard one-hot messages [B, T, V] from symbol indices.
let private messages (vocabulary: int) (symbols: int list list) =
    let rows = symbols |> List.map (fun m -> m |> List.map (fun s -> Array.init vocabulary (fun v -> if v = s then 1f else 0f)) |> Array.concat) |> Array.concat
    torch.tensor(rows).reshape(int64 symbols.Length, int64 symbols.Head.Length, int64 vocabulary)

let private longs (t: torch.Tensor) = t.cpu().data<int64>().ToArray()

let private spec termination maxLength =
    LewisGameSpec(12, 6, maxLength, 16, 8, EstimatorSpec.Stgs(1.0), termination)

let private game termination maxLength seed =
    torch.random.manual_seed (int64 seed) |> ignore
    new LewisGame(spec termination maxLength, new torch.Generator(uint64 seed))

/// Small games: 3 attributes x 4 values (12 features), 4 candidates, min(|M|) = 1 (one symbol suffices).
let private data = lazy (ControlledSampler.Sample(GameShape(3, 4, 4), 1, 600, 3UL).Games)

let private run (maxLength: int) (epochs: int) (seed: int) =
    LewisGameRun(LewisGameSpec(12, 8, maxLength, 64, 16, EstimatorSpec.Stgs(1.0)), OptimizerKind.ScheduleFreeAdamW,
                 ScheduleFreeOptions(LearningRate = 0.01), 32, epochs, seed, "cpu")

let private train (r: LewisGameRun) =
    LewisGameTrainer.Train(r, data.Value.Slice(0, 400), data.Value.Slice(400, 200))

let tests =
    testList "Lewis game" [
        test "a message ends at its first EOS: weights, guess step and length" {
            // Symbol 0 is EOS; the last step is the forced EOS.
            let m = messages 4 [ [ 2; 0; 1; 0 ]; [ 0; 3; 0; 0 ]; [ 1; 2; 3; 0 ] ]
            Expect.equal (rows (MessageEnd.Weights m)) [| [| 0f; 1f; 0f; 0f |]; [| 1f; 0f; 0f; 0f |]; [| 0f; 0f; 0f; 1f |] |] "all the mass at the first EOS"
            Expect.equal (longs (MessageEnd.FirstEos m)) [| 1L; 0L; 3L |] "step of the first EOS"
            Expect.equal (longs (MessageEnd.Lengths m)) [| 1L; 0L; 3L |] "symbols before it: |M| in 0..L"
            let noEos = messages 4 [ [ 1; 2; 3 ] ]
            Expect.equal (longs (MessageEnd.Lengths noEos)) [| 3L |] "no EOS at all: the whole message"
        }

        test "soft messages spread the ending over steps; the weights sum to 1 and pass gradient to every EOS choice" {
            let logits = torch.randn(5L, 4L, 6L).requires_grad_(true)
            let soft = logits.softmax(-1)
            let forced = torch.zeros(5L, 1L, 6L).index_fill_(2, torch.tensor([| 0L |]), 1.0)
            let m = torch.cat([| soft; forced |], 1L)
            let w = MessageEnd.Weights m
            for row in rows w do
                // float32 sums of five products: a few ulps off 1 (1.2e-7 seen), hence not Accuracy.high.
                Expect.floatClose Accuracy.medium (float (Array.sum row)) 1.0 "a message ends exactly once"
            (w * torch.arange(5L).to_type(torch.float32)).sum().backward()
            let g = logits.grad.select(-1, 0L)
            Expect.isTrue (floats (g.abs().min()) |> Array.forall (fun v -> v > 0f)) "every step's EOS logit gets gradient"
        }

        test "the sender emits L hard symbols plus a forced EOS outside training; fixed length has no EOS step" {
            use g = game MessageTermination.Eos 3 1
            g.eval()
            use _ = torch.no_grad()
            let m = g.Send(torch.rand(7L, 12L))
            Expect.equal m.shape [| 7L; 4L; 6L |] "[B, L + 1, V]"
            for row in rows m do Expect.isTrue (isOneHot row) "hard one-hot symbols"
            Expect.equal (longs (m.select(1, 3L).argmax(-1))) (Array.create 7 0L) "the last step is EOS"
            use f = game MessageTermination.FixedLength 3 1
            f.eval()
            Expect.equal (f.Send(torch.rand(7L, 12L)).shape) [| 7L; 3L; 6L |] "[B, L, V]"
            Expect.equal (longs (f.Lengths(f.Send(torch.rand(2L, 12L))))) [| 3L; 3L |] "every fixed-length message has L symbols"
        }

        test "the receiver's guess ignores symbols after the first EOS, not those before" {
            use g = game MessageTermination.Eos 3 2
            g.eval()
            use _ = torch.no_grad()
            let candidates = torch.rand(1L, 5L, 12L)
            let guessWith symbols = g.Receive(messages 6 [ symbols ], candidates)
            let base' = guessWith [ 4; 0; 2; 0 ]
            let after = guessWith [ 4; 0; 5; 0 ]
            let before = guessWith [ 3; 0; 2; 0 ]
            Expect.equal (floats (base'.select(1, 1L))) (floats (after.select(1, 1L))) "scores at the EOS step do not see later symbols"
            Expect.notEqual (floats (base'.select(1, 1L))) (floats (before.select(1, 1L))) "they do see earlier ones"
            let m = messages 6 [ [ 4; 0; 2; 0 ] ]
            let scores = g.Receive(m, candidates)
            Expect.equal (longs (g.Guess(m, scores))) (longs (scores.select(1, 1L).argmax(-1))) "the guess is read at step 1"
        }

        test "the loss of hard messages is the cross-entropy at the first EOS; fixed length uses the last step" {
            use g = game MessageTermination.Eos 3 3
            let m = messages 6 [ [ 4; 0; 2; 0 ]; [ 1; 2; 3; 0 ] ]
            let scores = torch.randn(2L, 4L, 5L)
            let targets = torch.tensor([| 2L; 4L |])
            let expected =
                [| -(scores[0L, 1L].log_softmax(-1)[2L]).item<float32>(); -(scores[1L, 3L].log_softmax(-1)[4L]).item<float32>() |]
            Expect.sequenceEqual (floats (g.Loss(m, scores, targets)) |> Array.map (fun v -> MathF.Round(v, 5))) (expected |> Array.map (fun v -> MathF.Round(v, 5))) "per-game loss"
            use f = game MessageTermination.FixedLength 4 3
            let last = [| -(scores[0L, 3L].log_softmax(-1)[2L]).item<float32>(); -(scores[1L, 3L].log_softmax(-1)[4L]).item<float32>() |]
            Expect.sequenceEqual (floats (f.Loss(m, scores, targets)) |> Array.map (fun v -> MathF.Round(v, 5))) (last |> Array.map (fun v -> MathF.Round(v, 5))) "last step"
        }

        test "learns games that need one symbol well above chance" {
            let result = train (run 2 12 1)
            let final = (Array.last result.History).Validation.Accuracy
            // Chance is 1/4 with 4 candidates.
            Expect.isGreaterThan final 0.6 (sprintf "validation accuracy after 12 epochs: %.3f" final)
            Expect.isLessThan (Array.last result.History).TrainLoss result.History[0].TrainLoss "the loss falls"
            for e in result.History |> Array.map (fun h -> h.Validation) do
                Expect.floatClose Accuracy.high (Array.sum e.LengthShares) 1.0 "length shares sum to 1"
                Expect.isTrue (e.MeanLength >= 0.0 && e.MeanLength <= 2.0) "|M| in 0..L"
                Expect.isTrue (e.UniqueMessages >= 1 && e.UniqueMessages <= 200) "distinct messages in 1..games"
        }

        test "the same seed gives the same run, another seed another" {
            let a, b, c = train (run 2 2 5), train (run 2 2 5), train (run 2 2 6)
            let accuracies (r: LewisGameResult) = r.History |> Array.map (fun e -> e.TrainLoss, e.Validation.Accuracy)
            Expect.equal (accuracies a) (accuracies b) "reproducible"
            Expect.notEqual (accuracies a) (accuracies c) "seed-dependent"
        }

        test "the checkpoint holds the evaluated model (x): reloaded, it scores what the last epoch reported" {
            use dir = new TempDir()
            let path = IO.Path.Combine(dir.Path, "model.bin")
            let r = run 2 3 4
            let result = LewisGameTrainer.Train(r, data.Value.Slice(0, 400), data.Value.Slice(400, 200), checkpoint = path)
            use model = new LewisGame(r.Game, new torch.Generator(1UL))
            model.load(path) |> ignore
            let validation = data.Value.Slice(400, 200)
            let again = LewisGameTrainer.Evaluate(model, validation.Features(), validation.TargetIndices(), 32)
            Expect.equal again.Accuracy (Array.last result.History).Validation.Accuracy "same accuracy"
            Expect.equal again.UniqueMessages (Array.last result.History).Validation.UniqueMessages "same messages"
        }

        test "Adam is available for comparison" {
            let r = run 2 1 1
            let adam = LewisGameTrainer.Train(LewisGameRun(r.Game, OptimizerKind.Adam, r.Optim, r.BatchSize, 1, 1, "cpu"), data.Value.Slice(0, 400), data.Value.Slice(400, 200))
            let sf = train r
            Expect.notEqual adam.History[0].TrainLoss sf.History[0].TrainLoss "a different optimizer, a different trajectory"
        }

        test "min length: the sender cannot choose EOS before that step, in training and in evaluation" {
            let send (minLength: int) (training: bool) =
                torch.random.manual_seed 5L |> ignore
                let spec = LewisGameSpec(12, 6, 3, 16, 8, EstimatorSpec.Stgs(1.0), MessageTermination.Eos, minLength)
                use model = new LewisGame(spec, new torch.Generator(5UL))
                model.train training
                // Widely spread inputs, so that EOS is the argmax at step 0 for some of them.
                let m = model.Send(torch.randn(400L, 12L) * 20.0)
                longs (model.Lengths m)
            for training in [ true; false ] do
                // Untrained, the sender picks EOS first about once in six: the empty message occurs.
                Expect.contains (send 0 training) 0L (sprintf "min length 0 (training %b): empty messages happen" training)
                Expect.isGreaterThanOrEqual (Array.min (send 1 training)) 1L (sprintf "min length 1 (training %b): none is empty" training)
                Expect.allEqual (send 3 training) 3L (sprintf "min length L (training %b): every message is L long" training)
            let problems (termination, minLength) = (LewisGameSpec(12, 6, 3, 16, 8, EstimatorSpec.Stgs(1.0), termination, minLength)).Problems()
            Expect.contains (problems (MessageTermination.Eos, 4)) "min length must be between 0 and the max length L = 3, got 4" "above L"
            Expect.contains (problems (MessageTermination.Eos, -1)) "min length must be between 0 and the max length L = 3, got -1" "negative"
            Expect.contains (problems (MessageTermination.FixedLength, 1)) "min length applies to Eos termination only (FixedLength messages are always L long), got 1 with FixedLength" "fixed length"
        }

        test "impossible runs are refused before training, naming each field" {
            let r = run 0 0 1
            let bad = LewisGameRun(LewisGameSpec(80, 1, 0, 16, 8, EstimatorSpec.Stgs(0.0)), OptimizerKind.ScheduleFreeAdamW, ScheduleFreeOptions(LearningRate = -1.0), 0, 0, 1, "tpu")
            let problems = LewisGameTrainer.Problems(bad, data.Value.Slice(0, 10), data.Value.Slice(10, 10))
            Expect.containsAll problems
                [ "vocabulary must be >= 2 (with EOS, symbol 0 is EOS), got 1"; "max length L must be >= 1, got 0"
                  "optimizer: learning rate must be > 0 and finite, got -1"; "batch size must be >= 1, got 0"; "epochs must be >= 1, got 0"
                  "train games have 3 x 4 = 12 input features, the game expects 80" ]
                "every problem listed"
            Expect.isTrue (problems |> Seq.exists (fun p -> p.StartsWith "estimator:")) "the estimator's own check"
            Expect.isTrue (problems |> Seq.exists (fun p -> p.Contains "device")) "the device"
            Expect.throwsT<ArgumentException> (fun () -> train r |> ignore) "Train refuses too"
        }

        test "infinite and NaN learning rates are refused, naming the field" {
            let r = run 2 1 1
            for lr in [ infinity; nan ] do
                let problems = LewisGameRun(r.Game, r.Optimizer, ScheduleFreeOptions(LearningRate = lr), r.BatchSize, r.Epochs, r.Seed, r.Device).Problems()
                Expect.exists problems (fun p -> p.StartsWith "optimizer: learning rate must be > 0 and finite, got ") (sprintf "lr %f" lr)
        }

        test "a learning rate that blows the weights up stops the run as diverged, naming the epoch" {
            // 1e30 is finite, so validation lets it through; after the first update the GRUs overflow to NaN.
            let r = run 2 2 1
            let huge = LewisGameRun(r.Game, r.Optimizer, ScheduleFreeOptions(LearningRate = 1e30), r.BatchSize, r.Epochs, r.Seed, r.Device)
            let e = Expect.throwsC (fun () -> train huge |> ignore) id
            match e with
            | :? TrainingDivergedException as d ->
                Expect.equal (d.Divergence.Unit, d.Divergence.At, d.Divergence.Quantity) ("epoch", 1L, "train loss") "the training loss of epoch 1 became non-finite"
                Expect.stringContains d.Divergence.Detail "of 13" "and in which of the epoch's 13 batches (400 games by 32)"
            | other -> failtestf "expected TrainingDivergedException, got %s: %s" (other.GetType().Name) other.Message
        }
    ]

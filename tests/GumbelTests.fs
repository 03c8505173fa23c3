/// Gumbel-Softmax sampling: relaxed and straight-through samples, reproducibility from a generator,
/// the categorical distribution it samples from, and the argmax word used in evaluation.
module CommLab.Tests.GumbelTests

open System
open Expecto
open TorchSharp
open CommLab.Channels
open CommLab.Estimators
open CommLab.Tests.TensorValues

let private logits = [| 1.0f; 0.0f; -1.0f; 2.0f |]

/// `batch` copies of `logits` as one [batch, 4] tensor.
let private repeated (batch: int64) = torch.tensor(logits).unsqueeze(0L).repeat(batch, 1L)

/// The relaxed Gumbel-Softmax, or STGS with `hard`, at `temperature`, drawing from `g`.
let private estimator hard (temperature: float) g =
    (if hard then EstimatorSpec.Stgs temperature else EstimatorSpec.Relaxed temperature).Create(g)

let private sample (seed: uint64) (batch: int64) (hard: bool) =
    use g = new torch.Generator(seed)
    use l = repeated batch
    estimator hard 1.0 g |> fun e -> e.Apply(l, true)

let private gumbelSpec =
    ChannelSpec(ChannelMode.Gumbel, ChannelArchitecture.Instant, 4, 4, 1, QuantizePhase.TrainAndInference, EstimatorSpec.Relaxed 1.0, 8, 8)

let tests =
    testList "Gumbel-Softmax estimators in channels" [
        test "a straight-through sample is exactly one-hot" {
            let notOneHot = rows (sample 1UL 500L true) |> Array.filter (isOneHot >> not)
            Expect.isEmpty notOneHot "the hard forward value is one-hot(argmax); any other row would leak the relaxation"
        }

        test "a straight-through sample picks the argmax of the relaxed sample with the same noise" {
            let hard = rows (sample 2UL 200L true) |> Array.map (Array.findIndex ((=) 1f))
            let soft = rows (sample 2UL 200L false) |> Array.map (fun r -> Array.findIndex ((=) (Array.max r)) r)
            Expect.sequenceEqual hard soft "hard = one-hot(argmax(soft)) for the same Gumbel noise"
        }

        test "a straight-through sample passes the relaxed gradient" {
            use g = new torch.Generator(3UL)
            use l = (repeated 8L).requires_grad_(true)
            use w = torch.arange(32L).reshape(8L, 4L).to_type(torch.float32)
            use loss = (w * (estimator true 1.0 g).Apply(l, true)).sum()
            loss.backward()
            let grad = gradient l
            Expect.isGreaterThan (grad |> Array.sumBy abs) 1e-3f "a pure one-hot would have zero gradient; the relaxed one must flow back"
        }

        test "a relaxed sample sums to 1 and is not one-hot" {
            let sampled = rows (sample 4UL 500L false)
            for row in sampled do
                Expect.floatClose Accuracy.medium (float (Array.sum row)) 1.0 "a softmax sums to 1"
            let inside = sampled |> Array.collect id |> Array.filter (fun v -> v > 1e-3f && v < 1f - 1e-3f)
            Expect.isGreaterThan inside.Length 1000 "at temperature 1 most entries lie strictly between 0 and 1"
        }

        test "the same generator seed gives the same sample, another seed a different one" {
            let a, b, c = floats (sample 5UL 64L false), floats (sample 5UL 64L false), floats (sample 6UL 64L false)
            Expect.sequenceEqual a b "Gumbel noise comes from the generator alone, so a run is reproducible from its seed"
            Expect.notEqual a c "a different seed must draw different noise"
        }

        test "argmax frequencies of samples match softmax(logits)" {
            let n = 20000
            let counts = Array.zeroCreate 4
            for row in rows (sample 7UL (int64 n) false) do
                let k = Array.findIndex ((=) (Array.max row)) row
                counts[k] <- counts[k] + 1
            let expected = logits |> Array.map (fun l -> exp (float l)) |> fun e -> e |> Array.map (fun v -> v / Array.sum e)
            for k in 0..3 do
                Expect.floatClose { absolute = 0.02; relative = 0.0 } (float counts[k] / float n) expected[k]
                    (sprintf "category %d: argmax(logits + Gumbel) is a draw from softmax(logits)" k)
        }

        test "evaluation sends the argmax one-hot without noise" {
            let discretizer = WordDiscretizer(gumbelSpec, null)
            use raw = matrix [| [| 0.1f; 0.5f; 0.2f; -1f |]; [| 3f; 0f; 0f; 0f |]; [| -2f; -1f; -3f; -0.5f |] |]
            Expect.sequenceEqual (floats (discretizer.Apply(raw, false))) [| 0f; 1f; 0f; 0f; 1f; 0f; 0f; 0f; 0f; 0f; 0f; 1f |]
                "outside training a Gumbel channel sends one-hot(argmax(raw)), identical on every call"
        }

        test "lower temperature gives samples closer to one-hot" {
            let meanMax temperature =
                use g = new torch.Generator(8UL)
                use l = repeated 2000L
                rows ((estimator false temperature g).Apply(l, true)) |> Array.averageBy Array.max
            let cold, warm = meanMax 0.1, meanMax 5.0
            Expect.isGreaterThan cold 0.95f "at temperature 0.1 a relaxed sample is nearly one-hot"
            Expect.isLessThan warm 0.6f "at temperature 5 a relaxed sample is spread out"
        }
    ]

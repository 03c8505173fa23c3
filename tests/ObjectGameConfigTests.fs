/// The Object game's typed config: defaults are the paper's, and every impossible setting is
/// reported before training with the field, the bad value and what is allowed.
module CommLab.Tests.ObjectGameConfigTests

open Expecto
open CommLab.Dsl
open CommLab.Dsl.Channel
open CommLab.Dsl.ObjectGame

let private problemsOf (r: Run) = validate r |> String.concat " | "

let private expectProblem (r: Run) (fragment: string) =
    let ps = problemsOf r
    Expect.stringContains ps fragment (sprintf "validation should mention '%s'" fragment)

let tests =
    testList "object game config" [
        test "paper defaults are valid and match Appendix A.4" {
            Expect.isEmpty (validate defaults) "the paper's settings must validate"
            Expect.equal (defaults.LearningRate, defaults.BatchSize, defaults.Epochs) (1e-5, 32, 50) "lr 1e-5, batch 32, 50 epochs"
            Expect.equal (objects defaults) 10000.0 "4 attributes x 10 values"
            Expect.equal defaults.Candidates [ 2; 10; 100; 500; 1000; 2000; 5000; 10000 ] "the paper's candidate counts"
        }
        test "word length 0 names the field and the value" {
            expectProblem { defaults with Channel = { defaults.Channel with WordLength = 0 } } "word length must be >= 1, got 0"
        }
        test "alphabet 1 is refused for QT and GS" {
            expectProblem { defaults with Channel = { defaults.Channel with Alphabet = 1 } } "alphabet size must be >= 2, got 1"
            expectProblem { defaults with Channel = { defaults.Channel with Mode = GS; Alphabet = 1; WordLength = 1 } } "alphabet size must be >= 2, got 1"
        }
        test "CN ignores the alphabet" {
            Expect.isEmpty (validate { defaults with Channel = { defaults.Channel with Mode = CN; Alphabet = 0 } }) "CN has no alphabet"
        }
        test "GS needs one-hot words" {
            expectProblem { defaults with Channel = { defaults.Channel with Mode = GS; Alphabet = 10; WordLength = 100 } }
                "word length must equal alphabet size (10), got 100"
        }
        test "GS temperature must be positive" {
            expectProblem { defaults with Channel = { defaults.Channel with Mode = GS; Alphabet = 10; WordLength = 10; Estimator = Estimator.stgs 0.0 } }
                "estimator temperature must be > 0 and finite, got 0"
        }
        test "a GS channel's estimator settings are checked before training" {
            expectProblem { defaults with Channel = { defaults.Channel with Mode = GS; Alphabet = 10; WordLength = 10; Estimator = Estimator.grmc 0.5 0 } }
                "estimator samples (K) must be >= 1, got 0"
        }
        test "a QT channel ignores the estimator (it only rounds)" {
            let r = { defaults with Channel = { defaults.Channel with Estimator = Estimator.gst 1.0 -1.0 } }
            Expect.isEmpty (validate r) "the estimator belongs to GS channels; QT's straight-through rounding has no settings"
        }
        test "Instant channels send one word" {
            expectProblem { defaults with Channel = { defaults.Channel with MessageLength = 6 } } "message length must be 1 for an Instant channel, got 6"
        }
        test "unknown device lists the allowed values" {
            expectProblem { defaults with Device = "gpu" } "device must be one of cpu, cuda, cuda:N, got 'gpu'"
        }
        test "candidate counts and negatives must fit the world" {
            expectProblem { defaults with Candidates = [ 2; 20000 ] } "candidate counts must be in 2..10000, got 20000"
            expectProblem { defaults with Negatives = Some 10000 } "negatives must be in 1..9999 (or all), got 10000"
        }
        test "every problem is listed at once" {
            let r = { defaults with BatchSize = 0; Epochs = 0; Device = "tpu" }
            Expect.equal (validate r |> List.length) 3 "batch size, epochs and device are all reported"
        }
        test "the experiment kind validates with the same list" {
            let bad = { defaults with BatchSize = 0; Device = "tpu" }
            Expect.equal (kind.Validate bad) (validate bad) "one validation path: the kind's is the core's list"
            Expect.contains (kind.Validate bad) "batch size must be >= 1, got 0" "naming the field and the value"
        }
        test "toCore carries every field to the core" {
            let core = toCore { defaults with Negatives = Some 99; Seed = 7; Channel = { defaults.Channel with Quantize = TrainAndInference } }
            Expect.equal (core.Negatives, core.Seed, core.Channel.Phase) (System.Nullable 99, 7, CommLab.Channels.QuantizePhase.TrainAndInference) "fields mapped"
        }
        test "the heatmap grid is alphabet x word length x phase" {
            let axes = [ Axes.quantize [ TrainAndInference; InferenceOnly ]; Axes.alphabet [ 2; 4; 8 ]; Axes.wordLength [ 1; 10; 100; 50 ] ]
            let grid = Sweep.grid defaults axes
            Expect.equal grid.Length 24 "2 x 3 x 4 runs"
            Expect.equal (grid |> List.map RunStore.runId |> List.distinct |> List.length) 24 "every run has its own id"
            Expect.equal (grid |> List.last).Channel.WordLength 50 "last axis varies fastest"
        }
        test "run ids ignore nothing that changes a run" {
            Expect.notEqual (RunStore.runId defaults) (RunStore.runId { defaults with DataSeed = 1 }) "data seed changes the id"
            Expect.equal (RunStore.runId defaults) (RunStore.runId { defaults with Seed = 1 }) "same config, same id"
        }
    ]

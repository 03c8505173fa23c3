/// The Object game trainer on a tiny world: reproducible from its seed, able to learn, strict about
/// its settings, and free of tensor leaks across epochs.
module CommLab.Tests.TrainerTests

open System
open Expecto
open TorchSharp
open CommLab.Channels
open CommLab.Estimators
open CommLab.Data
open CommLab.Games
open CommLab.Optim
open CommLab.Training
open CommLab.Validation

/// The settings these tests vary; `run` fills in the rest.
type private Knobs =
    { Channel: ChannelSpec
      LearningRate: float
      BatchSize: int
      Epochs: int
      Patience: int
      Negatives: int option
      Counts: int[]
      Selection: int
      Seed: int }

let private channel mode arch alphabet wordLength messageLength =
    ChannelSpec(mode, arch, alphabet, wordLength, messageLength, QuantizePhase.TrainAndInference, EstimatorSpec.Relaxed 1.0, 16, 16)

let private qtInstant = channel ChannelMode.Quantized ChannelArchitecture.Instant 4 16 1

/// 4 attributes x 4 values: 256 objects, split 204/26/26. QT Instant with word length 16 learns it in
/// 10 epochs at lr 1e-2 (test accuracy at 2 candidates >= 0.96 on seeds 1..10) in about a second.
let private defaults =
    { Channel = qtInstant; LearningRate = 1e-2; BatchSize = 32; Epochs = 10; Patience = 10
      Negatives = None; Counts = [| 2; 10 |]; Selection = 2; Seed = 1 }

let private attributes, values = 4, 4

let private run (k: Knobs) =
    ObjectGameRun(k.Channel, attributes, values, k.LearningRate, k.BatchSize, k.Epochs, k.Patience,
                  Option.toNullable k.Negatives, Nullable(), k.Counts, k.Selection, k.Seed, 0, "cpu")

let private losses (r: ReferentialResult) = r.History |> Array.map (fun h -> h.TrainLoss)

/// The message of the ArgumentException that Validate throws for these knobs, or None if it accepts them.
let private validationError (k: Knobs) =
    try
        (run k).Validate()
        None
    with :? ArgumentException as e -> Some e.Message

/// The trainer's Adam over a game's parameters.
let private adam (model: ReferentialGame) (learningRate: float) =
    new TrainerOptimizer(model.parameters(), OptimizerKind.Adam, ScheduleFreeOptions(LearningRate = learningRate))

/// A trained model's pieces, for running an epoch of training steps and Evaluate directly.
let private session (k: Knobs) =
    let r = run k
    let world = ObjectWorld(attributes, values)
    let features = world.Features torch.CPU
    let split = TargetSplit.Create(world.Count, 0.1, 0.1, 0)
    let model = ReferentialGame.ForObjects(world, r.Channel, new torch.Generator(uint64 k.Seed))
    let optimizer = adam model k.LearningRate
    let order, draws = Random k.Seed, new torch.Generator(uint64 k.Seed + 7UL)
    let steps = ObjectGameTrainer.Steps(model, optimizer, features, split.Train, r, draws)
    let epoch () = steps.Epoch(1, order) |> ignore
    let evaluate () = ObjectGameTrainer.Evaluate(model, world, features, split.Validation, [| 2; 10 |], k.Seed) |> ignore
    epoch, evaluate

/// Tensors alive on this thread (TorchSharp counts creations and disposals per thread).
let private live () = DisposeScopeManager.Statistics.ThreadTotalLiveCount

/// Live tensors after `repeat` more calls of `step`, minus before, after one warm-up call (which may
/// create lasting state such as Adam's moments).
let private growth (step: unit -> unit) (repeat: int) =
    step ()
    let before = live ()
    for _ in 1..repeat do step ()
    live () - before

let private trained = lazy (ObjectGameTrainer.Train(run defaults))

/// Settings Validate must reject, and the text its message must contain.
let private invalid =
    [ "negatives 0", { defaults with Negatives = Some 0 }, "negatives must be in 1..255 (or all), got 0"
      "negatives N", { defaults with Negatives = Some 256 }, "negatives must be in 1..255 (or all), got 256"
      "candidate count N+1", { defaults with Counts = [| 2; 257 |] }, "candidate counts must be in 2..256, got 257"
      "selection count 1", { defaults with Selection = 1 }, "candidate counts must be in 2..256, got 1"
      "batch size 0", { defaults with BatchSize = 0 }, "batch size must be >= 1, got 0"
      "epochs 0", { defaults with Epochs = 0 }, "epochs must be >= 1, got 0"
      "patience 0", { defaults with Patience = 0 }, "patience must be >= 1, got 0"
      "learning rate 0", { defaults with LearningRate = 0.0 }, "learning rate must be > 0 and finite, got 0"
      "learning rate +infinity", { defaults with LearningRate = infinity }, "learning rate must be > 0 and finite, got "
      "learning rate NaN", { defaults with LearningRate = nan }, "learning rate must be > 0 and finite, got NaN"
      "GS word length != alphabet",
      { defaults with Channel = channel ChannelMode.Gumbel ChannelArchitecture.Instant 4 6 1 },
      "word length must equal alphabet size (4), got 6"
      "word length 0", { defaults with Channel = channel ChannelMode.Quantized ChannelArchitecture.Instant 4 0 1 },
      "word length must be >= 1, got 0"
      "alphabet 1", { defaults with Channel = channel ChannelMode.Quantized ChannelArchitecture.Instant 1 16 1 },
      "alphabet size must be >= 2, got 1"
      "Instant with 2 words", { defaults with Channel = channel ChannelMode.Quantized ChannelArchitecture.Instant 4 16 2 },
      "message length must be 1 for an Instant channel, got 2" ]

let private validation =
    testList "Validate names the bad field and value" [
        for name, knobs, expected in invalid do
            yield test name {
                match validationError knobs with
                | None -> failtestf "Validate accepted the run; it must reject it with \"%s\"" expected
                | Some message -> Expect.stringContains message expected "the message names the field and quotes the value"
            }

        yield test "the boundary values pass" {
            let accepted =
                [ { defaults with Negatives = Some 255 }; { defaults with Negatives = Some 1 }
                  { defaults with Counts = [| 2; 256 |]; Selection = 256 }; { defaults with BatchSize = 1; Epochs = 1; Patience = 1 } ]
                |> List.map validationError
            Expect.equal accepted [ None; None; None; None ] "N-1 negatives, N candidates and sizes of 1 are all legal"
        }

        yield test "Train validates before it builds anything" {
            let message =
                Expect.throwsC (fun () -> ObjectGameTrainer.Train(run { defaults with BatchSize = 0 }) |> ignore) (fun e -> e.Message)
            Expect.stringContains message "batch size must be >= 1, got 0" "Train fails on a bad setting with Validate's message"
        }
    ]

let private estimators =
    testList "estimators in training" [
        test "an epoch of a set number of games takes that many games' updates, whatever the targets" {
            let tags = ChannelSpec(ChannelMode.Gumbel, ChannelArchitecture.Instant, 8, 8, 1, QuantizePhase.TrainAndInference,
                                   EstimatorSpec.Tags(2.0, 0.5, 100L), 16, 16)
            let r = ObjectGameRun(tags, attributes, values, 1e-2, 50, 1, 1, Nullable(), Nullable(), [| 2 |], 2, 1, 0, "cpu", GamesPerEpoch = Nullable 1000)
            let world = ObjectWorld(attributes, values)
            use features = world.Features torch.CPU
            let split = TargetSplit.Create(world.Count, 0.1, 0.1, 0)
            use model = ReferentialGame.ForObjects(world, r.Channel, new torch.Generator(1UL))
            use optimizer = adam model 1e-2
            let steps = ObjectGameTrainer.Steps(model, optimizer, features, split.Train, r, new torch.Generator(8UL))
            Expect.equal steps.Samples 1000 (sprintf "1000 games from %d targets" split.Train.Length)
            steps.Epoch(1, Random 1) |> ignore
            Expect.equal model.Estimator.State.Updates 20L "1000 games in batches of 50"
        }
        test "EGG's agents read the values and end in tanh, and train" {
            let world = ObjectWorld(attributes, values)
            use model = ReferentialGame.ForObjects(world, qtInstant, new torch.Generator(1UL), ObjectEncoding.Values, AgentActivation.Tanh)
            use inputs = world.ValueFeatures torch.CPU
            use encoded = model.EncodeCandidates inputs
            Expect.sequenceEqual encoded.shape [| 256L; 16L |] "4 numbers in, the word length out"
            Expect.isTrue (encoded.abs().max().item<float32>() <= 1f) "tanh bounds the encodings"
            Expect.isTrue (encoded.abs().max().item<float32>() > 0f) "and they are not all zero"
            let egg = ObjectGameRun(qtInstant, attributes, values, 1e-2, 32, 5, 5, Nullable(), Nullable(), [| 2; 10 |], 2, 1, 0, "cpu",
                                    ObjectEncoding.Values, AgentActivation.Tanh)
            let result = ObjectGameTrainer.Train egg
            Expect.isLessThan (Array.last (losses result)) (Array.head (losses result)) "the loss falls"
            Expect.isGreaterThan result.TestAccuracy[0] 0.5 "above chance at 2 candidates"
        }
        test "games per epoch must be positive" {
            let r = ObjectGameRun(qtInstant, attributes, values, 1e-2, 32, 1, 1, Nullable(), Nullable(), [| 2 |], 2, 1, 0, "cpu", GamesPerEpoch = Nullable 0)
            Expect.contains (r.Problems()) "games per epoch must be >= 1 (or one pass over the targets), got 0" "names the field, the value and what is allowed"
        }
        test "the trainer steps a GS channel's estimator once per gradient update" {
            let tags = ChannelSpec(ChannelMode.Gumbel, ChannelArchitecture.Instant, 8, 8, 1, QuantizePhase.TrainAndInference,
                                   EstimatorSpec.Tags(2.0, 0.5, 100L), 16, 16)
            let r = run { defaults with Channel = tags; BatchSize = 50 }
            let world = ObjectWorld(attributes, values)
            use features = world.Features torch.CPU
            let split = TargetSplit.Create(world.Count, 0.1, 0.1, 0)
            use model = ReferentialGame.ForObjects(world, r.Channel, new torch.Generator(1UL))
            use optimizer = adam model 1e-2
            ObjectGameTrainer.Steps(model, optimizer, features, split.Train, r, new torch.Generator(8UL)).Epoch(1, Random 1) |> ignore
            let batches = (split.Train.Length + 49) / 50
            Expect.equal model.Estimator.State.Updates (int64 batches) (sprintf "%d targets in batches of 50" split.Train.Length)
            Expect.floatClose Accuracy.high model.Estimator.Temperature (2.0 * 0.25 ** (float batches / 100.0)) "TAGS annealed by that many updates"
        }
        test "every estimator trains a GS channel to above chance" {
            for spec in [ EstimatorSpec.Stgs 1.0; EstimatorSpec.Grmc(0.5, 5); EstimatorSpec.Gst(0.7, 1.0) ] do
                let gs = ChannelSpec(ChannelMode.Gumbel, ChannelArchitecture.Instant, 16, 16, 1, QuantizePhase.TrainAndInference, spec, 16, 16)
                let result = ObjectGameTrainer.Train(run { defaults with Channel = gs; Epochs = 10; Patience = 10 })
                // 2 candidates over the 26 test targets: chance is 0.5; 16 one-hot words name 16 groups of objects.
                // After 10 epochs the three estimators reach 0.85-0.96 with seed 1 (0.65-0.96 over seeds 1..3).
                Expect.isGreaterThan result.TestAccuracy[0] 0.7 (sprintf "%s: accuracy at 2 candidates" spec.Name)
        }
    ]

let private leaks =
    testList "no tensor outlives its step" [
        test "a training epoch with every object as a negative" {
            let epoch, _ = session defaults
            Expect.equal (growth epoch 3) 0L "each step's tensors are freed by its dispose scope"
        }

        test "a training epoch with sampled negatives" {
            let epoch, _ = session { defaults with Negatives = Some 20 }
            Expect.equal (growth epoch 3) 0L "sampling negatives allocates nothing that survives the step"
        }

        test "Evaluate" {
            let _, evaluate = session defaults
            Expect.equal (growth evaluate 3) 0L "evaluation frees its messages, scores and distractor draws"
        }
    ]

/// Trainings whose initial weights come from libtorch's global generator: they must not overlap with
/// other tests that draw from it, so they run in sequence after the parallel tests.
let private seeded =
    testSequenced <| testList "seeded training" [
        test "the same config and seed give bit-identical results" {
            let a, b = trained.Force(), ObjectGameTrainer.Train(run defaults)
            Expect.sequenceEqual (losses a) (losses b) "every epoch's training loss is reproduced exactly"
            Expect.sequenceEqual a.TestAccuracy b.TestAccuracy "test accuracies are reproduced exactly"
            Expect.equal (a.BestEpoch, a.TestMessages) (b.BestEpoch, b.TestMessages) "the same epoch is picked and sends as many messages"
        }

        test "a Gumbel Recurrent run is reproducible too" {
            let gs = { defaults with Channel = channel ChannelMode.Gumbel ChannelArchitecture.Recurrent 4 4 2; Epochs = 2 }
            let a, b = ObjectGameTrainer.Train(run gs), ObjectGameTrainer.Train(run gs)
            Expect.sequenceEqual (losses a) (losses b) "Gumbel noise comes from the run's seeded generator"
        }

        test "a different seed gives different losses" {
            let other = ObjectGameTrainer.Train(run { defaults with Seed = 2 })
            Expect.notEqual (losses other) (losses (trained.Force())) "the seed drives initialization and batch order"
        }

        test "a learning rate that blows the weights up stops the run as diverged, naming the epoch" {
            // 1e30 is finite, so validation lets it through; the first update makes the scores overflow.
            let e = Expect.throwsC (fun () -> ObjectGameTrainer.Train(run { defaults with LearningRate = 1e30 }) |> ignore) id
            match e with
            | :? TrainingDivergedException as d ->
                Expect.equal (d.Divergence.Unit, d.Divergence.At, d.Divergence.Quantity) ("epoch", 1L, "train loss") "the training loss of epoch 1 became non-finite"
                Expect.isFalse (Double.IsFinite d.Divergence.Value) "the value reported is the non-finite loss"
                Expect.stringContains d.Message "train loss became" "the message says what diverged"
                Expect.stringContains d.Divergence.Detail "of 7" "and in which of the epoch's 7 batches (204 targets by 32)"
            | other -> failtestf "expected TrainingDivergedException, got %s: %s" (other.GetType().Name) other.Message
        }

        test "QT Instant learns the 4 x 4 game" {
            let r = trained.Force()
            Expect.equal r.TestTargets 26 "10% of 256 objects are test targets"
            Expect.isGreaterThanOrEqual r.TestAccuracy[0] 0.9 "chance is 0.5 at 2 candidates; 10 epochs reach >= 0.96 on seeds 1..10"
            Expect.isLessThan (Array.last (losses r)) (Array.head (losses r)) "the training loss falls"
            Expect.isGreaterThan r.TestMessages 20 "the sender tells most of the 26 test objects apart"
        }
    ]

let tests = testList "Trainer" [ validation; estimators; leaks; seeded ]

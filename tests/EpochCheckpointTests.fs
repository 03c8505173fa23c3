/// The epoch loop's checkpoint: a game run stopped between epochs and started again from its file ends
/// with the numbers of a run never stopped (Object game with sampled negatives, Gumbel noise and an
/// annealed estimator; Lewis game with Schedule-Free AdamW and with Adam), and a file of another run
/// is refused.
module CommLab.Tests.EpochCheckpointTests

open System
open System.IO
open System.Threading
open Expecto
open CommLab.Channels
open CommLab.Estimators
open CommLab.Games
open CommLab.Optim
open CommLab.Symbolic
open CommLab.Training

/// 4 x 4 objects, a Gumbel channel with TAGS (its temperature anneals with every update), 20 sampled
/// negatives per target (their own generator): every piece of state a checkpoint must carry.
let private objectRun (epochs: int) (seed: int) =
    let gs = ChannelSpec(ChannelMode.Gumbel, ChannelArchitecture.Instant, 8, 8, 1, QuantizePhase.TrainAndInference, EstimatorSpec.Tags(2.0, 0.5, 50L), 16, 16)
    ObjectGameRun(gs, 4, 4, 1e-2, 32, epochs, epochs, Nullable 20, Nullable(), [| 2; 10 |], 2, seed, 0, "cpu")

let private games = lazy (ControlledSampler.Sample(GameShape(3, 4, 4), 1, 600, 3UL).Games)

let private lewisRun (optimizer: OptimizerKind) (epochs: int) =
    LewisGameRun(LewisGameSpec(12, 8, 3, 64, 16, EstimatorSpec.Stgs 1.0), optimizer, ScheduleFreeOptions(LearningRate = 0.01), 32, epochs, 4, "cpu")

/// Runs `train` with a checkpoint after every epoch, cancelled once `stopAfter` epochs are done; then
/// runs it again from the file. Returns the resumed run's result and the epochs the second process
/// reported.
let private stopAndResume (stopAfter: int) (train: LoopResume -> Action<EpochReport<'e>> -> CancellationToken -> 'r) =
    use dir = new TempDir()
    let resume = LoopResume(Path.Combine(dir.Path, "epochs.checkpoint"), TimeSpan.Zero)
    use cancel = new CancellationTokenSource()
    let first = Action<EpochReport<'e>>(fun e -> if e.Epoch = stopAfter then cancel.Cancel())
    Expect.throwsT<OperationCanceledException> (fun () -> train resume first cancel.Token |> ignore) "the first process stops between epochs"
    Expect.isTrue (File.Exists resume.Path) "and leaves its checkpoint"
    let reported = Collections.Generic.List<int>()
    let result = train resume (Action<EpochReport<'e>>(fun e -> reported.Add e.Epoch)) CancellationToken.None
    result, List.ofSeq reported

let tests =
    testSequenced <| testList "epoch checkpoints" [
        test "an Object game run stopped after epoch 2 of 4 and resumed ends as one never stopped" {
            let whole = ObjectGameTrainer.Train(objectRun 4 3)
            let resumed, epochs = stopAndResume 2 (fun resume progress cancel -> ObjectGameTrainer.Train(objectRun 4 3, progress, cancel, resume))
            Expect.equal epochs [ 3; 4 ] "the second process trains epochs 3 and 4 only"
            let losses (r: ReferentialResult) = r.History |> Array.map (fun h -> h.TrainLoss, h.Validation.Accuracy, h.Validation.Messages)
            Expect.sequenceEqual (losses resumed) (losses whole) "every epoch's loss and validation, the first two read back from the file"
            Expect.sequenceEqual resumed.TestAccuracy whole.TestAccuracy "the test accuracy at the best epoch"
            Expect.equal (resumed.BestEpoch, resumed.TestMessages) (whole.BestEpoch, whole.TestMessages) "the same best epoch and messages"
        }
        test "a Lewis game run with Schedule-Free AdamW, and one with Adam, resume to the same numbers" {
            let t, v = games.Value.Slice(0, 400), games.Value.Slice(400, 200)
            for optimizer in [ OptimizerKind.ScheduleFreeAdamW; OptimizerKind.Adam ] do
                let whole = LewisGameTrainer.Train(lewisRun optimizer 3, t, v)
                let resumed, epochs = stopAndResume 1 (fun resume progress cancel -> LewisGameTrainer.Train(lewisRun optimizer 3, t, v, progress, cancel = cancel, resume = resume))
                Expect.equal epochs [ 2; 3 ] (sprintf "%A: the second process trains epochs 2 and 3" optimizer)
                let numbers (r: LewisGameResult) = r.History |> Array.map (fun h -> h.TrainLoss, h.Validation.Accuracy, h.Validation.MeanLength, h.Validation.UniqueMessages)
                Expect.sequenceEqual (numbers resumed) (numbers whole) (sprintf "%A: every epoch's loss, accuracy, length and messages" optimizer)
        }
        test "a checkpoint of another run is refused with its path, and none is written before its interval" {
            use dir = new TempDir()
            let path = Path.Combine(dir.Path, "epochs.checkpoint")
            use cancel = new CancellationTokenSource()
            let stop = Action<EpochReport<ReferentialValidation>>(fun e -> if e.Epoch = 1 then cancel.Cancel())
            let run resume = ObjectGameTrainer.Train(objectRun 3 1, stop, cancel.Token, resume) |> ignore
            Expect.throwsT<OperationCanceledException> (fun () -> run (LoopResume(path, TimeSpan.FromDays 1.0))) "stopped after epoch 1"
            Expect.isFalse (File.Exists path) "a day has not passed: no checkpoint yet"
            use cancel2 = new CancellationTokenSource()
            let stop2 = Action<EpochReport<ReferentialValidation>>(fun e -> if e.Epoch = 1 then cancel2.Cancel())
            Expect.throwsT<OperationCanceledException> (fun () -> ObjectGameTrainer.Train(objectRun 3 1, stop2, cancel2.Token, LoopResume(path, TimeSpan.Zero)) |> ignore) "stopped after epoch 1"
            let e = Expect.throwsC (fun () -> ObjectGameTrainer.Train(objectRun 3 2, resume = LoopResume(path, TimeSpan.Zero)) |> ignore) id
            Expect.isTrue (e :? InvalidDataException) (sprintf "InvalidDataException, got %s" (e.GetType().Name))
            Expect.stringContains e.Message (sprintf "checkpoint %s cannot be resumed: it belongs to another run" path) "names the file and why"
            Expect.stringContains e.Message "Delete it to start the run again" "and what to do"
        }
    ]

/// The epoch loop's choice of when to stop: every epoch, patience, or the first epoch that reaches the
/// highest score there is; the best epoch is the first with the highest validation score either way.
module CommLab.Tests.EpochLoopTests

open Expecto
open TorchSharp
open CommLab.Optim
open CommLab.Training

/// A validation result that is just its score.
type private Scripted(score: float) =
    interface IScored with
        member _.Score = score

/// Runs the loop over a one-weight model for `epochs` epochs whose validation scores are `scores`, in
/// order; returns the epochs it trained and the best epoch it reported.
let private loop (settings: LoopSettings) (scores: float list) =
    use model = torch.nn.Linear(1L, 1L)
    use optimizer = new TrainerOptimizer(model.parameters(), OptimizerKind.Adam, ScheduleFreeOptions(LearningRate = 1e-3))
    use x = torch.ones(4L, 1L)
    let steps = TrainingSteps(model, optimizer, null, 4, 2, fun _ -> let y = model.forward x in (y * y).mean())
    let next = ref scores
    let evaluate () =
        let score = List.head next.Value
        next.Value <- List.tail next.Value
        Scripted score
    let outcome = EpochLoop.Run(steps, settings, evaluate)
    outcome.History |> Array.map (fun r -> r.Epoch) |> List.ofArray, outcome.BestEpoch, outcome.BestScore

let tests =
    testList "epoch loop" [
        test "without a ceiling or patience every epoch is trained, the best is the first highest" {
            let epochs, best, score = loop (LoopSettings(6, 1)) [ 0.4; 1.0; 0.7; 1.0; 0.9; 0.8 ]
            Expect.equal epochs [ 1..6 ] "all six epochs"
            Expect.equal (best, score) (2, 1.0) "epoch 2 is the first with 1.0"
        }
        test "a ceiling stops at the first epoch that reaches it, with the best epoch a full run picks" {
            let epochs, best, score = loop (LoopSettings(6, 1, Ceiling = 1.0)) [ 0.4; 1.0; 0.7; 1.0; 0.9; 0.8 ]
            Expect.equal epochs [ 1; 2 ] "stopped after epoch 2"
            Expect.equal (best, score) (2, 1.0) "the epoch a full run picks"
        }
        test "a ceiling never reached trains every epoch" {
            let epochs, best, _ = loop (LoopSettings(4, 1, Ceiling = 1.0)) [ 0.4; 0.99; 0.7; 0.98 ]
            Expect.equal epochs [ 1..4 ] "all four epochs"
            Expect.equal best 2 "0.99 is the best"
        }
        test "patience stops that many epochs after the best" {
            let epochs, best, _ = loop (LoopSettings(8, 1, Patience = 2)) [ 0.4; 0.6; 0.5; 0.55; 0.9; 0.9 ; 0.9; 0.9 ]
            Expect.equal epochs [ 1..4 ] "two epochs without a better score after epoch 2"
            Expect.equal best 2 "epoch 2"
        }
    ]

// Speed of one training step of each communication game at the paper's size (a benchmark, not a test):
// step time through the trainers' own loss, backward and optimizer step; the GFLOP/s its matrix
// products achieve (their FLOPs counted from the layer shapes, forward and backward); and the sgemm
// rate measured in the same process at the same thread count, the roofline a step could approach.
// Then the paper-profile time per run of every training experiment, from measured step and evaluation times.
// Options: --threads 1,2 (default: 1 and all cores), --steps N (timed steps per game, default 30),
// --parts steps,runs (default both).
#load "../experiments/Load.fsx"
#load "Options.fsx"

open System
open System.Diagnostics
open CommLab.Data
open CommLab.Dsl
open CommLab.Games
open CommLab.Training
open TorchSharp

/// Thread counts from `--threads 1,2`; each must be a whole number >= 1.
let threadCounts =
    match BenchOptions.option "--threads" "" with
    | "" -> List.distinct [ 1; Environment.ProcessorCount ]
    | text ->
        [ for part in text.Split(',') ->
              match Int32.TryParse part with
              | true, t when t >= 1 -> t
              | _ ->
                  eprintfn "--threads must be a comma-separated list of whole numbers >= 1, got '%s'" text
                  exit 2 ]
let timedSteps = int (BenchOptions.number "--steps" 30.0)
let parts = (BenchOptions.option "--parts" "steps,runs").Split(',') |> Set.ofArray
match parts - set [ "steps"; "runs" ] |> Set.toList with
| [] -> ()
| unknown ->
    eprintfn "--parts must be a comma-separated list of steps and runs, got '%s'" (String.concat "," unknown)
    exit 2

/// FLOPs of the products of one training step: a product [m,k]x[k,n] costs 2mkn forward and as much
/// again for the gradient of each factor that needs one.
let product (m: int64) (k: int64) (n: int64) (gradLeft: bool) (gradRight: bool) =
    2L * m * k * n * (1L + (if gradLeft then 1L else 0L) + (if gradRight then 1L else 0L))

/// A GRU step over rows of input [rows, input] with state [rows, hidden]: the input and state products.
let gruStep rows input hidden inputGrad stateGrad =
    product rows input (3L * hidden) inputGrad true + product rows hidden (3L * hidden) stateGrad true

/// The median of the seconds taken by `f` over `n` calls after `warm` unmeasured ones.
let medianSeconds warm n (f: unit -> unit) =
    for _ in 1 .. warm do f ()
    let times = [| for _ in 1 .. n -> let c = Stopwatch.StartNew() in f (); c.Elapsed.TotalSeconds |]
    Array.sortInPlace times
    times[times.Length / 2]

/// sgemm rate at the current thread count: a 1024^3 product, median of 20.
let sgemmRate () =
    use a = torch.randn(1024L, 1024L)
    use b = torch.randn(1024L, 1024L)
    let seconds = medianSeconds 5 20 (fun () -> (a.mm b).Dispose())
    2.0 * 1024.0 ** 3.0 / seconds / 1e9

/// Seconds per step of `steps` (a TrainingSteps over exactly `timedSteps` batches): median of 3 epochs
/// after one warm-up epoch, divided by the batches.
let stepSeconds (steps: TrainingSteps) =
    let batches = float ((steps.Samples + steps.BatchSize - 1) / steps.BatchSize)
    medianSeconds 1 3 (fun () -> steps.Epoch(1, Random 1) |> ignore) / batches

type Game = { Name: string; Flops: int64; Steps: unit -> TrainingSteps }

let world = ObjectWorld(4, 10)
let features = world.Features(torch.CPU)
let objectTargets = TargetSplit.Create(world.Count, 0.1, 0.1, 0).Train

/// An Object game run's model (seeded) and its training steps over the first `batches` batches of the
/// training targets, through the trainer's own loss and Adam.
let objectSteps (run: ObjectGameRun) batches =
    torch.random.manual_seed 1L |> ignore
    let model = ReferentialGame.ForObjects(world, run.Channel, new torch.Generator(1UL))
    let optimizer = new TrainerOptimizer(model.parameters(), CommLab.Optim.OptimizerKind.Adam, CommLab.Optim.ScheduleFreeOptions(LearningRate = run.LearningRate))
    model, ObjectGameTrainer.Steps(model, optimizer, features, objectTargets[.. run.BatchSize * batches - 1], run, null)

/// A Lewis game run's model (seeded), its training steps over `batches` batches of freshly drawn games,
/// and `validationGames` more games to evaluate on.
let lewisSteps (run: LewisGameRun) batches validationGames =
    let data = { LewisGame.paperData with Games = run.BatchSize * batches + validationGames; TrainGames = run.BatchSize * batches }
    let train, validation = LewisGame.split data
    torch.random.manual_seed 1L |> ignore
    let model = new LewisGame(run.Game, new torch.Generator(1UL))
    let optimizer = new TrainerOptimizer(model.parameters(), run.Optimizer, run.Optim)
    model, LewisGameTrainer.Steps(model, optimizer, train.Features(torch.CPU), train.TargetIndices(torch.CPU), run.BatchSize), validation

/// An Object game at the paper's size (all 10^4 objects as negatives, batch 32).
let objectGame name (channel: Channel.Channel) flops =
    let run = ObjectGame.toCore { ObjectGame.defaults with Channel = channel }
    { Name = name; Flops = flops; Steps = fun () -> snd (objectSteps run timedSteps) }

let b, f = 32L, int64 features.shape[1]
/// Scoring all n objects (re-associated): decoded [b,h] x W [h,f]; the product with the objects'
/// features is broadcast adds (ObjectWorld.Dot), no matrix product.
let scoring h = product b h f true true

let instantFlops =
    let w = 100L
    product b f w false true + product b w w true true + product b w w true true + scoring w

let recurrent = { Channel.defaults with Architecture = Channel.Recurrent; MessageLength = 6 }
let recurrentFlops =
    let h, e, w, t = 1024L, 1024L, int64 recurrent.WordLength, int64 recurrent.MessageLength
    // The sender embeds each word it sends but the last, which has no next step.
    let sender = product b f h false true + t * (gruStep b e h true true + product b h w true true) + (t - 1L) * product b w e true true
    // The receiver embeds and applies the input weights for all t words at once; its first state product
    // multiplies the zero state (no gradient to it, but libtorch still computes it).
    let receiver = product (b * t) w e true true + product (b * t) e (3L * h) true true + t * product b h (3L * h) true true
    sender + receiver + scoring h

let lewisGame maxLength =
    let run = LewisGame.toCore { LewisGame.defaults with MaxLength = maxLength }
    let spec = run.Game
    let b, c, fe, h, e, v = 32L, 64L, int64 spec.Features, int64 spec.Hidden, int64 spec.Embedding, int64 spec.Vocabulary
    let spoken, read = int64 spec.MaxLength, int64 spec.Steps
    let flops =
        product b fe h false true
        + spoken * (gruStep b e h true true + product b h v true true) + (spoken - 1L) * product b v e true true
        + product (b * read) v e true true + product (b * read) e (3L * h) true true + read * product b h (3L * h) true true
        + product (b * c) fe h false true + product (b * read) h c true true
    { Name = sprintf "Lewis L=%d (GRU 512, 64 candidates)" maxLength
      Flops = flops
      Steps = fun () -> let _, steps, _ = lewisSteps run timedSteps 100 in steps }

let games =
    [ objectGame "Object QT-Instant (|v|=10, w=100)" Channel.defaults instantFlops
      objectGame "Object QT-RNN (GRU 1024, 6 words)" recurrent recurrentFlops
      lewisGame 5 ]

if parts.Contains "steps" then
    printfn "| game | threads | step (ms) | GFLOP per step | GFLOP/s | sgemm GFLOP/s | share of sgemm |"
    printfn "| --- | --- | --- | --- | --- | --- | --- |"
    for threads in threadCounts do
        torch.set_num_threads threads
        let sgemm = sgemmRate ()
        for game in games do
            let seconds = stepSeconds (game.Steps ())
            let rate = float game.Flops / seconds / 1e9
            printfn "| %s | %d | %.2f | %.3f | %.1f | %.1f | %.0f%% |" game.Name threads (1000.0 * seconds) (float game.Flops / 1e9) rate sgemm (100.0 * rate / sgemm)

// 2. Paper-profile time per run of each training experiment, on one thread (what one job of a sweep
//    gets by default, see `--jobs`): each run shape's measured step and evaluation times, times the
//    steps and evaluations of a paper-profile run. Shapes that share a cost share a row.
if parts.Contains "runs" then
    printfn ""
    printfn "Paper-profile time per run, one thread (measured step and evaluation times x the run's steps and evaluations):"
    printfn ""
    printfn "| experiment | run | step (ms) | evaluation (s) | steps | evaluations | time per run (min) |"
    printfn "| --- | --- | --- | --- | --- | --- | --- |"
    torch.set_num_threads 1

    let runShapes = max 5 (timedSteps / 3)
    let split = TargetSplit.Create(world.Count, 0.1, 0.1, 0)

    /// One paper-profile Object run with this channel: 50 epochs of 3125 steps (10^5 games), a validation pass after each
    /// (10^4 candidates) and the test pass at every candidate count.
    let objectRun experiment name (channel: Channel.Channel) =
        let dsl = { ObjectGame.defaults with Channel = channel }
        let run = ObjectGame.toCore dsl
        let model, steps = objectSteps run runShapes
        let step = stepSeconds steps
        let evaluate (targets: int[]) counts () =
            use _ = torch.NewDisposeScope()
            ObjectGameTrainer.Evaluate(model, features, targets, counts, 1, torch.CPU) |> ignore
        let validation = medianSeconds 1 3 (evaluate split.Validation [| run.SelectionCandidates |])
        let test = medianSeconds 0 1 (evaluate split.Test run.CandidateCounts)
        let steps = ObjectGame.updates dsl
        let seconds = float steps * step + float run.Epochs * validation + test
        printfn "| %s | %s | %.1f | %.2f | %d | %d | %.1f |" experiment name (1000.0 * step) validation steps (run.Epochs + 1) (seconds / 60.0)

    let qt = { Channel.defaults with Mode = Channel.QT }
    let gs alphabet estimator = { Channel.defaults with Mode = Channel.GS; Alphabet = alphabet; WordLength = alphabet; Estimator = estimator }
    let rnn (c: Channel.Channel) = { c with Architecture = Channel.Recurrent; MessageLength = 6 }

    objectRun "quantized-heatmap" "QT-Instant, word length 1" { qt with WordLength = 1 }
    objectRun "quantized-heatmap" "QT-Instant, word length 100" qt
    objectRun "object-game-candidates" "CN-Instant" { qt with Mode = Channel.CN }
    objectRun "object-game-candidates" "GS-Instant |v|=100" (gs 100 (Estimator.relaxed 1.0))
    objectRun "object-game-candidates" "CN-RNN, QT-RNN (GRU 1024)" (rnn qt)
    objectRun "object-game-candidates" "GS-RNN |v|=10 (GRU 1024)" (rnn (gs 10 (Estimator.relaxed 1.0)))
    for estimator in [ Estimator.stgs 1.0; Estimator.gst 0.7 1.0; Estimator.grmc 0.5 10 ] do
        objectRun "channel-estimators" (sprintf "GS-Instant |v|=100 %s" (Estimator.name estimator)) (gs 100 estimator)
        objectRun "channel-estimators" (sprintf "GS-RNN |v|=10 %s (GRU 1024)" (Estimator.name estimator)) (rnn (gs 10 estimator))

    /// One paper-profile Lewis run at message length L: 30 epochs of 250 steps, a validation pass over the
    /// 2000 validation games after each.
    let lewisRun maxLength =
        let dsl = { LewisGame.defaults with MaxLength = maxLength }
        let run = LewisGame.toCore dsl
        let model, trainSteps, validation = lewisSteps run runShapes 2000
        let step = stepSeconds trainSteps
        let validFeatures, validTargets = validation.Features(torch.CPU), validation.TargetIndices(torch.CPU)
        let evaluation = medianSeconds 1 3 (fun () -> LewisGameTrainer.Evaluate(model, validFeatures, validTargets, run.BatchSize) |> ignore)
        let steps = LewisGame.updates dsl
        let seconds = float steps * step + float run.Epochs * evaluation
        printfn "| sms-message-length | Lewis L=%d | %.1f | %.2f | %d | %d | %.1f |" maxLength (1000.0 * step) evaluation steps run.Epochs (seconds / 60.0)

    for l in 1 .. 5 do lewisRun l

// Speed of one training step of each communication game at the paper's size (a benchmark, not a test):
// step time through the trainers' own loss, backward and optimizer step; the GFLOP/s its matrix
// products achieve (their FLOPs counted from the layer shapes, forward and backward); and the sgemm
// rate measured in the same process at the same thread count, the roofline a step could approach.
// Options: --threads 1,2 (default: 1 and all cores), --steps N (timed steps per game, default 30).
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

/// An Object game at the paper's size (50 epochs of 8000 targets, all 10^4 objects as negatives, batch 32).
let objectGame name (channel: Channel.Channel) flops =
    let run = ObjectGame.toCore { ObjectGame.defaults with Channel = channel }
    { Name = name
      Flops = flops
      Steps =
        fun () ->
            torch.random.manual_seed 1L |> ignore
            let model = ReferentialGame.ForObjects(int features.shape[1], run.Channel, null)
            let optimizer = new TrainerOptimizer(model.parameters(), CommLab.Optim.OptimizerKind.Adam, CommLab.Optim.ScheduleFreeOptions(LearningRate = 1e-5))
            ObjectGameTrainer.Steps(model, optimizer, features, objectTargets[.. 32 * timedSteps - 1], run, null) }

let b, f, n = 32L, int64 features.shape[1], int64 world.Count
/// Scoring all n objects (re-associated): decoded [b,h] x W [h,f], then x features^T [f,n] (no gradient).
let scoring h = product b h f true true + product b f n true false

let instantFlops =
    let w = 100L
    product b f w false true + product b w w true true + product b w w true true + scoring w

let recurrent = { Channel.defaults with Architecture = Channel.Recurrent; MessageLength = 6 }
let recurrentFlops =
    let h, e, w, t = 1024L, 1024L, int64 recurrent.WordLength, int64 recurrent.MessageLength
    let sender = product b f h false true + t * (gruStep b e h true true + product b h w true true + product b w e true true)
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
        + spoken * (gruStep b e h true true + product b h v true true + product b v e true true)
        + product (b * read) v e true true + product (b * read) e (3L * h) true true + read * product b h (3L * h) true true
        + product (b * c) fe h false true + product (b * read) h c true true
    { Name = sprintf "Lewis L=%d (GRU 512, 64 candidates)" maxLength
      Flops = flops
      Steps =
        fun () ->
            let data = { LewisGame.paperData with Games = 32 * timedSteps + 100; TrainGames = 32 * timedSteps }
            let train, _ = LewisGame.split data
            torch.random.manual_seed 1L |> ignore
            let model = new LewisGame(spec, new torch.Generator(1UL))
            let optimizer = new TrainerOptimizer(model.parameters(), run.Optimizer, run.Optim)
            LewisGameTrainer.Steps(model, optimizer, train.Features(torch.CPU), train.TargetIndices(torch.CPU), 32) }

let games =
    [ objectGame "Object QT-Instant (|v|=10, w=100)" Channel.defaults instantFlops
      objectGame "Object QT-RNN (GRU 1024, 6 words)" recurrent recurrentFlops
      lewisGame 5 ]

printfn "| game | threads | step (ms) | GFLOP per step | GFLOP/s | sgemm GFLOP/s | share of sgemm |"
printfn "| --- | --- | --- | --- | --- | --- | --- |"
for threads in threadCounts do
    torch.set_num_threads threads
    let sgemm = sgemmRate ()
    for game in games do
        let seconds = stepSeconds (game.Steps ())
        let rate = float game.Flops / seconds / 1e9
        printfn "| %s | %d | %.2f | %.3f | %.1f | %.1f | %.0f%% |" game.Name threads (1000.0 * seconds) (float game.Flops / 1e9) rate sgemm (100.0 * rate / sgemm)

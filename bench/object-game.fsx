// Speed of the Object game on this machine (a benchmark, not a test), on one torch thread and on all
// cores:
//  1. training throughput, samples/s, for QT-Instant (alphabet 10, word length 100) with all 10^4
//     objects as negatives, batch 32;
//  2. wall time of one paper-profile run (50 epochs over 8000 targets, 10^4 negatives, evaluation included);
//  3. wall time of one paper-profile epoch of QT-RNN at GRU 1024 (6 words of 100 elements): 250 steps
//     and the validation pass (the quantization page quotes it).
// Goals: one paper-profile run under 5 minutes on 2 cores (issue 2), then at most 30 s (issue 13).
#load "../experiments/Load.fsx"

open System.Diagnostics
open CommLab.Data
open CommLab.Dsl
open CommLab.Games
open CommLab.Training
open TorchSharp

// Epochs of one pass over the 8000 training targets, as the bench has always timed them; the paper
// profile's epochs are 12.5 times longer (ObjectGame.paperGamesPerEpoch).
let paperRun = ObjectGame.toCore { ObjectGame.defaults with GamesPerEpoch = None }
let world = ObjectWorld(4, 10)
let features = world.Features(torch.CPU)
let targets = TargetSplit.Create(world.Count, 0.1, 0.1, 0).Train

for threads in List.distinct [ 1; System.Environment.ProcessorCount ] do
    torch.set_num_threads threads

    // 1. Throughput: steps after a warm-up, through the trainer's own loss and optimizer step.
    torch.random.manual_seed 1L |> ignore
    let model = ReferentialGame.ForObjects(world, paperRun.Channel, null)
    let optimizer = new TrainerOptimizer(model.parameters(), CommLab.Optim.OptimizerKind.Adam, CommLab.Optim.ScheduleFreeOptions(LearningRate = 1e-3))
    let steps = ObjectGameTrainer.Steps(model, optimizer, features, targets, paperRun, null)
    let epoch () = steps.Epoch(1, System.Random 1) |> ignore
    epoch ()
    let clock = Stopwatch.StartNew()
    let epochs = 3
    for _ in 1..epochs do epoch ()
    let samplesPerSecond = float (epochs * targets.Length) / clock.Elapsed.TotalSeconds
    printfn "QT-Instant |v|=10 w=100, 10^4 negatives, batch 32, %d thread(s): %.0f samples/s (%.2f ms/step)" threads samplesPerSecond (1000.0 * 32.0 / samplesPerSecond)

    // 2. One paper-profile run, end to end.
    let wall = Stopwatch.StartNew()
    let result = ObjectGameTrainer.Train(paperRun)
    printfn "paper-profile run (QT-Instant, 50 epochs, 8000 targets, lr 1e-5), %d thread(s): %.1f s wall (goal <= 30 s: %s), test accuracy at 10^4 candidates %.3f, NoUM %d"
        threads wall.Elapsed.TotalSeconds (if wall.Elapsed.TotalSeconds <= 30.0 then "met" else "not met") (Array.last result.TestAccuracy) result.TestMessages

    // 3. One epoch of the paper's Recurrent channel (training, validation and the test pass).
    let recurrent = { ObjectGame.defaults with Channel = { Channel.defaults with Architecture = Channel.Recurrent; MessageLength = 6 }; Epochs = 1; GamesPerEpoch = None }
    let wall = Stopwatch.StartNew()
    let result = ObjectGameTrainer.Train(ObjectGame.toCore recurrent)
    printfn "one paper-profile epoch of QT-RNN (GRU 1024, 6 words), %d thread(s): %.1f s wall (%.1f s of it training, the rest the validation and test passes)"
        threads wall.Elapsed.TotalSeconds (float (Array.length targets) / result.SamplesPerSecond)

// Figure 3 / Table 5 of "Emergent Quantized Communication" for the Object game: test accuracy
// against the number of candidates for continuous (CN), Gumbel-Softmax (GS) and quantized (QT)
// channels, Instant and Recurrent; plus Table 3 (unique messages, GS vs QT) and the Object row of
// Table 2 (QT quantizing in training and inference against inference only).
#load "Load.fsx"

open CommLab.Dsl
open CommLab.Dsl.Channel
open CommLab.Dsl.ObjectGame

let options = Cli.parse "object-game-candidates" Cli.Quick (fsi.CommandLineArgs |> Array.skip 1)

// Channels of footnote 5 / Table 5: CN and QT words of 100 elements, QT alphabet 10; GS alphabet
// 100 (Instant) and 10 (Recurrent); Recurrent messages of 6 words. GS is relaxed (no straight-through)
// with temperature 1. QT appears twice: inference-only (Figure 3, Table 5) and train+inference (Table 2).
let channels hidden = Referential.paperChannels PaperNumbers.Quantized.Object (fun c -> { c with Hidden = hidden; Embedding = hidden })

// Paper (Appendix A.4): Adam lr 1e-5, batch 32, 50 epochs, patience 50, all 10^4 objects as
// negatives, GRU size 1024, 3 seeds. Quick: lr 1e-3, 3 epochs, GRU size 256, 2 seeds.
let settings, hidden, defaultSeeds =
    match options.Profile with
    | Cli.Smoke -> { defaults with LearningRate = 3e-3; TrainTargets = Some 1000; Epochs = 1; GamesPerEpoch = None; Candidates = [ 2; 100; 10000 ] }, 32, [ 1 ]
    | Cli.Quick -> { defaults with LearningRate = 1e-3; Epochs = 3; GamesPerEpoch = None }, 256, [ 1; 2 ]
    | Cli.Paper -> defaults, 1024, [ 1; 2; 3 ]

let sweep = [ Axes.channels (channels hidden); Axes.seeds (Cli.seeds options defaultSeeds) ]
let results = Experiment.run options "object-game-candidates" kind (Sweep.grid { settings with Device = options.Device } sweep)

Experiment.publish options results
    (ReferentialReports.candidatesReport PaperNumbers.Quantized.Object (Cli.profileName options) false results.Rows)

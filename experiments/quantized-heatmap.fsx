// Figure 4 of "Emergent Quantized Communication": the Object game over an Instant QT channel,
// accuracy and number of unique messages (NoUM) as a function of alphabet size and word length,
// quantizing during training and inference, or during inference only.
#load "Load.fsx"

open CommLab.Dsl
open CommLab.Dsl.Channel
open CommLab.Dsl.ObjectGame

let options = Cli.parse "quantized-heatmap" Cli.Quick (fsi.CommandLineArgs |> Array.skip 1)

// Setup (Section 5.2, Appendix A.4): 4 attributes x 10 values, 8000/1000/1000 targets, every other
// object a negative in training, Adam with batch 32. Figure 4's axis values are not in the text:
// we sweep powers of two for the alphabet and 1..100 for the word length.
// The quick profile trains with lr 1e-3 for 3 epochs (the paper: 1e-5 for 50) to fit in minutes.
// Words are normalized per word (our default) and, as in the authors' code, over the batch: per-word
// min-max leaves a word of length 1 or 2 almost no information, which the batch range does not.
let alphabets, wordLengths, normalizations, (training: Run -> Run) =
    match options.Profile with
    | Cli.Smoke -> [ 2; 10 ], [ 4; 32 ], [ PerWord ], fun r -> { r with LearningRate = 3e-3; TrainTargets = Some 2000; Epochs = 2; GamesPerEpoch = None; Candidates = [ 2; 100; 10000 ] }
    | Cli.Quick -> [ 2; 4; 8; 16; 32 ], [ 1; 2; 5; 10; 20; 50; 100 ], [ PerWord; Batch ], fun r -> { r with LearningRate = 1e-3; Epochs = 3; GamesPerEpoch = None; Candidates = [ 2; 100; 10000 ] }
    | Cli.Paper -> [ 2; 4; 8; 16; 32; 64 ], [ 1; 2; 5; 10; 20; 50; 100 ], [ PerWord; Batch ], id

let baseRun = training { defaults with Channel = { Channel.defaults with Mode = QT; Architecture = Instant }; Device = options.Device }

let sweep = Axes.heatmap normalizations alphabets wordLengths @ [ Axes.seeds (Cli.seeds options [ 1 ]) ]
let results = Experiment.run options "quantized-heatmap" kind (Sweep.grid baseRun sweep)

Experiment.publish options results
    (ReferentialReports.heatmapReport PaperNumbers.Quantized.Object (Cli.profileName options) false results.Rows)

// Figure 5 of "Emergent Quantized Communication": the Image game over an Instant QT channel, accuracy
// and number of unique messages (NoUM) as a function of alphabet size and word length, quantizing
// during training and inference, or during inference only.
#load "Load.fsx"

open CommLab.Dsl
open CommLab.Dsl.Channel
open CommLab.Dsl.ImageGame

let options = Cli.parse "image-heatmap" Cli.Quick (fsi.CommandLineArgs |> Array.skip 1)

// Setup as Table 6's (image-game-candidates.fsx): 8032 / 1024 / 1024 targets, 99 distractors of other
// classes, Adam lr 1e-3, batch 32, 50 epochs. Figure 5's axis values are not in the text: as for
// Figure 4, alphabets 2..64 and word lengths 1..100, words normalized per word and over the batch.
// Quick and smoke without --data read a synthetic stand-in.
let alphabets, wordLengths, normalizations, data, settings =
    match options.Profile with
    | Cli.Smoke ->
        [ 2; 10 ], [ 4; 32 ], [ PerWord ], dataFor options { Classes = 12; TrainPerClass = 20; EvaluationPerClass = 5; Features = 64; Seed = 1 },
        { defaults with TrainTargets = 200; ValidationTargets = 40; TestTargets = 40; GameSize = 6; Embedding = 16; Filters = 4
                        Epochs = 2; Patience = 2; Candidates = [ 2; 6 ]; SelectionCandidates = 6 }
    | Cli.Quick ->
        let data = dataFor options { Classes = 60; TrainPerClass = 40; EvaluationPerClass = 10; Features = 512; Seed = 1 }
        let settings =
            match data with
            | StandIn _ -> { defaults with TrainTargets = 2000; ValidationTargets = 400; TestTargets = 400; GameSize = 20; Epochs = 10; Patience = 10; Candidates = [ 2; 20 ]; SelectionCandidates = 20 }
            | Folder _ -> { defaults with TrainTargets = 2000; ValidationTargets = 400; TestTargets = 400; Epochs = 10; Patience = 10; Candidates = [ 2; 100 ] }
        [ 2; 8; 32 ], [ 1; 5; 20; 100 ], [ PerWord ], data, settings
    | Cli.Paper -> [ 2; 4; 8; 16; 32; 64 ], [ 1; 2; 5; 10; 20; 50; 100 ], [ PerWord; Batch ], dataFor options { Classes = 0; TrainPerClass = 0; EvaluationPerClass = 0; Features = 0; Seed = 0 }, defaults

let baseRun = { settings with Channel = { Channel.defaults with Mode = QT; Architecture = Instant }; Data = data; Device = options.Device }
let sweep = Axes.heatmap normalizations alphabets wordLengths @ [ Axes.seeds (Cli.seeds options [ 1 ]) ]
let results = Experiment.run options "image-heatmap" kind (Sweep.grid baseRun sweep)

Experiment.publish options results
    (ReferentialReports.heatmapReport PaperNumbers.Quantized.Image (Cli.profileName options) (isStandIn baseRun) results.Rows)

// Table 6 / Figure 3 (Image panel) of "Emergent Quantized Communication": test accuracy against the
// number of candidates for continuous (CN), Gumbel-Softmax (GS) and quantized (QT) channels, Instant
// and Recurrent, on the ImageNet features of EGG's signal game; plus the Image rows of Table 3 (unique
// messages) and Table 2 (QT quantizing in training and inference against inference only).
#load "Load.fsx"

open CommLab.Dsl
open CommLab.Dsl.ImageGame

let options = Cli.parse "image-game-candidates" Cli.Quick (fsi.CommandLineArgs |> Array.skip 1)

// Channels of footnote 5 / Table 6: CN and QT words of 100 elements, QT alphabet 10, GS alphabet 50;
// Recurrent messages of 6 words with Table 4's GRU of 20 and word embedding of 50.
let channels = Referential.paperChannels PaperNumbers.Quantized.Image recurrentSizes

// Paper (Sections 4.1-4.3, Appendix A.4): 8032 / 1024 / 1024 targets from EGG's train, val and test
// folders, an informed sender seeing the target and 99 distractors of other classes, Adam lr 1e-3,
// batch 32, 50 epochs, patience 50, 3 seeds. Quick on the paper's data: 2000 / 400 / 400 targets, 10
// epochs, 2 seeds. Quick and smoke without --data: a synthetic stand-in (smaller features and games).
let data, settings, seeds =
    match options.Profile with
    | Cli.Smoke ->
        let standIn = { Classes = 12; TrainPerClass = 20; EvaluationPerClass = 5; Features = 64; Seed = 1 }
        dataFor options standIn,
        { defaults with TrainTargets = 200; ValidationTargets = 40; TestTargets = 40; GameSize = 6; Embedding = 16; Filters = 4
                        Epochs = 2; Patience = 2; Candidates = [ 2; 6 ]; SelectionCandidates = 6 }, [ 1 ]
    | Cli.Quick ->
        match dataFor options { Classes = 60; TrainPerClass = 40; EvaluationPerClass = 10; Features = 512; Seed = 1 } with
        | StandIn _ as standIn ->
            standIn, { defaults with TrainTargets = 2000; ValidationTargets = 400; TestTargets = 400; GameSize = 20
                                     Epochs = 15; Patience = 15; Candidates = [ 2; 5; 10; 20 ]; SelectionCandidates = 20 }, [ 1; 2 ]
        | real -> real, { defaults with TrainTargets = 2000; ValidationTargets = 400; TestTargets = 400; Epochs = 10; Patience = 10 }, [ 1; 2 ]
    | Cli.Paper -> dataFor options { Classes = 0; TrainPerClass = 0; EvaluationPerClass = 0; Features = 0; Seed = 0 }, defaults, [ 1; 2; 3 ]

let sweep = [ Axes.channels channels; Axes.seeds (Cli.seeds options seeds) ]
let results = Experiment.run options "image-game-candidates" kind (Sweep.grid { settings with Data = data; Device = options.Device } sweep)

Experiment.publish options results
    (ReferentialReports.candidatesReport PaperNumbers.Quantized.Image (Cli.profileName options) (match data with StandIn _ -> true | Folder _ -> false) results.Rows)

// Figure 7 of "Emergent Quantized Communication": the Sent-Cls game over an Instant QT channel, accuracy
// and number of unique messages (NoUM) as a function of alphabet size and word length, quantizing
// during training and inference, or during inference only.
#load "Load.fsx"

open CommLab.Dsl
open CommLab.Dsl.Channel
open CommLab.Dsl.SentenceGame
open CommLab.Training

let options = Cli.parse "sent-cls-heatmap" Cli.Quick (fsi.CommandLineArgs |> Array.skip 1)

// Setup as Table 8's (sent-cls-candidates.fsx, SentenceGame.profile). Figure 7's axis values are not in
// the text: as for Figure 4, alphabets 2..64 and word lengths 1..100, words normalized per word and
// over the batch (paper profile); fewer cells, per word only, in quick and smoke.
let settings, _ = profile SentenceGame.Classification options
let alphabets, wordLengths, normalizations =
    match options.Profile with
    | Cli.Smoke -> [ 2; 10 ], [ 4; 32 ], [ PerWord ]
    | Cli.Quick -> [ 2; 8; 32 ], [ 1; 5; 20; 100 ], [ PerWord ]
    | Cli.Paper -> [ 2; 4; 8; 16; 32; 64 ], [ 1; 2; 5; 10; 20; 50; 100 ], [ PerWord; Batch ]

let baseRun = { settings with Channel = { settings.Channel with Mode = QT; Architecture = Instant; MessageLength = 1 }; Device = options.Device }
let sweep = Axes.heatmap normalizations alphabets wordLengths @ [ Axes.seeds (Cli.seeds options [ 1 ]) ]
let results = Experiment.run options "sent-cls-heatmap" kind (Sweep.grid baseRun sweep)

Experiment.publish options results
    (ReferentialReports.heatmapReport PaperNumbers.Quantized.SentCls (Cli.profileName options) (isStandIn baseRun) results.Rows)

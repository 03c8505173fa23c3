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
let instant = { Channel.defaults with Architecture = Instant; MessageLength = 1 }
let recurrent = { Channel.defaults with Architecture = Recurrent; MessageLength = 6 }
let channels hidden =
    [ for c in [ instant; recurrent ] do
          let c = { c with Hidden = hidden; Embedding = hidden }
          yield { c with Mode = CN }
          yield { c with Mode = GS; Alphabet = (if c.Architecture = Instant then 100 else 10); WordLength = (if c.Architecture = Instant then 100 else 10) }
          yield { c with Mode = QT; Quantize = InferenceOnly }
          yield { c with Mode = QT; Quantize = TrainAndInference } ]

// Paper (Appendix A.4): Adam lr 1e-5, batch 32, 50 epochs, patience 50, all 10^4 objects as
// negatives, GRU size 1024, 3 seeds. Quick: lr 1e-3, 3 epochs, GRU size 256, 2 seeds.
let settings, hidden, defaultSeeds =
    match options.Profile with
    | Cli.Smoke -> { defaults with LearningRate = 3e-3; TrainTargets = Some 1000; Epochs = 1; GamesPerEpoch = None; Candidates = [ 2; 100; 10000 ] }, 32, [ 1 ]
    | Cli.Quick -> { defaults with LearningRate = 1e-3; Epochs = 3; GamesPerEpoch = None }, 256, [ 1; 2 ]
    | Cli.Paper -> defaults, 1024, [ 1; 2; 3 ]

let sweep = [ Axes.channels (channels hidden); Axes.seeds (Cli.seeds options defaultSeeds) ]
let results = Experiment.run options "object-game-candidates" kind (Sweep.grid { settings with Device = options.Device } sweep)

let figure3 = results.Rows |> List.filter (fun r -> r.Mode <> QT || r.Quantize = InferenceOnly)
Experiment.publish options results
    { Title = sprintf "Object game (%s profile)" (Cli.profileName options)
      Body =
        [ "## Table 5 / Figure 3: test accuracy against number of candidates (QT inference-only)"
          ReferentialReports.candidatesTable PaperNumbers.Quantized.Object figure3
          "## Table 3: number of unique messages over the test targets (QT inference-only)"
          ReferentialReports.messagesTable PaperNumbers.Quantized.Object figure3
          "## Table 2, Object row: QT quantizing in training and inference vs inference only"
          ReferentialReports.quantizePhaseTable PaperNumbers.Quantized.Object results.Rows
          "## The languages: does quantization give compositional messages?"
          "Over the test targets at the best epoch: topographic similarity (Spearman correlation of the targets' Hamming distances and their messages' Hamming distances, every message having the same symbol positions; Euclidean distances for CN's continuous messages), positional and bag-of-symbols disentanglement (Chaabouni et al. 2020) and the entropy of the messages. A QT message's symbols are its quantized levels (word length x message length symbols), a GS message's its words' categories; CN has no symbols, so only topsim. Mean ± std over the runs that measured them (runs stored before language measures existed have none)."
          ReferentialReports.languageTable results.Rows ]
      Pages =
        [ { File = "candidates.html"; Title = "Figure 3: Object game"
            Charts = [ ReferentialReports.candidatesChart "Object game: accuracy vs candidates (QT inference-only)" figure3 ] } ] }

// Table 7 / Figure 3 (Sent-Ref panel) of "Emergent Quantized Communication": test accuracy against the
// number of candidates for continuous (CN), Gumbel-Softmax (GS) and quantized (QT) channels, Instant
// and Recurrent, on Banking77: the receiver picks the target sentence among sentences; both agents read the vectors of a frozen DistilBERT.
// Plus the Sent-Ref rows of Table 3 (unique messages) and Table 2 (QT quantizing in training and
// inference against inference only).
#load "Load.fsx"

open CommLab.Dsl
open CommLab.Dsl.SentenceGame
open CommLab.Training

let options = Cli.parse "sent-ref-candidates" Cli.Quick (fsi.CommandLineArgs |> Array.skip 1)

// Channels of footnote 5 / Table 7: CN and QT words of 100 elements, QT alphabet 10, GS alphabets as
// the table gives; Recurrent messages of 6 words with Table 4's GRU and word embedding of 768.
let channels = Referential.paperChannels PaperNumbers.Quantized.SentRef recurrentSizes

// Paper (Sections 4.1-4.3, Appendix A.4): Banking77's sentences split 80/10/10, distilbert-base-uncased,
// Adam lr 1e-5, batch 32, 50 epochs, patience 50, 76 negatives, 3 seeds; the quick and smoke profiles
// (SentenceGame.profile) shrink epochs and sizes, and read a synthetic stand-in without --data/--model.
let settings, seeds = profile SentenceGame.Referential options

let sweep = [ Axes.channels (channels |> List.map (fun c -> { c with Hidden = settings.Channel.Hidden; Embedding = settings.Channel.Embedding })); Axes.seeds (Cli.seeds options seeds) ]
let results = Experiment.run options "sent-ref-candidates" kind (Sweep.grid { settings with Device = options.Device } sweep)

Experiment.publish options results
    (ReferentialReports.candidatesReport PaperNumbers.Quantized.SentRef (Cli.profileName options) (isStandIn settings) results.Rows)

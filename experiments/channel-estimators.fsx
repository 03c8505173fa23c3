// Estimators inside communication channels, a comparison none of the seed papers makes: the Object
// game of "Emergent Quantized Communication" with its Gumbel-Softmax channels (Instant and Recurrent)
// trained through each estimator of "Revisiting the Gumbel-Softmax in MADDPG", beside the quantized
// and continuous channels. Test accuracy against the number of candidates, and the number of unique
// messages, over three seeds.
#load "Load.fsx"

open CommLab.Dsl
open CommLab.Dsl.Channel
open CommLab.Dsl.ObjectGame

let options = Cli.parse "channel-estimators" Cli.Quick (fsi.CommandLineArgs |> Array.skip 1)

// The game and training follow object-game-candidates (Appendix A.4 of the quantization paper): Adam,
// batch 32, all 10^4 objects as negatives; paper lr 1e-5 for 50 epochs, quick lr 1e-3 for 3 epochs
// with GRUs of 256.
let settings, hidden, defaultSeeds =
    match options.Profile with
    | Cli.Smoke -> { defaults with LearningRate = 3e-3; TrainTargets = Some 1000; Epochs = 1; GamesPerEpoch = None; Candidates = [ 2; 100; 10000 ] }, 32, [ 1 ]
    | Cli.Quick -> { defaults with LearningRate = 1e-3; Epochs = 3; GamesPerEpoch = None }, 256, [ 1; 2; 3 ]
    | Cli.Paper -> defaults, 1024, [ 1; 2; 3 ]

// Estimators with the settings the MADDPG paper's authors chose for Level-Based Foraging: STGS-T at
// tau 0.5, GRMC at tau 0.5 with K = 10, GST at tau 0.7 with kappa 1. TAGS anneals from 4 to 0.1, as
// there, but over this run's own number of updates (their period was longer than their runs). The
// relaxed GS at temperature 1 is what the quantization paper trained its GS channels with.
let estimators =
    [ Estimator.relaxed 1.0
      Estimator.stgs 1.0
      Estimator.stgs 0.5
      Estimator.tags 4.0 0.1 (updates settings)
      Estimator.grmc 0.5 10
      Estimator.gst 0.7 1.0 ]

// Channels of the quantization paper's Table 5: GS alphabets of 100 (Instant) and 10 (Recurrent, 6
// words); CN and QT words of 100 elements, QT alphabet 10, quantized at inference only.
let instant = { Channel.defaults with Architecture = Instant; MessageLength = 1; Hidden = hidden; Embedding = hidden }
let recurrent = { instant with Architecture = Recurrent; MessageLength = 6 }
let channels =
    [ for c in [ instant; recurrent ] do
          let size = if c.Architecture = Instant then 100 else 10
          for e in estimators -> { c with Mode = GS; Alphabet = size; WordLength = size; Estimator = e }
          yield { c with Mode = QT; Quantize = InferenceOnly }
          yield { c with Mode = CN } ]

let sweep = [ Axes.channels channels; Axes.seeds (Cli.seeds options defaultSeeds) ]
let results = Experiment.run options "channel-estimators" kind (Sweep.grid { settings with Device = options.Device } sweep)

let byArchitecture arch = results.Rows |> List.filter (fun r -> r.Architecture = arch)
let targets = results.Rows |> List.tryFind (fun r -> not r.Diverged) |> Option.map (fun r -> r.Targets) |> Option.defaultValue 0
Experiment.publish options results
    { Title = sprintf "Estimators in communication channels: Object game (%s profile)" (Cli.profileName options)
      Body =
        [ sprintf "Test accuracy (mean ± std over seeds) against the number of candidates, and NoUM over the %d test targets. lr %g, %d epochs, batch %d, GRU %d."
              targets settings.LearningRate settings.Epochs settings.BatchSize hidden
          "## Instant channels"
          ReferentialReports.estimatorTable (byArchitecture Instant)
          "## Recurrent channels"
          ReferentialReports.estimatorTable (byArchitecture Recurrent) ]
      Pages =
        [ { File = "candidates.html"; Title = "Estimators in channels"
            Charts =
              [ for arch, title in [ Instant, "Instant channels"; Recurrent, "Recurrent channels" ] ->
                    ReferentialReports.estimatorChart (sprintf "Object game, %s: accuracy vs candidates" title) (byArchitecture arch) ] } ] }

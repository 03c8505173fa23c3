// Figures 2 and 3 of "A Combinatorial Approach to Neural Emergent Communication" (Zhang): validation
// accuracy over 30 epochs of the GRU Lewis game for maximum message lengths L = 1..5, on data whose
// every game needs min(|M|) = 2 symbols, and on data needing 3.
#load "Load.fsx"

open CommLab.Dsl
open CommLab.Dsl.LewisGame

let options = Cli.parse "sms-message-length" Cli.Quick (fsi.CommandLineArgs |> Array.skip 1)

// Section 3.2: |A| = 20 attributes, |V| = 4 values, 64 objects per game (63 distractors),
// N_g = 10000 games of each min(|M|), 8000 to train and 2000 to validate.
// Section 4: GRU sender and receiver, hidden 512, embedding 32, vocabulary |A| x |V| = 80,
// straight-through Gumbel-Softmax, Schedule-Free AdamW, 30 epochs. The paper does not say the
// batch size, learning rate, temperature, EOS handling or loss: `LewisGame.defaults` documents ours.
// The quick profile keeps the data and the 30 epochs and halves the GRUs to 256, which a 2-core
// machine trains in about an hour for all 30 runs.
let settings, defaultSeeds =
    match options.Profile with
    | Cli.Smoke -> { defaults with Data = { paperData with Games = 300; TrainGames = 200 }; Hidden = 32; Epochs = 2 }, [ 1 ]
    | Cli.Quick -> { defaults with Hidden = 256 }, [ 1; 2; 3 ]
    | Cli.Paper -> defaults, [ 1; 2; 3 ]
let lengths = if options.Profile = Cli.Smoke then [ 1; 2 ] else [ 1 .. 5 ]

let sweep = [ Axes.minSymbols [ 2; 3 ]; Axes.maxLength lengths; Axes.seeds (Cli.seeds options defaultSeeds) ]
let configs = Sweep.grid { settings with Device = options.Device } sweep
let results = Experiment.run options "sms-message-length" kind configs

// The datasets in the games file format, for `sms solve` or other tools (git-ignored: 13 MB each).
let data = configs |> List.map (fun c -> c.Data) |> List.distinct
saveGames (Experiment.outputDir options "sms-message-length") data

let accuracy, length = SmsReports.finalTable results.Rows
Experiment.publish options results
    { Title = sprintf "Message length against symbolic complexity (%s profile)" (Cli.profileName options)
      Body =
        [ sprintf "Validation accuracy at the last epoch (mean ± std over %d seed(s)), %d training and %d validation games per min(|M|). GRU %d, embedding %d, vocabulary %d, %A%s, %A, lr %g, batch %d, %s."
              (Cli.seeds options defaultSeeds).Length settings.Data.TrainGames (settings.Data.Games - settings.Data.TrainGames)
              settings.Hidden settings.Embedding (vocabulary settings) settings.Termination
              (match settings.Termination, settings.MinLength with
               | Eos, Some m -> sprintf " not before step %d" m
               | Eos, None -> " from step 0 (EGG)"
               | FixedLength, _ -> "")
              settings.Optimizer settings.LearningRate settings.BatchSize (Estimator.name settings.Estimator)
          accuracy
          "What any listener can reach on the validation games (the ceiling of the accuracy above): naming L of the target's attribute values chosen knowing only the target (the mean over every set of L attributes: no target-only rule does better on these data), or chosen knowing the distractors too (1 from L = min(|M|) on); and a target-only code over the K messages the sender can send, symbols standing for any set of objects (the expected accuracy of K equal classes against uniform distractors, the best any code reaches there):"
          SmsReports.boundTable settings data lengths
          "Mean message length |M| (symbols before EOS) at the last epoch:"
          length
          "The language at the last epoch, over the validation games: topographic similarity (Spearman correlation of the targets' Hamming distances over their 20 attributes and their messages' edit distances), positional and bag-of-symbols disentanglement (Chaabouni et al. 2020; EOS left out) and the entropy of the messages:"
          SmsReports.languageTable results.Rows
          "Games the controlled sampler drew to collect each dataset, by min(|M|):"
          SmsReports.histogramTable
              [ for d in data -> sprintf "min(|M|) = %d data" d.MinSymbols, shape d, (games d).Histogram ] ]
      Pages =
        [ { File = "figures.html"; Title = "Validation accuracy against maximum message length"
            Charts =
              [ SmsReports.accuracyFigure 2 results.Rows; SmsReports.accuracyFigure 3 results.Rows
                SmsReports.lengthFigure 2 results.Rows; SmsReports.lengthFigure 3 results.Rows ] } ] }

// Table 1 and Figures 1-3 of "Revisiting the Gumbel-Softmax in MADDPG": MADDPG trained with each of
// the five gradient estimators (STGS-1, STGS-T, TAGS, GRMCK, GST) on the grid-world tasks; maximum and
// average evaluation returns with 95% intervals over seeds, Table 1's marks (bold best, asterisk where a
// Welch test at 5% cannot tell a method from the best), the paper's numbers under ours, and the return
// curves per task. Then what rliable and marl-eval report beyond it: IQM and probability of improvement
// over STGS-1 with stratified-bootstrap intervals, sample-efficiency curves, and a marl-eval JSON file.
#load "Load.fsx"

open CommLab.Dsl
open CommLab.Dsl.Maddpg

let options = Cli.parse "maddpg-table1" Cli.Quick (fsi.CommandLineArgs |> Array.skip 1)

// Section 4 and the authors' final configs: per agent an MLP actor and a centralised MLP critic (64,
// 64), Adam (eps 1e-3; lr 3e-4 LBF, 5e-4 RWARE), gamma 0.95, batch 512, buffer 2M, 400 random warm-up
// episodes, soft updates 0.01, logits regulariser 1e-3, per-agent reward standardisation, 1 (LBF) or 10
// (RWARE) updates per episode, LBF training episodes of 25 steps, evaluation every 50k steps over 100
// episodes, 5 seeds, and Table 1's steps per task. The critic target is the authors' code as run.
// Smoke: one task, two methods, two seeds, 3,000 steps. Quick: the headline task of the LBF comparison,
// Foraging-15x15-4p-5f, with every method over 3 seeds and 200k steps, a 200k buffer and 40 warm-up
// episodes; far from the paper's 7.5M steps, it shows only the start of the curves (MaddpgProfiles).
let tasks, methods, defaultSeeds, (settings: Settings -> Settings) =
    match options.Profile with
    | Cli.Smoke -> [ MaddpgProfiles.smokeTask ], [ "STGS-1"; "GST" ], [ 1; 2 ], MaddpgProfiles.smoke
    | Cli.Quick -> [ MaddpgProfiles.quickTask ], PaperNumbers.Maddpg.table1Columns, [ 1; 2; 3 ], MaddpgProfiles.quick
    | Cli.Paper ->
        [ for task, steps, _ in PaperNumbers.Maddpg.table1 -> task, steps ], PaperNumbers.Maddpg.table1Columns, [ 1 .. 5 ], id

// rliable's 50,000 bootstrap replicates (2,000 for smoke), seeded so the tables repeat.
let bootstrap = MaddpgProfiles.bootstrap options.Profile

let baseRun =
    { Task = fst tasks.Head; Estimator = Estimator.stgs 1.0; Method = "STGS-1"; Settings = forTask (fst tasks.Head) 1L
      Seed = 1; Device = options.Device }
let sweep = [ Axes.tasks tasks settings; Axes.methods methods; Axes.seeds (Cli.seeds options defaultSeeds) ]
let results = Experiment.run options "maddpg-table1" kind (Sweep.grid baseRun sweep)
let marlEval = MaddpgReports.saveMarlEval (Experiment.outputDir options results.Experiment) results.Runs

Experiment.publish options results
    { Title = sprintf "MADDPG with each gradient estimator: Table 1 (%s profile)" (Cli.profileName options)
      Body =
        [ "Maximum return (average return) [seeds] per task and method: the maximum is the evaluation where the mean over seeds peaks, the average is over every evaluation; 95% t intervals over seeds; **bold** the best, * not significantly different from the best (two-sided Welch test, 5%). The paper's row, over 5 seeds, is under ours (its bold is lost in the extracted text)."
          MaddpgReports.criticTarget results.Rows
          MaddpgReports.table1 results.Rows ]
        @ MaddpgReports.statistics bootstrap "STGS-1" results.Rows
        @ [ "### Export"; marlEval ]
      Pages =
        [ { File = "returns.html"; Title = "Figures 1-3: evaluation returns over training"
            Charts = [ for task, _ in tasks -> MaddpgReports.curvesChart task results.Rows ] }
          { File = "sample-efficiency.html"; Title = "Sample efficiency: IQM of normalised returns over training"
            Charts = [ MaddpgReports.sampleEfficiencyChart bootstrap results.Rows ] } ] }

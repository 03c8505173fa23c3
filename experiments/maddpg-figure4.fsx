// Figure 4 of "Revisiting the Gumbel-Softmax in MADDPG" (Section 5.3): MADDPG retrained on
// Foraging-15x15-4p-5f with the baseline STGS-1 and the best alternative, GST, logging the variance of
// each actor parameter's gradient (over its elements, before clipping) once per 1,000 steps. One chart
// per layer and parameter (the paper: weights left, biases right), the mean over the 4 agents as the
// line and the lowest and highest agent as the band; the median variance early and late in training.
#load "Load.fsx"

open CommLab.Dsl
open CommLab.Dsl.Maddpg

let options = Cli.parse "maddpg-figure4" Cli.Quick (fsi.CommandLineArgs |> Array.skip 1)

// The authors' LBF settings (see maddpg-table1.fsx) for Table 1's 7.5M steps on this task. The paper
// does not say how many seeds Figure 4 used (its caption aggregates over agents only); 5, as every
// other run of the paper. With several seeds each agent's variance is averaged over them first.
// Smoke and quick are Table 1's (MaddpgProfiles): the smoke task for 3,000 steps; the paper's task for
// 200k steps with 1 seed, which shows only the start of training.
let paperTask = "Foraging-15x15-4p-5f"
let task, defaultSeeds, (settings: Settings -> Settings) =
    match options.Profile with
    | Cli.Smoke -> MaddpgProfiles.smokeTask, [ 1 ], MaddpgProfiles.smoke
    | Cli.Quick -> MaddpgProfiles.quickTask, [ 1 ], MaddpgProfiles.quick
    | Cli.Paper ->
        (paperTask, PaperNumbers.Maddpg.table1 |> List.pick (fun (t, steps, _) -> if t = paperTask then Some steps else None)), [ 1 .. 5 ], id

let baseRun =
    { Task = fst task; Estimator = Estimator.stgs 1.0; Method = "STGS-1"; Settings = forTask (fst task) 1L; Seed = 1; Device = options.Device }
let sweep = [ Axes.tasks [ task ] settings; Axes.methods [ "STGS-1"; "GST" ]; Axes.seeds (Cli.seeds options defaultSeeds) ]
let results = Experiment.run options "maddpg-figure4" kind (Sweep.grid baseRun sweep)
let panels = MaddpgGradients.panels results.Runs

// results.csv holds the plotted points; each run's per-agent variances are in its metrics.json.
Experiment.publishRows options results.Experiment (MaddpgGradients.rows panels) results.Diverged
    { Title = sprintf "MADDPG gradient variance, STGS-1 and GST: Figure 4 (%s profile)" (Cli.profileName options)
      Body =
        [ sprintf "Variance of each actor parameter's gradient over its elements (the authors' `torch.var(param.grad)`, before clipping), logged at the first update of every 1,000 steps, on %s over %d seed(s): [gradient-variance.html](gradient-variance.html) plots the mean over agents with a band from the lowest to the highest agent, one chart per layer (1: input, 3: logits) and parameter. The paper reports that the variance grows faster with GST than with STGS-1."
              (fst task) (Cli.seeds options defaultSeeds).Length
          "Median over the first and over the last quarter of the logged steps of the mean over agents:"
          MaddpgReports.gradientSummary panels ]
      Pages =
        [ { File = "gradient-variance.html"; Title = "Figure 4: actor gradient variance over training"
            Charts = MaddpgReports.gradientCharts panels } ] }

/// MADDPG on the grid worlds ("Revisiting the Gumbel-Softmax in MADDPG") as a typed run record, with
/// the authors' settings as defaults: the experiment kind whose progress counts environment steps.
module CommLab.Dsl.Maddpg

open CommLab.Envs
open CommLab.Marl

/// Which critic target (see the core's `CriticTarget`).
type Target =
    /// The authors' code during the experiments (default): online critic, actions sampled from the
    /// online policies, time-limit ends stored as done.
    | AsRun
    /// The paper's equation: target critic and target policies; only real ends stored as done.
    | AsDescribed

/// MADDPG's hyperparameters (the authors' final configs; `forTask` picks LBF's or RWARE's).
type Settings =
    { /// Width of both hidden layers of every actor and critic (64).
      Hidden: int
      /// Adam learning rate of actors and critics (LBF 3e-4; RWARE 5e-4, the config the runs used).
      LearningRate: float
      /// Adam epsilon (1e-3).
      AdamEpsilon: float
      /// Gradient-norm clip per agent (1.0).
      GradientClip: float
      /// Discount (0.95).
      Gamma: float
      /// Transitions per update (512).
      BatchSize: int
      /// Replay capacity in transitions (2,000,000: about 3 GB for 2 agents on RWARE, committed as filled).
      BufferCapacity: int
      /// Episodes of uniform random actions before learning (400).
      WarmupEpisodes: int
      /// Soft target update beta (0.01).
      SoftUpdate: float
      /// Weight of mean(logits^2) in the actor loss (1e-3).
      PolicyRegularizer: float
      /// Updates after each training episode (LBF 1, RWARE 10).
      UpdatesPerEpisode: int
      /// Training episodes end after this many steps (LBF 25, RWARE 500); evaluation keeps the task's.
      EpisodeLimit: int
      /// Environment steps between evaluations (50,000).
      EvaluationInterval: int64
      /// Episodes per evaluation (100).
      EvaluationEpisodes: int
      /// Training environment steps (Table 1: 5M, 6M or 7.5M by task).
      TotalSteps: int64
      /// Critic target variant.
      Target: Target
      /// Training environments stepped together (the authors: 1); steps count every environment's and
      /// updates still follow each finished episode, so the update ratio is the authors'.
      Environments: int
      /// Evaluation episodes are stored in the replay buffer too, as the authors' code does (true).
      StoreEvaluationEpisodes: bool
      /// One actor and one critic shared by all agents (the paper's future work; off).
      ParameterSharing: bool }

/// The authors' settings for a task (LBF or RWARE), training for `steps`.
let forTask (task: string) (steps: int64) : Settings =
    let core = if task.StartsWith "rware" then MaddpgSettings.ForWarehouse() else MaddpgSettings.ForForaging()
    { Hidden = core.HiddenWidth
      LearningRate = core.ActorLearningRate
      AdamEpsilon = core.AdamEpsilon
      GradientClip = core.GradientClip
      Gamma = core.Gamma
      BatchSize = core.BatchSize
      BufferCapacity = core.BufferCapacity
      WarmupEpisodes = core.WarmupEpisodes
      SoftUpdate = core.SoftUpdate
      PolicyRegularizer = core.PolicyRegularizer
      UpdatesPerEpisode = core.UpdatesPerEpisode
      EpisodeLimit = core.EpisodeLimit
      EvaluationInterval = core.EvaluationInterval
      EvaluationEpisodes = core.EvaluationEpisodes
      TotalSteps = steps
      Target = AsRun
      Environments = core.Environments
      StoreEvaluationEpisodes = core.StoreEvaluationEpisodes
      ParameterSharing = false }

/// One MADDPG run.
type Run =
    { /// Task name as `EnvTask.Parse` reads it, e.g. "Foraging-15x15-4p-5f" or "rware-tiny-4ag".
      Task: string
      /// The actors' gradient estimator; its short name labels the run ("GST-1").
      Estimator: Estimator.Estimator
      /// Table 1's name for the estimator: STGS-1, STGS-T, TAGS, GRMCK or GST.
      Method: string
      Settings: Settings
      Seed: int
      /// "cpu", "cuda" or "cuda:N".
      Device: string }

/// The paper's five methods with the authors' tuned settings for the task's environment
/// (`Estimator.Paper.lbf` / `.rware`), named as Table 1 names them.
let methods (task: string) : (string * Estimator.Estimator) list =
    List.zip PaperNumbers.Maddpg.table1Columns (if task.StartsWith "rware" then Estimator.Paper.rware else Estimator.Paper.lbf)

/// The core's run (unchecked: `validate` lists its problems). An unknown task name is kept for
/// `validate` to report, so the core run is built only from a parsed task.
let toCore (r: Run) (task: EnvTask) =
    let s = r.Settings
    let settings =
        MaddpgSettings(
            HiddenWidth = s.Hidden, ActorLearningRate = s.LearningRate, CriticLearningRate = s.LearningRate, AdamEpsilon = s.AdamEpsilon,
            GradientClip = s.GradientClip, Gamma = s.Gamma, BatchSize = s.BatchSize, BufferCapacity = s.BufferCapacity,
            WarmupEpisodes = s.WarmupEpisodes, SoftUpdate = s.SoftUpdate, PolicyRegularizer = s.PolicyRegularizer,
            UpdatesPerEpisode = s.UpdatesPerEpisode, EpisodeLimit = s.EpisodeLimit, EvaluationInterval = s.EvaluationInterval,
            EvaluationEpisodes = s.EvaluationEpisodes, TotalSteps = s.TotalSteps,
            CriticTarget = (match s.Target with AsRun -> CriticTarget.AsRun | AsDescribed -> CriticTarget.AsDescribed),
            Environments = s.Environments, StoreEvaluationEpisodes = s.StoreEvaluationEpisodes,
            ParameterSharing = s.ParameterSharing)
    MaddpgRun(task, Estimator.toSpec r.Estimator, settings, r.Seed, r.Device)

/// Every problem with the run (the core's checks), each naming the field, the value and what is allowed.
let validate (r: Run) : string list =
    try
        List.ofSeq ((toCore r (EnvTask.Parse r.Task)).Problems())
    with :? System.ArgumentException as e -> [ sprintf "task: %s" e.Message ]

/// What a finished run keeps (its metrics.json).
type Metrics =
    { /// Steps of the evaluations (0, then every interval).
      EvaluationSteps: int64 list
      /// Mean return of each evaluation.
      MeanReturns: float list
      /// Every episode's return of each evaluation.
      Returns: float list list
      /// Actor gradient variances (Figure 4).
      GradientVariances: GradientVariance list
      Updates: int64
      Episodes: int64
      Seconds: float
      StepsPerSecond: float }

/// Trains one run, reporting each evaluation's mean return as progress in environment steps; resumes
/// from the run's checkpoint when a killed attempt left one, and logs to TensorBoard in the run's
/// folder (`tensorboard/`).
let execute (r: Run) (context: RunContext) : Metrics =
    let result =
        MaddpgTrainer.Train(
            toCore r (EnvTask.Parse r.Task),
            MaddpgTrainingOptions(
                Progress = (fun e -> context.Report { Done = e.Step; Total = r.Settings.TotalSteps; Metric = "return"; Value = e.MeanReturn }),
                CheckpointPath = System.IO.Path.Combine(context.Checkpoints, "maddpg.checkpoint"),
                CheckpointEvery = context.CheckpointEvery,
                TensorBoardDirectory = System.IO.Path.Combine(context.Folder, "tensorboard")))
    { EvaluationSteps = [ for e in result.Evaluations -> e.Step ]
      MeanReturns = [ for e in result.Evaluations -> e.MeanReturn ]
      Returns = [ for e in result.Evaluations -> List.ofArray e.Returns ]
      GradientVariances = List.ofArray result.GradientVariances
      Updates = result.Updates
      Episodes = result.Episodes
      Seconds = result.Seconds
      StepsPerSecond = result.StepsPerSecond }

/// A one-line description for progress logs.
let label (r: Run) = sprintf "%s %s (%s) seed=%d" r.Task r.Method (Estimator.name r.Estimator) r.Seed

/// One row per (run, evaluation).
type Row =
    { Task: string
      /// Table 1's method name.
      Method: string
      /// The estimator with its settings, e.g. "GST-1".
      Estimator: string
      Target: Target
      Seed: int
      LearningRate: float
      /// Environment steps at the evaluation.
      Step: int64
      /// Mean return over the evaluation's episodes (NaN for a diverged run).
      Return: float
      /// The run diverged: its one row stands at the step where it did.
      Diverged: bool }

/// The rows of one run: one per evaluation, or for a diverged run one at the step it diverged.
let rows (r: Run) (outcome: Outcome<Metrics>) : Row list =
    let row step value diverged =
        { Task = r.Task; Method = r.Method; Estimator = Estimator.name r.Estimator; Target = r.Settings.Target; Seed = r.Seed
          LearningRate = r.Settings.LearningRate; Step = step; Return = value; Diverged = diverged }
    match outcome with
    | Finished m -> List.map2 (fun step value -> row step value false) m.EvaluationSteps m.MeanReturns
    | Diverged d -> [ row d.At nan true ]

/// One core's seconds for the whole run: its training steps with their updates (evaluation episodes
/// only act, a few percent more, left out).
let cost (r: Run) = float r.Settings.TotalSteps * Costs.maddpgStep r.Task

/// MADDPG as an experiment kind: progress in environment steps.
let kind: ExperimentKind<Run, Metrics, Row> =
    { Name = "MADDPG"; Unit = "step"; Validate = validate; Label = label; Execute = execute; Rows = rows; Cost = cost }

/// Named sweep axes over MADDPG runs.
module Axes =
    /// Tasks, each with the authors' settings for its environment and `steps` training steps.
    let tasks (tasks: (string * int64) list) (settings: Settings -> Settings) =
        Sweep.axis "task" tasks (fun (task, steps) (r: Run) -> { r with Task = task; Settings = settings (forTask task steps) })

    /// Table 1's methods by name, each with the authors' setting for the run's environment.
    let methods (names: string list) =
        Sweep.axis "method" names (fun name (r: Run) ->
            match methods r.Task |> List.tryFind (fun (n, _) -> n = name) with
            | Some(_, e) -> { r with Method = name; Estimator = e }
            | None -> invalidArg "names" (sprintf "unknown method '%s'; Table 1's are %s" name (String.concat ", " PaperNumbers.Maddpg.table1Columns)))

    /// Random seeds.
    let seeds (seeds: int list) = Sweep.axis "seed" seeds (fun s (r: Run) -> { r with Seed = s })

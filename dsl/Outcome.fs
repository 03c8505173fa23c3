namespace CommLab.Dsl

open CommLab.Training

/// How a run ended. A diverged run (a non-finite loss or metric, see the core's `Divergence`) is a
/// result of its own: stored, logged and counted in every table, never averaged in as a number.
type Outcome<'result> =
    /// The run trained to its end; its result.
    | Finished of 'result
    /// The run stopped at the first non-finite loss or metric.
    | Diverged of Divergence

/// What a run reports while it trains: how far it is, in its experiment kind's unit (epochs,
/// environment steps), and one metric to watch.
type Progress =
    { /// Units done so far (epoch 3 of 50: 3).
      Done: int64
      /// Units the run will do in all (50).
      Total: int64
      /// Name of the metric, e.g. "val acc".
      Metric: string
      Value: float }

/// What the runner hands a run besides its config.
type RunContext =
    { /// Reports progress in the kind's unit.
      Report: Progress -> unit
      /// The run's own folder in the run store (where its config.json is): a kind may keep logs there.
      Folder: string
      /// A folder for state a killed run resumes from; the runner deletes it once the outcome is stored.
      Checkpoints: string
      /// Least wall time between checkpoints (`--checkpoint-minutes`).
      CheckpointEvery: System.TimeSpan
      /// Whether a finished run saves its evaluation games in `Folder` (`--interactions`).
      SaveInteractions: bool
      /// Logs a line about the run (what its data held, where a cache came from) where its progress
      /// goes: the sweep's log and the run's log.txt.
      Note: string -> unit }

    /// Where a game trained by the core's epoch loop keeps its checkpoint, and how often: a killed
    /// run continues after its last checkpointed epoch.
    member c.EpochCheckpoint = LoopResume(System.IO.Path.Combine(c.Checkpoints, "epochs.checkpoint"), c.CheckpointEvery)

/// One kind of experiment: everything the runner and the reports need to know about a game, in one
/// record. A new game fills in one of these (see docs/architecture.md) and reuses the rest: sweeps,
/// the run store, resuming, progress and time left, divergence handling, CSV, tables and plots.
type ExperimentKind<'cfg, 'result, 'row> =
    { /// Name in logs, e.g. "Object game".
      Name: string
      /// The unit progress is counted in: "epoch", or "step" for environment steps.
      Unit: string
      /// Every problem with a config, each naming the field, the bad value and what is allowed (the
      /// core's checks). The experiment checks every config of a sweep before anything trains.
      Validate: 'cfg -> string list
      /// A one-line description of a config for progress logs, e.g. "GS-Inst |v|=100 w=100 m=1 seed=1".
      Label: 'cfg -> string
      /// Trains one valid config, reporting progress through the context (and, for kinds that can,
      /// resuming from and writing checkpoints in it); throws the core's `TrainingDivergedException`
      /// when the run diverges.
      Execute: 'cfg -> RunContext -> 'result
      /// The typed rows a run contributes to frames, CSV files and tables; a diverged run contributes
      /// rows too (flagged `Diverged = true`, metrics NaN), so tables can count it.
      Rows: 'cfg -> Outcome<'result> -> 'row list
      /// Seconds of one core the run is estimated to take, from measured throughput (`Costs`): what
      /// `--plan` adds up for the runs still to do.
      Cost: 'cfg -> float }

/// The MADDPG trainer end to end on small budgets: evaluations where they belong, updates counted,
/// gradient variances logged per layer and agent, repeatable from the seed, both critic targets,
/// refused settings, and a run made to diverge stopped and reported in environment steps.
module CommLab.Tests.MaddpgTrainerTests

open Expecto
open CommLab.Envs
open CommLab.Estimators
open CommLab.Marl
open CommLab.Training

/// 5 warm-up episodes, batches of 64, 5,000 steps with an evaluation of 20 episodes every 2,500.
let private smallStoring (lr: float) (target: CriticTarget) (storeEvaluations: bool) =
    MaddpgSettings(
        WarmupEpisodes = 5, BatchSize = 64, BufferCapacity = 20_000, TotalSteps = 5_000L, EvaluationInterval = 2_500L,
        EvaluationEpisodes = 20, ActorLearningRate = lr, CriticLearningRate = lr, CriticTarget = target,
        StoreEvaluationEpisodes = storeEvaluations)

let private smallWith (lr: float) (target: CriticTarget) = smallStoring lr target true

let private small (lr: float) = smallWith lr CriticTarget.AsRun

let private run (settings: MaddpgSettings) =
    MaddpgRun(EnvTask.Parse "Foraging-8x8-2p-2f", EstimatorSpec.Gst(0.7, 1.0), settings, 1)

let private trained = lazy (MaddpgTrainer.Train(run (small 3e-4)))

let tests =
    testSequenced <| testList "MADDPG trainer" [
        test "evaluations at step 0 and every interval, updates after every episode past the warm-up" {
            let r = trained.Force()
            Expect.equal [ for e in r.Evaluations -> e.Step ] [ 0L; 2500L; 5000L ] "before training, then every 2,500 steps"
            Expect.equal r.Steps 5000L "the total steps"
            // LBF training episodes are cut at 25 steps (a field emptied earlier ends one sooner).
            Expect.isGreaterThanOrEqual r.Episodes 200L "at least 5,000 / 25 episodes"
            Expect.equal r.Updates (r.Episodes - 5L) "one update per episode after the 5 warm-up episodes (LBF)"
            for e in r.Evaluations do
                Expect.equal e.Returns.Length 20 "20 evaluation episodes"
                Expect.isTrue (e.Returns |> Array.forall (fun x -> x >= 0.0 && x <= 1.0 + 1e-6)) "LBF returns, normalised and summed over agents, lie in [0, 1]"
        }

        test "actor gradient variances are logged every 1,000 steps, per layer, parameter and agent" {
            let r = trained.Force()
            let steps = r.GradientVariances |> Array.map (fun v -> v.Step) |> Array.distinct
            Expect.equal steps.Length 5 "one record per 1,000 steps once updates run"
            Expect.equal (r.GradientVariances.Length) (5 * 3 * 2 * 2) "3 layers x weight and bias x 2 agents each time"
            Expect.isTrue (r.GradientVariances |> Array.forall (fun v -> v.Variance >= 0.0 && System.Double.IsFinite v.Variance)) "variances are finite and non-negative"
        }

        test "the same seed gives the same run" {
            let again = MaddpgTrainer.Train(run (small 3e-4))
            let first = trained.Force()
            Expect.equal [ for e in again.Evaluations -> e.Returns ] [ for e in first.Evaluations -> e.Returns ] "the same evaluation returns"
            Expect.equal [ for v in again.GradientVariances -> v.Variance ] [ for v in first.GradientVariances -> v.Variance ] "and the same gradients"
        }

        test "the critic target as described trains differently from the authors' code as run" {
            let described = MaddpgTrainer.Train(run (smallWith 3e-4 CriticTarget.AsDescribed))
            let first = trained.Force()
            Expect.notEqual [ for v in described.GradientVariances -> v.Variance ] [ for v in first.GradientVariances -> v.Variance ]
                "target networks (and real ends only as done) change the critic's regression targets"
        }

        test "a learning rate of 1e30 diverges, reported in environment steps" {
            Expect.throwsC (fun () -> MaddpgTrainer.Train(run (small 1e30)) |> ignore) (fun e ->
                match e with
                | :? TrainingDivergedException as d ->
                    Expect.equal d.Divergence.Unit "step" "counted in environment steps"
                    Expect.isTrue (d.Divergence.At > 0L && d.Divergence.At <= 5000L) "during training"
                    Expect.stringContains d.Divergence.Quantity "loss" "a loss went non-finite"
                | other -> failtestf "expected TrainingDivergedException, got %O" other)
        }

        test "a run resumed from a checkpoint ends with the numbers of a run never stopped" {
            use dir = new TempDir()
            // TAGS: the estimator's schedule, its noise generator, the buffer, the reward statistics,
            // Adam's moments, the environments and the acting draws all carry across the stop.
            let settings = MaddpgSettings(WarmupEpisodes = 5, BatchSize = 64, BufferCapacity = 3_000, TotalSteps = 6_000L,
                                          EvaluationInterval = 1_500L, EvaluationEpisodes = 10, Environments = 2)
            let tags = MaddpgRun(EnvTask.Parse "Foraging-8x8-2p-2f", EstimatorSpec.Tags(2.0, 0.5, 100L), settings, 3)
            let path = System.IO.Path.Combine(dir.Path, "run.checkpoint")
            let kept = System.IO.Path.Combine(dir.Path, "kept.checkpoint")
            let whole = MaddpgTrainer.Train(tags, MaddpgTrainingOptions(CheckpointPath = System.IO.Path.Combine(dir.Path, "whole.checkpoint"), CheckpointEvery = System.TimeSpan.Zero))
            // The stopped run: at its second evaluation the checkpoint on disk is the first one's (each
            // is written after the evaluation is reported); keep that one, stop one evaluation later,
            // and resume from the kept one, so the steps after it are thrown away and done again.
            use cancel = new System.Threading.CancellationTokenSource()
            let progress (e: MaddpgEvaluation) =
                if e.Step = 3_000L then System.IO.File.Copy(path, kept)
                if e.Step = 4_500L then cancel.Cancel()
            Expect.throwsT<System.OperationCanceledException>
                (fun () -> MaddpgTrainer.Train(tags, MaddpgTrainingOptions(CheckpointPath = path, CheckpointEvery = System.TimeSpan.Zero, Progress = progress, Cancel = cancel.Token)) |> ignore)
                "the first attempt is stopped"
            System.IO.File.Copy(kept, path, true)
            let resumedFrom = ResizeArray()
            let resumed = MaddpgTrainer.Train(tags, MaddpgTrainingOptions(CheckpointPath = path, CheckpointEvery = System.TimeSpan.Zero, Progress = fun e -> resumedFrom.Add e.Step))
            Expect.equal (List.ofSeq resumedFrom) [ 3_000L; 4_500L; 6_000L ] "the resumed run evaluates from the step after its checkpoint"
            Expect.equal [ for e in resumed.Evaluations -> e.Step, e.Returns ] [ for e in whole.Evaluations -> e.Step, e.Returns ] "the same evaluations, episode by episode"
            Expect.equal resumed.GradientVariances.Length whole.GradientVariances.Length "as many gradient variances"
            Array.iter2 (fun (a: GradientVariance) (b: GradientVariance) -> Expect.equal a b "the same gradients") resumed.GradientVariances whole.GradientVariances
            Expect.equal (resumed.Updates, resumed.Episodes, resumed.Transitions) (whole.Updates, whole.Episodes, whole.Transitions) "the same updates, episodes and buffer"
            Expect.isGreaterThan whole.Updates 100L "long enough for TAGS's 100-update schedule to end"
        }

        test "a checkpoint of another run is refused with its path and what differs" {
            use dir = new TempDir()
            let path = System.IO.Path.Combine(dir.Path, "run.checkpoint")
            let settings = MaddpgSettings(WarmupEpisodes = 2, BatchSize = 16, BufferCapacity = 1_000, TotalSteps = 200L, EvaluationInterval = 100L, EvaluationEpisodes = 2)
            use cancel = new System.Threading.CancellationTokenSource()
            let options = MaddpgTrainingOptions(CheckpointPath = path, CheckpointEvery = System.TimeSpan.Zero, Cancel = cancel.Token, Progress = fun e -> if e.Step = 100L then cancel.Cancel())
            Expect.throwsT<System.OperationCanceledException> (fun () -> MaddpgTrainer.Train(MaddpgRun(EnvTask.Parse "Foraging-8x8-2p-2f", EstimatorSpec.Stgs(1.0), settings, 1), options) |> ignore) "stopped after a checkpoint"
            Expect.throwsC (fun () -> MaddpgTrainer.Train(MaddpgRun(EnvTask.Parse "Foraging-8x8-2p-2f", EstimatorSpec.Stgs(1.0), settings, 2), MaddpgTrainingOptions(CheckpointPath = path)) |> ignore) (fun e ->
                Expect.stringContains e.Message path "names the file"
                Expect.stringContains e.Message "seed=1" "and the run it belongs to")
        }

        test "several environments step together: steps count each, updates still follow each finished episode" {
            let settings = MaddpgSettings(WarmupEpisodes = 8, BatchSize = 64, BufferCapacity = 20_000, TotalSteps = 4_000L,
                                          EvaluationInterval = 2_000L, EvaluationEpisodes = 4, Environments = 8)
            let r = MaddpgTrainer.Train(MaddpgRun(EnvTask.Parse "Foraging-8x8-2p-2f", EstimatorSpec.Gst(0.7, 1.0), settings, 1))
            Expect.equal r.Steps 4_000L "8 environments x 500 steps"
            Expect.equal [ for e in r.Evaluations -> e.Step ] [ 0L; 2_000L; 4_000L ] "evaluations at the same steps as with one"
            Expect.isGreaterThanOrEqual r.Episodes 160L "at least 4,000 / 25 episodes"
            Expect.equal r.Updates (r.Episodes - 8L) "one update per finished episode after the warm-up"
            let bad = MaddpgRun(EnvTask.Parse "Foraging-8x8-2p-2f", EstimatorSpec.Gst(0.7, 1.0), MaddpgSettings(Environments = 3, EvaluationInterval = 1_000L, TotalSteps = 3_000L), 1)
            Expect.contains (List.ofSeq (bad.Problems())) "evaluation interval must be a multiple of environments (3): every environment steps at once, got 1000" "an interval the environments cannot hit"
        }

        test "evaluation episodes go to the replay buffer, as the authors' code puts them" {
            let stored = trained.Force()
            let notStored = MaddpgTrainer.Train(run (smallStoring 3e-4 CriticTarget.AsRun false))
            Expect.equal notStored.Transitions 5_000L "without them, one transition per training step"
            // Three evaluations of 20 episodes, each at least one step long and at most LBF's registered 50.
            Expect.isTrue (stored.Transitions >= 5_060L && stored.Transitions <= 5_000L + 3L * 20L * 50L) (sprintf "with them, more: %d" stored.Transitions)
        }

        test "TensorBoard event files hold the evaluation returns, losses, temperature and gradient variances" {
            use dir = new TempDir()
            let r = MaddpgTrainer.Train(run (small 3e-4), MaddpgTrainingOptions(TensorBoardDirectory = dir.Path))
            let scalars = [ for f in System.IO.Directory.GetFiles(dir.Path, "events.out.tfevents.*", System.IO.SearchOption.AllDirectories) do yield! snd (TensorBoardReader.read f) ]
            let returns = [ for s in scalars do if s.Tag = "evaluation/return" then s.Step, s.Value ]
            Expect.equal returns [ for e in r.Evaluations -> e.Step, float32 e.MeanReturn ] "every evaluation's mean return at its step"
            Expect.equal [ for s in scalars do if s.Tag = "loss/critic" then s.Step ] [ 2500L; 5000L ] "mean losses at the evaluations after updates began"
            Expect.isTrue (scalars |> List.exists (fun s -> s.Tag = "estimator/temperature" && abs (s.Value - 0.7f) < 1e-6f)) "GST's temperature"
            let variances = scalars |> List.filter (fun s -> s.Tag.StartsWith "gradient_variance/")
            Expect.equal variances.Length r.GradientVariances.Length "one scalar per gradient variance"
            Expect.equal (variances |> List.map (fun s -> s.Value)) [ for v in r.GradientVariances -> float32 v.Variance ] "with its value"
        }

        test "impossible settings are refused with the field, the value and the range" {
            let bad = MaddpgRun(EnvTask.Parse "rware-tiny-2ag", EstimatorSpec.Stgs(0.0), MaddpgSettings(Gamma = 1.5, ActorLearningRate = infinity), 1, "tpu")
            let problems = bad.Problems() |> List.ofSeq
            Expect.contains problems "estimator: estimator temperature must be > 0 and finite, got 0" "the estimator's"
            Expect.isTrue (problems |> List.exists (fun p -> p.StartsWith "gamma must be")) (sprintf "gamma: %A" problems)
            Expect.isTrue (problems |> List.exists (fun p -> p.StartsWith "actor learning rate must be > 0 and finite")) (sprintf "an infinite lr: %A" problems)
            Expect.contains problems "device must be one of cpu, cuda, cuda:N, got 'tpu'" "the device"
            Expect.throwsT<System.ArgumentException> (fun () -> MaddpgTrainer.Train bad |> ignore) "Train refuses it before anything runs"
        }
    ]

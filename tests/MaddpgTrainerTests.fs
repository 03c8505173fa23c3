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
let private smallWith (lr: float) (target: CriticTarget) =
    MaddpgSettings(
        WarmupEpisodes = 5, BatchSize = 64, BufferCapacity = 20_000, TotalSteps = 5_000L, EvaluationInterval = 2_500L,
        EvaluationEpisodes = 20, ActorLearningRate = lr, CriticLearningRate = lr, CriticTarget = target)

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

/// MADDPG's settings: the authors' values, the presets, and validation that names field and value.
module CommLab.Tests.MaddpgSettingsTests

open Expecto
open CommLab.Marl
open CommLab.Validation

let private problems (s: MaddpgSettings) = s.Problems() |> Seq.toList

let private hasProblem (s: MaddpgSettings) (message: string) =
    let ps = problems s
    Expect.isTrue (ps |> List.exists (fun p -> p.Contains message)) (sprintf "expected a problem containing '%s', got %A" message ps)

let tests =
    testList "MADDPG parts" [
        testList "settings" [
            test "the defaults are the authors' LBF settings" {
                let s = MaddpgSettings.ForForaging()
                Expect.equal s (MaddpgSettings()) "ForForaging is the default"
                Expect.equal (s.HiddenWidth, s.ActorLearningRate, s.CriticLearningRate, s.AdamEpsilon, s.GradientClip, s.Gamma)
                             (64, 3e-4, 3e-4, 1e-3, 1.0, 0.95) "network and optimiser"
                Expect.equal (s.BatchSize, s.BufferCapacity, s.WarmupEpisodes, s.SoftUpdate, s.PolicyRegularizer, s.StandardizeRewards)
                             (512, 2_000_000, 400, 0.01, 1e-3, true) "replay and updates"
                Expect.equal (s.UpdatesPerEpisode, s.EpisodeLimit, s.EvaluationInterval, s.EvaluationEpisodes, s.TotalSteps)
                             (1, 25, 50_000L, 100, 7_500_000L) "schedule"
                Expect.equal (s.CriticTarget, s.ParameterSharing) (CriticTarget.AsRun, false) "what the authors ran, no sharing"
                Expect.isEmpty (problems s) "valid"
            }

            test "the warehouse preset changes what the authors' RWARE config changes" {
                let s = MaddpgSettings.ForWarehouse()
                Expect.equal (s.UpdatesPerEpisode, s.EpisodeLimit, s.ActorLearningRate, s.CriticLearningRate) (10, 500, 5e-4, 5e-4) "10 updates per 500 steps"
                Expect.equal s (MaddpgSettings(UpdatesPerEpisode = 10, EpisodeLimit = 500, ActorLearningRate = 5e-4, CriticLearningRate = 5e-4)) "nothing else"
                Expect.isEmpty (problems s) "valid"
            }

            test "every bad field is reported at once, with its name, value and range" {
                let bad = MaddpgSettings(HiddenWidth = 0, ActorLearningRate = nan, CriticLearningRate = -1.0, AdamEpsilon = infinity,
                                         Gamma = 1.5, BatchSize = 0, SoftUpdate = 0.0, PolicyRegularizer = -0.1, UpdatesPerEpisode = 0,
                                         EpisodeLimit = 0, EvaluationInterval = 0L, EvaluationEpisodes = 0, TotalSteps = 0L,
                                         WarmupEpisodes = -1, GradientClip = nan, CriticTarget = enum<CriticTarget> 7)
                hasProblem bad "hidden width must be >= 1, got 0"
                hasProblem bad "actor learning rate must be > 0 and finite, got NaN"
                hasProblem bad "critic learning rate must be > 0 and finite, got -1"
                hasProblem bad ("Adam epsilon must be > 0 and finite, got " + infinity.ToString())
                hasProblem bad "gradient clip must be > 0 and finite, got NaN"
                hasProblem bad "gamma must be in [0, 1], got 1.5"
                hasProblem bad "batch size must be >= 1, got 0"
                hasProblem bad "soft update beta must be in (0, 1], got 0"
                hasProblem bad "policy regularizer must be >= 0 and finite, got -0.1"
                hasProblem bad "warm-up episodes must be >= 0, got -1"
                hasProblem bad "critic target must be one of AsDescribed, AsRun, got 7"
                Expect.equal (problems bad).Length 16 "one problem per bad field"
            }

            test "a batch larger than the buffer, and NaN gamma, are refused; Validate throws with every problem" {
                let s = MaddpgSettings(BufferCapacity = 100, Gamma = nan)
                hasProblem s "batch size must be <= buffer capacity (100)"
                hasProblem s "gamma must be in [0, 1], got NaN"
                let e = Expect.throwsC (fun () -> s.Validate()) id
                Expect.stringContains e.Message "; " "both problems in one message"
            }
        ]
    ]

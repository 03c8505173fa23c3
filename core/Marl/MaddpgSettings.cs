using CommLab.Validation;

namespace CommLab.Marl;

/// <summary>Every hyperparameter of the MADDPG authors' code (uoe-agents/revisiting-maddpg: main.py's
/// arguments and config/final_params), with the values their final runs used; the defaults are the
/// Level-Based Foraging ones (<see cref="ForForaging"/>). The discrete gradient estimator is a separate
/// part (<c>EstimatorSpec</c>), as in the channels.</summary>
public sealed record MaddpgSettings : IValidatable
{
    /// <summary>Width of both hidden layers of every actor and critic (authors: 64).</summary>
    public int HiddenWidth { get; init; } = 64;

    /// <summary>Adam learning rate of the actors (LBF 3e-4; RWARE's config 5e-4).</summary>
    public double ActorLearningRate { get; init; } = 3e-4;

    /// <summary>Adam learning rate of the critics (LBF 3e-4; RWARE's config 5e-4).</summary>
    public double CriticLearningRate { get; init; } = 3e-4;

    /// <summary>Adam's epsilon (authors: 1e-3, far above Adam's 1e-8: it damps steps of rarely-updated weights).</summary>
    public double AdamEpsilon { get; init; } = 1e-3;

    /// <summary>Each agent's gradient norm is clipped to this, actor and critic separately (authors: 1.0).</summary>
    public double GradientClip { get; init; } = 1.0;

    /// <summary>Discount gamma (authors: 0.95).</summary>
    public double Gamma { get; init; } = 0.95;

    /// <summary>Transitions per gradient update, drawn without replacement (authors: 512).</summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>Transitions the replay buffer keeps (authors: 2,000,000; about 3 GB with 2 agents and RWARE's
    /// 91-float observations, see <c>ReplayBuffer.BytesFor</c>).</summary>
    public int BufferCapacity { get; init; } = 2_000_000;

    /// <summary>Episodes of uniformly random actions stored before training starts (authors: 400; they
    /// count towards no step budget).</summary>
    public int WarmupEpisodes { get; init; } = 400;

    /// <summary>Soft-update rate beta: target &lt;- (1 - beta) target + beta online after every update (authors: 0.01).</summary>
    public double SoftUpdate { get; init; } = 0.01;

    /// <summary>Weight of the actors' logit penalty mean(logits²) (authors: 1e-3).</summary>
    public double PolicyRegularizer { get; init; } = 1e-3;

    /// <summary>Standardise rewards per agent with their running mean and variance (authors: on in every
    /// final run; see <c>RewardStandardizer</c>).</summary>
    public bool StandardizeRewards { get; init; } = true;

    /// <summary>Gradient updates after each training episode (authors' train_repeats: LBF 1, RWARE 10, i.e.
    /// one update per 25 and per 50 steps).</summary>
    public int UpdatesPerEpisode { get; init; } = 1;

    /// <summary>Steps after which a training episode is cut (authors' max_episode_length: LBF 25, though
    /// the environment allows 50; RWARE 500).</summary>
    public int EpisodeLimit { get; init; } = 25;

    /// <summary>Environment steps between evaluations, the first at step 0 (authors: 50,000).</summary>
    public long EvaluationInterval { get; init; } = 50_000;

    /// <summary>Episodes per evaluation, with the stochastic policies; the return is the sum over agents (authors: 100).</summary>
    public int EvaluationEpisodes { get; init; } = 100;

    /// <summary>Environment steps of training, warm-up and evaluation episodes not counted (authors' final
    /// configs: 7.5M; the paper's Table 1 reports 5M and 6M for the smaller LBF tasks).</summary>
    public long TotalSteps { get; init; } = 7_500_000;

    /// <summary>How the critics' targets are formed; <see cref="Marl.CriticTarget.AsRun"/> by default,
    /// for the reason in <see cref="Marl.CriticTarget"/>'s remarks.</summary>
    public CriticTarget CriticTarget { get; init; } = CriticTarget.AsRun;

    /// <summary>Environments stepped together in training (the authors: 1). With more, one forward pass
    /// acts for all of them and steps count every environment's; updates still follow each finished
    /// episode (<see cref="UpdatesPerEpisode"/>), so the updates per step stay the authors'. The policy
    /// then acts for up to this many steps between updates where the authors' acted for one episode.</summary>
    public int Environments { get; init; } = 1;

    /// <summary>Evaluation episodes are stored in the replay buffer too, not counted as training steps,
    /// as the authors' code does (their <c>evaluate</c> inserts every transition it sees).</summary>
    public bool StoreEvaluationEpisodes { get; init; } = true;

    /// <summary>One actor and one critic for all agents (the authors: none; the paper names sharing as
    /// future work).</summary>
    public bool ParameterSharing { get; init; }

    /// <summary>The authors' final Level-Based Foraging settings (config/final_params/foraging).</summary>
    public static MaddpgSettings ForForaging() => new();

    /// <summary>The authors' final Multi-Robot Warehouse settings (config/final_params/rware): 10 updates per
    /// 500-step episode, and learning rates 5e-4 as that config file sets them (the README, written after
    /// the runs, says 3e-4).</summary>
    public static MaddpgSettings ForWarehouse() => new()
    {
        ActorLearningRate = 5e-4,
        CriticLearningRate = 5e-4,
        UpdatesPerEpisode = 10,
        EpisodeLimit = 500,
    };

    /// <summary>Every setting outside its allowed range, each naming the field, the value and the range.</summary>
    public IReadOnlyList<string> Problems() =>
        new ProblemList()
            .AtLeast("hidden width", 1, HiddenWidth)
            .Positive("actor learning rate", ActorLearningRate)
            .Positive("critic learning rate", CriticLearningRate)
            .Positive("Adam epsilon", AdamEpsilon)
            .Positive("gradient clip", GradientClip)
            .Between("gamma", 0, 1, Gamma)
            .AtLeast("batch size", 1, BatchSize)
            .AtLeast("buffer capacity", 1, BufferCapacity)
            .Check(BatchSize <= BufferCapacity, $"batch size must be <= buffer capacity ({BufferCapacity}): a batch is drawn without replacement, got {BatchSize}")
            .AtLeast("warm-up episodes", 0, WarmupEpisodes)
            .Check(SoftUpdate > 0 && SoftUpdate <= 1, $"soft update beta must be in (0, 1], got {SoftUpdate}")
            .NonNegative("policy regularizer", PolicyRegularizer)
            .AtLeast("updates per episode", 1, UpdatesPerEpisode)
            .AtLeast("episode limit", 1, EpisodeLimit)
            .AtLeast("evaluation interval (steps)", 1, EvaluationInterval)
            .AtLeast("evaluation episodes", 1, EvaluationEpisodes)
            .AtLeast("total steps", 1, TotalSteps)
            .AtLeast("environments", 1, Environments)
            .Check(Environments < 1 || EvaluationInterval % Environments == 0,
                $"evaluation interval must be a multiple of environments ({Environments}): every environment steps at once, got {EvaluationInterval}")
            .Check(Environments < 1 || TotalSteps % Environments == 0,
                $"total steps must be a multiple of environments ({Environments}): every environment steps at once, got {TotalSteps}")
            .Check(Enum.IsDefined(CriticTarget), $"critic target must be one of {string.Join(", ", Enum.GetNames<CriticTarget>())}, got {CriticTarget}");
}

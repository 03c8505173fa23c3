using CommLab.Devices;
using CommLab.Envs;
using CommLab.Envs.Foraging;
using CommLab.Envs.Warehouse;
using CommLab.Estimators;
using CommLab.Validation;

namespace CommLab.Marl;

/// <summary>One MADDPG training run: a grid-world task, the estimator that turns each actor's logits
/// into the action its gradient flows through, the algorithm's settings, a seed and a device.</summary>
/// <param name="Task">The environment task as registered (its own episode limit is the evaluation's;
/// training episodes stop at <see cref="MaddpgSettings.EpisodeLimit"/>).</param>
/// <param name="Estimator">The actor's gradient estimator (STGS-1, STGS-T, TAGS, GRMCK, GST).</param>
/// <param name="Settings">MADDPG's hyperparameters.</param>
/// <param name="Seed">Seeds the networks, the environments, acting, the replay sampling and the estimator.</param>
/// <param name="Device">"cpu", "cuda" or "cuda:N".</param>
public sealed record MaddpgRun(EnvTask Task, EstimatorSpec Estimator, MaddpgSettings Settings, int Seed, string Device = "cpu") : IValidatable
{
    /// <summary>Every impossible setting: the task's, the estimator's, the settings', and the device.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new ProblemList();
        try { Task.Validate(); }
        catch (ArgumentException e) { problems.Check(false, $"task: {e.Message}"); }
        return problems
            .AddRange(Estimator.Problems(), "estimator: ")
            .AddRange(Settings.Problems())
            .Check(DeviceChoice.IsValid(Device), $"device must be one of {DeviceChoice.Allowed}, got '{Device}'");
    }

    /// <summary>The step at which the task's episodes are cut (LBF's MaxEpisodeSteps, RWARE's MaxSteps).</summary>
    public static int EpisodeLimitOf(EnvTask task) => task switch
    {
        ForagingTask f => f.MaxEpisodeSteps,
        WarehouseTask w => w.MaxSteps,
        _ => throw new ArgumentException($"no episode limit is known for task {task.Name}"),
    };

    /// <summary>The task with its episode limit replaced: training episodes are cut at the settings'
    /// limit (the authors' 25 steps on LBF, registered at 50), evaluation keeps the registered one.</summary>
    public static EnvTask WithEpisodeLimit(EnvTask task, int limit) => task switch
    {
        ForagingTask f => f with { MaxEpisodeSteps = limit },
        WarehouseTask w => w with { MaxSteps = limit },
        _ => throw new ArgumentException($"no episode limit is known for task {task.Name}"),
    };
}

/// <summary>One evaluation: <see cref="MaddpgSettings.EvaluationEpisodes"/> episodes of the stochastic
/// policy on the task as registered; an episode's return is its rewards summed over agents and steps.</summary>
/// <param name="Step">Training steps taken when it ran (0 for the one before training).</param>
/// <param name="MeanReturn">The mean over episodes.</param>
/// <param name="Returns">Each episode's return.</param>
public sealed record MaddpgEvaluation(long Step, double MeanReturn, double[] Returns);

/// <summary>Variance over the elements of one actor parameter's gradient for one agent (the authors'
/// <c>torch.var(param.grad)</c>, Figure 4), before clipping.</summary>
public sealed record GradientVariance(long Step, int Layer, string Parameter, int Agent, double Variance);

/// <summary>What a run did.</summary>
/// <param name="Evaluations">Every evaluation, at step 0 and every EvaluationInterval steps.</param>
/// <param name="GradientVariances">Actor gradient variances every 1,000 steps once updates have begun.</param>
/// <param name="Steps">Environment steps taken in training.</param>
/// <param name="Updates">Gradient updates (each: every agent's critic, then every actor).</param>
/// <param name="Episodes">Training episodes finished.</param>
/// <param name="Transitions">Transitions in the replay buffer at the end (training and, when stored,
/// evaluation transitions; at most its capacity).</param>
/// <param name="Seconds">Wall time, evaluation included.</param>
/// <param name="StepsPerSecond">Training steps per second of wall time outside evaluation.</param>
public sealed record MaddpgResult(
    MaddpgEvaluation[] Evaluations,
    GradientVariance[] GradientVariances,
    long Steps,
    long Updates,
    long Episodes,
    long Transitions,
    double Seconds,
    double StepsPerSecond);

namespace CommLab.Envs;

/// <summary>A batch of independent copies of one multi-agent grid-world task, stepped together over
/// flat arrays. Nothing is allocated per step: <see cref="Observations"/>, <see cref="Rewards"/> and
/// <see cref="Done"/> are rewritten in place, so a trainer can wrap them once (e.g. as a tensor over
/// the same memory) and read them after every call.</summary>
/// <remarks>Layouts are row-major: observations are [env, agent, feature], rewards [env, agent], actions
/// [env, agent]. An environment whose episode ended keeps its final observation and <c>Done = true</c>
/// until <see cref="ResetDone"/> starts its next episode, so the terminal transition can be read first.</remarks>
public interface IVectorEnv : IDisposable
{
    /// <summary>The task every copy runs, with its settings.</summary>
    EnvTask Task { get; }

    /// <summary>Number of independent environments.</summary>
    int BatchSize { get; }

    /// <summary>Agents per environment.</summary>
    int Agents { get; }

    /// <summary>Discrete actions per agent (LBF 6, RWARE 5).</summary>
    int ActionCount { get; }

    /// <summary>Floats per agent observation.</summary>
    int ObservationLength { get; }

    /// <summary>[BatchSize * Agents * ObservationLength]: each agent's observation after the last reset or step.</summary>
    float[] Observations { get; }

    /// <summary>[BatchSize * Agents]: each agent's reward from the last step (0 after a reset).</summary>
    float[] Rewards { get; }

    /// <summary>[BatchSize]: whether each environment's episode has ended (shared by all its agents, as in
    /// both references).</summary>
    bool[] Done { get; }

    /// <summary>[BatchSize]: steps taken in each environment's current episode.</summary>
    int[] EpisodeSteps { get; }

    /// <summary>The documented range of every observation feature (length <see cref="ObservationLength"/>).</summary>
    ObservationBounds Bounds { get; }

    /// <summary>Seeds environment i with stream i of <paramref name="seed"/> and starts a new episode in
    /// every environment. The same seed gives the same episodes, whatever the thread count.</summary>
    void Reset(ulong seed);

    /// <summary>Starts the next episode of every environment whose <see cref="Done"/> is set; each
    /// continues its own random stream.</summary>
    void ResetDone();

    /// <summary>One step of every environment with the joint actions [BatchSize * Agents]. An action
    /// outside [0, ActionCount) is refused (ArgumentException naming environment and agent) before any
    /// environment moves. Stepping an environment whose episode ended is refused the same way.</summary>
    void Step(ReadOnlySpan<int> actions);

    /// <summary><see cref="Step(ReadOnlySpan{int})"/> for callers holding an array (F# does not convert it to a span).</summary>
    void Step(int[] actions) => Step(actions.AsSpan());

    /// <summary>Environment <paramref name="env"/>'s full state (positions, levels, queue, step counters and
    /// its random generator) as JSON; <see cref="RestoreState"/> reads it back exactly.</summary>
    string SaveState(int env);

    /// <summary>Replaces environment <paramref name="env"/>'s state with <paramref name="json"/> (the
    /// <see cref="SaveState"/> format; see docs/envs.md) and rewrites its observations. A state that breaks the
    /// task's rules is refused with the field at fault; the environment is then left unchanged.</summary>
    void RestoreState(int env, string json);

    /// <summary>A text picture of environment <paramref name="env"/> for the terminal.</summary>
    string RenderText(int env);

    /// <summary>An SVG picture of environment <paramref name="env"/>.</summary>
    string RenderSvg(int env);
}

/// <summary>Inclusive lower and upper bounds of each observation feature.</summary>
public sealed record ObservationBounds(float[] Low, float[] High)
{
    /// <summary>Whether <paramref name="observation"/> lies within the bounds, feature by feature.</summary>
    public bool Contains(ReadOnlySpan<float> observation)
    {
        for (var i = 0; i < Low.Length; i++)
            if (!(observation[i] >= Low[i] && observation[i] <= High[i])) return false;
        return true;
    }
}

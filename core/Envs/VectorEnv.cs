using CommLab.Rng;

namespace CommLab.Envs;

/// <summary>What the two grid worlds share as batches: buffers, seeding, action checks, threading and
/// the JSON state round trip. A family supplies one environment's reset, step, observation and state.</summary>
public abstract class VectorEnv<TTask, TState> : IVectorEnv where TTask : EnvTask
{
    readonly BatchWorkers workers;
    readonly int[] actionBuffer;
    bool resetDoneOnly;

    protected VectorEnv(TTask task, int batchSize, int threads)
    {
        task.Validate();
        if (batchSize < 1) throw new ArgumentException($"batch size must be >= 1, got {batchSize}");
        if (threads < 1) throw new ArgumentException($"threads must be >= 1, got {threads}");
        Spec = task;
        BatchSize = batchSize;
        Agents = task.Agents;
        ActionCount = task.ActionCount;
        ObservationLength = task.ObservationLength;
        Observations = new float[batchSize * Agents * ObservationLength];
        Rewards = new float[batchSize * Agents];
        Done = new bool[batchSize];
        EpisodeSteps = new int[batchSize];
        Generators = new Xoshiro256[batchSize];
        actionBuffer = new int[batchSize * Agents];
        workers = new BatchWorkers(batchSize, threads, RunRange);
    }

    /// <summary>The task with its concrete settings type.</summary>
    public TTask Spec { get; }
    public EnvTask Task => Spec;
    public int BatchSize { get; }
    public int Agents { get; }
    public int ActionCount { get; }
    public int ObservationLength { get; }
    public float[] Observations { get; }
    public float[] Rewards { get; }
    public bool[] Done { get; }
    public int[] EpisodeSteps { get; }
    public abstract ObservationBounds Bounds { get; }

    /// <summary>Threads stepping the batch (at most one per environment).</summary>
    public int Threads => workers.Threads;

    /// <summary>Each environment's own generator: spawns and request draws use nothing else.</summary>
    protected Xoshiro256[] Generators { get; }

    bool stepping;

    void RunRange(int from, int to)
    {
        for (var e = from; e < to; e++)
        {
            if (stepping)
            {
                Array.Clear(Rewards, e * Agents, Agents);
                StepOne(e, actionBuffer.AsSpan(e * Agents, Agents));
                EpisodeSteps[e]++;
            }
            else
            {
                if (resetDoneOnly && !Done[e]) continue;
                ResetOne(e);
                EpisodeSteps[e] = 0;
                Array.Clear(Rewards, e * Agents, Agents);
            }
            WriteObservations(e);
        }
    }

    public void Reset(ulong seed)
    {
        for (var e = 0; e < BatchSize; e++) Generators[e] = Xoshiro256.ForStream(seed, (ulong)e);
        stepping = false; resetDoneOnly = false;
        workers.Run();
    }

    public void ResetDone()
    {
        stepping = false; resetDoneOnly = true;
        workers.Run();
    }

    public void Step(ReadOnlySpan<int> actions)
    {
        if (actions.Length != BatchSize * Agents)
            throw new ArgumentException($"actions must hold BatchSize * Agents = {BatchSize * Agents} values, got {actions.Length}");
        for (var e = 0; e < BatchSize; e++)
        {
            if (Done[e])
                throw new ArgumentException($"environment {e} finished its episode: call ResetDone (or Reset) before stepping it again");
            for (var a = 0; a < Agents; a++)
            {
                var act = actions[e * Agents + a];
                if ((uint)act >= (uint)ActionCount)
                    throw new ArgumentException(
                        $"action of environment {e}, agent {a} must be in 0..{ActionCount - 1} ({ActionNames}), got {act}");
            }
        }
        actions.CopyTo(actionBuffer);
        stepping = true;
        workers.Run();
    }

    /// <summary>Steps with the joint actions in an array (see <see cref="IVectorEnv.Step(ReadOnlySpan{int})"/>).</summary>
    public void Step(int[] actions) => Step(actions.AsSpan());

    /// <summary>The action names in order, for messages.</summary>
    protected abstract string ActionNames { get; }

    /// <summary>Starts environment e's next episode from its generator.</summary>
    protected abstract void ResetOne(int e);

    /// <summary>One step of environment e: writes its rewards (cleared before the call) and sets <see cref="Done"/>[e].</summary>
    protected abstract void StepOne(int e, ReadOnlySpan<int> actions);

    /// <summary>Writes environment e's agents' observations into <see cref="Observations"/>.</summary>
    protected abstract void WriteObservations(int e);

    /// <summary>Environment e's full state.</summary>
    public abstract TState GetState(int e);

    /// <summary>Checks <paramref name="state"/> against the task's rules (ArgumentException naming the field)
    /// without touching any environment.</summary>
    protected abstract void Check(TState state);

    /// <summary>Loads a checked state into environment e (everything but the generator and observations).</summary>
    protected abstract void Apply(int e, TState state);

    protected abstract string? RngOf(TState state);
    protected abstract int StepOf(TState state);
    protected abstract bool IsDone(TState state);
    protected abstract string ToJson(TState state);
    protected abstract TState FromJson(string json);

    /// <summary>Replaces environment e's state (checked first; on error the environment is unchanged).</summary>
    public void SetState(int e, TState state)
    {
        CheckIndex(e);
        Check(state);
        if (StepOf(state) < 0) throw new ArgumentException($"step must be >= 0, got {StepOf(state)}");
        var rng = RngOf(state) is { } text ? RngText.Parse(text, "rng") : Generators[e];
        Apply(e, state);
        Generators[e] = rng;
        EpisodeSteps[e] = StepOf(state);
        Done[e] = IsDone(state);
        Array.Clear(Rewards, e * Agents, Agents);
        WriteObservations(e);
    }

    public string SaveState(int e) { CheckIndex(e); return ToJson(GetState(e)); }

    public void RestoreState(int e, string json) => SetState(e, FromJson(json));

    /// <summary>Agent a of environment e's observation.</summary>
    public ReadOnlySpan<float> Observation(int e, int a) =>
        Observations.AsSpan((e * Agents + a) * ObservationLength, ObservationLength);

    public abstract string RenderText(int env);
    public abstract string RenderSvg(int env);

    protected void CheckIndex(int e)
    {
        if ((uint)e >= (uint)BatchSize) throw new ArgumentException($"environment index must be in 0..{BatchSize - 1}, got {e}");
    }

    public void Dispose() => workers.Dispose();
}

using System.Diagnostics;
using CommLab.Estimators;
using CommLab.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CommLab.Marl;

/// <summary>What MADDPG learns and how: every agent's actor and critic (stacked, <see cref="StackedMlp"/>),
/// their target networks, the two Adam optimizers, the actors' gradient estimator and the running reward
/// statistics, with one gradient update from a replay batch.</summary>
/// <remarks>
/// <para>One update: a batch of distinct transitions; rewards standardised per agent from running
/// statistics; target actions sampled once from softmax of the (online, as run; target, as described)
/// actors on the next observations; every critic regressed on r + gamma (1 - done) Q(o', a') (online
/// critic as run, target critic as described); then every actor: agent i's action replaced by the
/// estimator's output on its own logits, the other agents' actions taken from the batch, loss
/// -Q_i + regulariser * mean(logits^2); per-agent gradient-norm clipping, Adam, soft target updates, and
/// one step of the estimator's schedule. Updating all critics before all actors equals the authors'
/// agent-by-agent loop: agent i's actor reads only critic i, and the target actions are drawn once.</para>
/// </remarks>
public sealed class MaddpgLearner : IDisposable
{
    readonly MaddpgSettings s;
    readonly int agents, actions;
    readonly Generator sampling, targets, noise;
    readonly Tensor slot;
    readonly Parameter[] criticParameters;
    readonly (Tensor Target, Tensor Online)[] targetPairs;

    /// <summary>Networks initialised from <paramref name="seed"/> (actors, critics, then the targets as
    /// copies), optimizers, estimator and generators, on <paramref name="device"/>.</summary>
    public MaddpgLearner(MaddpgSettings settings, EstimatorSpec estimator, int agents, int observationLength, int actions, int seed, Device device)
    {
        s = settings;
        this.agents = agents;
        this.actions = actions;
        Device = device;
        // Initial weights from a generator of the run's own: runs in parallel need no global lock.
        using var init = new Generator((ulong)seed, CPU);
        Actors = StackedMlp.Actors(agents, observationLength, actions, s.HiddenWidth, s.ParameterSharing, init);
        Critics = StackedMlp.Critics(agents, observationLength, actions, s.HiddenWidth, s.ParameterSharing, init);
        TargetActors = StackedMlp.Actors(agents, observationLength, actions, s.HiddenWidth, s.ParameterSharing, init);
        TargetCritics = StackedMlp.Critics(agents, observationLength, actions, s.HiddenWidth, s.ParameterSharing, init);
        SoftUpdate.Copy(TargetActors, Actors);
        SoftUpdate.Copy(TargetCritics, Critics);
        foreach (var m in Networks) m.to(device);
        ActorOptimizer = new StackedAdam(Actors.parameters(), s.ActorLearningRate, s.AdamEpsilon, s.GradientClip);
        CriticOptimizer = new StackedAdam(Critics.parameters(), s.CriticLearningRate, s.AdamEpsilon, s.GradientClip);
        targetPairs = SoftUpdate.Pairs(TargetActors, Actors).Concat(SoftUpdate.Pairs(TargetCritics, Critics)).ToArray();
        targets = new Generator((ulong)seed + 1, device);
        sampling = new Generator((ulong)seed + 2, CPU);
        noise = new Generator((ulong)seed + 3, device);
        Estimator = estimator.Create(noise);
        Rewards = new RewardStandardizer(agents);
        slot = eye(agents, device: device).view(agents, 1, agents, 1);
        criticParameters = Critics.parameters().ToArray();
    }

    /// <summary>Where the networks live.</summary>
    public Device Device { get; }

    /// <summary>The agents' actors (online).</summary>
    public StackedMlp Actors { get; }

    /// <summary>The agents' centralised critics (online).</summary>
    public StackedMlp Critics { get; }

    /// <summary>Target actors (read by the critic target as described).</summary>
    public StackedMlp TargetActors { get; }

    /// <summary>Target critics (read by the critic target as described).</summary>
    public StackedMlp TargetCritics { get; }

    /// <summary>Per-agent clipping and Adam over every actor parameter.</summary>
    public StackedAdam ActorOptimizer { get; }

    /// <summary>Per-agent clipping and Adam over every critic parameter.</summary>
    public StackedAdam CriticOptimizer { get; }

    /// <summary>The actors' gradient estimator.</summary>
    public IDiscreteEstimator Estimator { get; }

    /// <summary>Per-agent running reward statistics.</summary>
    public RewardStandardizer Rewards { get; }

    /// <summary>Gradient updates made.</summary>
    public long Updates { get; private set; }

    /// <summary>The four networks, in the order a checkpoint stores them.</summary>
    public StackedMlp[] Networks => new[] { Actors, Critics, TargetActors, TargetCritics };

    /// <summary>The generators an update draws from, in the order a checkpoint stores them: replay
    /// sampling (CPU), target actions, estimator noise.</summary>
    public Generator[] Generators => new[] { sampling, targets, noise };

    /// <summary>One update from <paramref name="buffer"/>. With <paramref name="timings"/>, the time of
    /// each part is added to it (the bench's split). <paramref name="inspectActorGradients"/> is called
    /// with the actors' gradients before clipping (gradient-variance logging).</summary>
    public UpdateLosses Update(ReplayBuffer buffer, UpdateTimings? timings = null, Action<StackedMlp>? inspectActorGradients = null)
    {
        var clock = timings is null ? null : Stopwatch.StartNew();
        void Mark(ref double part)
        {
            if (clock is null) return;
            part += clock.Elapsed.TotalSeconds;
            clock.Restart();
        }
        var t = timings ?? new UpdateTimings();
        using var scope = NewDisposeScope();
        using var batch = buffer.Sample(s.BatchSize, sampling, Device);
        var b = batch.Observations.shape[0];
        var obs = batch.Observations;                                                    // [B, N, D]
        var next = batch.NextObservations;
        var taken = nn.functional.one_hot(batch.Actions, actions).to(ScalarType.Float32); // [B, N, A]
        var r = (s.StandardizeRewards ? Rewards.UpdateAndStandardize(batch.Rewards) : batch.Rewards).transpose(0, 1).unsqueeze(-1); // [N, B, 1]
        var notDone = (1 - batch.Done).view(1, b, 1);
        Mark(ref t.Sample);

        Tensor target;
        using (no_grad())
        {
            var policy = s.CriticTarget == CriticTarget.AsRun ? Actors : TargetActors;
            var critic = s.CriticTarget == CriticTarget.AsRun ? Critics : TargetCritics;
            var nextActions = OneHot.Sample(policy.call(next.transpose(0, 1)), targets).transpose(0, 1); // [B, N, A]
            target = r + s.Gamma * notDone * critic.call(CriticInput(next, nextActions));
        }
        var q = Critics.call(CriticInput(obs, taken));                                   // [N, B, 1]
        // Summed over agents, each a batch mean: every critic gets its own loss's gradient.
        var criticLoss = (q - target).pow(2).mean(new long[] { 1, 2 }).sum();
        CriticOptimizer.ZeroGrad();
        criticLoss.backward();
        Mark(ref t.Critic);
        CriticOptimizer.Step();
        Mark(ref t.Optimizer);

        var logits = Actors.call(obs.transpose(0, 1));                                   // [N, B, A]
        var own = Estimator.Apply(logits, true);                                         // [N, B, A]
        // Agent i's joint action: its own estimator output in slot i, the batch's actions elsewhere.
        var mixed = slot * own.unsqueeze(2) + (1 - slot) * taken.unsqueeze(0);           // [N, B, N, A]
        Tensor actorLoss;
        // The actor loss differentiates through the critics but must not train them: with their
        // parameters frozen, backward skips the critics' weight gradients (the authors' code computes
        // them and throws them away at the next zero_grad), a quarter of the update's arithmetic less.
        SetRequiresGrad(criticParameters, false);
        try
        {
            var value = Critics.call(cat(new[] { obs.reshape(1, b, -1).expand(agents, -1, -1), mixed.reshape(agents, b, -1) }, -1));
            actorLoss = (-value.mean(new long[] { 1, 2 }) + s.PolicyRegularizer * logits.pow(2).mean(new long[] { 1, 2 })).sum();
            ActorOptimizer.ZeroGrad();
            actorLoss.backward();
        }
        finally { SetRequiresGrad(criticParameters, true); }
        Mark(ref t.Actor);
        inspectActorGradients?.Invoke(Actors);
        ActorOptimizer.Step();
        Mark(ref t.Optimizer);

        SoftUpdate.Apply(targetPairs, s.SoftUpdate);
        Estimator.Step();
        Updates++;
        Mark(ref t.Targets);
        var losses = new UpdateLosses(criticLoss.item<float>(), actorLoss.item<float>());
        Mark(ref t.Readback);
        t.Updates++;
        return losses;
    }

    static void SetRequiresGrad(Parameter[] parameters, bool requires)
    {
        foreach (var p in parameters) p.requires_grad_(requires);
    }

    /// <summary>[B, N * (D + A)]: every agent's critic sees all observations, then all actions.</summary>
    static Tensor CriticInput(Tensor observations, Tensor oneHot)
    {
        var b = observations.shape[0];
        return cat(new[] { observations.reshape(b, -1), oneHot.reshape(b, -1) }, -1);
    }

    /// <summary>Writes the networks, the optimizers' moments, the generators, the estimator's and the
    /// reward statistics' state and the update count.</summary>
    public void Save(BinaryWriter writer)
    {
        writer.Write(Updates);
        foreach (var m in Networks) m.save(writer);
        ActorOptimizer.Save(writer);
        CriticOptimizer.Save(writer);
        foreach (var g in Generators) CheckpointParts.WriteGenerator(writer, g);
        CheckpointParts.WriteEstimator(writer, Estimator);
        var r = Rewards.State();
        writer.Write(r.Count);
        foreach (var v in r.Mean) writer.Write(v);
        foreach (var v in r.SquaredDeviations) writer.Write(v);
    }

    /// <summary>Reads back what <see cref="Save"/> wrote, into networks of the same shapes.</summary>
    public void Load(BinaryReader reader)
    {
        Updates = reader.ReadInt64();
        foreach (var m in Networks) m.load(reader);
        ActorOptimizer.Load(reader);
        CriticOptimizer.Load(reader);
        foreach (var g in Generators) CheckpointParts.ReadGenerator(reader, g);
        CheckpointParts.ReadEstimator(reader, Estimator);
        var count = reader.ReadInt64();
        var mean = Enumerable.Range(0, agents).Select(_ => reader.ReadDouble()).ToArray();
        var squares = Enumerable.Range(0, agents).Select(_ => reader.ReadDouble()).ToArray();
        Rewards.Restore(new RewardStandardizerState(count, mean, squares));
    }

    /// <summary>Frees networks, optimizers and generators.</summary>
    public void Dispose()
    {
        foreach (var m in Networks) m.Dispose();
        ActorOptimizer.Dispose();
        CriticOptimizer.Dispose();
        foreach (var g in Generators) g.Dispose();
        slot.Dispose();
    }
}

/// <summary>The two losses of one update (summed over agents).</summary>
public readonly record struct UpdateLosses(float Critic, float Actor);

/// <summary>Seconds spent in each part of the updates timed so far (the bench's split); on a GPU the
/// parts are not synchronised, so only the total is meaningful there.</summary>
public sealed class UpdateTimings
{
    /// <summary>Drawing the batch, one-hot actions, reward standardisation.</summary>
    public double Sample;
    /// <summary>Critic target, critic forward and backward.</summary>
    public double Critic;
    /// <summary>Clipping and Adam steps (critics and actors).</summary>
    public double Optimizer;
    /// <summary>Actor forward through the estimator and the critics, and backward.</summary>
    public double Actor;
    /// <summary>Soft target updates and the estimator's schedule.</summary>
    public double Targets;
    /// <summary>Reading the losses back (a device synchronisation).</summary>
    public double Readback;
    /// <summary>Updates timed.</summary>
    public long Updates;

    /// <summary>All parts together.</summary>
    public double Total => Sample + Critic + Optimizer + Actor + Targets + Readback;
}

using System.Diagnostics;
using System.Text;
using CommLab.Devices;
using CommLab.Envs;
using CommLab.Files;
using CommLab.Rng;
using CommLab.Training;
using CommLab.Validation;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CommLab.Marl;

/// <summary>How a MADDPG run reports, checkpoints and logs; none of it changes the run's numbers.</summary>
public sealed record MaddpgTrainingOptions
{
    /// <summary>Gets every evaluation as it is made.</summary>
    public Action<MaddpgEvaluation>? Progress { get; init; }

    /// <summary>Stops the run between steps (throws <see cref="OperationCanceledException"/>).</summary>
    public CancellationToken Cancel { get; init; }

    /// <summary>The run's checkpoint file: when it exists the run continues from it, and the run
    /// rewrites it (atomically) at evaluations. Null: no checkpoints.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Least wall time between checkpoints; each is written at the first evaluation after it
    /// has passed (zero: at every evaluation). A checkpoint holds the replay buffer, so it can be
    /// gigabytes at the paper's 2M transitions.</summary>
    public TimeSpan CheckpointEvery { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>A folder for TensorBoard event files (evaluation returns, mean losses, the estimator's
    /// temperature, actor gradient variances). Null: none.</summary>
    public string? TensorBoardDirectory { get; init; }

    /// <summary>When given, every update's parts are timed into it (the bench's split).</summary>
    public UpdateTimings? Timings { get; init; }
}

/// <summary>MADDPG with a discrete gradient estimator, as "Revisiting the Gumbel-Softmax in MADDPG"
/// trains it (the authors' code, uoe-agents/revisiting-maddpg): per agent an actor on its own
/// observation and a centralised critic on every observation and one-hot action (<see cref="MaddpgLearner"/>),
/// trained from a replay buffer after every episode.</summary>
/// <remarks>
/// <para>The loop: <see cref="MaddpgSettings.Environments"/> copies of the task with training episodes
/// cut at <see cref="MaddpgSettings.EpisodeLimit"/> step together; actions are uniform during the
/// warm-up episodes, then sampled from softmax of each actor's logits (<see cref="ActingPolicy"/>); every
/// transition goes to the buffer; each finished episode past the warm-up triggers
/// <see cref="MaddpgSettings.UpdatesPerEpisode"/> updates once the buffer holds a batch. Evaluations (at
/// step 0 and every interval) run the stochastic policy on the task as registered, their transitions
/// stored in the buffer as the authors' code stores them.</para>
/// <para>A non-finite loss or evaluation return stops the run with <see cref="TrainingDivergedException"/>
/// counted in environment steps.</para>
/// <para>Checkpoints hold everything the rest of the run depends on (networks, optimizers, targets,
/// buffer, estimator and reward statistics, environments, every generator, the evaluations so far), so a
/// run resumed from one ends with the numbers of a run never stopped.</para>
/// </remarks>
public static class MaddpgTrainer
{
    /// <summary>Trains <paramref name="run"/> to its total steps (from its checkpoint, when
    /// <paramref name="options"/> names one that exists).</summary>
    public static MaddpgResult Train(MaddpgRun run, MaddpgTrainingOptions? options = null)
    {
        run.Validate();
        Reproducibility.Ensure();
        options ??= new MaddpgTrainingOptions();
        using var session = new Session(run, options);
        return session.Train();
    }

    /// <summary>Everything one run holds.</summary>
    /// <summary>Steps between gradient-variance records: each is taken at the first update at or after a
    /// multiple of this (the authors log at multiples of 1,000 steps).</summary>
    public const long GradientVarianceInterval = 1000;

    sealed class Session : IDisposable
    {
        const string Magic = "CommLab MADDPG checkpoint 1";

        readonly MaddpgRun run;
        readonly MaddpgSettings s;
        readonly MaddpgTrainingOptions options;
        readonly int agents, observation, trainLimit, evaluationLimit, envs;
        readonly IVectorEnv env;
        readonly MaddpgLearner learner;
        readonly ActingPolicy policy;
        readonly ReplayBuffer buffer;
        readonly float[] previous;
        readonly int[] joint;
        readonly bool[] stored;
        readonly List<MaddpgEvaluation> evaluations = new();
        readonly List<GradientVariance> variances = new();
        readonly SummaryWriter? log;
        Xoshiro256 random;
        long steps, episodes, nextEvaluation, lastVarianceBlock = -1;
        double trainSeconds;
        double criticLossSum, actorLossSum;
        long lossCount;

        public Session(MaddpgRun run, MaddpgTrainingOptions options)
        {
            this.run = run;
            this.options = options;
            s = run.Settings;
            trainLimit = s.EpisodeLimit;
            evaluationLimit = MaddpgRun.EpisodeLimitOf(run.Task);
            envs = s.Environments;
            env = MaddpgRun.WithEpisodeLimit(run.Task, trainLimit).Create(envs);
            env.Reset((ulong)run.Seed);
            agents = env.Agents;
            observation = env.ObservationLength;
            learner = new MaddpgLearner(s, run.Estimator, agents, observation, env.ActionCount, run.Seed, DeviceChoice.Resolve(run.Device));
            policy = new ActingPolicy(learner.Actors);
            buffer = new ReplayBuffer(s.BufferCapacity, agents, observation);
            random = Xoshiro256.ForStream((ulong)run.Seed, 1);
            previous = new float[envs * agents * observation];
            joint = new int[envs * agents];
            stored = new bool[envs];
            if (options.CheckpointPath is { } path && File.Exists(path)) Load(path);
            if (options.TensorBoardDirectory is { } dir) log = utils.tensorboard.SummaryWriter(dir);
        }

        public MaddpgResult Train()
        {
            var clock = Stopwatch.StartNew();
            var lastCheckpoint = clock.Elapsed;
            var evaluationTime = TimeSpan.Zero;
            var resumedSeconds = trainSeconds;
            // Training time: this attempt's wall time outside evaluations, plus the attempts before a resume.
            void CountTrainTime() => trainSeconds = resumedSeconds + (clock.Elapsed - evaluationTime).TotalSeconds;
            void Evaluate()
            {
                var started = clock.Elapsed;
                var e = Evaluation(evaluations.Count);
                evaluations.Add(e);
                Log(e);
                options.Progress?.Invoke(e);
                evaluationTime += clock.Elapsed - started;
                nextEvaluation = steps + s.EvaluationInterval;
                CountTrainTime();
                if (options.CheckpointPath is { } path && steps < s.TotalSteps && clock.Elapsed - lastCheckpoint >= options.CheckpointEvery)
                {
                    Save(path);
                    lastCheckpoint = clock.Elapsed;
                }
            }
            if (evaluations.Count == 0) Evaluate();
            while (steps < s.TotalSteps)
            {
                options.Cancel.ThrowIfCancellationRequested();
                Step();
                if (steps >= nextEvaluation) Evaluate();
            }
            CountTrainTime();
            return new MaddpgResult(evaluations.ToArray(), variances.ToArray(), steps, learner.Updates, episodes, buffer.Count,
                clock.Elapsed.TotalSeconds, steps / Math.Max(trainSeconds, 1e-9));
        }

        /// <summary>One step of every training environment, its transitions stored, and the updates its
        /// finished episodes call for.</summary>
        void Step()
        {
            if (episodes < s.WarmupEpisodes)
                for (int k = 0; k < joint.Length; k++) joint[k] = random.NextInt(env.ActionCount);
            else
                policy.Sample(env.Observations, joint, ref random);
            Array.Copy(env.Observations, previous, previous.Length);
            env.Step(joint);
            steps += envs;
            for (int e = 0; e < envs; e++) stored[e] = StoredDone(env.Done[e], env.EpisodeSteps[e], trainLimit);
            buffer.Add(previous, joint, env.Rewards, env.Observations, stored);
            var updated = false;
            for (int e = 0; e < envs; e++)
            {
                if (!env.Done[e]) continue;
                episodes++;
                if (episodes > s.WarmupEpisodes && buffer.Count >= s.BatchSize)
                {
                    for (int k = 0; k < s.UpdatesPerEpisode; k++) Update();
                    updated = true;
                }
            }
            env.ResetDone();
            if (updated) policy.Refresh(learner.Actors);
        }

        // As run, every end is stored as done (time limits too); as described, only an end before the limit.
        bool StoredDone(bool done, int episodeSteps, int limit) =>
            done && (s.CriticTarget == CriticTarget.AsRun || episodeSteps < limit);

        void Update()
        {
            var losses = learner.Update(buffer, options.Timings, ShouldLogVariance() ? LogVariances : null);
            CheckFinite("critic loss", losses.Critic);
            CheckFinite("actor loss", losses.Actor);
            criticLossSum += losses.Critic;
            actorLossSum += losses.Actor;
            lossCount++;
        }

        // Once per 1,000 steps, at the first update at or after each multiple (the authors log when the
        // step count is a multiple, which their updates at episode ends hit on LBF's 25-step episodes).
        bool ShouldLogVariance()
        {
            var block = steps / GradientVarianceInterval;
            if (block == lastVarianceBlock) return false;
            lastVarianceBlock = block;
            return true;
        }

        void LogVariances(StackedMlp actors)
        {
            using var scope = NewDisposeScope();
            var layers = actors.Layers;
            for (int l = 0; l < layers.Count; l++)
                foreach (var (name, p) in new[] { ("weight", layers[l].Weight), ("bias", layers[l].Bias) })
                {
                    if (p.grad is not Tensor g) continue;
                    var perAgent = g.reshape(g.shape[0], -1).var(1).cpu().data<float>().ToArray();
                    for (int a = 0; a < perAgent.Length; a++)
                    {
                        variances.Add(new GradientVariance(steps, l, name, a, perAgent[a]));
                        log?.add_scalar($"gradient_variance/layer{l}_{name}/agent{a}", perAgent[a], (int)steps);
                    }
                }
        }

        void Log(MaddpgEvaluation e)
        {
            if (log is null) return;
            var step = (int)e.Step;
            log.add_scalar("evaluation/return", (float)e.MeanReturn, step);
            log.add_scalar("estimator/temperature", (float)learner.Estimator.Temperature, step);
            if (lossCount > 0)
            {
                // Means over the updates since the previous evaluation.
                log.add_scalar("loss/critic", (float)(criticLossSum / lossCount), step);
                log.add_scalar("loss/actor", (float)(actorLossSum / lossCount), step);
            }
            log.add_scalar("training/updates", learner.Updates, step);
            criticLossSum = actorLossSum = 0;
            lossCount = 0;
        }

        void CheckFinite(string quantity, float value)
        {
            if (!float.IsFinite(value))
                throw new TrainingDivergedException(new Divergence("step", steps, quantity, value, $"update {learner.Updates}"));
        }

        /// <summary>EvaluationEpisodes episodes of the stochastic policy, all at once on as many copies of
        /// the registered task, seeded by the run's seed and the evaluation's index; their transitions go
        /// to the buffer (<see cref="MaddpgSettings.StoreEvaluationEpisodes"/>), not counted as steps.</summary>
        MaddpgEvaluation Evaluation(int index)
        {
            var n = s.EvaluationEpisodes;
            using var eval = run.Task.Create(n);
            eval.Reset((ulong)run.Seed * 1_000_003UL + (ulong)index + 1);
            var draws = Xoshiro256.ForStream((ulong)run.Seed * 7919UL + (ulong)index, 2);
            var returns = new double[n];
            var finished = new bool[n];
            var act = new int[n * agents];
            var before = new float[n * agents * observation];
            var width = agents * observation;
            var done = new bool[1];
            var left = n;
            while (left > 0)
            {
                policy.Sample(eval.Observations, act, ref draws);
                Array.Copy(eval.Observations, before, before.Length);
                eval.Step(act);
                for (int e = 0; e < n; e++)
                {
                    if (finished[e]) continue;
                    for (int a = 0; a < agents; a++) returns[e] += eval.Rewards[e * agents + a];
                    if (s.StoreEvaluationEpisodes)
                    {
                        done[0] = StoredDone(eval.Done[e], eval.EpisodeSteps[e], evaluationLimit);
                        buffer.Add(before.AsSpan(e * width, width), act.AsSpan(e * agents, agents), eval.Rewards.AsSpan(e * agents, agents),
                            eval.Observations.AsSpan(e * width, width), done);
                    }
                    if (eval.Done[e]) { finished[e] = true; left--; }
                }
                // Copies whose episode ended start another, which is not counted, so every copy can step.
                eval.ResetDone();
            }
            var mean = returns.Average();
            if (!double.IsFinite(mean))
                throw new TrainingDivergedException(new Divergence("step", steps, "evaluation return", mean, $"evaluation {index}"));
            return new MaddpgEvaluation(steps, mean, returns);
        }

        // What identifies the run a checkpoint belongs to, beyond its file's place: refusing a foreign
        // checkpoint beats silently continuing someone else's run.
        string Fingerprint() =>
            $"{run.Task.Name} agents={agents} obs={observation} actions={env.ActionCount} envs={envs} seed={run.Seed} " +
            $"steps={s.TotalSteps} buffer={s.BufferCapacity} estimator={run.Estimator.Kind}";

        void Save(string path) => AtomicFile.Write(path, stream =>
        {
            using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            w.Write(Magic);
            w.Write(Fingerprint());
            w.Write(steps); w.Write(episodes); w.Write(nextEvaluation); w.Write(lastVarianceBlock); w.Write(trainSeconds);
            var (a, b, c, d) = random.State;
            w.Write(a); w.Write(b); w.Write(c); w.Write(d);
            w.Write(evaluations.Count);
            foreach (var e in evaluations)
            {
                w.Write(e.Step); w.Write(e.MeanReturn); w.Write(e.Returns.Length);
                foreach (var r in e.Returns) w.Write(r);
            }
            w.Write(variances.Count);
            foreach (var v in variances)
            {
                w.Write(v.Step); w.Write(v.Layer); w.Write(v.Parameter); w.Write(v.Agent); w.Write(v.Variance);
            }
            for (int e = 0; e < envs; e++) w.Write(env.SaveState(e));
            learner.Save(w);
            buffer.Save(w);
        });

        void Load(string path)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            using var r = new BinaryReader(stream, Encoding.UTF8);
            try
            {
                if (r.ReadString() != Magic) throw new InvalidDataException("not a MADDPG checkpoint of this version");
                var saved = r.ReadString();
                if (saved != Fingerprint())
                    throw new InvalidDataException($"it belongs to another run ({saved}); this run is {Fingerprint()}");
                steps = r.ReadInt64(); episodes = r.ReadInt64(); nextEvaluation = r.ReadInt64(); lastVarianceBlock = r.ReadInt64();
                trainSeconds = r.ReadDouble();
                random = Xoshiro256.FromState((r.ReadUInt64(), r.ReadUInt64(), r.ReadUInt64(), r.ReadUInt64()));
                var count = r.ReadInt32();
                for (int i = 0; i < count; i++)
                {
                    var step = r.ReadInt64();
                    var mean = r.ReadDouble();
                    var returns = new double[r.ReadInt32()];
                    for (int k = 0; k < returns.Length; k++) returns[k] = r.ReadDouble();
                    evaluations.Add(new MaddpgEvaluation(step, mean, returns));
                }
                count = r.ReadInt32();
                for (int i = 0; i < count; i++)
                    variances.Add(new GradientVariance(r.ReadInt64(), r.ReadInt32(), r.ReadString(), r.ReadInt32(), r.ReadDouble()));
                for (int e = 0; e < envs; e++) env.RestoreState(e, r.ReadString());
                learner.Load(r);
                buffer.Load(r);
            }
            catch (Exception e) when (e is EndOfStreamException or InvalidDataException or ArgumentException)
            {
                throw new InvalidDataException($"checkpoint {path} cannot be resumed: {e.Message}. Delete it to start the run again.", e);
            }
            policy.Refresh(learner.Actors);
        }

        public void Dispose()
        {
            env.Dispose();
            learner.Dispose();
            buffer.Dispose();
        }
    }
}

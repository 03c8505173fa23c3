using System.Diagnostics;
using CommLab.Devices;
using CommLab.Envs;
using CommLab.Estimators;
using CommLab.Training;
using CommLab.Validation;
using TorchSharp;
using static TorchSharp.torch;

namespace CommLab.Marl;

/// <summary>MADDPG with a discrete gradient estimator, as "Revisiting the Gumbel-Softmax in MADDPG"
/// trains it (the authors' code, uoe-agents/revisiting-maddpg): per agent an actor on its own
/// observation and a centralised critic on every observation and one-hot action, both stacked over the
/// agents (<see cref="StackedMlp"/>), trained from a replay buffer after every episode.</summary>
/// <remarks>
/// <para>One update: a batch of distinct transitions; rewards standardised per agent from running
/// statistics; target actions sampled once from softmax of the (online, as run; target, as described)
/// actors on the next observations; every critic regressed on r + gamma (1 - done) Q(o', a') (online
/// critic as run, target critic as described); then every actor: agent i's action replaced by the
/// estimator's output on its own logits, the other agents' actions taken from the batch, loss
/// -Q_i + regulariser * mean(logits^2); per-agent gradient-norm clipping, Adam, soft target updates, and
/// one step of the estimator's schedule. Updating all critics before all actors equals the authors'
/// agent-by-agent loop: agent i's actor reads only critic i, and the target actions are drawn once.</para>
/// <para>A non-finite loss or evaluation return stops the run with <see cref="TrainingDivergedException"/>
/// counted in environment steps.</para>
/// <para>Not yet: several environments per rollout, checkpoints mid-run, TensorBoard logging, and the
/// authors' storing of evaluation episodes in the buffer (here evaluation episodes are not stored).</para>
/// </remarks>
public static class MaddpgTrainer
{
    /// <summary>Trains <paramref name="run"/> to its total steps. <paramref name="progress"/> gets every
    /// evaluation as it is made.</summary>
    public static MaddpgResult Train(MaddpgRun run, Action<MaddpgEvaluation>? progress = null, CancellationToken cancel = default)
    {
        run.Validate();
        Reproducibility.Ensure();
        using var session = new Session(run);
        return session.Train(progress, cancel);
    }

    /// <summary>Everything one run holds: networks, optimizers, buffer, statistics, environments, generators.</summary>
    sealed class Session : IDisposable
    {
        const long GradientVarianceInterval = 1000;

        readonly MaddpgRun run;
        readonly MaddpgSettings s;
        readonly Device device;
        readonly int agents, actions, observation, trainLimit;
        readonly IVectorEnv env;
        readonly StackedMlp actors, critics, targetActors, targetCritics;
        readonly optim.Optimizer actorOptimizer, criticOptimizer;
        readonly IDiscreteEstimator estimator;
        readonly ReplayBuffer buffer;
        readonly RewardStandardizer rewards;
        readonly Generator acting, sampling, noise;
        readonly Random warmup;
        readonly float[] previous;
        readonly int[] joint;
        readonly bool[] stored = new bool[1];
        readonly List<GradientVariance> variances = new();
        long steps, updates, episodes;

        public Session(MaddpgRun run)
        {
            this.run = run;
            s = run.Settings;
            device = DeviceChoice.Resolve(run.Device);
            trainLimit = s.EpisodeLimit;
            env = MaddpgRun.WithEpisodeLimit(run.Task, trainLimit).Create(1);
            env.Reset((ulong)run.Seed);
            agents = env.Agents;
            actions = env.ActionCount;
            observation = env.ObservationLength;
            // Initial weights from a generator of the run's own: runs in parallel need no global lock.
            using var init = new Generator((ulong)run.Seed, CPU);
            actors = StackedMlp.Actors(agents, observation, actions, s.HiddenWidth, s.ParameterSharing, init);
            critics = StackedMlp.Critics(agents, observation, actions, s.HiddenWidth, s.ParameterSharing, init);
            targetActors = StackedMlp.Actors(agents, observation, actions, s.HiddenWidth, s.ParameterSharing, init);
            targetCritics = StackedMlp.Critics(agents, observation, actions, s.HiddenWidth, s.ParameterSharing, init);
            SoftUpdate.Copy(targetActors, actors);
            SoftUpdate.Copy(targetCritics, critics);
            foreach (var m in new[] { actors, critics, targetActors, targetCritics }) m.to(device);
            actorOptimizer = optim.Adam(actors.parameters(), s.ActorLearningRate, eps: s.AdamEpsilon);
            criticOptimizer = optim.Adam(critics.parameters(), s.CriticLearningRate, eps: s.AdamEpsilon);
            acting = new Generator((ulong)run.Seed + 1, device);
            sampling = new Generator((ulong)run.Seed + 2, CPU);
            noise = new Generator((ulong)run.Seed + 3, device);
            estimator = run.Estimator.Create(noise);
            buffer = new ReplayBuffer(s.BufferCapacity, agents, observation);
            rewards = new RewardStandardizer(agents);
            warmup = new Random(run.Seed);
            previous = new float[agents * observation];
            joint = new int[agents];
        }

        public MaddpgResult Train(Action<MaddpgEvaluation>? progress, CancellationToken cancel)
        {
            var clock = Stopwatch.StartNew();
            var evaluationTime = TimeSpan.Zero;
            var evaluations = new List<MaddpgEvaluation>();
            void Evaluate()
            {
                var started = clock.Elapsed;
                var e = Evaluation(evaluations.Count);
                evaluations.Add(e);
                progress?.Invoke(e);
                evaluationTime += clock.Elapsed - started;
            }
            Evaluate();
            while (steps < s.TotalSteps)
            {
                cancel.ThrowIfCancellationRequested();
                Act();
                Array.Copy(env.Observations, previous, previous.Length);
                env.Step(joint);
                steps++;
                var done = env.Done[0];
                // As run, a time-limit end is stored as done; as described, only a real end is.
                stored[0] = done && (s.CriticTarget == CriticTarget.AsRun || env.EpisodeSteps[0] < trainLimit);
                buffer.Add(previous, joint, env.Rewards, env.Observations, stored);
                if (done)
                {
                    episodes++;
                    env.ResetDone();
                    if (episodes > s.WarmupEpisodes && buffer.Count >= s.BatchSize)
                        for (int k = 0; k < s.UpdatesPerEpisode; k++) Update();
                }
                if (steps % s.EvaluationInterval == 0) Evaluate();
            }
            var trainTime = (clock.Elapsed - evaluationTime).TotalSeconds;
            return new MaddpgResult(evaluations.ToArray(), variances.ToArray(), steps, updates, episodes,
                clock.Elapsed.TotalSeconds, steps / Math.Max(trainTime, 1e-9));
        }

        /// <summary>The joint action for the next step: uniform during the warm-up episodes, then each
        /// actor's sample from softmax of its logits.</summary>
        void Act()
        {
            if (episodes < s.WarmupEpisodes)
            {
                for (int a = 0; a < agents; a++) joint[a] = warmup.Next(actions);
                return;
            }
            SampleActions(env.Observations, 1, acting, joint);
        }

        /// <summary>Each agent's action in each of <paramref name="envs"/> environments, sampled from
        /// softmax of its actor's logits on their flat observations [envs * N * obs]; written env-major
        /// into <paramref name="into"/> ([envs * N]), as <see cref="IVectorEnv.Step(int[])"/> takes them.</summary>
        void SampleActions(float[] observations, int envs, Generator generator, int[] into)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var obs = torch.from_array(observations).view(envs, agents, observation).to(device).transpose(0, 1);
            var chosen = OneHot.SampleIndex(actors.call(obs), generator).reshape(agents, envs).t().contiguous().cpu();
            var values = chosen.data<long>();
            for (int i = 0; i < into.Length; i++) into[i] = (int)values[i];
        }

        void Update()
        {
            using var scope = NewDisposeScope();
            using var batch = buffer.Sample(s.BatchSize, sampling, device);
            var b = batch.Observations.shape[0];
            var obs = batch.Observations;                                             // [B, N, D]
            var next = batch.NextObservations;
            var taken = nn.functional.one_hot(batch.Actions, actions).to(ScalarType.Float32); // [B, N, A]
            var r = (s.StandardizeRewards ? rewards.UpdateAndStandardize(batch.Rewards) : batch.Rewards).transpose(0, 1).unsqueeze(-1); // [N, B, 1]
            var notDone = (1 - batch.Done).view(1, b, 1);

            Tensor target;
            using (no_grad())
            {
                var policy = s.CriticTarget == CriticTarget.AsRun ? actors : targetActors;
                var critic = s.CriticTarget == CriticTarget.AsRun ? critics : targetCritics;
                var nextActions = OneHot.Sample(policy.call(next.transpose(0, 1)), acting).transpose(0, 1); // [B, N, A]
                target = r + s.Gamma * notDone * critic.call(CriticInput(next, nextActions));
            }
            var q = critics.call(CriticInput(obs, taken));                           // [N, B, 1]
            // Summed over agents, each a batch mean: every critic gets its own loss's gradient.
            var criticLoss = (q - target).pow(2).mean(new long[] { 1, 2 }).sum();
            criticOptimizer.zero_grad();
            criticLoss.backward();
            AgentGradientClipping.ClipNorms(critics.parameters(), s.GradientClip);
            criticOptimizer.step();

            var logits = actors.call(obs.transpose(0, 1));                           // [N, B, A]
            var own = estimator.Apply(logits, true);                                 // [N, B, A]
            // Agent i's joint action: its own estimator output in slot i, the batch's actions elsewhere.
            var slot = eye(agents, device: obs.device).view(agents, 1, agents, 1);  // [N(i), 1, N(j), 1]
            var mixed = slot * own.unsqueeze(2) + (1 - slot) * taken.unsqueeze(0);   // [N, B, N, A]
            var value = critics.call(cat(new[] { obs.reshape(1, b, -1).expand(agents, -1, -1), mixed.reshape(agents, b, -1) }, -1));
            var actorLoss = (-value.mean(new long[] { 1, 2 }) + s.PolicyRegularizer * logits.pow(2).mean(new long[] { 1, 2 })).sum();
            actorOptimizer.zero_grad();
            actorLoss.backward();
            if (ShouldLogVariance()) LogVariances();
            AgentGradientClipping.ClipNorms(actors.parameters(), s.GradientClip);
            actorOptimizer.step();

            SoftUpdate.Apply(targetActors, actors, s.SoftUpdate);
            SoftUpdate.Apply(targetCritics, critics, s.SoftUpdate);
            estimator.Step();
            updates++;
            CheckFinite("critic loss", criticLoss.item<float>());
            CheckFinite("actor loss", actorLoss.item<float>());
        }

        long lastVarianceBlock = -1;

        // Once per 1,000 steps, at the first update at or after each multiple (the authors log when the
        // step count is a multiple, which their updates at episode ends hit on LBF's 25-step episodes).
        bool ShouldLogVariance()
        {
            var block = steps / GradientVarianceInterval;
            if (block == lastVarianceBlock) return false;
            lastVarianceBlock = block;
            return true;
        }

        void LogVariances()
        {
            using var scope = NewDisposeScope();
            var layers = actors.Layers;
            for (int l = 0; l < layers.Count; l++)
                foreach (var (name, p) in new[] { ("weight", layers[l].Weight), ("bias", layers[l].Bias) })
                {
                    if (p.grad is not Tensor g) continue;
                    var perAgent = g.reshape(g.shape[0], -1).var(1).cpu().data<float>().ToArray();
                    for (int a = 0; a < perAgent.Length; a++) variances.Add(new GradientVariance(steps, l, name, a, perAgent[a]));
                }
        }

        /// <summary>[N, B, N * (D + A)]: every agent's critic sees all observations, then all actions.</summary>
        Tensor CriticInput(Tensor observations, Tensor oneHot)
        {
            var b = observations.shape[0];
            return cat(new[] { observations.reshape(b, -1), oneHot.reshape(b, -1) }, -1);
        }

        void CheckFinite(string quantity, float value)
        {
            if (!float.IsFinite(value))
                throw new TrainingDivergedException(new Divergence("step", steps, quantity, value, $"update {updates}"));
        }

        /// <summary>EvaluationEpisodes episodes of the stochastic policy, all at once on as many copies of
        /// the registered task, seeded by the run's seed and the evaluation's index.</summary>
        MaddpgEvaluation Evaluation(int index)
        {
            var n = s.EvaluationEpisodes;
            using var eval = run.Task.Create(n);
            eval.Reset((ulong)run.Seed * 1_000_003UL + (ulong)index + 1);
            var returns = new double[n];
            var finished = new bool[n];
            var act = new int[n * agents];
            using var generator = new Generator((ulong)run.Seed * 7919UL + (ulong)index, device);
            while (finished.Contains(false))
            {
                SampleActions(eval.Observations, n, generator, act);
                eval.Step(act);
                for (int e = 0; e < n; e++)
                {
                    if (finished[e]) continue;
                    for (int a = 0; a < agents; a++) returns[e] += eval.Rewards[e * agents + a];
                    if (eval.Done[e]) finished[e] = true;
                }
                // Copies whose episode ended start another, which is not counted, so every copy can step.
                eval.ResetDone();
            }
            var mean = returns.Average();
            if (!double.IsFinite(mean))
                throw new TrainingDivergedException(new Divergence("step", steps, "evaluation return", mean, $"evaluation {index}"));
            return new MaddpgEvaluation(steps, mean, returns);
        }

        public void Dispose()
        {
            env.Dispose();
            foreach (var m in new[] { actors, critics, targetActors, targetCritics }) m.Dispose();
            actorOptimizer.Dispose();
            criticOptimizer.Dispose();
            buffer.Dispose();
            acting.Dispose();
            sampling.Dispose();
            noise.Dispose();
        }
    }
}

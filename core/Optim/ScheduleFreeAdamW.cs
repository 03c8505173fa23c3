using CommLab.Validation;
using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace CommLab.Optim;

/// <summary>Schedule-Free AdamW (Defazio et al. 2024, "The road less scheduled"), as in the reference
/// AdamWScheduleFree. It keeps two sequences per parameter: z, the plain AdamW-style iterate, and x,
/// a weighted running average of z that is the model to evaluate. Gradients are taken at
/// y = (1 - beta1) z + beta1 x, so no learning-rate schedule is needed.
/// <para>The parameters hold y in train mode and x in eval mode. <see cref="Train"/> and
/// <see cref="Eval"/> move between them and must be called together with the model's own
/// train()/eval(): evaluate and checkpoint in eval mode. <see cref="Step"/> refuses to run in eval
/// mode, because it would treat x as y and silently corrupt both sequences. Like the reference, a new
/// optimizer starts in eval mode (before the first step x = y = z, so the switch costs nothing).</para>
/// <para>Step k (0-based), for each parameter with gradient g, y its current value:
/// lr = gamma min(1, (k+1)/warmup); lr_max = max(lr_max, lr); w = (k+1)^r lr_max^p; W += w; c = w / W;
/// v = beta2 v + (1 - beta2) g^2; d = sqrt(v / (1 - beta2^(k+1))) + eps; u = g / d + lambda y;
/// y = (1 - c) y + c z + lr (beta1 (1 - c) - 1) u; z = z - lr u.</para></summary>
public sealed class ScheduleFreeAdamW : IDisposable
{
    readonly Parameter[] parameters;
    readonly Tensor?[] z;
    readonly Tensor?[] v;

    /// <summary>The settings.</summary>
    public ScheduleFreeOptions Options { get; }
    /// <summary>Steps taken.</summary>
    public long Steps { get; private set; }
    /// <summary>Sum of the averaging weights so far.</summary>
    public double WeightSum { get; private set; }
    /// <summary>Largest learning rate used so far (-1 before the first step).</summary>
    public double LearningRateMax { get; private set; } = -1;
    /// <summary>True when the parameters hold y (training), false when they hold x (evaluation).</summary>
    public bool TrainMode { get; private set; }

    /// <summary>An optimizer over <paramref name="parameters"/>; throws naming every bad setting.</summary>
    public ScheduleFreeAdamW(IEnumerable<Parameter> parameters, ScheduleFreeOptions? options = null)
    {
        Options = options ?? new ScheduleFreeOptions();
        Options.Validate();
        this.parameters = parameters.ToArray();
        z = new Tensor?[this.parameters.Length];
        v = new Tensor?[this.parameters.Length];
    }

    /// <summary>Clears the gradients of every parameter.</summary>
    public void ZeroGrad()
    {
        foreach (var p in parameters) p.grad?.zero_();
    }

    /// <summary>Puts y in the parameters (from x): call with the model's train().</summary>
    public void Train()
    {
        if (TrainMode) return;
        MoveTowardsZ(1 - Options.Beta1);
        TrainMode = true;
    }

    /// <summary>Puts x in the parameters (from y): call with the model's eval(), before evaluating
    /// or saving a checkpoint.</summary>
    public void Eval()
    {
        if (!TrainMode) return;
        MoveTowardsZ(1 - 1 / Options.Beta1);
        TrainMode = false;
    }

    /// <summary>One step from the current gradients (parameters without a gradient are skipped).</summary>
    public void Step()
    {
        if (!TrainMode)
            throw new InvalidOperationException(
                "ScheduleFreeAdamW.Step: the optimizer is in eval mode (the parameters hold x, not y); call Train() before stepping and Eval() before evaluating or saving.");
        var o = Options;
        var k = Steps;
        var lr = o.LearningRate * (k < o.WarmupSteps ? (k + 1.0) / o.WarmupSteps : 1.0);
        var bias2 = 1 - Math.Pow(o.Beta2, k + 1);
        LearningRateMax = Math.Max(LearningRateMax, lr);
        var weight = Math.Pow(k + 1, o.R) * Math.Pow(LearningRateMax, o.WeightLrPower);
        WeightSum += weight;
        var c = WeightSum > 0 ? weight / WeightSum : 0.0;

        using var _ = no_grad();
        for (int i = 0; i < parameters.Length; i++)
        {
            var p = parameters[i];
            var g = p.grad;
            if (g is null) continue;
            using var scope = NewDisposeScope();
            var zi = z[i] ??= p.detach().clone().DetachFromDisposeScope();
            var vi = v[i] ??= zeros_like(p).DetachFromDisposeScope();
            vi.mul_(o.Beta2).addcmul_(g, g, value: 1 - o.Beta2);
            var u = g / vi.div(bias2).sqrt_().add_(o.Epsilon);
            if (o.WeightDecay != 0) u.add_(p, alpha: o.WeightDecay);
            p.lerp_(zi, c).add_(u, alpha: lr * (o.Beta1 * (1 - c) - 1));
            zi.add_(u, alpha: -lr);
        }
        Steps++;
    }

    /// <summary>z of parameter <paramref name="index"/> (null before its first step); read-only use.</summary>
    public Tensor? Z(int index) => z[index];

    /// <summary>A copy of the optimizer's state, for checkpoints (take it in eval mode, with the model).</summary>
    public ScheduleFreeState State()
    {
        using var _ = no_grad();
        return new ScheduleFreeState(Steps, WeightSum, LearningRateMax, TrainMode,
            z.Select(t => t?.detach().clone().DetachFromDisposeScope()).ToArray(),
            v.Select(t => t?.detach().clone().DetachFromDisposeScope()).ToArray());
    }

    /// <summary>Restores a state taken from an optimizer over parameters of the same shapes.</summary>
    public void Restore(ScheduleFreeState state)
    {
        if (state.Z.Length != parameters.Length || state.V.Length != parameters.Length)
            throw new ArgumentException($"state has {state.Z.Length} parameters, this optimizer has {parameters.Length}");
        using var _ = no_grad();
        for (int i = 0; i < parameters.Length; i++)
        {
            z[i]?.Dispose(); v[i]?.Dispose();
            // A state read from a file is on the CPU: each copy goes where its parameter is.
            z[i] = state.Z[i]?.detach().to(parameters[i].device, copy: true).DetachFromDisposeScope();
            v[i] = state.V[i]?.detach().to(parameters[i].device, copy: true).DetachFromDisposeScope();
        }
        Steps = state.Steps;
        WeightSum = state.WeightSum;
        LearningRateMax = state.LearningRateMax;
        TrainMode = state.TrainMode;
    }

    void MoveTowardsZ(double weight)
    {
        using var _ = no_grad();
        for (int i = 0; i < parameters.Length; i++)
            if (z[i] is Tensor zi) parameters[i].lerp_(zi, weight);
    }

    /// <summary>Frees z and v.</summary>
    public void Dispose()
    {
        foreach (var t in z) t?.Dispose();
        foreach (var t in v) t?.Dispose();
    }
}

/// <summary>A checkpoint of <see cref="ScheduleFreeAdamW"/>: counters, mode, and z and v per
/// parameter (null where a parameter never had a gradient).</summary>
public sealed record ScheduleFreeState(long Steps, double WeightSum, double LearningRateMax, bool TrainMode, Tensor?[] Z, Tensor?[] V);

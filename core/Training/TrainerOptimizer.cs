using CommLab.Optim;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CommLab.Training;

/// <summary>A run's optimizer behind one face, so one training loop drives either: Schedule-Free
/// AdamW switches its parameters between y (train) and x (eval); Adam has no such switch, so
/// <see cref="Train"/> and <see cref="Eval"/> do nothing for it.</summary>
public sealed class TrainerOptimizer : IDisposable
{
    readonly ScheduleFreeAdamW? scheduleFree;
    readonly optim.Optimizer? adam;

    /// <summary>An optimizer of <paramref name="kind"/> over <paramref name="parameters"/>. Adam takes
    /// LearningRate, Beta1, Beta2, Epsilon and WeightDecay from <paramref name="options"/> (at their
    /// defaults they are Adam's own: 0.9, 0.999, 1e-8, 0).</summary>
    public TrainerOptimizer(IEnumerable<Parameter> parameters, OptimizerKind kind, ScheduleFreeOptions options)
    {
        if (kind == OptimizerKind.ScheduleFreeAdamW)
            scheduleFree = new ScheduleFreeAdamW(parameters, options);
        else
            adam = optim.Adam(parameters, options.LearningRate, options.Beta1, options.Beta2, options.Epsilon, options.WeightDecay);
    }

    /// <summary>Before training steps: Schedule-Free AdamW puts y in the parameters.</summary>
    public void Train() => scheduleFree?.Train();

    /// <summary>Before evaluating or saving: Schedule-Free AdamW puts x in the parameters.</summary>
    public void Eval() => scheduleFree?.Eval();

    /// <summary>Clears the gradients.</summary>
    public void ZeroGrad() { if (scheduleFree is not null) scheduleFree.ZeroGrad(); else adam!.zero_grad(); }

    /// <summary>One update from the current gradients.</summary>
    public void Step() { if (scheduleFree is not null) scheduleFree.Step(); else adam!.step(); }

    /// <summary>Frees the optimizer's state.</summary>
    public void Dispose() { scheduleFree?.Dispose(); adam?.Dispose(); }
}

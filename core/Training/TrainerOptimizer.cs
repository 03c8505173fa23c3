using CommLab.Games;
using CommLab.Optim;
using static TorchSharp.torch;

namespace CommLab.Training;

/// <summary>The run's optimizer behind one face: Schedule-Free AdamW switches its parameters between
/// y (train) and x (eval); Adam has no such switch.</summary>
internal sealed class TrainerOptimizer : IDisposable
{
    readonly ScheduleFreeAdamW? scheduleFree;
    readonly optim.Optimizer? adam;

    public TrainerOptimizer(LewisGame model, LewisGameRun run)
    {
        var o = run.Optim;
        if (run.Optimizer == OptimizerKind.ScheduleFreeAdamW)
            scheduleFree = new ScheduleFreeAdamW(model.parameters(), o);
        else
            adam = optim.Adam(model.parameters(), o.LearningRate, o.Beta1, o.Beta2, o.Epsilon, o.WeightDecay);
    }

    public void Train() => scheduleFree?.Train();
    public void Eval() => scheduleFree?.Eval();
    public void ZeroGrad() { if (scheduleFree is not null) scheduleFree.ZeroGrad(); else adam!.zero_grad(); }
    public void Step() { if (scheduleFree is not null) scheduleFree.Step(); else adam!.step(); }
    public void Dispose() { scheduleFree?.Dispose(); adam?.Dispose(); }
}

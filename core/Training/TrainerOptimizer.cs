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
    readonly Adam? adam;

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

    /// <summary>Writes the optimizer's state for a checkpoint: Schedule-Free AdamW's step count, weight
    /// sum, largest learning rate, mode and its z and v; Adam's steps and moments (TorchSharp's format).
    /// Take it in eval mode, with the model.</summary>
    public void Save(BinaryWriter writer)
    {
        writer.Write(scheduleFree is not null);
        if (scheduleFree is null)
        {
            adam!.save_state_dict(writer);
            return;
        }
        var state = scheduleFree.State();
        try
        {
            writer.Write(state.Steps);
            writer.Write(state.WeightSum);
            writer.Write(state.LearningRateMax);
            writer.Write(state.TrainMode);
            CheckpointParts.WriteTensors(writer, state.Z);
            CheckpointParts.WriteTensors(writer, state.V);
        }
        finally
        {
            foreach (var t in state.Z.Concat(state.V)) t?.Dispose();
        }
    }

    /// <summary>Restores what <see cref="Save"/> wrote, into an optimizer of the same kind over
    /// parameters of the same shapes.</summary>
    public void Load(BinaryReader reader)
    {
        var savedScheduleFree = reader.ReadBoolean();
        if (savedScheduleFree != (scheduleFree is not null))
            throw new InvalidDataException($"the checkpoint holds {(savedScheduleFree ? "Schedule-Free AdamW" : "Adam")} state, this run uses {(scheduleFree is not null ? "Schedule-Free AdamW" : "Adam")}");
        if (scheduleFree is null)
        {
            adam!.load_state_dict(reader);
            return;
        }
        var steps = reader.ReadInt64();
        var weightSum = reader.ReadDouble();
        var learningRateMax = reader.ReadDouble();
        var trainMode = reader.ReadBoolean();
        var z = CheckpointParts.ReadTensors(reader);
        var v = CheckpointParts.ReadTensors(reader);
        try
        {
            scheduleFree.Restore(new ScheduleFreeState(steps, weightSum, learningRateMax, trainMode, z, v));
        }
        finally
        {
            foreach (var t in z.Concat(v)) t?.Dispose();
        }
    }

    /// <summary>Frees the optimizer's state.</summary>
    public void Dispose() { scheduleFree?.Dispose(); adam?.Dispose(); }
}

using CommLab.Estimators;
using TorchSharp;
using static TorchSharp.torch;

namespace CommLab.Training;

/// <summary>The pieces every checkpoint writes the same way, so MADDPG's and the games' checkpoints
/// restore them alike: a torch generator (its state and the seeds already drawn in a block and not yet
/// used, see <see cref="Draws"/>), an estimator's schedule, and lists of tensors (some possibly absent).</summary>
public static class CheckpointParts
{
    /// <summary>Writes a generator's state and its pending seeds.</summary>
    public static void WriteGenerator(BinaryWriter writer, Generator generator)
    {
        using var state = generator.get_state();
        using var cpu = state.cpu();
        var bytes = cpu.data<byte>().ToArray();
        writer.Write(bytes.Length);
        writer.Write(bytes);
        var pending = Draws.PendingSeeds(generator);
        writer.Write(pending.Length);
        foreach (var seed in pending) writer.Write(seed);
    }

    /// <summary>Restores into <paramref name="generator"/> what <see cref="WriteGenerator"/> wrote.</summary>
    public static void ReadGenerator(BinaryReader reader, Generator generator)
    {
        using var state = tensor(reader.ReadBytes(reader.ReadInt32()), dtype: ScalarType.Byte);
        generator.set_state(state);
        var pending = new long[reader.ReadInt32()];
        for (int i = 0; i < pending.Length; i++) pending[i] = reader.ReadInt64();
        Draws.RestorePendingSeeds(generator, pending);
    }

    /// <summary>Writes an estimator's schedule: its kind, updates and temperature.</summary>
    public static void WriteEstimator(BinaryWriter writer, IDiscreteEstimator estimator)
    {
        var e = estimator.State;
        writer.Write((int)e.Kind);
        writer.Write(e.Updates);
        writer.Write(e.Temperature);
    }

    /// <summary>Restores into <paramref name="estimator"/> what <see cref="WriteEstimator"/> wrote.</summary>
    public static void ReadEstimator(BinaryReader reader, IDiscreteEstimator estimator) =>
        estimator.Restore(new EstimatorState((EstimatorKind)reader.ReadInt32(), reader.ReadInt64(), reader.ReadDouble()));

    /// <summary>Writes a list of tensors, each present or not (TorchSharp's tensor format).</summary>
    public static void WriteTensors(BinaryWriter writer, IReadOnlyList<Tensor?> tensors)
    {
        writer.Write(tensors.Count);
        foreach (var t in tensors)
        {
            writer.Write(t is not null);
            if (t is not null)
            {
                using var cpu = t.detach().cpu();
                cpu.Save(writer);
            }
        }
    }

    /// <summary>Reads what <see cref="WriteTensors"/> wrote; the tensors are on the CPU, outside any
    /// dispose scope (the caller owns them).</summary>
    public static Tensor?[] ReadTensors(BinaryReader reader)
    {
        var tensors = new Tensor?[reader.ReadInt32()];
        for (int i = 0; i < tensors.Length; i++)
            if (reader.ReadBoolean()) tensors[i] = Tensor.Load(reader).DetachFromDisposeScope();
        return tensors;
    }
}

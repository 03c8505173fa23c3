using static TorchSharp.torch;

namespace CommLab.Data;

/// <summary>The Object game's world: every combination of <see cref="Attributes"/> attributes with
/// <see cref="Values"/> values each (4 x 10 gives the paper's 10^4 objects), as concatenated one-hots.</summary>
public sealed class ObjectWorld
{
    /// <summary>Number of attributes per object.</summary>
    public int Attributes { get; }
    /// <summary>Number of values each attribute can take (shared by all attributes).</summary>
    public int Values { get; }
    /// <summary>Number of distinct objects, Values^Attributes.</summary>
    public int Count { get; }

    /// <summary>Creates the world: at least 1 attribute, at least 2 values, at most 10^7 objects.</summary>
    public ObjectWorld(int attributes, int values)
    {
        if (attributes < 1) throw new ArgumentException($"attributes must be >= 1, got {attributes}");
        if (values < 2) throw new ArgumentException($"values must be >= 2, got {values}");
        var count = Math.Pow(values, attributes);
        if (count > 1e7) throw new ArgumentException($"values^attributes must be <= 10^7, got {values}^{attributes}");
        Attributes = attributes;
        Values = values;
        Count = (int)count;
    }

    /// <summary>Attribute values of object <paramref name="index"/> (its digits in base Values).</summary>
    public int[] AttributesOf(int index)
    {
        var digits = new int[Attributes];
        for (int a = Attributes - 1; a >= 0; a--) { digits[a] = index % Values; index /= Values; }
        return digits;
    }

    /// <summary>The product of <paramref name="weights"/> [B, Attributes * Values] with every object's
    /// features: [B, Count], <c>weights.matmul(Features(device).t())</c> up to float summation order,
    /// without the features. An object's one-hot features pick one weight per attribute, so its product
    /// is the sum of those weights, and objects are numbered by their values as base-Values digits
    /// (attribute 0 the most significant): all Count sums are one broadcast add per attribute. For the
    /// paper's 4 x 10 world at batch 32 that is 3 adds instead of a [32,40]x[40,10^4] product, and the
    /// backward pass 4 sums instead of a [32,10^4]x[10^4,40] one.</summary>
    public Tensor Dot(Tensor weights)
    {
        var batch = weights.shape[0];
        var perAttribute = weights.reshape(batch, Attributes, Values);
        Tensor? sums = null;
        for (int a = 0; a < Attributes; a++)
        {
            // Attribute a's weights along its own axis of a [B, V, ..., V] grid of objects.
            var shape = Enumerable.Repeat(1L, Attributes + 1).ToArray();
            shape[0] = batch;
            shape[a + 1] = Values;
            var term = perAttribute.select(1, a).reshape(shape);
            sums = sums is null ? term : sums + term;
        }
        return sums!.reshape(batch, Count);
    }

    /// <summary>All objects as their attribute values 1..Values (EGG's objects game), shape [Count, Attributes].</summary>
    public Tensor ValueFeatures(Device device)
    {
        var data = new float[(long)Count * Attributes];
        for (int i = 0; i < Count; i++)
        {
            var digits = AttributesOf(i);
            for (int a = 0; a < Attributes; a++) data[(long)i * Attributes + a] = digits[a] + 1;
        }
        return tensor(data, new long[] { Count, Attributes }, device: device);
    }

    /// <summary>All objects as one-hot features, shape [Count, Attributes * Values].</summary>
    public Tensor Features(Device device)
    {
        var data = new float[(long)Count * Attributes * Values];
        for (int i = 0; i < Count; i++)
        {
            var digits = AttributesOf(i);
            for (int a = 0; a < Attributes; a++) data[(long)i * Attributes * Values + a * Values + digits[a]] = 1f;
        }
        return tensor(data, new long[] { Count, Attributes * Values }, device: device);
    }
}

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

using static TorchSharp.torch;

namespace CommLab.Metrics;

/// <summary>Number of unique messages (NoUM): how many distinct messages the sender produced.</summary>
public static class UniqueMessages
{
    /// <summary>Counts distinct rows of <paramref name="messages"/> ([T, ...]), compared bit for bit.</summary>
    public static int Count(Tensor messages)
    {
        if (messages.shape[0] == 0) return 0;
        using var flat = messages.detach().reshape(messages.shape[0], -1).to(ScalarType.Float32).cpu();
        var width = (int)flat.shape[1];
        var values = flat.data<float>().ToArray();
        var seen = new HashSet<string>();
        var row = new byte[width * sizeof(float)];
        for (int t = 0; t < flat.shape[0]; t++)
        {
            Buffer.BlockCopy(values, t * width * sizeof(float), row, 0, row.Length);
            seen.Add(Convert.ToBase64String(row));
        }
        return seen.Count;
    }
}

using static TorchSharp.torch;

namespace CommLab.Marl;

/// <summary>Target networks that trail their online networks (DDPG's Polyak averaging).</summary>
public static class SoftUpdate
{
    /// <summary>target &lt;- (1 - beta) target + beta online, for every parameter, in place and outside
    /// autograd (the target stays a leaf with no history). The authors apply it with beta = 0.01 to
    /// every critic and actor after each update. Parameters are paired by name; modules whose names or
    /// shapes differ are refused before anything changes.</summary>
    public static void Apply(nn.Module target, nn.Module online, double beta) => Apply(Pairs(target, online), beta);

    /// <summary><see cref="Apply(nn.Module, nn.Module, double)"/> on pairs made once by <see cref="Pairs"/>
    /// (a trainer updating every step need not pair the parameters by name each time).</summary>
    public static void Apply(IReadOnlyList<(Tensor Target, Tensor Online)> pairs, double beta)
    {
        if (!(beta >= 0 && beta <= 1)) throw new ArgumentException($"soft update beta must be in [0, 1], got {beta}");
        using var _ = no_grad();
        foreach (var (t, o) in pairs)
            t.mul_(1 - beta).add_(o, alpha: beta);
    }

    /// <summary>target &lt;- online exactly (the hard update that starts every target network).</summary>
    public static void Copy(nn.Module target, nn.Module online)
    {
        using var _ = no_grad();
        foreach (var (t, o) in Pairs(target, online))
            t.copy_(o);
    }

    /// <summary>The target's parameters paired with the online module's of the same name; modules whose
    /// names or shapes differ are refused, naming the parameter.</summary>
    public static (Tensor Target, Tensor Online)[] Pairs(nn.Module target, nn.Module online)
    {
        var t = target.named_parameters().ToArray();
        var o = online.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var pairs = new (Tensor, Tensor)[t.Length];
        for (int i = 0; i < t.Length; i++)
        {
            var (name, p) = t[i];
            if (!o.TryGetValue(name, out var q))
                throw new ArgumentException($"online module has no parameter '{name}'");
            if (!p.shape.SequenceEqual(q.shape))
                throw new ArgumentException($"parameter '{name}' is [{string.Join(", ", p.shape)}] in the target and [{string.Join(", ", q.shape)}] online");
            pairs[i] = (p, q);
        }
        if (o.Count != t.Length) throw new ArgumentException($"target has {t.Length} parameters, online {o.Count}");
        return pairs;
    }
}

using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CommLab.Marl;

/// <summary>Gradient-norm clipping per agent on stacked parameters (<see cref="StackedLinear"/>): each
/// agent's gradient, over its slices of every layer, is clipped on its own, as the authors'
/// <c>clip_grad_norm_(agent.policy.parameters(), 1.0)</c> does for each agent's separate module.</summary>
/// <remarks>Clipping the stacked gradient as one vector would couple the agents: one agent's large
/// gradient would shrink every other agent's step.</remarks>
public static class AgentGradientClipping
{
    /// <summary>Scales agent i's gradient by min(1, maxNorm / (norm_i + 1e-6)), where norm_i is the L2 norm
    /// of all its gradient entries (PyTorch's <c>clip_grad_norm_</c> formula, its 1e-6 included).
    /// Every parameter must have the same leading (agent) size; shared parameters have 1, and are then
    /// clipped as one module. Parameters without a gradient are skipped, as clip_grad_norm_ skips them.</summary>
    /// <returns>The norms before clipping, [agents], in the gradients' dtype and device.</returns>
    public static Tensor ClipNorms(IEnumerable<Parameter> parameters, double maxNorm)
    {
        if (!(maxNorm > 0) || !double.IsFinite(maxNorm)) throw new ArgumentException($"max norm must be > 0 and finite, got {maxNorm}");
        var gradients = parameters.Select(p => p.grad).OfType<Tensor>().ToArray();
        if (gradients.Length == 0) throw new ArgumentException("no parameter has a gradient: call backward() before clipping");
        var slices = gradients[0].shape[0];
        if (gradients.Any(g => g.dim() == 0 || g.shape[0] != slices))
            throw new ArgumentException($"every parameter must be stacked along the same agent dimension; leading sizes: " +
                string.Join(", ", gradients.Select(g => g.dim() == 0 ? "scalar" : g.shape[0].ToString())));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        // The norm of the per-parameter norms, as clip_grad_norm_ computes it.
        var norms = stack(gradients.Select(g => g.reshape(slices, -1).norm(1, false, 2)).ToArray(), 1).norm(1, false, 2);
        var scale = Scale(norms, maxNorm);
        foreach (var g in gradients)
            g.mul_(scale.view(new[] { slices }.Concat(Enumerable.Repeat(1L, (int)g.dim() - 1)).ToArray()));
        return norms.MoveToOuterDisposeScope();
    }

    /// <summary>min(1, maxNorm / (norm + 1e-6)) for each agent's gradient norm: the factor
    /// clip_grad_norm_ scales a gradient by (its 1e-6 included). <see cref="StackedAdam"/> uses it too.</summary>
    public static Tensor Scale(Tensor norms, double maxNorm) => (maxNorm / (norms + 1e-6)).clamp_max(1.0);
}

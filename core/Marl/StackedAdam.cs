using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CommLab.Marl;

/// <summary>Per-agent gradient-norm clipping and Adam over stacked parameters (<see cref="StackedLinear"/>),
/// in a handful of libtorch calls: every agent's gradient entries side by side in one [agents, P] tensor,
/// clipped row by row and stepped by Adam as one tensor, the step then added back parameter by parameter.</summary>
/// <remarks>
/// <para>Why: at MADDPG's sizes (hidden 64, a few agents) the parameters are a few thousand floats each, so
/// an update's clipping and Adam cost nothing in arithmetic and everything in calls: PyTorch's Adam (and
/// TorchSharp's) makes about ten tensor operations per parameter, clipping two more, each a few
/// microseconds with its allocation. Here it is about twenty calls for a whole network.</para>
/// <para>The same numbers as <see cref="AgentGradientClipping.ClipNorms"/> followed by
/// <c>torch.optim.Adam</c> (PyTorch's formula: m and v moving averages of g and g², the step
/// lr m/(1-b1^t) / (sqrt(v/(1-b2^t)) + eps)), to float rounding (tested): agent i's norm is the norm of all
/// its entries, which equals the norm of its per-parameter norms that clip_grad_norm_ computes.</para>
/// </remarks>
public sealed class StackedAdam : IDisposable
{
    readonly Parameter[] parameters;
    readonly long slices;
    readonly long[] widths;
    readonly Tensor m, v;

    /// <param name="parameters">Parameters stacked along a leading agent dimension of the same size
    /// (shared ones: 1).</param>
    /// <param name="learningRate">lr.</param>
    /// <param name="epsilon">eps, added to sqrt(v-hat) (the authors: 1e-3).</param>
    /// <param name="maxNorm">Each agent's gradient is clipped to this L2 norm first.</param>
    public StackedAdam(IEnumerable<Parameter> parameters, double learningRate, double epsilon, double maxNorm, double beta1 = 0.9, double beta2 = 0.999)
    {
        this.parameters = parameters.ToArray();
        if (this.parameters.Length == 0) throw new ArgumentException("no parameters to optimise");
        slices = this.parameters[0].shape[0];
        if (this.parameters.Any(p => p.dim() == 0 || p.shape[0] != slices))
            throw new ArgumentException("every parameter must be stacked along the same agent dimension; leading sizes: " +
                string.Join(", ", this.parameters.Select(p => p.dim() == 0 ? "scalar" : p.shape[0].ToString())));
        if (!(learningRate > 0) || !(epsilon > 0) || !(maxNorm > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1))
            throw new ArgumentException($"lr, eps and max norm must be > 0 and betas in [0, 1), got {learningRate}, {epsilon}, {maxNorm}, {beta1}, {beta2}");
        LearningRate = learningRate;
        Epsilon = epsilon;
        MaxNorm = maxNorm;
        Beta1 = beta1;
        Beta2 = beta2;
        widths = this.parameters.Select(p => p.numel() / slices).ToArray();
        var width = widths.Sum();
        var device = this.parameters[0].device;
        m = zeros(slices, width, device: device);
        v = zeros(slices, width, device: device);
    }

    /// <summary>lr.</summary>
    public double LearningRate { get; }
    /// <summary>eps.</summary>
    public double Epsilon { get; }
    /// <summary>The per-agent clipping norm.</summary>
    public double MaxNorm { get; }
    /// <summary>b1.</summary>
    public double Beta1 { get; }
    /// <summary>b2.</summary>
    public double Beta2 { get; }
    /// <summary>Steps taken (t).</summary>
    public long Steps { get; private set; }

    /// <summary>Clears the gradients (sets them to none, as PyTorch's default zero_grad does).</summary>
    public void ZeroGrad()
    {
        foreach (var p in parameters) p.grad = null;
    }

    /// <summary>Clips each agent's gradient to <see cref="MaxNorm"/> (min(1, max / (norm + 1e-6)), as
    /// clip_grad_norm_), then takes one Adam step. A parameter without a gradient counts as zero
    /// gradient (PyTorch would skip it; every parameter here gets one each update). Returns the norms
    /// before clipping, [agents].</summary>
    public Tensor Step()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var g = cat(parameters.Select((p, i) => p.grad is Tensor grad ? grad.reshape(slices, -1) : zeros(slices, widths[i], device: p.device)).ToArray(), 1);
        var norms = g.norm(1, false, 2);
        g.mul_(AgentGradientClipping.Scale(norms, MaxNorm).unsqueeze(1));
        Steps++;
        m.mul_(Beta1).add_(g, alpha: 1 - Beta1);
        v.mul_(Beta2).addcmul_(g, g, value: 1 - Beta2);
        var correction1 = 1 - Math.Pow(Beta1, Steps);
        var correction2 = 1 - Math.Pow(Beta2, Steps);
        var update = m / (v.sqrt() / Math.Sqrt(correction2)).add_(Epsilon);
        long offset = 0;
        for (int i = 0; i < parameters.Length; i++)
        {
            parameters[i].add_(update.narrow(1, offset, widths[i]).view(parameters[i].shape), alpha: -LearningRate / correction1);
            offset += widths[i];
        }
        return norms.MoveToOuterDisposeScope();
    }

    /// <summary>Writes t, m and v.</summary>
    public void Save(BinaryWriter writer)
    {
        writer.Write(Steps);
        foreach (var t in new[] { m, v })
        {
            using var cpu = t.cpu().contiguous();
            var values = cpu.data<float>().ToArray();
            writer.Write(values.Length);
            foreach (var x in values) writer.Write(x);
        }
    }

    /// <summary>Reads back what <see cref="Save"/> wrote, for the same parameters.</summary>
    public void Load(BinaryReader reader)
    {
        Steps = reader.ReadInt64();
        foreach (var t in new[] { m, v })
        {
            var values = new float[reader.ReadInt32()];
            if (values.Length != t.numel())
                throw new InvalidDataException($"the saved optimizer state holds {values.Length} values per moment, this one {t.numel()}");
            for (int i = 0; i < values.Length; i++) values[i] = reader.ReadSingle();
            using var loaded = tensor(values).view(t.shape);
            using var _ = no_grad();
            t.copy_(loaded);
        }
    }

    /// <summary>Frees the moments.</summary>
    public void Dispose()
    {
        m.Dispose();
        v.Dispose();
    }
}

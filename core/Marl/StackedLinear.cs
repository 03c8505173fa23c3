using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CommLab.Marl;

/// <summary>The linear layers of N agents as one module: weights [N, in, out] and biases [N, out]
/// stacked along a leading agent dimension, so all agents go through in one batched matrix product
/// (<c>bmm</c>) instead of N small ones, each a separate libtorch call.</summary>
/// <remarks>Agent i's slice computes what <c>nn.Linear(in, out)</c> with weight <c>Weight[i]ᵀ</c> and bias
/// <c>Bias[i]</c> computes, and a loss of agent i alone leaves zero gradient on every other slice.
/// With <see cref="Shared"/> there is one slice ([1, in, out], [1, out]), expanded (not copied) to every
/// agent, so the agents' gradients add up in it: parameter sharing.</remarks>
public sealed class StackedLinear : Module<Tensor, Tensor>
{
    readonly Parameter weight;
    readonly Parameter bias;

    /// <summary>Creates the stacked parameters, initialized slice by slice as <c>nn.Linear</c> initializes
    /// its own: for each agent in turn, the weight then the bias, both uniform in ±1/sqrt(in) (PyTorch's
    /// kaiming-uniform with a = sqrt(5) has exactly this bound). The weight is drawn in nn.Linear's
    /// [out, in] order and stored transposed, so with the same generator state agent i gets the values
    /// the i-th of N nn.Linear modules created in turn would get.</summary>
    /// <param name="agents">N, the agents the layer serves.</param>
    /// <param name="inputs">Input features per agent.</param>
    /// <param name="outputs">Output features per agent.</param>
    /// <param name="shared">One set of parameters for every agent.</param>
    /// <param name="generator">Source of the initial values; null: libtorch's global generator (what
    /// <c>Reproducibility.Seeded</c> seeds).</param>
    public StackedLinear(int agents, int inputs, int outputs, bool shared = false, Generator? generator = null)
        : base(nameof(StackedLinear))
    {
        if (agents < 1 || inputs < 1 || outputs < 1)
            throw new ArgumentException($"agents, inputs and outputs must be >= 1, got {agents}, {inputs}, {outputs}");
        Agents = agents;
        Inputs = inputs;
        Outputs = outputs;
        Shared = shared;
        var slices = shared ? 1 : agents;
        weight = Parameter(empty(slices, inputs, outputs));
        bias = Parameter(empty(slices, outputs));
        var bound = 1.0 / Math.Sqrt(inputs);
        using (no_grad())
        using (NewDisposeScope())
            for (int i = 0; i < slices; i++)
            {
                weight[i].copy_(empty(outputs, inputs).uniform_(-bound, bound, generator).t());
                bias[i].uniform_(-bound, bound, generator);
            }
        RegisterComponents();
    }

    /// <summary>N, the agents served.</summary>
    public int Agents { get; }

    /// <summary>Input features per agent.</summary>
    public int Inputs { get; }

    /// <summary>Output features per agent.</summary>
    public int Outputs { get; }

    /// <summary>Whether every agent uses the one slice.</summary>
    public bool Shared { get; }

    /// <summary>[N, in, out] (shared: [1, in, out]); agent i's output is x Weight[i] + Bias[i].</summary>
    public Parameter Weight => weight;

    /// <summary>[N, out] (shared: [1, out]).</summary>
    public Parameter Bias => bias;

    /// <summary>[N, B, in] (row i: agent i's inputs) to [N, B, out]. A [B, in] input is given to every
    /// agent, expanded without copying: the centralised critics' joint input.</summary>
    public override Tensor forward(Tensor input)
    {
        var x = input.dim() == 2 ? input.unsqueeze(0).expand(Agents, -1, -1) : input;
        if (x.dim() != 3 || x.shape[0] != Agents || x.shape[2] != Inputs)
            throw new ArgumentException($"input must be [{Agents}, B, {Inputs}] or [B, {Inputs}], got [{string.Join(", ", input.shape)}]");
        // bmm, then the bias [slices, 1, out] added in place, broadcast over the batch (and the agents when
        // shared). Not baddbmm: TorchSharp 0.107 passes its operands rotated (a.baddbmm(b, c) computes
        // c + a b), which a fixed release would silently turn into a wrong product.
        return x.bmm(weight.expand(Agents, Inputs, Outputs)).add_(bias.unsqueeze(1));
    }
}

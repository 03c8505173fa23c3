using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CommLab.Marl;

/// <summary>N agents' MLPs (the MADDPG actors or critics) as one module of <see cref="StackedLinear"/>
/// layers with ReLU between them: one batched matrix product per layer for all agents.</summary>
public sealed class StackedMlp : Module<Tensor, Tensor>
{
    readonly ModuleList<StackedLinear> layers;

    /// <summary>Layers sizes[0] -> sizes[1] -> ... -> sizes[^1], created first to last (each agent's
    /// slice initialized as <c>nn.Linear</c>, see <see cref="StackedLinear"/>).</summary>
    /// <param name="agents">N.</param>
    /// <param name="sizes">Input size, hidden sizes, output size (at least two entries).</param>
    /// <param name="shared">One MLP for all agents (parameter sharing).</param>
    /// <param name="generator">Source of the initial values; null: libtorch's global generator.</param>
    public StackedMlp(int agents, IReadOnlyList<int> sizes, bool shared = false, Generator? generator = null)
        : base(nameof(StackedMlp))
    {
        if (sizes.Count < 2) throw new ArgumentException($"an MLP needs an input and an output size, got {sizes.Count} sizes");
        Sizes = sizes.ToArray();
        layers = new ModuleList<StackedLinear>(Enumerable.Range(0, sizes.Count - 1)
            .Select(l => new StackedLinear(agents, sizes[l], sizes[l + 1], shared, generator)).ToArray());
        RegisterComponents();
    }

    /// <summary>The MADDPG actors of the authors' code: observation -> hidden -> hidden -> action logits.</summary>
    public static StackedMlp Actors(int agents, int observationLength, int actions, int hidden, bool shared = false, Generator? generator = null) =>
        new(agents, new[] { observationLength, hidden, hidden, actions }, shared, generator);

    /// <summary>The MADDPG critics of the authors' code: [all observations, all one-hot actions] ->
    /// hidden -> hidden -> Q. The input is N * observationLength + N * actions long (no agent id: with
    /// <paramref name="shared"/>, the agents' Q values are then the same).</summary>
    public static StackedMlp Critics(int agents, int observationLength, int actions, int hidden, bool shared = false, Generator? generator = null) =>
        new(agents, new[] { agents * (observationLength + actions), hidden, hidden, 1 }, shared, generator);

    /// <summary>Input size, hidden sizes, output size.</summary>
    public int[] Sizes { get; }

    /// <summary>The layers, first to last.</summary>
    public IReadOnlyList<StackedLinear> Layers => layers.ToArray();

    /// <summary>[N, B, in] (or [B, in], the same input for every agent) to [N, B, out].</summary>
    public override Tensor forward(Tensor input)
    {
        var x = input;
        for (int l = 0; l < layers.Count; l++)
        {
            x = layers[l].call(x);
            if (l < layers.Count - 1) x = x.relu_();
        }
        return x;
    }
}

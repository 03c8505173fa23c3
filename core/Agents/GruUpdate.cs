using static TorchSharp.torch;

namespace CommLab.Agents;

/// <summary>The GRU's state update from its gate pre-activations, torch.nn.GRUCell's equations, for
/// agents that form the input and state projections themselves (<see cref="StepwiseLinear"/>).</summary>
static class GruUpdate
{
    /// <summary>h' = (1 - z) n + z h, with r = s(gi_r + gh_r), z = s(gi_z + gh_z), n = tanh(gi_n + r gh_n),
    /// where gi = x W_ih^T + b_ih and gh = h W_hh^T + b_hh, each [B, 3H] in the order r, z, n.</summary>
    public static Tensor Next(Tensor inputGates, Tensor stateGates, Tensor h)
    {
        var gi = inputGates.chunk(3, 1);
        var gh = stateGates.chunk(3, 1);
        var r = (gi[0] + gh[0]).sigmoid();
        var z = (gi[1] + gh[1]).sigmoid();
        var n = (gi[2] + r * gh[2]).tanh();
        return n + z * (h - n);
    }
}

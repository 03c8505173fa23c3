using CommLab.Estimators;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CommLab.Channels;

/// <summary>Instant channel: one fully-connected layer scales the encoded target to one word,
/// and the receiver decodes the word with another (the paper's Section 4.2).</summary>
public sealed class InstantChannel : Module, IChannel
{
    readonly Linear speak;
    readonly Linear listen;
    readonly WordDiscretizer discretizer;

    /// <param name="spec">The channel; must be Instant.</param>
    /// <param name="agentHidden">Size of the agents' encodings.</param>
    /// <param name="noise">Gumbel noise source.</param>
    public InstantChannel(ChannelSpec spec, int agentHidden, Generator? noise) : base(nameof(InstantChannel))
    {
        speak = Linear(agentHidden, spec.WordLength);
        listen = Linear(spec.WordLength, agentHidden);
        discretizer = new WordDiscretizer(spec, noise);
        RegisterComponents();
    }

    /// <inheritdoc />
    public Tensor Send(Tensor encodedTarget) => discretizer.Apply(speak.call(encodedTarget), training).unsqueeze(1);

    /// <inheritdoc />
    public Tensor Receive(Tensor message) => listen.call(message.squeeze(1));

    /// <inheritdoc />
    public IDiscreteEstimator? Estimator => discretizer.Estimator;
}

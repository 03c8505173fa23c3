using CommLab.Agents;
using CommLab.Estimators;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CommLab.Channels;

/// <summary>Recurrent channel after EGG's GRU sender/receiver, adapted to every mode: the encoded
/// target (size Hidden) is the <see cref="GruSender"/>'s initial state and each of its words goes
/// through the mode's <see cref="WordDiscretizer"/>; the <see cref="GruReceiver"/> reads the words
/// and its last state is the decoded message.</summary>
/// <remarks>Messages have a fixed length (no end-of-sequence symbol): continuous and quantized
/// words have no symbol to reserve for EOS, and a fixed length keeps the three modes comparable.</remarks>
public sealed class RecurrentChannel : Module, IChannel
{
    readonly int messageLength;
    readonly GruSender sender;
    readonly GruReceiver receiver;
    readonly WordDiscretizer discretizer;

    /// <param name="spec">The channel; must be Recurrent. The agents' encodings have size spec.Hidden.</param>
    /// <param name="noise">Gumbel noise source.</param>
    public RecurrentChannel(ChannelSpec spec, Generator? noise) : base(nameof(RecurrentChannel))
    {
        messageLength = spec.MessageLength;
        sender = new GruSender(spec.WordLength, spec.Hidden, spec.Embedding);
        receiver = new GruReceiver(spec.WordLength, spec.Hidden, spec.Embedding);
        discretizer = new WordDiscretizer(spec, noise);
        RegisterComponents();
    }

    /// <inheritdoc />
    public Tensor Send(Tensor encodedTarget) =>
        sender.Speak(encodedTarget, messageLength, word => discretizer.Apply(word, training));

    /// <inheritdoc />
    public Tensor Receive(Tensor message) => receiver.States(message).select(1, -1);

    /// <inheritdoc />
    public IDiscreteEstimator? Estimator => discretizer.Estimator;
}

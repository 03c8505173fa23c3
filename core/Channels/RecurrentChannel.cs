using CommLab.Estimators;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CommLab.Channels;

/// <summary>Recurrent channel after EGG's GRU sender/receiver, adapted to every mode: the encoded
/// target (size Hidden) is the sender GRU's initial state; each step emits one word, which is embedded and fed
/// back; the receiver GRU reads the words and its last state is the decoded message.</summary>
/// <remarks>Messages have a fixed length (no end-of-sequence symbol): continuous and quantized
/// words have no symbol to reserve for EOS, and a fixed length keeps the three modes comparable.</remarks>
public sealed class RecurrentChannel : Module, IChannel
{
    readonly ChannelSpec spec;
    readonly Parameter start;
    readonly GRUCell senderCell;
    readonly Linear toWord;
    readonly Linear senderEmbed;
    readonly Linear receiverEmbed;
    readonly GRUCell receiverCell;
    readonly WordDiscretizer discretizer;

    /// <param name="spec">The channel; must be Recurrent. The agents' encodings have size spec.Hidden.</param>
    /// <param name="noise">Gumbel noise source.</param>
    public RecurrentChannel(ChannelSpec spec, Generator? noise) : base(nameof(RecurrentChannel))
    {
        this.spec = spec;
        start = Parameter(normal(0, 0.01, new long[] { spec.Embedding }));
        senderCell = GRUCell(spec.Embedding, spec.Hidden);
        toWord = Linear(spec.Hidden, spec.WordLength);
        senderEmbed = Linear(spec.WordLength, spec.Embedding);
        receiverEmbed = Linear(spec.WordLength, spec.Embedding);
        receiverCell = GRUCell(spec.Embedding, spec.Hidden);
        discretizer = new WordDiscretizer(spec, noise);
        RegisterComponents();
    }

    /// <inheritdoc />
    public Tensor Send(Tensor encodedTarget)
    {
        var h = encodedTarget;
        var input = start.expand(encodedTarget.shape[0], spec.Embedding);
        var words = new Tensor[spec.MessageLength];
        for (int t = 0; t < spec.MessageLength; t++)
        {
            h = senderCell.call(input, h);
            words[t] = discretizer.Apply(toWord.call(h), training);
            input = senderEmbed.call(words[t]);
        }
        return stack(words, 1);
    }

    /// <inheritdoc />
    public Tensor Receive(Tensor message)
    {
        Tensor? h = null;
        for (int t = 0; t < message.shape[1]; t++)
            h = receiverCell.call(receiverEmbed.call(message.select(1, t)), h);
        return h!;
    }

    /// <inheritdoc />
    public IDiscreteEstimator? Estimator => discretizer.Estimator;
}

using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CommLab.Agents;

/// <summary>A GRU listener after EGG's RnnReceiverGS: embeds each word of a message (a linear map, so
/// relaxed words pass gradient) and reads it with a GRU whose state starts at zero.</summary>
/// <remarks>It exposes its state after every word: the recurrent channel keeps the last one, the
/// Lewis game scores its candidates after each word to read the guess where the message ends.
/// The words are all known up front, so the embedding runs once over the whole message and one
/// <c>torch.nn.GRU</c> call reads it: libtorch applies the input weights to every word in one product
/// (their weight gradient one product too) and loops only over the state projection. The same math as
/// a GRU cell applied word by word, to float summation order. A cell loop with the state weights'
/// gradient formed once over the words (<see cref="StepwiseLinear"/>, as the sender does) measured no
/// faster, so the receiver keeps libtorch's GRU.</remarks>
public sealed class GruReceiver : Module
{
    readonly Linear embed;
    readonly GRU gru;

    /// <summary>Creates, in this order: the word embedding, then the GRU (its parameters drawn in the
    /// order weight_ih, weight_hh, bias_ih, bias_hh, as a GRU cell's are).</summary>
    /// <param name="word">Size of a word.</param>
    /// <param name="hidden">GRU state size.</param>
    /// <param name="embedding">Size of the word embedding fed to the GRU.</param>
    public GruReceiver(int word, int hidden, int embedding) : base(nameof(GruReceiver))
    {
        embed = Linear(word, embedding);
        gru = GRU(embedding, hidden, batchFirst: true);
        RegisterComponents();
    }

    /// <summary>The state after each word of <paramref name="message"/> [B, T, W]: [B, T, Hidden], the
    /// t-th row the state after word t.</summary>
    public Tensor States(Tensor message)
    {
        // No initial state: the GRU starts from zeros.
        var (states, last) = gru.call(embed.call(message), null);
        last.Dispose();
        return states;
    }
}

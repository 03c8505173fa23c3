using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CommLab.Agents;

/// <summary>A GRU listener after EGG's RnnReceiverGS: embeds each word of a message (a linear map, so
/// relaxed words pass gradient) and reads it with a GRU whose state starts at zero.</summary>
/// <remarks>It exposes its state after every word: the recurrent channel keeps the last one, the
/// Lewis game scores its candidates after each word to read the guess where the message ends.</remarks>
public sealed class GruReceiver : Module
{
    readonly Linear embed;
    readonly GRUCell cell;

    /// <summary>Creates, in this order: the word embedding, then the GRU cell.</summary>
    /// <param name="word">Size of a word.</param>
    /// <param name="hidden">GRU state size.</param>
    /// <param name="embedding">Size of the word embedding fed to the GRU.</param>
    public GruReceiver(int word, int hidden, int embedding) : base(nameof(GruReceiver))
    {
        embed = Linear(word, embedding);
        cell = GRUCell(embedding, hidden);
        RegisterComponents();
    }

    /// <summary>The state [B, Hidden] after each word of <paramref name="message"/> [B, T, W], in order.
    /// Lazy: step t runs when the t-th state is asked for, so a caller's own per-step work interleaves
    /// with the reading (and the backward pass sums gradients in the same order as a hand-written loop).</summary>
    public IEnumerable<Tensor> States(Tensor message)
    {
        // No state before the first word: GRUCell starts from zeros.
        Tensor? h = null;
        for (int t = 0; t < message.shape[1]; t++)
        {
            h = cell.call(embed.call(message.select(1, t)), h!);
            yield return h;
        }
    }
}

using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CommLab.Agents;

/// <summary>A GRU speaker after EGG's RnnSenderGS: its initial state is the encoded target, its first
/// input a learned start embedding; each step maps the state to a raw word, lets the caller turn that
/// into the word actually sent (a channel's discretizer, an estimator's one-hot symbol), and feeds the
/// sent word's embedding (a linear map, so gradient flows through it) back as the next input.</summary>
/// <remarks>Shared by the recurrent channel of the Object game and the Lewis game's sender: one
/// implementation, so the two games' agents cannot drift apart.</remarks>
public sealed class GruSender : Module
{
    readonly int word;
    readonly int embedding;
    readonly Parameter start;
    readonly GRUCell cell;
    readonly Linear toWord;
    readonly Linear embed;

    /// <summary>Creates, in this order (initialization draws from libtorch's global generator in
    /// creation order): the start embedding ~ N(0, 0.01), the GRU cell, the state-to-word map and the
    /// word embedding.</summary>
    /// <param name="word">Size of a word (the vocabulary for one-hot symbols).</param>
    /// <param name="hidden">GRU state size; the encoded target must have this size.</param>
    /// <param name="embedding">Size of the word embedding fed to the GRU.</param>
    public GruSender(int word, int hidden, int embedding) : base(nameof(GruSender))
    {
        this.word = word;
        this.embedding = embedding;
        start = Parameter(normal(0, 0.01, new long[] { embedding }));
        cell = GRUCell(embedding, hidden);
        toWord = Linear(hidden, word);
        embed = Linear(word, embedding);
        RegisterComponents();
    }

    /// <summary>A message of <paramref name="steps"/> words for encoded targets [B, Hidden]: [B, steps, W],
    /// or [B, steps + 1, W] with <paramref name="endSymbol"/>, whose one-hot is appended as a forced
    /// last word (a message that never chose to end still ends there).</summary>
    /// <param name="encoded">The GRU's initial state.</param>
    /// <param name="steps">Words to speak.</param>
    /// <param name="send">Turns a raw word [B, W] into the word sent.</param>
    /// <param name="endSymbol">The symbol to append, or null for none.</param>
    public Tensor Speak(Tensor encoded, int steps, Func<Tensor, Tensor> send, int? endSymbol = null) =>
        Speak(encoded, steps, (word, _) => send(word), endSymbol);

    /// <summary>As the other overload, with <paramref name="send"/> told the step (0-based) it speaks at.</summary>
    public Tensor Speak(Tensor encoded, int steps, Func<Tensor, int, Tensor> send, int? endSymbol = null)
    {
        var batch = encoded.shape[0];
        var h = encoded;
        var input = start.expand(batch, embedding);
        var words = new Tensor[endSymbol is null ? steps : steps + 1];
        // The cell's weights, applied step by step with their gradients formed once over all steps.
        var inputWeights = new StepwiseLinear(cell.weight_ih!, cell.bias_ih);
        var stateWeights = new StepwiseLinear(cell.weight_hh!, cell.bias_hh);
        for (int t = 0; t < steps; t++)
        {
            h = GruUpdate.Next(inputWeights.Apply(input), stateWeights.Apply(h), h);
            words[t] = send(toWord.call(h), t);
            if (t + 1 < steps) input = embed.call(words[t]);
        }
        if (endSymbol is int end)
            words[steps] = zeros(new[] { batch, (long)word }, dtype: encoded.dtype, device: encoded.device)
                .index_fill_(1, tensor(new long[] { end }, device: encoded.device), 1.0);
        return stack(words, 1);
    }
}

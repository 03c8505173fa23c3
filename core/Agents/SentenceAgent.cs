using CommLab.Text;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CommLab.Agents;

/// <summary>A sentence agent of Sent-Cls (u_theta or u_phi): a DistilBERT that reads token ids, its
/// sentence vector (<see cref="SentencePooling"/>), and one fully-connected layer to the channel's
/// encoding size (the paper's Table 4: 768 for the Recurrent channel, the word length for Instant).
/// The encoder is trained with the game (fine-tuned, as the paper does for Sent-Cls).</summary>
/// <remarks>Inputs are rows of token ids padded with the tokenizer's pad id, the shape
/// <see cref="WordPieceTokenizer.EncodeBatch"/> gives: the attention mask is read off the ids, and the
/// columns past the longest sentence of a batch are cut before the encoder runs. Without gradients
/// (evaluation) the rows go through in chunks, which changes nothing (padding never reaches a
/// sentence's vector) but bounds the memory of scoring a whole split.</remarks>
public sealed class SentenceAgent : Module<Tensor, Tensor>
{
    const int EvaluationChunk = 128;
    readonly DistilBert encoder;
    readonly Linear output;
    readonly SentencePooling pooling;
    readonly long padId;

    /// <param name="encoder">The DistilBERT (registered as a submodule, so it trains).</param>
    /// <param name="pooling">Which of its outputs is the sentence vector.</param>
    /// <param name="padId">The tokenizer's pad id.</param>
    /// <param name="encoding">Size of the encoding handed to the channel.</param>
    public SentenceAgent(DistilBert encoder, SentencePooling pooling, long padId, int encoding) : base(nameof(SentenceAgent))
    {
        this.encoder = encoder;
        this.pooling = pooling;
        this.padId = padId;
        output = Linear(encoder.Config.Dim, encoding);
        RegisterComponents();
    }

    /// <summary>Encodings [..., encoding] of padded token ids [..., T].</summary>
    public override Tensor forward(Tensor ids)
    {
        var leading = ids.shape[..^1];
        var rows = ids.reshape(-1, ids.shape[^1]);
        var vectors = is_grad_enabled() || rows.shape[0] <= EvaluationChunk
            ? Encode(rows)
            : cat(Enumerable.Range(0, (int)((rows.shape[0] + EvaluationChunk - 1) / EvaluationChunk))
                .Select(c => Encode(rows.narrow(0, c * EvaluationChunk, Math.Min(EvaluationChunk, rows.shape[0] - c * EvaluationChunk))))
                .ToArray(), 0);
        return output.call(vectors).reshape(leading.Append(-1L).ToArray());
    }

    Tensor Encode(Tensor rows)
    {
        // Each chunk's intermediate tensors go when its vectors are made, so scoring a split holds one
        // chunk's activations, not all of them.
        using var scope = NewDisposeScope();
        var mask = rows.ne(padId).to(ScalarType.Int64);
        var longest = Math.Max(1L, mask.sum(1).max().item<long>());
        var ids = rows.narrow(1, 0, longest);
        return encoder.SentenceVectors(ids, mask.narrow(1, 0, longest), pooling).MoveToOuterDisposeScope();
    }
}

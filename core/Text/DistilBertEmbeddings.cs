using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CommLab.Text;

/// <summary>DistilBERT's input layer: each token's word embedding plus its position's learned
/// embedding, layer-normed (no token-type embeddings, unlike BERT).</summary>
/// <remarks>Fields holding parameters carry Hugging Face's names, not C# ones: RegisterComponents names
/// submodules after their fields, and the state dict must read like DistilBertModel's.</remarks>
sealed class DistilBertEmbeddings : Module<Tensor, Tensor>
{
    readonly Embedding word_embeddings;
    readonly Embedding position_embeddings;
    readonly LayerNorm LayerNorm;
    readonly NoiseDropout dropout;
    readonly long maxPositions;

    public DistilBertEmbeddings(DistilBertConfig config, DropoutNoise noise) : base(nameof(DistilBertEmbeddings))
    {
        word_embeddings = Embedding(config.VocabularySize, config.Dim, padding_idx: config.PadTokenId);
        position_embeddings = Embedding(config.MaxPositions, config.Dim);
        LayerNorm = TorchSharp.torch.nn.LayerNorm(config.Dim, DistilBertConfig.LayerNormEps);
        dropout = new NoiseDropout(config.Dropout, noise);
        maxPositions = config.MaxPositions;
        RegisterComponents();
    }

    /// <summary>Token ids [B, T] to embedded tokens [B, T, dim].</summary>
    public override Tensor forward(Tensor ids)
    {
        var length = ids.shape[1];
        if (length > maxPositions)
            throw new ArgumentException($"a batch of {length} tokens per sentence is longer than the model's max_position_embeddings ({maxPositions}); encode with a smaller max length");
        var position = arange(length, dtype: ScalarType.Int64, device: ids.device);
        return dropout.call(LayerNorm.call(word_embeddings.call(ids) + position_embeddings.call(position)));
    }
}

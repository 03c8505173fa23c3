using CommLab.Validation;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CommLab.Text;

/// <summary>The DistilBERT encoder (Hugging Face's DistilBertModel): token ids and attention mask in,
/// the last layer's token states out. Its parameters carry DistilBertModel's state-dict names
/// (embeddings.word_embeddings.weight, transformer.layer.0.attention.q_lin.weight, ...), so a Hugging
/// Face checkpoint loads by name (<see cref="BertCheckpoint"/>).</summary>
/// <remarks>Dropout acts in training mode only; a loaded checkpoint is put in evaluation mode.
/// The constructor initialises parameters as any TorchSharp module does, from libtorch's global
/// generator: build it under <see cref="Training.Reproducibility.Seeded"/> when that matters.</remarks>
public sealed class DistilBert : Module<Tensor, Tensor, Tensor>
{
    // Named as in Hugging Face's DistilBertModel: RegisterComponents names submodules after their fields.
    readonly DistilBertEmbeddings embeddings;
    readonly LayerStack transformer;

    /// <param name="config">The encoder's shape; must be valid (<see cref="DistilBertConfig.Problems"/>).</param>
    /// <exception cref="ArgumentException">The config has problems; the message lists them.</exception>
    public DistilBert(DistilBertConfig config) : base(nameof(DistilBert))
    {
        config.Validate();
        Config = config;
        embeddings = new DistilBertEmbeddings(config, Noise);
        transformer = new LayerStack(config, Noise);
        RegisterComponents();
    }

    /// <summary>The encoder's shape.</summary>
    public DistilBertConfig Config { get; }

    /// <summary>Where its dropout masks come from in training (null generator: libtorch's global one).</summary>
    public DropoutNoise Noise { get; } = new();

    /// <summary>The last hidden state [B, T, dim] of token ids [B, T] (int64) under the attention mask
    /// [B, T] (1 = token, 0 = padding; any numeric or bool dtype).</summary>
    /// <exception cref="ArgumentException">Shapes disagree, an id is outside the vocabulary, or T
    /// exceeds max_position_embeddings.</exception>
    public override Tensor forward(Tensor ids, Tensor mask)
    {
        if (ids.dim() != 2 || !ids.shape.SequenceEqual(mask.shape))
            throw new ArgumentException(
                $"token ids and attention mask must both be [batch, length], got [{string.Join(", ", ids.shape)}] and [{string.Join(", ", mask.shape)}]");
        if (ids.dtype != ScalarType.Int64)
            throw new ArgumentException($"token ids must be int64, got {ids.dtype}");
        if (ids.numel() > 0)
        {
            var (low, high) = (ids.min().item<long>(), ids.max().item<long>());
            if (low < 0 || high >= Config.VocabularySize)
                throw new ArgumentException($"token ids must be in 0..{Config.VocabularySize - 1} (vocab_size {Config.VocabularySize}), got ids from {low} to {high}");
        }
        return transformer.call(embeddings.call(ids), mask);
    }

    /// <summary>One vector per sentence [B, dim]: the model's last hidden state pooled as <paramref name="pooling"/> says.</summary>
    public Tensor SentenceVectors(Tensor ids, Tensor mask, SentencePooling pooling) => Pool(call(ids, mask), mask, pooling);

    /// <summary>Pools token states [B, T, dim] into sentence vectors [B, dim]: <see cref="SentencePooling.Cls"/>
    /// takes position 0, <see cref="SentencePooling.Mean"/> averages the positions where
    /// <paramref name="mask"/> [B, T] is non-zero (a sentence without any gives zeros).</summary>
    public static Tensor Pool(Tensor states, Tensor mask, SentencePooling pooling)
    {
        switch (pooling)
        {
            case SentencePooling.Cls:
                return states.select(1, 0);
            case SentencePooling.Mean:
                var weights = mask.ne(0).to_type(states.dtype).unsqueeze(-1);
                return (states * weights).sum(1) / weights.sum(1).clamp_min(1);
            default:
                throw new ArgumentOutOfRangeException(nameof(pooling), pooling, "pooling must be Cls or Mean");
        }
    }

    /// <summary>The blocks, registered as "layer" (0, 1, ...) inside "transformer" as in Hugging Face's Transformer.</summary>
    sealed class LayerStack : Module<Tensor, Tensor, Tensor>
    {
        readonly ModuleList<DistilBertLayer> layer;

        public LayerStack(DistilBertConfig config, DropoutNoise noise) : base(nameof(LayerStack))
        {
            layer = ModuleList(Enumerable.Range(0, config.Layers).Select(_ => new DistilBertLayer(config, noise)).ToArray());
            RegisterComponents();
        }

        public override Tensor forward(Tensor x, Tensor mask)
        {
            foreach (var block in layer) x = block.call(x, mask);
            return x;
        }
    }
}

using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CommLab.Text;

/// <summary>One DistilBERT transformer block, post-norm as in modeling_distilbert.py:
/// a = LayerNorm(attention(x) + x), then LayerNorm(ffn(a) + a), ffn = lin2(activation(lin1(a))) with
/// dropout (training only).</summary>
/// <remarks>The fields carry Hugging Face's names (attention, sa_layer_norm, ffn with lin1 and lin2,
/// output_layer_norm), which RegisterComponents gives the submodules.</remarks>
sealed class DistilBertLayer : Module<Tensor, Tensor, Tensor>
{
    readonly DistilBertAttention attention;
    readonly LayerNorm sa_layer_norm;
    readonly FeedForward ffn;
    readonly LayerNorm output_layer_norm;

    public DistilBertLayer(DistilBertConfig config, DropoutNoise noise) : base(nameof(DistilBertLayer))
    {
        attention = new DistilBertAttention(config, noise);
        sa_layer_norm = LayerNorm(config.Dim, DistilBertConfig.LayerNormEps);
        ffn = new FeedForward(config, noise);
        output_layer_norm = LayerNorm(config.Dim, DistilBertConfig.LayerNormEps);
        RegisterComponents();
    }

    /// <summary>Token states [B, T, dim] and attention mask [B, T] to the block's output states.</summary>
    public override Tensor forward(Tensor x, Tensor mask)
    {
        // The block's intermediate tensors are released when it returns, not when the caller's scope
        // ends: autograd keeps what backward needs on its own, and without this a forward over many
        // sentences without gradients holds every block's activations at once (gigabytes at 1000 x 64).
        using var scope = NewDisposeScope();
        var attended = sa_layer_norm.call(attention.call(x, mask) + x);
        return output_layer_norm.call(ffn.call(attended) + attended).MoveToOuterDisposeScope();
    }

    /// <summary>The block's position-wise feed-forward network.</summary>
    sealed class FeedForward : Module<Tensor, Tensor>
    {
        readonly Linear lin1;
        readonly Linear lin2;
        readonly NoiseDropout dropout;
        readonly bool gelu;

        public FeedForward(DistilBertConfig config, DropoutNoise noise) : base(nameof(FeedForward))
        {
            lin1 = Linear(config.Dim, config.HiddenDim);
            lin2 = Linear(config.HiddenDim, config.Dim);
            dropout = new NoiseDropout(config.Dropout, noise);
            // Hugging Face's "gelu" is the exact, erf-based GELU (torch's default), not the tanh approximation.
            gelu = config.Activation == "gelu";
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var hidden = lin1.call(x);
            return dropout.call(lin2.call(gelu ? functional.gelu(hidden) : functional.relu(hidden)));
        }
    }
}

using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CommLab.Text;

/// <summary>DistilBERT's multi-head self-attention, as modeling_distilbert.py computes it: the query
/// is divided by sqrt(head size) before the product with the keys, padded keys get the dtype's lowest
/// value before the softmax (so their weight is exactly 0 and padding cannot change a sentence's
/// states), and dropout on the weights acts only in training.</summary>
/// <remarks>The fields carry Hugging Face's names (q_lin, k_lin, v_lin, out_lin), which RegisterComponents
/// gives the submodules.</remarks>
sealed class DistilBertAttention : Module<Tensor, Tensor, Tensor>
{
    readonly Linear q_lin;
    readonly Linear k_lin;
    readonly Linear v_lin;
    readonly Linear out_lin;
    readonly NoiseDropout dropout;
    readonly int heads;
    readonly int headDim;

    public DistilBertAttention(DistilBertConfig config, DropoutNoise noise) : base(nameof(DistilBertAttention))
    {
        heads = config.Heads;
        headDim = config.HeadDim;
        q_lin = Linear(config.Dim, config.Dim);
        k_lin = Linear(config.Dim, config.Dim);
        v_lin = Linear(config.Dim, config.Dim);
        out_lin = Linear(config.Dim, config.Dim);
        dropout = new NoiseDropout(config.AttentionDropout, noise);
        RegisterComponents();
    }

    /// <summary>Token states [B, T, dim] and attention mask [B, T] (0 = padding) to the attended states [B, T, dim].</summary>
    public override Tensor forward(Tensor x, Tensor mask)
    {
        var (batch, length, dim) = (x.shape[0], x.shape[1], x.shape[2]);
        Tensor SplitHeads(Tensor y) => y.view(batch, length, heads, headDim).transpose(1, 2);
        var q = SplitHeads(q_lin.call(x)).div(Math.Sqrt(headDim));
        var k = SplitHeads(k_lin.call(x));
        var v = SplitHeads(v_lin.call(x));
        var scores = q.matmul(k.transpose(2, 3));
        var padding = mask.eq(0).view(batch, 1, 1, length);
        scores = scores.masked_fill(padding, finfo(scores.dtype).min);
        var weights = dropout.call(functional.softmax(scores, -1));
        var context = weights.matmul(v).transpose(1, 2).contiguous().view(batch, length, dim);
        return out_lin.call(context);
    }
}

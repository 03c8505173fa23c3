using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CommLab.Agents;

/// <summary>The Image game's sender encoder (u_theta), EGG's "informed sender" of the signal game
/// (Lazaridou et al. 2016): it sees the target together with its distractors and encodes the target
/// knowing what it must be told apart from. Each image's features are embedded by one fully-connected
/// layer; a convolution whose kernel spans the whole game (one weight per image position and filter)
/// mixes the images into <c>filters</c> maps of the embedding; a second convolution with one weight
/// per filter merges those; a last fully-connected layer gives the channel's encoding. Sigmoids follow
/// both convolutions and no layer has a bias, as in EGG.</summary>
/// <remarks>The target is at position 0 of the sender's view (EGG puts it first): the position's own
/// weights are what tell the target from the distractors. Because the first convolution has one
/// weight per position, the sender reads exactly <c>gameSize</c> images.</remarks>
public sealed class InformedSender : Module<Tensor, Tensor>
{
    readonly Linear embed;
    readonly Conv2d mix;
    readonly Conv2d merge;
    readonly Linear output;
    readonly int gameSize;

    /// <param name="gameSize">Images the sender sees: the target and its distractors (paper: 100).</param>
    /// <param name="features">Features per image (EGG's fc features: 4096).</param>
    /// <param name="embedding">Size of each image's embedding (paper's Table 4: 50).</param>
    /// <param name="filters">Filters of the first convolution (EGG's hidden_size: 20).</param>
    /// <param name="encoding">Size of the encoding handed to the channel.</param>
    public InformedSender(int gameSize, int features, int embedding, int filters, int encoding) : base(nameof(InformedSender))
    {
        this.gameSize = gameSize;
        embed = Linear(features, embedding, hasBias: false);
        mix = Conv2d(1, filters, (gameSize, 1), stride: (gameSize, 1), bias: false);
        merge = Conv2d(1, 1, (filters, 1), stride: (filters, 1), bias: false);
        output = Linear(embedding, encoding, hasBias: false);
        RegisterComponents();
    }

    /// <summary>Encodings [B, encoding] of the targets, from views [B, gameSize, features] with each
    /// target at position 0.</summary>
    public override Tensor forward(Tensor view)
    {
        if (view.shape[1] != gameSize)
            throw new ArgumentException($"the informed sender sees {gameSize} images per game, got {view.shape[1]}");
        // The two convolutions are weighted sums over a whole axis (their kernels span it), so they are
        // computed as products with their weights: the same numbers, and libtorch's convolution backward
        // returned NaN now and then for the transposed input the second one reads.
        var images = embed.call(view);                                              // [B, G, E]
        var maps = sigmoid(mix.weight!.flatten(1).matmul(images));                 // [B, filters, E]
        var merged = sigmoid(merge.weight!.flatten().matmul(maps));                // [B, E]
        return output.call(merged);
    }
}

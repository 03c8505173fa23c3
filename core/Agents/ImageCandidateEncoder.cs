using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CommLab.Agents;

/// <summary>The Image game's receiver encoder (u_phi): each candidate image on its own, its features
/// embedded by one fully-connected layer without bias (EGG's signal-game Receiver) and scaled to the
/// channel's encoding by a second (the paper's Table 4: embedding 50, then the word length or the
/// channel's hidden size). The sender's convolutions pool over the whole game, which would give every
/// candidate the same encoding, so the receiver has none; EGG's receiver has none either.</summary>
public sealed class ImageCandidateEncoder : Module<Tensor, Tensor>
{
    readonly Linear embed;
    readonly Linear output;

    /// <param name="features">Features per image (4096).</param>
    /// <param name="embedding">Size of each image's embedding (50).</param>
    /// <param name="encoding">Size of the encoding the decoded message is compared with.</param>
    public ImageCandidateEncoder(int features, int embedding, int encoding) : base(nameof(ImageCandidateEncoder))
    {
        embed = Linear(features, embedding, hasBias: false);
        output = Linear(embedding, encoding, hasBias: false);
        RegisterComponents();
    }

    /// <summary>Encodings [..., encoding] of candidate images [..., features].</summary>
    public override Tensor forward(Tensor images) => output.call(embed.call(images));
}

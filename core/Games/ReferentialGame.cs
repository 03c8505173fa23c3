using CommLab.Channels;
using CommLab.Estimators;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CommLab.Games;

/// <summary>A referential game built from parts, as in EGG: the sender's encoder (u_theta) encodes the
/// target, the channel carries a message and decodes it on the receiver's side (z_theta, z_phi), and
/// the receiver scores candidates by the dot product of the decoded message with its own encoding of
/// each candidate (u_phi). The encoders are any modules from an object's input to the channel's
/// encoding size (linear maps for symbolic objects, conv nets for images, a text encoder for
/// sentences); the loss is the game's own, <see cref="Loss"/>.</summary>
public sealed class ReferentialGame : Module
{
    readonly Module<Tensor, Tensor> senderAgent;
    readonly Module<Tensor, Tensor> receiverAgent;
    readonly Module channelModule;
    // A property, not a field: RegisterComponents would register the same module twice.
    IChannel channel => (IChannel)channelModule;

    /// <summary>A game from its parts; they are registered as submodules named senderAgent,
    /// receiverAgent and channelModule.</summary>
    /// <param name="senderEncoder">Target input [..., F] -> encoding [..., H] the channel sends from.</param>
    /// <param name="candidateEncoder">Candidate input [..., F] -> encoding [..., H'] with H' the size of a
    /// decoded message.</param>
    /// <param name="channel">The channel; it must be a <see cref="Module"/> so that its parameters train.</param>
    public ReferentialGame(Module<Tensor, Tensor> senderEncoder, Module<Tensor, Tensor> candidateEncoder, IChannel channel)
        : base(nameof(ReferentialGame))
    {
        senderAgent = senderEncoder;
        receiverAgent = candidateEncoder;
        channelModule = channel as Module
            ?? throw new ArgumentException($"a channel must be a TorchSharp Module so its parameters train, got {channel.GetType().Name}", nameof(channel));
        RegisterComponents();
    }

    /// <summary>The Object game (paper Section 2, Table 4): one fully-connected layer per agent from the
    /// one-hot attributes to the channel's encoding size, then the channel <paramref name="spec"/>
    /// (created in that order: the parameters draw from libtorch's global generator).
    /// The spec must be valid (the trainer checks it).</summary>
    /// <param name="features">Input size (one-hot attributes).</param>
    /// <param name="spec">The channel.</param>
    /// <param name="noise">Gumbel noise source.</param>
    public static ReferentialGame ForObjects(int features, ChannelSpec spec, Generator? noise)
    {
        var sender = Linear(features, spec.EncodingSize);
        var receiver = Linear(features, spec.EncodingSize);
        IChannel channel = spec.Architecture == ChannelArchitecture.Instant
            ? new InstantChannel(spec, spec.EncodingSize, noise)
            : new RecurrentChannel(spec, noise);
        return new ReferentialGame(sender, receiver, channel);
    }

    /// <summary>The channel's estimator (GS channels only), stepped once per gradient update.</summary>
    public IDiscreteEstimator? Estimator => channel.Estimator;

    /// <summary>The sender's messages for target inputs [B, F]: [B, M, W].</summary>
    public Tensor Send(Tensor targets) => channel.Send(senderAgent.call(targets));

    /// <summary>The receiver's decoded messages [B, H].</summary>
    public Tensor Receive(Tensor message) => channel.Receive(message);

    /// <summary>The receiver's encodings of candidate inputs [..., F] -> [..., H].</summary>
    public Tensor EncodeCandidates(Tensor candidates) => receiverAgent.call(candidates);

    /// <summary>Scores of every candidate for each decoded message: [B, H] x [N, H] -> [B, N].</summary>
    public static Tensor ScoreAll(Tensor decoded, Tensor encodedCandidates) => decoded.matmul(encodedCandidates.t());

    /// <summary>Scores of per-sample candidate sets: [B, H] x [B, K, H] -> [B, K].</summary>
    public static Tensor ScoreEach(Tensor decoded, Tensor encodedCandidates) =>
        encodedCandidates.bmm(decoded.unsqueeze(-1)).squeeze(-1);

    /// <summary>The game's loss, the cross-entropy of the receiver picking each target among its
    /// negatives. <paramref name="objects"/> [N, F] are every object the game knows and
    /// <paramref name="ids"/> [B] the targets' rows; the negatives are every other object when
    /// <paramref name="negatives"/> is null (the paper), else that many drawn per target without
    /// replacement from <paramref name="draws"/>.</summary>
    public Tensor Loss(Tensor objects, Tensor ids, int? negatives, Generator? draws)
    {
        var decoded = Receive(Send(objects.index_select(0, ids)));
        if (negatives is null)
            return nn.functional.cross_entropy(ScoreAll(decoded, EncodeCandidates(objects)), ids);

        var column = ids.unsqueeze(1);
        var keys = rand(new[] { ids.shape[0], objects.shape[0] }, generator: draws, device: objects.device)
            .scatter_(1, column, full(column.shape, -1.0f, device: objects.device));
        var candidates = cat(new[] { column, keys.topk(negatives.Value, dim: 1).indexes }, 1);
        var encoded = EncodeCandidates(objects.index_select(0, candidates.flatten())).reshape(candidates.shape[0], candidates.shape[1], -1);
        var labels = zeros(ids.shape[0], dtype: ScalarType.Int64, device: objects.device);
        return nn.functional.cross_entropy(ScoreEach(decoded, encoded), labels);
    }
}

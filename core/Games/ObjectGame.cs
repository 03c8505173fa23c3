using CommLab.Channels;
using CommLab.Estimators;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CommLab.Games;

/// <summary>The referential Object game (paper Section 2, Table 4): the sender encodes the target with
/// one fully-connected layer (u_theta), the channel carries a message, the receiver decodes it
/// (z_phi) and scores every candidate by a dot product with its own encoding u_phi(c).</summary>
public sealed class ObjectGame : Module
{
    readonly Linear senderAgent;
    readonly Linear receiverAgent;
    readonly Module channelModule;
    // A property, not a field: RegisterComponents would register the same module twice.
    IChannel channel => (IChannel)channelModule;

    /// <summary>Size of the agents' encodings: the word length for Instant, the GRU size for Recurrent.</summary>
    public int AgentHidden { get; }

    /// <param name="features">Input size (one-hot attributes).</param>
    /// <param name="spec">The channel; must be valid (the trainer checks it).</param>
    /// <param name="noise">Gumbel noise source.</param>
    public ObjectGame(int features, ChannelSpec spec, Generator? noise) : base(nameof(ObjectGame))
    {
        AgentHidden = spec.Architecture == ChannelArchitecture.Instant ? spec.WordLength : spec.Hidden;
        senderAgent = Linear(features, AgentHidden);
        receiverAgent = Linear(features, AgentHidden);
        channelModule = spec.Architecture == ChannelArchitecture.Instant
            ? new InstantChannel(spec, AgentHidden, noise)
            : new RecurrentChannel(spec, noise);
        RegisterComponents();
    }

    /// <summary>The channel's estimator (GS channels only), stepped once per gradient update.</summary>
    public IDiscreteEstimator? Estimator => channel.Estimator;

    /// <summary>The sender's messages for target features [B, F]: [B, M, W].</summary>
    public Tensor Send(Tensor targets) => channel.Send(senderAgent.call(targets));

    /// <summary>The receiver's decoded messages [B, H].</summary>
    public Tensor Receive(Tensor message) => channel.Receive(message);

    /// <summary>The receiver's encodings of candidate features [..., F] -> [..., H].</summary>
    public Tensor EncodeCandidates(Tensor candidates) => receiverAgent.call(candidates);

    /// <summary>Scores of every candidate for each decoded message: [B, H] x [N, H] -> [B, N].</summary>
    public static Tensor ScoreAll(Tensor decoded, Tensor encodedCandidates) => decoded.matmul(encodedCandidates.t());

    /// <summary>Scores of per-sample candidate sets: [B, H] x [B, K, H] -> [B, K].</summary>
    public static Tensor ScoreEach(Tensor decoded, Tensor encodedCandidates) =>
        encodedCandidates.bmm(decoded.unsqueeze(-1)).squeeze(-1);
}

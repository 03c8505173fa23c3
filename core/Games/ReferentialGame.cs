using CommLab.Agents;
using CommLab.Channels;
using CommLab.Data;
using CommLab.Estimators;
using CommLab.Text;
using static TorchSharp.torch;
using TorchSharp.Modules;
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
    // The Object game's world, when the game was built for one: scoring all its objects then uses
    // their one-hot structure (ObjectWorld.Dot).
    readonly ObjectWorld? world;
    // A property, not a field: RegisterComponents would register the same module twice.
    IChannel channel => (IChannel)channelModule;

    /// <summary>A game from its parts; they are registered as submodules named senderAgent,
    /// receiverAgent and channelModule.</summary>
    /// <param name="senderEncoder">Target input [..., F] -> encoding [..., H] the channel sends from.</param>
    /// <param name="candidateEncoder">Candidate input [..., F] -> encoding [..., H'] with H' the size of a
    /// decoded message.</param>
    /// <param name="channel">The channel; it must be a <see cref="Module"/> so that its parameters train.</param>
    /// <param name="world">The objects' world when candidates are its objects (the Object game), else null.
    /// A candidate matrix of the world's shape [Count, Attributes * Values] is then taken to be its
    /// objects in order, <see cref="ObjectWorld.Features"/>.</param>
    public ReferentialGame(Module<Tensor, Tensor> senderEncoder, Module<Tensor, Tensor> candidateEncoder, IChannel channel,
        ObjectWorld? world = null)
        : base(nameof(ReferentialGame))
    {
        this.world = world;
        senderAgent = senderEncoder;
        receiverAgent = candidateEncoder;
        channelModule = channel as Module
            ?? throw new ArgumentException($"a channel must be a TorchSharp Module so its parameters train, got {channel.GetType().Name}", nameof(channel));
        RegisterComponents();
    }

    /// <summary>The Object game (paper Section 2, Table 4): one fully-connected layer per agent from the
    /// one-hot attributes (or, as in EGG, the values) to the channel's encoding size, optionally followed
    /// by tanh (EGG), then the channel <paramref name="spec"/>
    /// (created in that order: the parameters draw from libtorch's global generator).
    /// The spec must be valid (the trainer checks it).</summary>
    /// <param name="world">The objects (one-hot attributes); their features are the agents' input.</param>
    /// <param name="spec">The channel.</param>
    /// <param name="noise">Gumbel noise source.</param>
    /// <param name="encoding">What the agents read: one-hot attributes, or the values as numbers (EGG).</param>
    /// <param name="activation">What follows each agent's layer: nothing, or tanh (EGG).</param>
    public static ReferentialGame ForObjects(ObjectWorld world, ChannelSpec spec, Generator? noise,
        ObjectEncoding encoding = ObjectEncoding.OneHot, AgentActivation activation = AgentActivation.None)
    {
        var features = encoding == ObjectEncoding.OneHot ? world.Attributes * world.Values : world.Attributes;
        Module<Tensor, Tensor> Agent()
        {
            var layer = Linear(features, spec.EncodingSize);
            return activation == AgentActivation.Tanh ? Sequential(layer, Tanh()) : layer;
        }
        var sender = Agent();
        var receiver = Agent();
        IChannel channel = spec.Architecture == ChannelArchitecture.Instant
            ? new InstantChannel(spec, spec.EncodingSize, noise)
            : new RecurrentChannel(spec, noise);
        // The one-hot fast path (ObjectWorld.Dot) needs one-hot candidates.
        return new ReferentialGame(sender, receiver, channel, encoding == ObjectEncoding.OneHot ? world : null);
    }

    /// <summary>The Image game (paper Sections 4.1-4.2, Table 4; EGG's signal game): an informed sender
    /// that sees the target first among <paramref name="gameSize"/> images (<see cref="InformedSender"/>),
    /// a receiver that encodes each candidate alone (<see cref="ImageCandidateEncoder"/>), and the
    /// channel <paramref name="spec"/>, created in that order. The spec must be valid.</summary>
    /// <param name="spec">The channel.</param>
    /// <param name="gameSize">Images the sender sees (paper: 100).</param>
    /// <param name="features">Features per image (4096).</param>
    /// <param name="embedding">Each image's embedding (paper: 50).</param>
    /// <param name="filters">The sender's convolution filters (EGG: 20).</param>
    /// <param name="noise">Gumbel noise source.</param>
    public static ReferentialGame ForImages(ChannelSpec spec, int gameSize, int features, int embedding, int filters, Generator? noise)
    {
        var sender = new InformedSender(gameSize, features, embedding, filters, spec.EncodingSize);
        var receiver = new ImageCandidateEncoder(features, embedding, spec.EncodingSize);
        return new ReferentialGame(sender, receiver, Channel(spec, noise));
    }

    /// <summary>A game over feature vectors (Sent-Ref's frozen sentence vectors): one fully-connected
    /// layer per agent from the <paramref name="features"/> to the channel's encoding size, then the
    /// channel <paramref name="spec"/>, created in that order. The spec must be valid.</summary>
    public static ReferentialGame ForVectors(int features, ChannelSpec spec, Generator? noise)
    {
        var sender = Linear(features, spec.EncodingSize);
        var receiver = Linear(features, spec.EncodingSize);
        return new ReferentialGame(sender, receiver, Channel(spec, noise));
    }

    /// <summary>Sent-Cls (paper Section 4.2, Table 4): the sender reads a sentence's token ids and the
    /// receiver each intent's name with their own DistilBERTs, fine-tuned with the game
    /// (<see cref="SentenceAgent"/>), then the channel <paramref name="spec"/>. The agents' output
    /// layers and the channel are created in that order; the encoders come loaded.</summary>
    public static ReferentialGame ForSentences(DistilBert senderEncoder, DistilBert receiverEncoder, SentencePooling pooling,
        long padId, ChannelSpec spec, Generator? noise)
    {
        var sender = new SentenceAgent(senderEncoder, pooling, padId, spec.EncodingSize);
        var receiver = new SentenceAgent(receiverEncoder, pooling, padId, spec.EncodingSize);
        return new ReferentialGame(sender, receiver, Channel(spec, noise));
    }

    static IChannel Channel(ChannelSpec spec, Generator? noise) =>
        spec.Architecture == ChannelArchitecture.Instant
            ? new InstantChannel(spec, spec.EncodingSize, noise)
            : new RecurrentChannel(spec, noise);

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

    /// <summary>Scores of every candidate input [N, F] for each decoded message [B, H]: [B, N], equal to
    /// <c>ScoreAll(decoded, EncodeCandidates(candidates))</c> up to float summation order.</summary>
    /// <remarks>With a linear candidate encoder (the Object game) the product is re-associated:
    /// d . (W f + b) = (d W) . f + d . b, so the N x H matrix of encodings is never built. With
    /// N = 10^4 objects of F = 40 features and H = 100, that is [B,H]x[H,F] then [B,F]x[F,N] instead of
    /// [N,F]x[F,H] then [B,H]x[H,N], and the backward pass shrinks the same way. When the candidates
    /// are the game's world, (d W) . f comes from their one-hot structure (<see cref="ObjectWorld.Dot"/>).</remarks>
    public Tensor ScoreCandidates(Tensor decoded, Tensor candidates)
    {
        if (receiverAgent is not Linear linear) return ScoreAll(decoded, EncodeCandidates(candidates));
        var weights = decoded.matmul(linear.weight!);
        var scores = world is { } w && candidates.shape.SequenceEqual(new long[] { w.Count, w.Attributes * w.Values })
            ? w.Dot(weights)
            : weights.matmul(candidates.t());
        return WithBias(scores, decoded, linear);
    }

    /// <summary>Scores of per-sample candidate inputs [B, K, F] for each decoded message [B, H]: [B, K],
    /// equal to <c>ScoreEach(decoded, EncodeCandidates(candidates))</c> up to float summation order
    /// (re-associated like <see cref="ScoreCandidates"/> when the candidate encoder is linear).</summary>
    public Tensor ScoreCandidateSets(Tensor decoded, Tensor candidates)
    {
        if (receiverAgent is not Linear linear) return ScoreEach(decoded, EncodeCandidates(candidates));
        var scores = candidates.bmm(decoded.matmul(linear.weight!).unsqueeze(-1)).squeeze(-1);
        return WithBias(scores, decoded, linear);
    }

    /// <summary>Re-associated scores [B, N] plus the encoder bias's share, d . b, the same for every candidate.</summary>
    static Tensor WithBias(Tensor scores, Tensor decoded, Linear linear) =>
        linear.bias is null ? scores : scores + decoded.matmul(linear.bias).unsqueeze(1);

    /// <summary>The loss of games that each bring their own candidates, the cross-entropy of the
    /// receiver picking the target among them: the sender reads <paramref name="senderInputs"/> [B, ...]
    /// and the receiver scores <paramref name="candidateSets"/> [B, K, ...], each game's target first
    /// (the Image game, whose informed sender reads the candidates themselves). The receiver encodes
    /// every candidate alone, so where the target sits cannot help it.</summary>
    public Tensor LossOverSets(Tensor senderInputs, Tensor candidateSets)
    {
        var scores = ScoreCandidateSets(Receive(Send(senderInputs)), candidateSets);
        return nn.functional.cross_entropy(scores, zeros(scores.shape[0], dtype: ScalarType.Int64, device: scores.device));
    }

    /// <summary>The game's loss, the cross-entropy of the receiver picking each target among its
    /// negatives. <paramref name="objects"/> [N, F] are every object the game knows and
    /// <paramref name="ids"/> [B] the targets' rows: the sender reads those rows and each target's
    /// candidate is itself (the Object game).</summary>
    public Tensor Loss(Tensor objects, Tensor ids, int? negatives, Generator? draws) =>
        Loss(objects.index_select(0, ids), objects, ids, negatives, draws);

    /// <summary>The game's loss, the cross-entropy of the receiver picking each target's candidate among
    /// its negatives. The sender reads <paramref name="senderInputs"/> [B, ...]; the receiver scores
    /// <paramref name="candidates"/> [N, ...], of which <paramref name="labels"/> [B] are the targets'.
    /// The negatives are every other candidate when <paramref name="negatives"/> is null (the paper's
    /// Object game and Sent-Cls), else that many drawn per target without replacement from
    /// <paramref name="draws"/>.</summary>
    public Tensor Loss(Tensor senderInputs, Tensor candidates, Tensor labels, int? negatives, Generator? draws)
    {
        var decoded = Receive(Send(senderInputs));
        if (negatives is null)
            return nn.functional.cross_entropy(ScoreCandidates(decoded, candidates), labels);

        var column = labels.unsqueeze(1);
        var keys = rand(new[] { labels.shape[0], candidates.shape[0] }, generator: draws, device: candidates.device)
            .scatter_(1, column, full(column.shape, -1.0f, device: candidates.device));
        var drawn = cat(new[] { column, keys.topk(negatives.Value, dim: 1).indexes }, 1);
        var inputs = candidates.index_select(0, drawn.flatten()).reshape(Shape(drawn.shape[0], drawn.shape[1], candidates.shape[1..]));
        var targets = zeros(labels.shape[0], dtype: ScalarType.Int64, device: candidates.device);
        return nn.functional.cross_entropy(ScoreCandidateSets(decoded, inputs), targets);
    }

    static long[] Shape(long batch, long count, long[] rest) => new[] { batch, count }.Concat(rest).ToArray();
}

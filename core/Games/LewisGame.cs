using CommLab.Agents;
using CommLab.Estimators;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CommLab.Games;

/// <summary>The GRU Lewis signaling game of Zhang section 4, built like EGG's RnnSenderGS /
/// RnnReceiverGS (Havrylov and Titov 2017).
/// <para>Sender: a linear map of the target's features is the initial state of a
/// <see cref="GruSender"/>, whose raw words are logits over the vocabulary; the estimator turns them
/// into one-hot symbols (straight-through: hard forward, relaxed gradient).</para>
/// <para>Receiver: a <see cref="GruReceiver"/> reads the symbols, and its state after every step scores
/// each candidate by the dot product of its state with tanh(linear(candidate features)).</para>
/// <para>Termination follows <see cref="LewisGameSpec.Termination"/>: with EOS a forced EOS is
/// appended and the guess is read at the first EOS (<see cref="MessageEnd"/>); before
/// <see cref="LewisGameSpec.MinLength"/> steps the sender cannot choose EOS.</para></summary>
public sealed class LewisGame : Module
{
    readonly LewisGameSpec spec;
    readonly Linear senderInput;
    readonly GruSender sender;
    readonly GruReceiver receiver;
    readonly Linear candidateEncoder;
    readonly IDiscreteEstimator estimator;

    /// <summary>Builds the agents from a valid spec (the trainer checks it); parameters come from
    /// libtorch's global generator, symbol noise from <paramref name="noise"/>.</summary>
    public LewisGame(LewisGameSpec spec, Generator? noise) : base(nameof(LewisGame))
    {
        this.spec = spec;
        senderInput = Linear(spec.Features, spec.Hidden);
        sender = new GruSender(spec.Vocabulary, spec.Hidden, spec.Embedding);
        receiver = new GruReceiver(spec.Vocabulary, spec.Hidden, spec.Embedding);
        candidateEncoder = Linear(spec.Features, spec.Hidden);
        estimator = spec.Estimator.Create(noise);
        RegisterComponents();
    }

    /// <summary>The game's shape.</summary>
    public LewisGameSpec Spec => spec;

    /// <summary>The sender's symbol estimator, stepped once per gradient update.</summary>
    public IDiscreteEstimator Estimator => estimator;

    /// <summary>Messages for target features [B, F]: one-hot symbols [B, Steps, V] (the forced EOS
    /// included as the last step under EOS termination). Hard one-hots outside training.</summary>
    public Tensor Send(Tensor targets) =>
        sender.Speak(senderInput.call(targets), spec.MaxLength,
            (logits, step) => estimator.Apply(step < spec.MinLength ? MaskEos(logits) : logits, training),
            spec.Termination == MessageTermination.Eos ? MessageEnd.Eos : null);

    // A large finite negative rather than -inf: every estimator stays finite (GRMCK's conditioned
    // samples and TAGS subtract logits), and exp(-1e9 / tau) is exactly 0 in float32 for any usable tau.
    static Tensor MaskEos(Tensor logits) =>
        logits.index_fill(-1, tensor(new long[] { MessageEnd.Eos }, device: logits.device), -1e9);

    /// <summary>The receiver's candidate scores after every step: messages [B, T, V] and candidate
    /// features [B, C, F] give [B, T, C].</summary>
    public Tensor Receive(Tensor messages, Tensor candidates)
    {
        // One product over every step, after the GRU has read the whole message: per-step [B,C,H]x[B,H,1]
        // products cost 3x as much in libtorch 2.10 (MKL's batched GEMM on a matrix-vector shape).
        var encoded = candidateEncoder.call(candidates).tanh();
        return receiver.States(messages).bmm(encoded.transpose(1, 2));
    }

    /// <summary>Per-game loss [B]: the cross-entropy of picking the target at each step, weighted by
    /// where the message ends (EOS), or at the last step (fixed length).</summary>
    public Tensor Loss(Tensor messages, Tensor scores, Tensor targets)
    {
        var steps = scores.shape[1];
        var logp = scores.log_softmax(-1);
        var index = targets.view(-1, 1, 1).expand(-1, steps, 1);
        var perStep = -logp.gather(2, index).squeeze(-1);
        if (spec.Termination == MessageTermination.FixedLength) return perStep.select(1, steps - 1);
        return (perStep * MessageEnd.Weights(messages)).sum(1);
    }

    /// <summary>The receiver's guess for each game [B]: its best candidate at the step where the
    /// (hard) message ends.</summary>
    public Tensor Guess(Tensor messages, Tensor scores)
    {
        var at = spec.Termination == MessageTermination.Eos
            ? MessageEnd.FirstEos(messages)
            : full(messages.shape[0], messages.shape[1] - 1, dtype: ScalarType.Int64, device: messages.device);
        var chosen = scores.gather(1, at.view(-1, 1, 1).expand(-1, 1, scores.shape[2])).squeeze(1);
        return chosen.argmax(-1);
    }

    /// <summary>Effective length of each hard message [B]: symbols before the first EOS (L under fixed length).</summary>
    public Tensor Lengths(Tensor messages) =>
        spec.Termination == MessageTermination.Eos
            ? MessageEnd.Lengths(messages)
            : full(messages.shape[0], (long)spec.MaxLength, dtype: ScalarType.Int64, device: messages.device);
}

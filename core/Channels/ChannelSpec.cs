using CommLab.Estimators;
using CommLab.Validation;

namespace CommLab.Channels;

/// <summary>Everything that defines a channel. Validated by the DSL before anything trains; the
/// trainers validate it again (<see cref="ValidationExtensions.Validate"/>) so C# callers get the same messages.</summary>
/// <param name="Mode">CN, GS or QT.</param>
/// <param name="Architecture">Instant (one word) or Recurrent (GRU, <paramref name="MessageLength"/> words).</param>
/// <param name="Alphabet">Symbols per word element (QT: quantization levels; GS: categories). Unused by CN.</param>
/// <param name="WordLength">Elements per word. GS words are one-hot, so GS needs WordLength == Alphabet.</param>
/// <param name="MessageLength">Words per message; Instant channels send exactly one.</param>
/// <param name="Phase">QT only: quantize in training and inference, or in inference only.</param>
/// <param name="Estimator">GS only: how words are sampled and differentiated (paper: relaxed Gumbel-Softmax, temperature 1).</param>
/// <param name="Hidden">Recurrent only: GRU hidden size (paper, Object game: 1024).</param>
/// <param name="Embedding">Recurrent only: size of the word embedding fed to the GRUs (paper: 1024).</param>
/// <param name="Normalization">CN and QT: normalize each word alone (default) or the whole batch (authors' code).</param>
public sealed record ChannelSpec(
    ChannelMode Mode,
    ChannelArchitecture Architecture,
    int Alphabet,
    int WordLength,
    int MessageLength,
    QuantizePhase Phase,
    EstimatorSpec Estimator,
    int Hidden,
    int Embedding,
    Normalization Normalization = Normalization.PerWord) : IValidatable
{
    /// <summary>Size of the encodings the channel carries (the agents' encoders produce them and
    /// its receiver decodes to them): the word length for Instant, the GRU state for Recurrent.</summary>
    public int EncodingSize => Architecture == ChannelArchitecture.Instant ? WordLength : Hidden;

    /// <summary>Every problem with the channel, each naming the field, the bad value and what is allowed.
    /// The one source of these checks: the DSL reports the same list.</summary>
    public IReadOnlyList<string> Problems() =>
        new ProblemList()
            .AtLeast("word length", 1, WordLength)
            .AtLeast("message length", 1, MessageLength)
            .Check(Architecture != ChannelArchitecture.Instant || MessageLength == 1,
                $"message length must be 1 for an Instant channel, got {MessageLength}")
            .Check(Mode == ChannelMode.Continuous || Alphabet >= 2, $"alphabet size must be >= 2, got {Alphabet}")
            .Check(Mode != ChannelMode.Gumbel || WordLength == Alphabet,
                $"a Gumbel-Softmax word is one-hot, so word length must equal alphabet size ({Alphabet}), got {WordLength}")
            .AddRange(Mode == ChannelMode.Gumbel ? Estimator.Problems() : [])
            .Check(Architecture != ChannelArchitecture.Recurrent || (Hidden >= 1 && Embedding >= 1),
                $"recurrent hidden and embedding sizes must be >= 1, got {Hidden} and {Embedding}");
}

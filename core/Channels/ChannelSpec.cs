namespace CommLab.Channels;

/// <summary>Everything that defines a channel. Validated by the DSL before anything trains;
/// <see cref="Validate"/> repeats the checks so C# callers get the same messages.</summary>
/// <param name="Mode">CN, GS or QT.</param>
/// <param name="Architecture">Instant (one word) or Recurrent (GRU, <paramref name="MessageLength"/> words).</param>
/// <param name="Alphabet">Symbols per word element (QT: quantization levels; GS: categories). Unused by CN.</param>
/// <param name="WordLength">Elements per word. GS words are one-hot, so GS needs WordLength == Alphabet.</param>
/// <param name="MessageLength">Words per message; Instant channels send exactly one.</param>
/// <param name="Phase">QT only: quantize in training and inference, or in inference only.</param>
/// <param name="Temperature">GS only: Gumbel-Softmax temperature (paper: 1.0).</param>
/// <param name="StraightThrough">GS only: hard one-hot forward with the relaxed gradient (paper: off).</param>
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
    double Temperature,
    bool StraightThrough,
    int Hidden,
    int Embedding,
    Normalization Normalization = Normalization.PerWord)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad field.</summary>
    public void Validate()
    {
        if (WordLength < 1) throw new ArgumentException($"word length must be >= 1, got {WordLength}");
        if (MessageLength < 1) throw new ArgumentException($"message length must be >= 1, got {MessageLength}");
        if (Architecture == ChannelArchitecture.Instant && MessageLength != 1)
            throw new ArgumentException($"message length must be 1 for an Instant channel, got {MessageLength}");
        if (Mode != ChannelMode.Continuous && Alphabet < 2)
            throw new ArgumentException($"alphabet size must be >= 2, got {Alphabet}");
        if (Mode == ChannelMode.Gumbel && WordLength != Alphabet)
            throw new ArgumentException($"a Gumbel-Softmax word is one-hot, so word length must equal alphabet size ({Alphabet}), got {WordLength}");
        if (Mode == ChannelMode.Gumbel && !(Temperature > 0))
            throw new ArgumentException($"temperature must be > 0, got {Temperature}");
        if (Architecture == ChannelArchitecture.Recurrent && (Hidden < 1 || Embedding < 1))
            throw new ArgumentException($"recurrent hidden and embedding sizes must be >= 1, got {Hidden} and {Embedding}");
    }
}

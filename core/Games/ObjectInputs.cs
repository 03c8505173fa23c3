namespace CommLab.Games;

/// <summary>What the Object game's agents read of an object. The quantization paper builds on EGG's
/// objects game and says only "a single fully-connected layer"; the two differ here, so both exist.</summary>
public enum ObjectEncoding
{
    /// <summary>One-hot per attribute: Attributes x Values inputs (our default).</summary>
    OneHot,
    /// <summary>The attribute values themselves, 1..Values as numbers: Attributes inputs (EGG's objects game).</summary>
    Values,
}

/// <summary>What follows the Object game agents' fully-connected layer.</summary>
public enum AgentActivation
{
    /// <summary>Nothing: the encoding is the layer's output (our default).</summary>
    None,
    /// <summary>tanh, as EGG's objects-game Sender and Receiver apply to their layer's output.</summary>
    Tanh,
}

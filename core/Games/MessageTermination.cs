namespace CommLab.Games;

/// <summary>How a Lewis-game message ends.</summary>
public enum MessageTermination
{
    /// <summary>EGG's convention (the default). Symbol 0 is EOS. The sender emits L symbols and then a
    /// forced EOS, so a message has L + 1 steps; it ends at its first EOS, which the receiver reads
    /// like any symbol, and the receiver's guess is its output at that step. Symbols after the first
    /// EOS are ignored. The effective length |M| is the number of symbols before the first EOS (0..L),
    /// so the vocabulary has V - 1 content symbols. In training the loss of step t is weighted by the
    /// probability mass of ending there, eos_t prod_{s&lt;t} (1 - eos_s), which a straight-through
    /// estimator makes 0 or 1 in the forward pass while passing gradient to every EOS choice.</summary>
    Eos,
    /// <summary>No end symbol: every message has exactly L symbols (symbol 0 is an ordinary symbol),
    /// the receiver reads them all and guesses after the last one.</summary>
    FixedLength
}

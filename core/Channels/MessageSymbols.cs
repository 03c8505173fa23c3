using CommLab.Metrics;
using static TorchSharp.torch;

namespace CommLab.Channels;

/// <summary>What a channel's messages say, row by row, for analysing the language: the symbols of a
/// discrete channel, the values of a continuous one.</summary>
public static class MessageSymbols
{
    /// <summary>The messages [B, M, W] of a channel <paramref name="spec"/> (as sent in evaluation) as
    /// B rows. QT: the level of every word element, M x W symbols in 0..Alphabet-1 (the quantized
    /// values are the symbols). GS: each one-hot word's category, M symbols. CN: the M x W values.</summary>
    public static (MessageKind Kind, double[][] Rows) Of(ChannelSpec spec, Tensor messages)
    {
        using var scope = NewDisposeScope();
        var (kind, flat) = spec.Mode switch
        {
            ChannelMode.Quantized => (MessageKind.Symbols, Quantizer.Symbols(messages, spec.Alphabet).reshape(messages.shape[0], -1)),
            ChannelMode.Gumbel => (MessageKind.Symbols, messages.argmax(-1).reshape(messages.shape[0], -1)),
            ChannelMode.Continuous => (MessageKind.Continuous, messages.reshape(messages.shape[0], -1)),
            _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Mode, "unknown channel mode"),
        };
        return (kind, TopographicSimilarity.Rows(flat));
    }
}

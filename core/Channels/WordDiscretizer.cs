using static TorchSharp.torch;

namespace CommLab.Channels;

/// <summary>Turns the sender's raw word (a real vector) into what travels on the channel,
/// according to the mode and whether the agents are training. This is the only place where
/// the three communication modes differ, so channels never branch on the mode themselves.</summary>
public sealed class WordDiscretizer
{
    readonly ChannelSpec spec;
    readonly Generator? noise;

    /// <param name="spec">The channel.</param>
    /// <param name="noise">Source of Gumbel noise, so a run is reproducible from its seed.</param>
    public WordDiscretizer(ChannelSpec spec, Generator? noise)
    {
        this.spec = spec;
        this.noise = noise;
    }

    /// <summary>The word sent for <paramref name="raw"/> (shape [..., WordLength]).</summary>
    public Tensor Apply(Tensor raw, bool training) => spec.Mode switch
    {
        ChannelMode.Continuous => Quantizer.Normalize(raw, spec.Normalization),
        ChannelMode.Quantized when training && spec.Phase == QuantizePhase.InferenceOnly => Quantizer.Normalize(raw, spec.Normalization),
        ChannelMode.Quantized => Quantizer.Quantize(Quantizer.Normalize(raw, spec.Normalization), spec.Alphabet),
        ChannelMode.Gumbel when training => GumbelSoftmax.Sample(raw, spec.Temperature, spec.StraightThrough, noise),
        ChannelMode.Gumbel => GumbelSoftmax.OneHotArgmax(raw),
        _ => throw new ArgumentOutOfRangeException(nameof(spec.Mode), spec.Mode, "unknown channel mode"),
    };
}

using CommLab.Estimators;
using static TorchSharp.torch;

namespace CommLab.Channels;

/// <summary>Turns the sender's raw word (a real vector) into what travels on the channel,
/// according to the mode and whether the agents are training. This is the only place where
/// the three communication modes differ, so channels never branch on the mode themselves.
/// Every discrete choice goes through the estimator library (<see cref="CommLab.Estimators"/>).</summary>
public sealed class WordDiscretizer
{
    readonly ChannelSpec spec;

    /// <param name="spec">The channel.</param>
    /// <param name="noise">Source of Gumbel noise, so a run is reproducible from its seed.</param>
    public WordDiscretizer(ChannelSpec spec, Generator? noise)
    {
        this.spec = spec;
        Estimator = spec.Mode == ChannelMode.Gumbel ? spec.Estimator.Create(noise) : null;
    }

    /// <summary>The GS channel's estimator; null for CN and QT, whose rounding has no state.</summary>
    public IDiscreteEstimator? Estimator { get; }

    /// <summary>The word sent for <paramref name="raw"/> (shape [..., WordLength]).</summary>
    public Tensor Apply(Tensor raw, bool training) => spec.Mode switch
    {
        ChannelMode.Continuous => Quantizer.Normalize(raw, spec.Normalization),
        ChannelMode.Quantized when training && spec.Phase == QuantizePhase.InferenceOnly => Quantizer.Normalize(raw, spec.Normalization),
        ChannelMode.Quantized => Quantizer.Quantize(Quantizer.Normalize(raw, spec.Normalization), spec.Alphabet),
        ChannelMode.Gumbel => Estimator!.Apply(raw, training),
        _ => throw new ArgumentOutOfRangeException(nameof(spec.Mode), spec.Mode, "unknown channel mode"),
    };
}

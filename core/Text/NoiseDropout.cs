using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CommLab.Text;

/// <summary>Where a model's dropout masks come from: a generator its owner sets, or (null) libtorch's
/// global generator, as torch's Dropout draws.</summary>
public sealed class DropoutNoise
{
    /// <summary>The generator the masks are drawn from; null: the global one.</summary>
    public Generator? Generator { get; set; }
}

/// <summary>Dropout (in training mode only, inverted: kept values scaled by 1/(1-p)) whose masks come
/// from a <see cref="DropoutNoise"/>. Fine-tuning a DistilBERT with its dropout drawn from the global
/// generator would make a Sent-Cls run depend on what else runs in the process (two runs at once
/// share that generator); a run's own generator makes it reproducible.</summary>
public sealed class NoiseDropout : Module<Tensor, Tensor>
{
    readonly double probability;
    readonly DropoutNoise noise;

    /// <param name="probability">Chance of zeroing each value, in [0, 1).</param>
    /// <param name="noise">Where the masks come from.</param>
    public NoiseDropout(double probability, DropoutNoise noise) : base(nameof(NoiseDropout))
    {
        this.probability = probability;
        this.noise = noise;
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (!training || probability == 0) return input;
        if (noise.Generator is null) return functional.dropout(input, probability, true);
        var keep = rand(input.shape, generator: noise.Generator, dtype: input.dtype, device: input.device).ge(probability);
        return input * keep / (1 - probability);
    }
}

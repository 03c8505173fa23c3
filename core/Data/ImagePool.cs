using static TorchSharp.torch;

namespace CommLab.Data;

/// <summary>The images of one split of the Image game: its targets, which are also the only images
/// its distractors are drawn from, so targets and candidates never cross splits (the paper's Section
/// 4.1). The tensors belong to the pool.</summary>
/// <param name="Features">Each image's features, L2-normalised as EGG loads them: [P, F] float32.</param>
/// <param name="Classes">Each image's class, numbered across all splits by label: [P] int64.</param>
/// <param name="Rows">Each image's row in its data file (for the interactions file).</param>
public sealed record ImagePool(Tensor Features, Tensor Classes, int[] Rows) : IDisposable
{
    /// <summary>Images in the pool.</summary>
    public int Count => (int)Features.shape[0];

    /// <summary>Features per image.</summary>
    public int FeatureSize => (int)Features.shape[1];

    /// <inheritdoc />
    public void Dispose()
    {
        Features.Dispose();
        Classes.Dispose();
    }
}

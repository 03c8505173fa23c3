using static TorchSharp.torch;

namespace CommLab.Training;

/// <summary>One split (train, validation or test) of a referential game whose sender sees only its
/// target, as tensors: what the sender reads of each target, every candidate the receiver may pick
/// from, and which candidate each target is. The Object game's candidates are all 10^4 objects in
/// every split; Sent-Ref's are the split's own sentences; Sent-Cls's are the 77 intent names, so a
/// target's candidate is its class, not itself. The tensors belong to the caller.</summary>
/// <param name="SenderInputs">What the sender reads, one row per target: [n, ...].</param>
/// <param name="Candidates">Every candidate the receiver scores: [m, ...].</param>
/// <param name="Labels">Each target's candidate row, [n] int64.</param>
/// <param name="Games">Each target's id in its data set (for the interactions file).</param>
/// <param name="Attributes">What is known of each target's meaning (the Object game's attribute values;
/// a sentence's or an image's class), for the language's measures.</param>
public sealed record ReferentialSplit(Tensor SenderInputs, Tensor Candidates, Tensor Labels, int[] Games, int[][] Attributes)
{
    /// <summary>Number of targets.</summary>
    public int Count => (int)Labels.shape[0];
}

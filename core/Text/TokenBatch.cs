using static TorchSharp.torch;

namespace CommLab.Text;

/// <summary>Sentences encoded for the model: <paramref name="Ids"/> [B, T] int64 token ids, each
/// sentence padded with [PAD] to the longest, and <paramref name="Mask"/> [B, T] int64, 1 on the
/// sentence's tokens and 0 on padding (Hugging Face's input_ids and attention_mask).</summary>
public sealed record TokenBatch(Tensor Ids, Tensor Mask);

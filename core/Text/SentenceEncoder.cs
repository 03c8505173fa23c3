using static TorchSharp.torch;

namespace CommLab.Text;

/// <summary>Sentences to sentence vectors with a tokenizer and a DistilBERT: the one path from text to
/// the numbers the sentence games (and the `encode` command) use.</summary>
public static class SentenceEncoder
{
    /// <summary>One vector of the model's dim per text, in order: texts are encoded in batches of
    /// <paramref name="batchSize"/> (each as <see cref="WordPieceTokenizer.EncodeBatch"/> with
    /// <paramref name="maxLength"/>), run through <paramref name="model"/> in evaluation mode without
    /// gradients, and pooled as <paramref name="pooling"/> says. Padding does not change a sentence's vector
    /// (padded keys get zero attention), so the batch size changes only the last digits.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> &lt; 1 or <paramref name="maxLength"/> &lt; 2.</exception>
    public static float[][] Vectors(WordPieceTokenizer tokenizer, DistilBert model, IReadOnlyList<string> texts,
                                    SentencePooling pooling, int maxLength, int batchSize = 32)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batch size must be >= 1, got {batchSize}");
        var vectors = new float[texts.Count][];
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            for (int start = 0; start < texts.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var count = Math.Min(batchSize, texts.Count - start);
                var batch = tokenizer.EncodeBatch(texts.Skip(start).Take(count).ToList(), maxLength);
                var pooled = model.SentenceVectors(batch.Ids, batch.Mask, pooling).to_type(ScalarType.Float32).cpu().contiguous();
                var values = pooled.data<float>().ToArray();
                var dim = (int)pooled.shape[1];
                for (int i = 0; i < count; i++) vectors[start + i] = values[(i * dim)..((i + 1) * dim)];
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return vectors;
    }
}

namespace CommLab.Text;

/// <summary>How a sentence's token states become one sentence vector.</summary>
public enum SentencePooling
{
    /// <summary>The state of the first token, [CLS]: what DistilBertForSequenceClassification reads
    /// (through its pre_classifier), so what a fine-tuned classifier's features are.</summary>
    Cls,

    /// <summary>The mean of the states of the sentence's tokens ([CLS] and [SEP] included, padding excluded).</summary>
    Mean,
}

namespace CommLab.Channels;

/// <summary>How a word is represented on the channel (the paper's communication modes).</summary>
public enum ChannelMode
{
    /// <summary>CN: a real vector, min-max normalized to [0,1]; no symbols.</summary>
    Continuous,
    /// <summary>GS: a one-hot word over the alphabet, relaxed by Gumbel-Softmax while training.</summary>
    Gumbel,
    /// <summary>QT: a normalized vector rounded to an alphabet of evenly spaced symbols.</summary>
    Quantized,
}

/// <summary>When quantization is applied (QT only).</summary>
public enum QuantizePhase
{
    /// <summary>Quantize in training (straight-through gradient) and in evaluation.</summary>
    TrainAndInference,
    /// <summary>Train on the continuous word; quantize only in evaluation.</summary>
    InferenceOnly,
}

/// <summary>Channel architecture: one word per message, or a GRU that speaks several words.</summary>
public enum ChannelArchitecture
{
    /// <summary>A single word per message, produced by a fully-connected layer.</summary>
    Instant,
    /// <summary>Multi-word messages from a GRU sender, read by a GRU receiver.</summary>
    Recurrent,
}

/// <summary>Range over which a word is min-max normalized to [0,1] before it is sent.</summary>
public enum Normalization
{
    /// <summary>Each word on its own (default): a message never depends on other samples.</summary>
    PerWord,
    /// <summary>Over the whole batch of words at once, as the authors' example code does. The
    /// message then depends on the batch it is sent in; kept to reproduce the reference numbers.</summary>
    Batch,
}

namespace CommLab.Estimators;

/// <summary>The discrete gradient estimators of "Revisiting the Gumbel-Softmax in MADDPG" (Section 3),
/// plus the relaxed Gumbel-Softmax that "Emergent Quantized Communication" trains its GS channels with.</summary>
public enum EstimatorKind
{
    /// <summary>softmax((l + g) / tau) forward and backward: the output is not one-hot in training.</summary>
    RelaxedGumbelSoftmax,

    /// <summary>STGS: one-hot argmax(l + g) forward, softmax((l + g) / tau) backward. STGS-1 is tau = 1, STGS-T a lower tau.</summary>
    StraightThroughGumbelSoftmax,

    /// <summary>TAGS: STGS whose temperature decays exponentially over a number of gradient updates, then holds.</summary>
    TemperatureAnnealed,

    /// <summary>GRMCK: a categorical sample forward; backward, the mean over K Gumbel perturbations conditioned on that sample.</summary>
    GumbelRaoMonteCarlo,

    /// <summary>GST: a categorical sample forward; backward, softmax of deterministically gapped logits.</summary>
    GappedStraightThrough,
}

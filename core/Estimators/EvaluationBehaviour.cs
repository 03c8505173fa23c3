namespace CommLab.Estimators;

/// <summary>What an estimator returns outside training, when no gradient is needed.</summary>
public enum EvaluationBehaviour
{
    /// <summary>The most likely category (one-hot). Channels evaluate this way: a message is a function of its input.</summary>
    Argmax,

    /// <summary>A one-hot sample of Categorical(softmax(logits)). MADDPG acts this way: the policy stays stochastic.</summary>
    Sample,
}

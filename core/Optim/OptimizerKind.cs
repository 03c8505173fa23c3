namespace CommLab.Optim;

/// <summary>Optimizers a trainer can use.</summary>
public enum OptimizerKind
{
    /// <summary><see cref="ScheduleFreeAdamW"/> (Zhang's choice): evaluation at x.</summary>
    ScheduleFreeAdamW,
    /// <summary>TorchSharp's Adam (EGG's default), for comparison.</summary>
    Adam
}

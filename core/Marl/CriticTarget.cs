namespace CommLab.Marl;

/// <summary>How the critics' regression target y_i = r_i + gamma (1 - d) Q(o', a') is formed. The paper
/// writes one thing and its code did another; both are kept so the difference can be measured.</summary>
/// <remarks>The default (<see cref="MaddpgSettings.CriticTarget"/>) is <see cref="AsRun"/>: the paper's
/// Table 1 and figures were produced by that code (runs of August 2022; the target policy was put in
/// only by commit 7d6be21 of February 2023, and the target critic was never used), so a reproduction of
/// its numbers has to run what produced them. <see cref="AsDescribed"/> is the ablation.</remarks>
public enum CriticTarget
{
    /// <summary>The paper's equation: the target critic Q̄_i at the next observations and actions a'_j
    /// sampled from the target policies μ̄_j; only true terminations are done, so an episode cut by the
    /// time limit still bootstraps.</summary>
    AsDescribed,

    /// <summary>The authors' code as it ran: the online critic Q_i, actions a'_j sampled from the online
    /// policies, and time-limit ends stored as done (no bootstrap after the 25th LBF or 500th RWARE
    /// step). The target networks are still soft-updated, but nothing reads them.</summary>
    AsRun,
}

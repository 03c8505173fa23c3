namespace CommLab.Envs.Foraging;

/// <summary>Level-Based Foraging settings, as lbforaging's ForagingEnv at commit a409b67 (gym "v2")
/// takes them. Defaults are the registered ones: max player level 3, 50-step episodes, normalised
/// rewards, no load penalty.</summary>
public sealed record ForagingTask : EnvTask
{
    /// <summary>Grid rows.</summary>
    public int Rows { get; init; } = 8;

    /// <summary>Grid columns.</summary>
    public int Cols { get; init; } = 8;

    /// <summary>Number of players (agents).</summary>
    public int Players { get; init; } = 2;

    /// <summary>Foods spawned per episode (fewer if 1,000 placement attempts run out, as in the reference).</summary>
    public int MaxFood { get; init; } = 2;

    /// <summary>How far a player sees in each direction: the registered names use 2 (<c>-2s</c>) or the
    /// grid size (full observability, absolute coordinates).</summary>
    public int Sight { get; init; } = 8;

    /// <summary>Cooperative mode (<c>-coop</c>): every food has the sum of the three lowest player levels.</summary>
    public bool Coop { get; init; }

    /// <summary>Player levels are drawn from 1..MaxPlayerLevel-1 (numpy's exclusive randint, which the
    /// pinned commit uses: levels {1, 2} with the default 3).</summary>
    public int MaxPlayerLevel { get; init; } = 3;

    /// <summary>Episode limit in steps. The env is registered with 50; the MADDPG paper's runs cut episodes at 25.</summary>
    public int MaxEpisodeSteps { get; init; } = 50;

    /// <summary>Divide each load reward by (sum of loaders' levels * total food level spawned), so a whole
    /// episode's rewards, summed over agents, add up to at most 1.</summary>
    public bool NormalizeReward { get; init; } = true;

    /// <summary>Subtracted from each loader's reward when their levels fall short of the food's.</summary>
    public double Penalty { get; init; }

    public override string Name =>
        IsRegistered
            ? $"Foraging{(Sight != Rows ? "-2s" : "")}-{Rows}x{Cols}-{Players}p-{MaxFood}f{(Coop ? "-coop" : "")}"
            : $"Foraging(rows={Rows}, cols={Cols}, players={Players}, food={MaxFood}, sight={Sight}, coop={Coop}, " +
              $"maxPlayerLevel={MaxPlayerLevel}, maxEpisodeSteps={MaxEpisodeSteps}, normalizeReward={NormalizeReward}, penalty={Penalty})";

    bool IsRegistered =>
        Rows == Cols && (Sight == 2 || Sight == Rows) && MaxPlayerLevel == 3 && MaxEpisodeSteps == 50
        && NormalizeReward && Penalty == 0;

    public override int Agents => Players;

    /// <summary>NONE, NORTH, SOUTH, WEST, EAST, LOAD.</summary>
    public override int ActionCount => 6;

    /// <summary>(y, x, level) for each of MaxFood foods, then for each player: 3 * (MaxFood + Players).</summary>
    public override int ObservationLength => 3 * (MaxFood + Players);

    /// <summary>The highest food level possible: the reference's observation bound, MaxPlayerLevel * Players.</summary>
    public int MaxFoodLevel => MaxPlayerLevel * Players;

    public override void Validate()
    {
        // Food spawns strictly inside the border, so a 3x3 grid is the smallest with a food cell.
        if (Rows < 3) throw new ArgumentException($"Rows must be >= 3, got {Rows}");
        if (Cols < 3) throw new ArgumentException($"Cols must be >= 3, got {Cols}");
        if (Players < 1) throw new ArgumentException($"Players must be >= 1, got {Players}");
        if (Players > Rows * Cols) throw new ArgumentException($"Players must fit the grid (<= {Rows * Cols}), got {Players}");
        if (MaxFood < 1) throw new ArgumentException($"MaxFood must be >= 1, got {MaxFood}");
        if (Sight < 1) throw new ArgumentException($"Sight must be >= 1, got {Sight}");
        if (MaxPlayerLevel < 2)
            throw new ArgumentException($"MaxPlayerLevel must be >= 2 (levels are drawn from 1..MaxPlayerLevel-1), got {MaxPlayerLevel}");
        if (MaxEpisodeSteps < 1) throw new ArgumentException($"MaxEpisodeSteps must be >= 1, got {MaxEpisodeSteps}");
        if (!(Penalty >= 0)) throw new ArgumentException($"Penalty must be >= 0, got {Penalty}");
    }

    public override IVectorEnv Create(int batchSize, int threads = 1) => new ForagingEnv(this, batchSize, threads);
}

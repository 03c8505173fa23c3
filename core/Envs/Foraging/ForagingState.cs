namespace CommLab.Envs.Foraging;

/// <summary>A player: cell (row, col), row 0 at the top, and level.</summary>
public sealed record ForagingPlayer(int Row, int Col, int Level);

/// <summary>A food item still on the field: cell and level.</summary>
public sealed record ForagingFood(int Row, int Col, int Level);

/// <summary>Everything that determines a Level-Based Foraging environment's future: what
/// <see cref="IVectorEnv.SaveState"/> writes and <see cref="IVectorEnv.RestoreState"/> reads.</summary>
/// <param name="Step">Steps taken in this episode.</param>
/// <param name="FoodSpawned">Total level of the food placed at reset: the reward normaliser.</param>
/// <param name="Players">Players in agent order.</param>
/// <param name="Food">Food still on the field (any order).</param>
/// <param name="Rng">The environment's generator state (64 hex digits), or null to keep the current one.</param>
public sealed record ForagingState(
    int Step,
    int FoodSpawned,
    IReadOnlyList<ForagingPlayer> Players,
    IReadOnlyList<ForagingFood> Food,
    string? Rng);

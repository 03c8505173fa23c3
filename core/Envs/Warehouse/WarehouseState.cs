namespace CommLab.Envs.Warehouse;

/// <summary>Robot headings, numbered as the reference's Direction enum (the order of the observation's
/// one-hot).</summary>
public enum Heading { Up = 0, Down = 1, Left = 2, Right = 3 }

/// <summary>A robot: cell (x column, y row from the top), heading, the shelf it carries (index into
/// <see cref="WarehouseState.Shelves"/>, or null), and whether it delivered that shelf (TwoStage rewards).</summary>
public sealed record WarehouseAgent(int X, int Y, Heading Direction, int? Carrying = null, bool HasDelivered = false);

/// <summary>A shelf's cell. Shelves are numbered by their home cells in row-major order, as the reference
/// creates them; a carried shelf is at its carrier's cell.</summary>
public sealed record WarehouseShelf(int X, int Y);

/// <summary>Everything that determines a warehouse's future: what <see cref="IVectorEnv.SaveState"/>
/// writes and <see cref="IVectorEnv.RestoreState"/> reads.</summary>
/// <param name="Step">Steps taken in this episode.</param>
/// <param name="InactiveSteps">Steps since the last delivery.</param>
/// <param name="Agents">Robots in agent order.</param>
/// <param name="Shelves">Every shelf's cell, by shelf index (null on input: every shelf at home).</param>
/// <param name="Requests">The request queue: shelf indices, distinct, in queue order.</param>
/// <param name="Rng">The environment's generator state (64 hex digits), or null to keep the current one.</param>
public sealed record WarehouseState(
    int Step,
    int InactiveSteps,
    IReadOnlyList<WarehouseAgent> Agents,
    IReadOnlyList<WarehouseShelf>? Shelves,
    IReadOnlyList<int> Requests,
    string? Rng);

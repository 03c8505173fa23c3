namespace CommLab.Envs.Warehouse;

/// <summary>How deliveries are rewarded (rware's RewardType).</summary>
public enum WarehouseReward
{
    /// <summary>+1 to the agent that brought a requested shelf to a goal (the registered tasks).</summary>
    Individual,
    /// <summary>+1 to every agent for each delivery.</summary>
    Global,
    /// <summary>+0.5 on delivery, +0.5 more when the same agent then puts the shelf down off the highway.</summary>
    TwoStage,
}

/// <summary>How a robot's observation vector is laid out.</summary>
public enum WarehouseObservation
{
    /// <summary>What the MADDPG authors' networks saw (the default): rware at the pinned commit sizes
    /// its flat observation with gym 0.21's <c>flatdim</c> of the dictionary space, which flattens the
    /// location <c>MultiDiscrete([W, H])</c> to W + H values and the carrying flag <c>MultiDiscrete([2])</c>
    /// to 2, so the informative values are followed by W + H - 1 zeros: W + H + 70 values on sensor
    /// range 1 (91 on tiny).</summary>
    AsTrained,
    /// <summary>Only the informative values, 8 + 7 per sensor cell (71 on sensor range 1), as rware's
    /// fast observation computes them.</summary>
    Informative,
}

/// <summary>Multi-Robot Warehouse settings, as rware's Warehouse at commit 8fb9805 ("v1") takes them.
/// The grid is (ColumnHeight + 1) * ShelfRows + 2 rows by 3 * ShelfColumns + 1 columns; defaults are
/// the registered tiny-2ag task.</summary>
public sealed record WarehouseTask : EnvTask
{
    /// <summary>Shelf blocks across (odd, as the reference requires: the middle block is cut for the
    /// queue in front of the goals).</summary>
    public int ShelfColumns { get; init; } = 3;

    /// <summary>Shelf blocks down.</summary>
    public int ShelfRows { get; init; } = 1;

    /// <summary>Shelves per block column.</summary>
    public int ColumnHeight { get; init; } = 8;

    /// <summary>Number of robots.</summary>
    public int AgentCount { get; init; } = 2;

    /// <summary>Shelves requested at any time (registered: N, easy 2N, hard N/2 truncated).</summary>
    public int RequestQueueSize { get; init; } = 2;

    /// <summary>Cells seen in each direction.</summary>
    public int SensorRange { get; init; } = 1;

    /// <summary>Episode limit in steps (0: none).</summary>
    public int MaxSteps { get; init; } = 500;

    /// <summary>End the episode after this many steps without a delivery (0: never, the registered value).</summary>
    public int MaxInactivitySteps { get; init; }

    public WarehouseReward Reward { get; init; } = WarehouseReward.Individual;

    /// <summary>The observation layout; the padded one the MADDPG authors trained on by default.</summary>
    public WarehouseObservation Observation { get; init; } = WarehouseObservation.AsTrained;

    /// <summary>A custom floor plan as text (see <see cref="WarehouseLayout.Parse"/>: x shelf, . highway,
    /// g goal), the reference's <c>layout</c> argument; when set, ShelfRows, ShelfColumns and ColumnHeight
    /// are ignored. Null: the block layout.</summary>
    public string? Layout { get; init; }

    /// <summary>Grid rows (y runs 0..GridRows-1 from the top).</summary>
    public int GridRows => Layout is null ? (ColumnHeight + 1) * ShelfRows + 2 : WarehouseLayout.Parse(Layout).Rows;

    /// <summary>Grid columns (x runs 0..GridColumns-1 from the left).</summary>
    public int GridColumns => Layout is null ? 3 * ShelfColumns + 1 : WarehouseLayout.Parse(Layout).Columns;

    /// <summary>The registered size names and their (shelf rows, shelf columns).</summary>
    public static (int Rows, int Columns) SizeShelves(string size) => size switch
    {
        "tiny" => (1, 3),
        "small" => (2, 3),
        "medium" => (2, 5),
        "large" => (3, 5),
        _ => throw new ArgumentException($"unknown warehouse size '{size}': valid sizes are tiny, small, medium, large"),
    };

    public override string Name
    {
        get
        {
            var size = (ShelfRows, ShelfColumns) switch
            {
                (1, 3) => "tiny", (2, 3) => "small", (2, 5) => "medium", (3, 5) => "large", _ => null,
            };
            var difficulty = RequestQueueSize == AgentCount ? "" : RequestQueueSize == 2 * AgentCount ? "-easy"
                : RequestQueueSize == AgentCount / 2 ? "-hard" : null;
            if (Layout != null)
                return $"rware(custom layout {GridRows}x{GridColumns}, agents={AgentCount}, requests={RequestQueueSize}, " +
                       $"sensorRange={SensorRange}, maxSteps={MaxSteps}, maxInactivitySteps={MaxInactivitySteps}, reward={Reward})";
            var registered = size != null && difficulty != null && ColumnHeight == 8 && SensorRange == 1 && MaxSteps == 500
                && MaxInactivitySteps == 0 && Reward == WarehouseReward.Individual;
            return registered
                ? $"rware-{size}-{AgentCount}ag{difficulty}"
                : $"rware(shelfRows={ShelfRows}, shelfColumns={ShelfColumns}, columnHeight={ColumnHeight}, agents={AgentCount}, " +
                  $"requests={RequestQueueSize}, sensorRange={SensorRange}, maxSteps={MaxSteps}, " +
                  $"maxInactivitySteps={MaxInactivitySteps}, reward={Reward})";
        }
    }

    public override int Agents => AgentCount;

    /// <summary>NOOP, FORWARD, LEFT, RIGHT, TOGGLE_LOAD.</summary>
    public override int ActionCount => 5;

    /// <summary>Cells in the sensor square.</summary>
    public int SensorCells => (2 * SensorRange + 1) * (2 * SensorRange + 1);

    /// <summary>The informative values: 8 self features (x, y, carrying, heading one-hot, on highway),
    /// then 7 per sensor cell: 71 for sensor range 1.</summary>
    public int InformativeLength => 8 + 7 * SensorCells;

    /// <summary><see cref="InformativeLength"/>, followed under <see cref="WarehouseObservation.AsTrained"/>
    /// by the W + H - 1 zeros that gym 0.21's flattening of x and y (W + H values, not 2) and of the
    /// carrying flag (2, not 1) adds: 91 on tiny.</summary>
    public override int ObservationLength =>
        Observation == WarehouseObservation.AsTrained ? InformativeLength + GridColumns + GridRows - 1 : InformativeLength;

    public override void Validate()
    {
        if (Layout == null)
        {
            if (ShelfColumns < 1 || ShelfColumns % 2 == 0)
                throw new ArgumentException($"ShelfColumns must be odd and >= 1 (the reference supports only odd numbers), got {ShelfColumns}");
            if (ShelfRows < 1) throw new ArgumentException($"ShelfRows must be >= 1, got {ShelfRows}");
            if (ColumnHeight < 1) throw new ArgumentException($"ColumnHeight must be >= 1, got {ColumnHeight}");
        }
        // Built once (a custom plan is parsed and checked here) for the size and shelf checks below.
        var plan = WarehouseLayout.For(this);
        if (AgentCount < 1) throw new ArgumentException($"AgentCount must be >= 1, got {AgentCount}");
        if (AgentCount > plan.Rows * plan.Columns)
            throw new ArgumentException($"AgentCount must fit the {plan.Rows}x{plan.Columns} grid, got {AgentCount}");
        var shelves = plan.ShelfCount;
        if (shelves == 0)
            throw new ArgumentException($"the {plan.Rows}x{plan.Columns} layout has no shelves (no 'x' cell): a warehouse needs at least one shelf to request");
        // A delivery draws its replacement among the shelves not requested, so one must always be left.
        if (RequestQueueSize < 0 || RequestQueueSize >= shelves)
            throw new ArgumentException(
                $"RequestQueueSize must be in 0..{shelves - 1} (fewer than the {shelves} shelves), got {RequestQueueSize}");
        // From max(rows, columns) - 1 on, the (2r+1)^2 window covers the whole grid from every cell: a
        // larger range only adds cells outside it (1000 would mean 4 x 10^6 cells per agent per step).
        var widest = Math.Max(1, Math.Max(plan.Rows, plan.Columns) - 1);
        if (SensorRange < 1 || SensorRange > widest)
            throw new ArgumentException(
                $"SensorRange must be in 1..{widest} (from {widest} on the window covers the whole {plan.Rows}x{plan.Columns} grid from every cell), got {SensorRange}");
        if (MaxSteps < 0) throw new ArgumentException($"MaxSteps must be >= 0 (0: no limit), got {MaxSteps}");
        if (MaxInactivitySteps < 0) throw new ArgumentException($"MaxInactivitySteps must be >= 0 (0: never), got {MaxInactivitySteps}");
        if (!Enum.IsDefined(Reward)) throw new ArgumentException($"Reward must be Individual, Global or TwoStage, got {Reward}");
        if (!Enum.IsDefined(Observation)) throw new ArgumentException($"Observation must be AsTrained or Informative, got {Observation}");
    }

    public override IVectorEnv Create(int batchSize, int threads = 1) => new WarehouseEnv(this, batchSize, threads);
}

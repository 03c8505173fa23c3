using System.Text.RegularExpressions;
using CommLab.Envs.Foraging;
using CommLab.Envs.Warehouse;

namespace CommLab.Envs;

/// <summary>A task: one environment family with all of its settings. Records, so a variant is
/// <c>task with { Sight = 1 }</c>; every setting is checked by <see cref="Validate"/> before an
/// environment is built.</summary>
public abstract record EnvTask
{
    /// <summary>The reference's registered name for these settings (without the gym version suffix), or a
    /// description when a setting was changed away from every registered name.</summary>
    public abstract string Name { get; }

    /// <summary>Agents per environment.</summary>
    public abstract int Agents { get; }

    /// <summary>Discrete actions per agent.</summary>
    public abstract int ActionCount { get; }

    /// <summary>Floats per agent observation.</summary>
    public abstract int ObservationLength { get; }

    /// <summary>Throws ArgumentException naming the first setting outside its allowed values.</summary>
    public abstract void Validate();

    /// <summary>A batch of <paramref name="batchSize"/> environments stepped by <paramref name="threads"/>
    /// threads (1 = the calling thread only). Call <see cref="IVectorEnv.Reset"/> before stepping.</summary>
    public abstract IVectorEnv Create(int batchSize, int threads = 1);

    /// <summary>The valid task-name forms, for error messages and help.</summary>
    public const string ValidForms =
        "Foraging[-2s]-{S}x{S}-{P}p-{F}f[-coop][-v2] with S in 5..19, P in 2..19, F in 1..9 " +
        "(e.g. Foraging-8x8-2p-2f-coop, Foraging-2s-10x10-3p-3f); " +
        "rware-{tiny|small|medium|large}-{N}ag[-easy|-hard][-v1] with N in 1..19 (e.g. rware-tiny-4ag)";

    /// <summary>The nine tasks of Table 1 of "Revisiting the Gumbel-Softmax in MADDPG".</summary>
    public static readonly IReadOnlyList<string> PaperTasks =
    [
        "Foraging-8x8-2p-2f-coop", "Foraging-2s-8x8-2p-2f-coop", "Foraging-10x10-3p-3f", "Foraging-2s-10x10-3p-3f",
        "Foraging-15x15-3p-5f", "Foraging-15x15-4p-3f", "Foraging-15x15-4p-5f", "rware-tiny-2ag", "rware-tiny-4ag",
    ];

    static readonly Regex ForagingName = new(@"^Foraging(?<sight>-2s)?-(?<s>\d+)x(?<s2>\d+)-(?<p>\d+)p-(?<f>\d+)f(?<coop>-coop)?(-v2)?$");
    static readonly Regex WarehouseName = new(@"^rware-(?<size>tiny|small|medium|large)-(?<n>\d+)ag(?<diff>-easy|-hard)?(-v1)?$");

    /// <summary>Parses a reference task name (LBF gym "v2" or RWARE "v1" naming; the version suffix is
    /// optional). Anything else is refused with the list of valid forms.</summary>
    public static EnvTask Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var f = ForagingName.Match(name);
        if (f.Success)
        {
            int size = int.Parse(f.Groups["s"].Value), size2 = int.Parse(f.Groups["s2"].Value);
            int players = int.Parse(f.Groups["p"].Value), foods = int.Parse(f.Groups["f"].Value);
            if (size != size2) throw Invalid(name, $"the grid must be square ({size}x{size2})");
            if (size is < 5 or > 19) throw Invalid(name, $"grid size {size} is outside 5..19");
            if (players is < 2 or > 19) throw Invalid(name, $"{players} players is outside 2..19");
            if (foods is < 1 or > 9) throw Invalid(name, $"{foods} foods is outside 1..9");
            var partial = f.Groups["sight"].Success;
            return new ForagingTask
            {
                Rows = size, Cols = size, Players = players, MaxFood = foods,
                Sight = partial ? 2 : size, Coop = f.Groups["coop"].Success,
            };
        }
        var w = WarehouseName.Match(name);
        if (w.Success)
        {
            var agents = int.Parse(w.Groups["n"].Value);
            if (agents is < 1 or > 19) throw Invalid(name, $"{agents} agents is outside 1..19");
            var (rows, cols) = WarehouseTask.SizeShelves(w.Groups["size"].Value);
            // int(n * 2), int(n), int(n * 0.5) as the reference registers them (truncation).
            var queue = w.Groups["diff"].Value switch { "-easy" => 2 * agents, "-hard" => agents / 2, _ => agents };
            return new WarehouseTask { ShelfRows = rows, ShelfColumns = cols, AgentCount = agents, RequestQueueSize = queue };
        }
        throw Invalid(name, "it matches no task form");
    }

    static ArgumentException Invalid(string name, string why) =>
        new($"unknown task '{name}': {why}. Valid forms: {ValidForms}");
}

using System.Text.Json;
using CommLab.Envs.Foraging;
using CommLab.Envs.Warehouse;

namespace CommLab.Envs;

/// <summary>Changes to a parsed task's settings, read from a JSON object such as
/// <c>{"sight": 1, "maxEpisodeSteps": 25}</c>: what the reference's gym.make keyword overrides do.</summary>
public static class TaskSettings
{
    static readonly string[] ForagingKeys = ["sight", "maxEpisodeSteps", "maxPlayerLevel", "normalizeReward", "penalty", "coop"];
    static readonly string[] WarehouseKeys = ["maxSteps", "maxInactivitySteps", "requestQueueSize", "sensorRange", "columnHeight", "reward", "layout", "observation"];

    /// <summary>The task with every setting named in <paramref name="settings"/> replaced, validated.</summary>
    public static EnvTask Apply(EnvTask task, JsonElement settings, string path = "settings")
    {
        JsonFields.Object(settings, path);
        EnvTask result;
        switch (task)
        {
            case ForagingTask f:
                JsonFields.OnlyKnown(settings, path, ForagingKeys);
                result = f with
                {
                    Sight = JsonFields.Int(settings, "sight", path, f.Sight),
                    MaxEpisodeSteps = JsonFields.Int(settings, "maxEpisodeSteps", path, f.MaxEpisodeSteps),
                    MaxPlayerLevel = JsonFields.Int(settings, "maxPlayerLevel", path, f.MaxPlayerLevel),
                    NormalizeReward = JsonFields.Bool(settings, "normalizeReward", path, f.NormalizeReward),
                    Penalty = JsonFields.Has(settings, "penalty") ? Number(settings, "penalty", path) : f.Penalty,
                    Coop = JsonFields.Bool(settings, "coop", path, f.Coop),
                };
                break;
            case WarehouseTask w:
                JsonFields.OnlyKnown(settings, path, WarehouseKeys);
                var reward = JsonFields.String(settings, "reward", path);
                var observation = JsonFields.String(settings, "observation", path);
                result = w with
                {
                    MaxSteps = JsonFields.Int(settings, "maxSteps", path, w.MaxSteps),
                    MaxInactivitySteps = JsonFields.Int(settings, "maxInactivitySteps", path, w.MaxInactivitySteps),
                    RequestQueueSize = JsonFields.Int(settings, "requestQueueSize", path, w.RequestQueueSize),
                    SensorRange = JsonFields.Int(settings, "sensorRange", path, w.SensorRange),
                    ColumnHeight = JsonFields.Int(settings, "columnHeight", path, w.ColumnHeight),
                    Reward = reward == null ? w.Reward : ParseReward(reward, $"{path}.reward"),
                    Layout = JsonFields.Has(settings, "layout") ? LayoutText(settings.GetProperty("layout"), $"{path}.layout") : w.Layout,
                    Observation = observation == null ? w.Observation : ParseObservation(observation, $"{path}.observation"),
                };
                break;
            default:
                throw new ArgumentException($"no settings are known for task {task.Name}");
        }
        try { result.Validate(); }
        catch (ArgumentException e) { throw new ArgumentException($"{path}: {e.Message}"); }
        return result;
    }

    static double Number(JsonElement obj, string name, string path)
    {
        var v = obj.GetProperty(name);
        return v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw new ArgumentException($"{path}.{name} must be a number, got {v.GetRawText()}");
    }

    /// <summary>A floor plan given as one string (rows separated by newlines) or as an array of row strings.</summary>
    static string LayoutText(JsonElement v, string path) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString()!,
        JsonValueKind.Array => string.Join('\n', v.EnumerateArray().Select((row, i) =>
            row.ValueKind == JsonValueKind.String ? row.GetString()! : throw new ArgumentException($"{path}[{i}] must be a string of x, . and g"))),
        _ => throw new ArgumentException($"{path} must be a string or an array of row strings (x shelf, . highway, g goal), got {v.GetRawText()}"),
    };

    static WarehouseObservation ParseObservation(string text, string path) => text switch
    {
        "astrained" => WarehouseObservation.AsTrained,
        "informative" => WarehouseObservation.Informative,
        _ => throw new ArgumentException($"{path} must be one of astrained (W + H + 70 values, gym 0.21's padding), informative (71), got '{text}'"),
    };

    static WarehouseReward ParseReward(string text, string path) => text switch
    {
        "individual" => WarehouseReward.Individual,
        "global" => WarehouseReward.Global,
        "twostage" => WarehouseReward.TwoStage,
        _ => throw new ArgumentException($"{path} must be one of individual, global, twostage, got '{text}'"),
    };
}

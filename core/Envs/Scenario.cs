using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CommLab.Envs;

/// <summary>A situation to replay: a task (with optional setting changes), a starting state in the
/// saved-state format, and the joint actions to take from it. The JSON form is
/// <c>{"settings": {...}, "state": {...}, "actions": [[a0, a1], [a0, a1], ...]}</c>; <c>settings</c> is
/// optional, and without <c>state</c> the episode starts from <c>reset</c> with <c>seed</c> (default 0).</summary>
public sealed record Scenario(EnvTask Task, string? StateJson, ulong Seed, IReadOnlyList<int[]> Actions)
{
    /// <summary>Reads a scenario for <paramref name="task"/>; every error names the field at fault.</summary>
    public static Scenario Parse(EnvTask task, string json)
    {
        using var doc = JsonFields.Parse(json, "the scenario");
        var root = JsonFields.Object(doc.RootElement, "scenario");
        JsonFields.OnlyKnown(root, "scenario", "settings", "state", "seed", "actions");
        if (JsonFields.Has(root, "settings")) task = TaskSettings.Apply(task, root.GetProperty("settings"), "scenario.settings");
        var state = JsonFields.Has(root, "state") ? root.GetProperty("state").GetRawText() : null;
        var seed = !JsonFields.Has(root, "seed") ? 0UL
            : root.GetProperty("seed") is { ValueKind: JsonValueKind.Number } n && n.TryGetUInt64(out var s) ? s
            : throw new ArgumentException($"scenario.seed must be a non-negative integer, got {root.GetProperty("seed").GetRawText()}");
        var actions = new List<int[]>();
        var list = JsonFields.Array(root, "actions", "scenario");
        for (var k = 0; k < list.Count; k++)
        {
            var at = $"scenario.actions[{k}]";
            if (list[k].ValueKind != JsonValueKind.Array)
                throw new ArgumentException($"{at} must be an array of {task.Agents} actions (one per agent), got {list[k].GetRawText()}");
            var joint = list[k].EnumerateArray().Select((a, i) => JsonFields.AsInt(a, $"{at}[{i}]")).ToArray();
            if (joint.Length != task.Agents)
                throw new ArgumentException($"{at} must hold {task.Agents} actions (one per agent), got {joint.Length}");
            for (var i = 0; i < joint.Length; i++)
                if (joint[i] < 0 || joint[i] >= task.ActionCount)
                    throw new ArgumentException($"{at}[{i}] must be in 0..{task.ActionCount - 1}, got {joint[i]}");
            actions.Add(joint);
        }
        return new Scenario(task, state, seed, actions);
    }

    /// <summary>Runs the scenario, writing one JSON line for the starting point (step 0) and one per joint
    /// action: <c>{"step":1,"observations":[[...],...],"rewards":[...],"done":false}</c>. Lines already
    /// written stay written if a later action is refused (an episode that ended cannot take more).</summary>
    public void Replay(TextWriter output)
    {
        using var env = Task.Create(1);
        env.Reset(Seed);
        if (StateJson != null)
        {
            try { env.RestoreState(0, StateJson); }
            catch (ArgumentException e)
            {
                // JSON errors already name their path from "state."; rule errors name the field inside it.
                throw new ArgumentException(e.Message.StartsWith("state") ? $"scenario.{e.Message}" : $"scenario.state.{e.Message}");
            }
        }
        output.WriteLine(Line(env));
        for (var k = 0; k < Actions.Count; k++)
        {
            if (env.Done[0])
                throw new ArgumentException(
                    $"scenario.actions[{k}]: the episode ended at step {env.EpisodeSteps[0]}, so no further actions can be taken");
            env.Step(Actions[k]);
            output.WriteLine(Line(env));
        }
    }

    static string Line(IVectorEnv env)
    {
        var b = new StringBuilder();
        b.Append("{\"step\":").Append(env.EpisodeSteps[0]).Append(",\"observations\":[");
        for (var a = 0; a < env.Agents; a++)
        {
            if (a > 0) b.Append(',');
            b.Append('[');
            for (var f = 0; f < env.ObservationLength; f++)
            {
                if (f > 0) b.Append(',');
                b.Append(Number(env.Observations[a * env.ObservationLength + f]));
            }
            b.Append(']');
        }
        b.Append("],\"rewards\":[");
        for (var a = 0; a < env.Agents; a++)
        {
            if (a > 0) b.Append(',');
            b.Append(Number(env.Rewards[a]));
        }
        b.Append("],\"done\":").Append(env.Done[0] ? "true" : "false").Append('}');
        return b.ToString();
    }

    /// <summary>Shortest text that reads back to the same float ("R" formatting), invariant culture.</summary>
    static string Number(float v) => v.ToString("R", CultureInfo.InvariantCulture);
}

using System.Text.Json;

namespace CommLab.Envs.Warehouse;

/// <summary>The JSON form of <see cref="WarehouseState"/>:
/// <c>{"step":0,"inactiveSteps":0,"agents":[{"x":4,"y":5,"direction":"down","carrying":null,"hasDelivered":false}],
/// "shelves":[{"x":1,"y":1},...],"requests":[3,17],"rng":"..."}</c>. On input, <c>shelves</c> may be left
/// out (every shelf at home), as may <c>step</c>, <c>inactiveSteps</c>, <c>carrying</c>,
/// <c>hasDelivered</c> and <c>rng</c>.</summary>
public static class WarehouseStateJson
{
    static readonly string[] Headings = ["up", "down", "left", "right"];

    public static string Write(WarehouseState s) => JsonFields.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("step", s.Step);
        w.WriteNumber("inactiveSteps", s.InactiveSteps);
        w.WriteStartArray("agents");
        foreach (var a in s.Agents)
        {
            w.WriteStartObject();
            w.WriteNumber("x", a.X); w.WriteNumber("y", a.Y);
            w.WriteString("direction", Headings[(int)a.Direction]);
            if (a.Carrying is int c) w.WriteNumber("carrying", c); else w.WriteNull("carrying");
            w.WriteBoolean("hasDelivered", a.HasDelivered);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (s.Shelves != null)
        {
            w.WriteStartArray("shelves");
            foreach (var sh in s.Shelves)
            {
                w.WriteStartObject();
                w.WriteNumber("x", sh.X); w.WriteNumber("y", sh.Y);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteStartArray("requests");
        foreach (var r in s.Requests) w.WriteNumberValue(r);
        w.WriteEndArray();
        if (s.Rng != null) w.WriteString("rng", s.Rng);
        w.WriteEndObject();
    });

    public static WarehouseState Read(string json)
    {
        using var doc = JsonFields.Parse(json, "the RWARE state");
        return Read(doc.RootElement, "state");
    }

    public static WarehouseState Read(JsonElement e, string path)
    {
        JsonFields.Object(e, path);
        JsonFields.OnlyKnown(e, path, "step", "inactiveSteps", "agents", "shelves", "requests", "rng");
        WarehouseAgent Agent(JsonElement a, int i)
        {
            var at = $"{path}.agents[{i}]";
            JsonFields.Object(a, at);
            JsonFields.OnlyKnown(a, at, "x", "y", "direction", "carrying", "hasDelivered");
            var dir = JsonFields.String(a, "direction", at) ?? throw new ArgumentException($"{at}.direction is required");
            var heading = Array.IndexOf(Headings, dir);
            if (heading < 0) throw new ArgumentException($"{at}.direction must be one of up, down, left, right, got '{dir}'");
            int? carrying = JsonFields.Has(a, "carrying") ? JsonFields.Int(a, "carrying", at) : null;
            return new(JsonFields.Int(a, "x", at), JsonFields.Int(a, "y", at), (Heading)heading, carrying,
                JsonFields.Bool(a, "hasDelivered", at, false));
        }
        WarehouseShelf Shelf(JsonElement s, int i)
        {
            var at = $"{path}.shelves[{i}]";
            JsonFields.Object(s, at);
            JsonFields.OnlyKnown(s, at, "x", "y");
            return new(JsonFields.Int(s, "x", at), JsonFields.Int(s, "y", at));
        }
        var agents = JsonFields.Array(e, "agents", path).Select(Agent).ToList();
        var shelves = JsonFields.Has(e, "shelves") ? JsonFields.Array(e, "shelves", path).Select(Shelf).ToList() : null;
        var requests = JsonFields.Array(e, "requests", path).Select((r, i) => JsonFields.AsInt(r, $"{path}.requests[{i}]")).ToList();
        return new WarehouseState(
            JsonFields.Int(e, "step", path, 0), JsonFields.Int(e, "inactiveSteps", path, 0),
            agents, shelves, requests, JsonFields.String(e, "rng", path));
    }
}

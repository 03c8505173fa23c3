using System.Text.Json;

namespace CommLab.Envs.Foraging;

/// <summary>The JSON form of <see cref="ForagingState"/>:
/// <c>{"step":0,"foodSpawned":2,"players":[{"row":4,"col":3,"level":2},...],"food":[{"row":4,"col":4,"level":2}],"rng":"..."}</c>.
/// On input, <c>foodSpawned</c> defaults to the food's total level and <c>rng</c> may be left out.</summary>
public static class ForagingStateJson
{
    public static string Write(ForagingState s) => JsonFields.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("step", s.Step);
        w.WriteNumber("foodSpawned", s.FoodSpawned);
        Cells(w, "players", s.Players.Select(p => (p.Row, p.Col, p.Level)));
        Cells(w, "food", s.Food.Select(f => (f.Row, f.Col, f.Level)));
        if (s.Rng != null) w.WriteString("rng", s.Rng);
        w.WriteEndObject();
    });

    // Players and food are both a cell and a level.
    static void Cells(Utf8JsonWriter w, string name, IEnumerable<(int Row, int Col, int Level)> items)
    {
        w.WriteStartArray(name);
        foreach (var (row, col, level) in items)
        {
            w.WriteStartObject();
            w.WriteNumber("row", row); w.WriteNumber("col", col); w.WriteNumber("level", level);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    static (int Row, int Col, int Level) Cell(JsonElement e, string at)
    {
        JsonFields.Object(e, at);
        JsonFields.OnlyKnown(e, at, "row", "col", "level");
        return (JsonFields.Int(e, "row", at), JsonFields.Int(e, "col", at), JsonFields.Int(e, "level", at));
    }

    public static ForagingState Read(string json)
    {
        using var doc = JsonFields.Parse(json, "the LBF state");
        return Read(doc.RootElement, "state");
    }

    public static ForagingState Read(JsonElement e, string path)
    {
        JsonFields.Object(e, path);
        JsonFields.OnlyKnown(e, path, "step", "foodSpawned", "players", "food", "rng");
        var players = JsonFields.Array(e, "players", path)
            .Select((p, i) => Cell(p, $"{path}.players[{i}]")).Select(c => new ForagingPlayer(c.Row, c.Col, c.Level)).ToList();
        var food = JsonFields.Array(e, "food", path)
            .Select((f, i) => Cell(f, $"{path}.food[{i}]")).Select(c => new ForagingFood(c.Row, c.Col, c.Level)).ToList();
        return new ForagingState(
            JsonFields.Int(e, "step", path, 0),
            JsonFields.Int(e, "foodSpawned", path, food.Sum(f => f.Level)),
            players, food, JsonFields.String(e, "rng", path));
    }
}

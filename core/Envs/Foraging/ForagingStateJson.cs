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
        w.WriteStartArray("players");
        foreach (var p in s.Players)
        {
            w.WriteStartObject();
            w.WriteNumber("row", p.Row); w.WriteNumber("col", p.Col); w.WriteNumber("level", p.Level);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("food");
        foreach (var f in s.Food)
        {
            w.WriteStartObject();
            w.WriteNumber("row", f.Row); w.WriteNumber("col", f.Col); w.WriteNumber("level", f.Level);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (s.Rng != null) w.WriteString("rng", s.Rng);
        w.WriteEndObject();
    });

    public static ForagingState Read(string json)
    {
        using var doc = JsonFields.Parse(json, "the LBF state");
        return Read(doc.RootElement, "state");
    }

    public static ForagingState Read(JsonElement e, string path)
    {
        JsonFields.Object(e, path);
        JsonFields.OnlyKnown(e, path, "step", "foodSpawned", "players", "food", "rng");
        ForagingPlayer Player(JsonElement p, int i)
        {
            var at = $"{path}.players[{i}]";
            JsonFields.Object(p, at);
            JsonFields.OnlyKnown(p, at, "row", "col", "level");
            return new(JsonFields.Int(p, "row", at), JsonFields.Int(p, "col", at), JsonFields.Int(p, "level", at));
        }
        ForagingFood Food(JsonElement f, int i)
        {
            var at = $"{path}.food[{i}]";
            JsonFields.Object(f, at);
            JsonFields.OnlyKnown(f, at, "row", "col", "level");
            return new(JsonFields.Int(f, "row", at), JsonFields.Int(f, "col", at), JsonFields.Int(f, "level", at));
        }
        var players = JsonFields.Array(e, "players", path).Select(Player).ToList();
        var food = JsonFields.Array(e, "food", path).Select(Food).ToList();
        return new ForagingState(
            JsonFields.Int(e, "step", path, 0),
            JsonFields.Int(e, "foodSpawned", path, food.Sum(f => f.Level)),
            players, food, JsonFields.String(e, "rng", path));
    }
}

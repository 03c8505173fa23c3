using System.Text.Json;

namespace CommLab.Envs;

/// <summary>Reads hand-written JSON states strictly: every error names the field's path and what it
/// accepts, and unknown fields are refused (a misspelt key would otherwise be silently ignored).</summary>
static class JsonFields
{
    public static JsonElement Object(JsonElement e, string path)
    {
        if (e.ValueKind != JsonValueKind.Object) throw new ArgumentException($"{path} must be a JSON object, got {e.ValueKind}");
        return e;
    }

    public static void OnlyKnown(JsonElement obj, string path, params string[] known)
    {
        foreach (var p in obj.EnumerateObject())
            if (!known.Contains(p.Name))
                throw new ArgumentException($"{path}: unknown field '{p.Name}'; allowed fields: {string.Join(", ", known)}");
    }

    public static bool Has(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public static JsonElement Required(JsonElement obj, string name, string path) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null
            ? v
            : throw new ArgumentException($"{path}.{name} is required");

    public static int Int(JsonElement obj, string name, string path) => AsInt(Required(obj, name, path), $"{path}.{name}");

    public static int Int(JsonElement obj, string name, string path, int fallback) =>
        Has(obj, name) ? AsInt(obj.GetProperty(name), $"{path}.{name}") : fallback;

    public static int AsInt(JsonElement v, string path) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i)
            ? i
            : throw new ArgumentException($"{path} must be an integer, got {v.GetRawText()}");

    public static bool Bool(JsonElement obj, string name, string path, bool fallback)
    {
        if (!Has(obj, name)) return fallback;
        var v = obj.GetProperty(name);
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new ArgumentException($"{path}.{name} must be true or false, got {v.GetRawText()}"),
        };
    }

    public static string? String(JsonElement obj, string name, string path)
    {
        if (!Has(obj, name)) return null;
        var v = obj.GetProperty(name);
        return v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : throw new ArgumentException($"{path}.{name} must be a string, got {v.GetRawText()}");
    }

    public static List<JsonElement> Array(JsonElement obj, string name, string path)
    {
        var v = Required(obj, name, path);
        if (v.ValueKind != JsonValueKind.Array) throw new ArgumentException($"{path}.{name} must be a JSON array, got {v.ValueKind}");
        return v.EnumerateArray().ToList();
    }

    public static JsonDocument Parse(string json, string what)
    {
        try { return JsonDocument.Parse(json); }
        catch (JsonException e) { throw new ArgumentException($"{what} is not valid JSON: {e.Message}"); }
    }

    public static string Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false }))
            body(w);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}

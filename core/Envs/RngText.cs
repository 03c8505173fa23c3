using System.Globalization;
using CommLab.Rng;

namespace CommLab.Envs;

/// <summary>A generator state as 64 hex digits (the four xoshiro256 words), the form saved states use.</summary>
public static class RngText
{
    public static string Format(in Xoshiro256 rng)
    {
        var (a, b, c, d) = rng.State;
        return $"{a:x16}{b:x16}{c:x16}{d:x16}";
    }

    /// <summary>Reads <see cref="Format"/>'s text back; <paramref name="field"/> names the JSON field in errors.</summary>
    public static Xoshiro256 Parse(string text, string field)
    {
        if (text.Length != 64 || !text.All(Uri.IsHexDigit))
            throw new ArgumentException($"{field} must be 64 hex digits (a saved generator state), got '{text}'");
        ulong Word(int i) => ulong.Parse(text.AsSpan(16 * i, 16), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        try { return Xoshiro256.FromState((Word(0), Word(1), Word(2), Word(3))); }
        catch (ArgumentException e) { throw new ArgumentException($"{field}: {e.Message}"); }
    }
}

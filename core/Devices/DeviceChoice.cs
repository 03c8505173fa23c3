using static TorchSharp.torch;

namespace CommLab.Devices;

/// <summary>Parses the user's device choice: "cpu" (default), "cuda" or "cuda:N".</summary>
public static class DeviceChoice
{
    /// <summary>Allowed forms, for error messages.</summary>
    public const string Allowed = "cpu, cuda, cuda:N";

    /// <summary>True if <paramref name="name"/> is one of the allowed forms (availability is not checked).</summary>
    public static bool IsValid(string name) =>
        name == "cpu" || name == "cuda" || (name.StartsWith("cuda:") && int.TryParse(name.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _));

    /// <summary>The device, or an error naming the value and the allowed forms; a CUDA choice on a
    /// build or machine without CUDA fails here, before any training starts.</summary>
    public static Device Resolve(string name)
    {
        if (!IsValid(name)) throw new ArgumentException($"device must be one of {Allowed}, got '{name}'");
        if (name != "cpu" && !cuda.is_available())
            throw new InvalidOperationException(
                $"device '{name}' was requested but CUDA is not available: this build references the CPU libtorch " +
                "package (see docs/setup.md, 'GPU') or the machine has no CUDA device");
        return device(name);
    }
}

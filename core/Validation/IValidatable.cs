namespace CommLab.Validation;

/// <summary>A config that can list what is wrong with it. Every config checks all of its fields and
/// reports every problem at once, so a user fixes a run in one go instead of one error per attempt.</summary>
public interface IValidatable
{
    /// <summary>Every impossible setting, each naming the field, the bad value and what is allowed;
    /// empty when the config is usable.</summary>
    IReadOnlyList<string> Problems();
}

/// <summary>The one way a config refuses to be used.</summary>
public static class ValidationExtensions
{
    /// <summary>Throws an <see cref="ArgumentException"/> listing every problem of
    /// <paramref name="config"/> (joined by "; "), if there is any.</summary>
    public static void Validate(this IValidatable config)
    {
        var problems = config.Problems();
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems));
    }
}

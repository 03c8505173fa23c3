using System.Collections;

namespace CommLab.Validation;

/// <summary>Collects the problems of a config, one small rule per field; each rule adds a message
/// only when the value breaks it. The common rules word their messages alike ("batch size must be
/// >= 1, got 0"), so every config reads the same to its user.</summary>
/// <remarks>It is itself <see cref="IValidatable"/>, so a list built from several configs (a run and
/// its data) can be refused with the same <see cref="ValidationExtensions.Validate"/>.</remarks>
public sealed class ProblemList : IReadOnlyList<string>, IValidatable
{
    readonly List<string> problems = new();

    /// <summary>Adds <paramref name="message"/> unless <paramref name="ok"/>.</summary>
    public ProblemList Check(bool ok, string message)
    {
        if (!ok) problems.Add(message);
        return this;
    }

    /// <summary><paramref name="field"/> must be &gt; 0 and finite (NaN and infinities are refused:
    /// a run with them would only produce NaN).</summary>
    public ProblemList Positive(string field, double value) =>
        Check(value > 0 && double.IsFinite(value), $"{field} must be > 0 and finite, got {value}");

    /// <summary><paramref name="field"/> must be &gt;= 0 and finite.</summary>
    public ProblemList NonNegative(string field, double value) =>
        Check(value >= 0 && double.IsFinite(value), $"{field} must be >= 0 and finite, got {value}");

    /// <summary><paramref name="field"/> must lie in [<paramref name="min"/>, <paramref name="max"/>] (NaN is refused).</summary>
    public ProblemList Between(string field, double min, double max, double value) =>
        Check(value >= min && value <= max, $"{field} must be in [{min}, {max}], got {value}");

    /// <summary><paramref name="field"/> must be at least <paramref name="min"/>.</summary>
    public ProblemList AtLeast(string field, long min, long value) =>
        Check(value >= min, $"{field} must be >= {min}, got {value}");

    /// <summary>Adds the problems of a part (a channel's estimator, a run's optimizer), each after
    /// <paramref name="prefix"/> so the user sees which part they belong to.</summary>
    public ProblemList AddRange(IEnumerable<string> partProblems, string prefix = "")
    {
        problems.AddRange(partProblems.Select(p => prefix + p));
        return this;
    }

    /// <inheritdoc />
    public IReadOnlyList<string> Problems() => this;

    /// <inheritdoc />
    public int Count => problems.Count;

    /// <inheritdoc />
    public string this[int index] => problems[index];

    /// <inheritdoc />
    public IEnumerator<string> GetEnumerator() => problems.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

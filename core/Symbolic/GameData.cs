using CommLab.Validation;

namespace CommLab.Symbolic;

/// <summary>Where a Lewis game run's games come from (Zhang, section 3.2): <paramref name="Games"/>
/// games of the <paramref name="Shape"/>, drawn with min(|M|) = <paramref name="MinSymbols"/> by
/// <see cref="ControlledSampler"/> from <paramref name="Seed"/>, or read from a games
/// <paramref name="File"/>; the first <paramref name="TrainGames"/> train and the rest validate.</summary>
public sealed record GameData(GameShape Shape, int MinSymbols, int Games, int TrainGames, ulong Seed, string? File) : IValidatable
{
    /// <summary>Every impossible setting, naming the field and what is allowed. A file is checked for
    /// existence only; reading it reports what is wrong inside it.</summary>
    public IReadOnlyList<string> Problems()
    {
        var shape = Shape.Problems();
        var problems = new ProblemList()
            .AddRange(shape)
            .AtLeast("train games", 1, TrainGames)
            .Check(Games > TrainGames, $"games must be > train games ({TrainGames}), so some games validate; got {Games}");
        if (File is string path) problems.Check(System.IO.File.Exists(path), $"data file not found: {path}");
        else if (shape.Count == 0) problems.AddRange(ControlledSampler.MinSymbolsProblems(Shape.Attributes, MinSymbols));
        return problems;
    }
}

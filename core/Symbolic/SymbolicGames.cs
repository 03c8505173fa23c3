using CommLab.Validation;
using static TorchSharp.torch;

namespace CommLab.Symbolic;

/// <summary>A set of referential games over attribute-value objects: each game has the same number of
/// candidates, each candidate the same number of attributes with values in 0..Values-1, and one of the
/// candidates is the target. Stored flat (game, candidate, attribute) so millions of games stay cheap.</summary>
public sealed class SymbolicGames
{
    readonly byte[] values;
    readonly int[] targets;

    /// <summary>Number of games.</summary>
    public int Count => targets.Length;
    /// <summary>Candidates per game (target included).</summary>
    public int Candidates { get; }
    /// <summary>Attributes per object.</summary>
    public int Attributes { get; }
    /// <summary>Values per attribute.</summary>
    public int Values { get; }

    /// <summary>Wraps <paramref name="values"/> (length games x candidates x attributes) and the target
    /// index of each game; every value and target is checked.</summary>
    public SymbolicGames(int candidates, int attributes, int values, byte[] objectValues, int[] targets)
    {
        ShapeProblems(candidates, attributes, values).Validate();
        if (objectValues.Length != (long)targets.Length * candidates * attributes)
            throw new ArgumentException($"object values must hold games x candidates x attributes = {targets.Length} x {candidates} x {attributes} entries, got {objectValues.Length}");
        for (int g = 0; g < targets.Length; g++)
            if ((uint)targets[g] >= (uint)candidates)
                throw new ArgumentException($"game {g}: target must be in 0..{candidates - 1}, got {targets[g]}");
        for (int i = 0; i < objectValues.Length; i++)
            if (objectValues[i] >= values)
                throw new ArgumentException($"game {i / (candidates * attributes)}: attribute values must be in 0..{values - 1}, got {objectValues[i]}");
        Candidates = candidates;
        Attributes = attributes;
        Values = values;
        this.values = objectValues;
        this.targets = targets;
    }

    /// <summary>Problems with a game shape, each naming the field and what is allowed: at least 2
    /// candidates, 1..64 attributes (SolveMinSym keeps an attribute set in one 64-bit word), 2..255 values.</summary>
    public static ProblemList ShapeProblems(int candidates, int attributes, int values) =>
        new ProblemList()
            .AtLeast("candidates", 2, candidates)
            .Check(attributes >= 1 && attributes <= 64, $"attributes must be in 1..64, got {attributes}")
            .Check(values >= 2 && values <= 255, $"values must be in 2..255, got {values}");

    /// <summary>Target index of game <paramref name="game"/>.</summary>
    public int Target(int game) => targets[game];

    /// <summary>The objects of game <paramref name="game"/>, candidate-major (candidates x attributes).</summary>
    public ReadOnlySpan<byte> Game(int game) =>
        new(values, game * Candidates * Attributes, Candidates * Attributes);

    /// <summary>Games <paramref name="start"/> .. start+count-1 as a new set (a train/validation split).</summary>
    public SymbolicGames Slice(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"slice {start}..{start + count - 1} is outside the {Count} games");
        var size = Candidates * Attributes;
        return new SymbolicGames(Candidates, Attributes, Values, values[(start * size)..((start + count) * size)], targets[start..(start + count)]);
    }

    /// <summary>min(|M|) of every game (<see cref="SolveMinSym"/>).</summary>
    public int[] MinSymbols()
    {
        var result = new int[Count];
        Parallel.For(0, Count, g => result[g] = SolveMinSym.Solve(Game(g), Candidates, Attributes, targets[g]));
        return result;
    }

    /// <summary>Candidates as concatenated one-hot attribute vectors, shape [games, candidates,
    /// attributes x values] (the paper's V_I in R^{|A| x |V|}).</summary>
    public Tensor Features(Device? device = null)
    {
        var width = Attributes * Values;
        var data = new float[(long)values.Length * Values];
        for (long i = 0; i < values.Length; i++)
            data[i * Values + values[i]] = 1f;
        return tensor(data, new long[] { Count, Candidates, width }, device: device);
    }

    /// <summary>Target indices, shape [games], int64.</summary>
    public Tensor TargetIndices(Device? device = null) =>
        tensor(targets.Select(t => (long)t).ToArray(), device: device);
}

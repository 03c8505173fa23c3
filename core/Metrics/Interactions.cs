namespace CommLab.Metrics;

/// <summary>What the messages of a game are made of.</summary>
public enum MessageKind
{
    /// <summary>Discrete symbols: GS words, QT levels, Lewis-game symbols (without EOS).</summary>
    Symbols,
    /// <summary>Real values: CN words.</summary>
    Continuous,
}

/// <summary>One game as it was played: what the sender saw, what it said, what the receiver did.</summary>
/// <param name="Game">The game's index in its set (a test target's object id in the Object game, the
/// game's row in the Lewis game's validation set).</param>
/// <param name="Target">The target: its object id (Object game) or its index among the candidates (Lewis game).</param>
/// <param name="Attributes">The target's attribute values.</param>
/// <param name="Message">The message: symbols (as numbers) up to the end, or a continuous message's values.</param>
/// <param name="Guess">The receiver's pick: an object id or a candidate index, as <paramref name="Target"/>.</param>
/// <param name="Correct">Whether the receiver found the target (a tie with another candidate is a miss).</param>
public sealed record Interaction(int Game, int Target, int[] Attributes, double[] Message, int Guess, bool Correct)
{
    /// <summary>The message's symbols; only for <see cref="MessageKind.Symbols"/>.</summary>
    public int[] Symbols => Message.Select(v => (int)v).ToArray();
}

/// <summary>The games of one evaluation (a run's test or validation set) as they were played: what
/// EGG users dump to study a language after training.</summary>
/// <param name="Kind">What the messages are made of.</param>
/// <param name="Games">One entry per game.</param>
public sealed record Interactions(MessageKind Kind, IReadOnlyList<Interaction> Games)
{
    /// <summary>Share of games the receiver won.</summary>
    public double Accuracy => Games.Count == 0 ? double.NaN : Games.Count(g => g.Correct) / (double)Games.Count;

    /// <summary>The language's measures over these games (<see cref="LanguageAnalysis"/>): symbols
    /// for GS, QT and Lewis messages; only topographic similarity for continuous ones.</summary>
    /// <param name="objectDistance">Distance between the targets' attribute values.</param>
    /// <param name="messageDistance">Distance between messages; null: edit distance for symbols, Euclidean for continuous messages.</param>
    /// <param name="maxRows">Topographic similarity over at most this many games (a seeded sample).</param>
    public LanguageMeasures Measures(Distance objectDistance = Distance.Hamming, Distance? messageDistance = null,
        int maxRows = TopographicSimilarity.DefaultMaxRows)
    {
        var attributes = Games.Select(g => g.Attributes).ToArray();
        return Kind == MessageKind.Symbols
            ? LanguageAnalysis.OfSymbols(attributes, Games.Select(g => g.Symbols).ToArray(), objectDistance, messageDistance ?? Distance.Edit, maxRows)
            : LanguageAnalysis.OfContinuous(attributes, Games.Select(g => g.Message).ToArray(), objectDistance, messageDistance ?? Distance.Euclidean, maxRows);
    }

    /// <summary>Distance evaluations times their cost for topographic similarity over at most
    /// <paramref name="maxRows"/> games: pairs x (mean length squared for edit distance, else mean
    /// length). A rough step count, to warn before a computation that takes minutes.</summary>
    public double TopographicSteps(Distance messageDistance, int maxRows = TopographicSimilarity.DefaultMaxRows)
    {
        double n = Math.Min(Games.Count, maxRows), length = Games.Count == 0 ? 0 : Games.Average(g => g.Message.Length);
        return n * (n - 1) / 2 * (messageDistance == Distance.Edit ? length * length : Math.Max(1, length));
    }
}

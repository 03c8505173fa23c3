namespace CommLab.Symbolic;

/// <summary>What any listener can reach on a set of games when the sender may say at most L symbols:
/// the ceiling a trained Lewis game is measured against (issue 15; Zhang reports about 35% at L = 1).
/// <para>A message of attribute-value symbols ("red", "triangle") is consistent with every candidate
/// that shares the named values with the target; the best a listener can do is pick uniformly among
/// those, so a game's accuracy is 1 / (1 + distractors matching the target on the named attributes).
/// Naming more attributes never hurts, so exactly min(L, |A|) attributes are named.</para>
/// <para>Target-only: the sender sees the target alone, so it cannot pick attributes that separate the
/// target from these distractors. The controlled sampler draws games whose law is unchanged by
/// relabelling the values of each attribute and by permuting the attributes, so given the target every
/// set of L attributes has the same expected accuracy, and no rule that looks only at the target beats
/// naming a set chosen uniformly at random: the bound is the mean over all C(|A|, L) sets.</para>
/// <para>Distractor-aware: the sender sees the distractors too and names the best set; this is 1 once
/// L reaches min(|M|) (<see cref="SolveMinSym"/>).</para>
/// <para>Any code: symbols need not name attribute values (the paper's explanation of its L = 1
/// accuracy: one symbol may stand for "red triangle"). A target-only sender with K distinct messages
/// partitions the objects into K classes and the listener picks among the candidates in the target's
/// class; with distractors drawn uniformly the expected accuracy is maximized by equal classes, giving
/// K (1 - (1 - 1/K)^C) / C for C candidates (<see cref="AnyCode"/>).</para></summary>
public static class MessageBounds
{
    /// <summary>Mean over the games of the accuracy of naming <paramref name="length"/> of the target's
    /// attribute values chosen knowing only the target (the mean over every set of that many attributes).</summary>
    public static double AttributeTargetOnly(SymbolicGames games, int length) =>
        Mean(games, length, best: false);

    /// <summary>Mean over the games of the accuracy of naming the best <paramref name="length"/> of the
    /// target's attribute values for the game's distractors.</summary>
    public static double AttributeDistractorAware(SymbolicGames games, int length) =>
        Mean(games, length, best: true);

    /// <summary>Expected accuracy of a target-only code with <paramref name="messages"/> equally likely
    /// messages over games of <paramref name="candidates"/> objects whose distractors are uniform and
    /// distinct from the target: E[1 / (1 + X)] with X ~ Binomial(C - 1, 1/K).</summary>
    public static double AnyCode(double messages, int candidates)
    {
        if (messages < 1) throw new ArgumentOutOfRangeException(nameof(messages), $"messages must be >= 1, got {messages}");
        if (candidates < 1) throw new ArgumentOutOfRangeException(nameof(candidates), $"candidates must be >= 1, got {candidates}");
        var p = 1.0 / messages;
        // E[1/(1+X)] = (1 - (1-p)^C) / (C p); log1p keeps it exact for K in the millions.
        return -double.ExpM1(candidates * double.LogP1(-p)) / (candidates * p);
    }

    /// <summary>Distinct messages of <paramref name="minLength"/> to <paramref name="maxLength"/>
    /// symbols over <paramref name="symbols"/> content symbols (the empty message counts when
    /// minLength is 0); a double because 80^5 overflows nothing but counts past int.</summary>
    public static double Messages(int symbols, int minLength, int maxLength)
    {
        if (symbols < 1) throw new ArgumentOutOfRangeException(nameof(symbols), $"symbols must be >= 1, got {symbols}");
        if (minLength < 0 || minLength > maxLength)
            throw new ArgumentOutOfRangeException(nameof(minLength), $"min length must be in 0..{maxLength}, got {minLength}");
        double total = 0;
        for (int l = minLength; l <= maxLength; l++) total += Math.Pow(symbols, l);
        return total;
    }

    // The mean over games of a per-game accuracy: the best attribute set's of the length
    // (distractor-aware), or the mean over every set (target-only).
    static double Mean(SymbolicGames games, int length, bool best)
    {
        if (length < 1) throw new ArgumentOutOfRangeException(nameof(length), $"length must be >= 1, got {length}");
        if (games.Count == 0) throw new ArgumentException("games must not be empty", nameof(games));
        var named = Math.Min(length, games.Attributes);
        var perGame = new double[games.Count];
        Parallel.For(0, games.Count, g =>
        {
            var differing = new ulong[games.Candidates];
            var count = SolveMinSym.DifferingSets(games.Game(g), games.Candidates, games.Attributes, games.Target(g), differing);
            // Distractors identical to the target match every message.
            var identical = games.Candidates - 1 - count;
            double sum = 0, top = 0, subsets = 0;
            foreach (var set in Subsets(games.Attributes, named))
            {
                var matching = identical;
                for (int d = 0; d < count; d++)
                    if ((differing[d] & set) == 0) matching++;
                var accuracy = 1.0 / (1 + matching);
                sum += accuracy;
                top = Math.Max(top, accuracy);
                subsets++;
                // The best set cannot beat 1: stop looking once it is found.
                if (best && top == 1.0) break;
            }
            perGame[g] = best ? top : sum / subsets;
        });
        return perGame.Average();
    }

    // Every set of `size` attributes out of `attributes`, as bit masks in increasing order (Gosper's
    // next-combination step).
    static IEnumerable<ulong> Subsets(int attributes, int size)
    {
        var set = size == 64 ? ~0UL : (1UL << size) - 1;
        var limit = attributes == 64 ? ~0UL : (1UL << attributes) - 1;
        while (true)
        {
            yield return set;
            if (set == limit) yield break;
            var lowest = set & (~set + 1);
            var ripple = set + lowest;
            // The carry left the 64-bit word: every set has been listed.
            if (ripple == 0) yield break;
            var next = (((ripple ^ set) >> 2) / lowest) | ripple;
            if ((next & ~limit) != 0) yield break;
            set = next;
        }
    }
}

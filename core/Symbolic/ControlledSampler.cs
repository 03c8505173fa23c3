using CommLab.Rng;
using CommLab.Validation;

namespace CommLab.Symbolic;

/// <summary>The shape of the games to draw: |A| attributes with |V| values each, candidates per game
/// (target included). Objects are attribute vectors drawn i.i.d. uniformly: the paper's Uniform(D, 64)
/// over a dataset of every object (4^20 of them for |A| = 20, |V| = 4) is the same draw without
/// having to list the objects.</summary>
public sealed record GameShape(int Attributes, int Values, int Candidates) : IValidatable
{
    /// <summary>The paper's setting: |A| = 20, |V| = 4, 64 objects per game (63 distractors).</summary>
    public static GameShape Paper => new(20, 4, 64);

    /// <summary>Every bad field (see <see cref="SymbolicGames.ShapeProblems"/>).</summary>
    public IReadOnlyList<string> Problems() => SymbolicGames.ShapeProblems(Candidates, Attributes, Values);
}

/// <summary>What a controlled-sampling call drew: the accepted games and how many games of each
/// min(|M|) it had to draw to get them.</summary>
public sealed record SampledGames(SymbolicGames Games, long[] Histogram, long Drawn);

/// <summary>min(|M|)-controlled sampling (Zhang, section 3.2): draw games (objects i.i.d., target
/// uniform among them), solve each with <see cref="SolveMinSym"/> and keep those with the wanted
/// min(|M|) until there are enough.
/// <para>Draws happen in blocks of <see cref="BlockSize"/> games; block b uses stream b of the seed,
/// and accepted games are taken in block order. So the result depends on the seed alone, not on how
/// many threads ran the blocks.</para></summary>
public static class ControlledSampler
{
    /// <summary>Games drawn per block (and per random stream).</summary>
    public const int BlockSize = 1024;

    /// <summary>Refuses to draw more than this many games for one call: a min(|M|) that (almost) never
    /// occurs for the shape would otherwise loop for ever.</summary>
    public const long DefaultMaxDraws = 200_000_000;

    /// <summary>The one rule for a requested min(|M|): 1..|A|. (min(|M|) = 0 means that no distractor
    /// differs from the target, a game no message can win: such games are counted in histograms, never
    /// asked for.)</summary>
    public static ProblemList MinSymbolsProblems(int attributes, int minSymbols) =>
        new ProblemList().Check(minSymbols >= 1 && minSymbols <= attributes,
            $"min symbols must be in 1..{attributes} (the attribute count), got {minSymbols}");

    /// <summary>Draws games until <paramref name="games"/> of them have min(|M|) =
    /// <paramref name="minSymbols"/>.</summary>
    public static SampledGames Sample(GameShape shape, int minSymbols, int games, ulong seed,
        long maxDraws = DefaultMaxDraws, CancellationToken cancel = default)
    {
        new ProblemList()
            .AddRange(shape.Problems())
            .AddRange(shape.Problems().Count == 0 ? MinSymbolsProblems(shape.Attributes, minSymbols) : [])
            .AtLeast("games", 1, games)
            .Validate();

        var size = shape.Candidates * shape.Attributes;
        var values = new byte[(long)games * size];
        var targets = new int[games];
        var histogram = new long[shape.Attributes + 1];
        int accepted = 0;
        long drawn = 0;
        long nextBlock = 0;
        var batch = Math.Max(1, Environment.ProcessorCount) * 2;
        while (accepted < games)
        {
            cancel.ThrowIfCancellationRequested();
            if (drawn >= maxDraws)
                throw new InvalidOperationException(
                    $"drew {drawn:N0} games and found only {accepted} with min(|M|) = {minSymbols} (wanted {games}); " +
                    $"min(|M|) counts so far: {Describe(histogram)}. Choose a min(|M|) that occurs for this shape, or fewer games.");
            var blocks = new Block[batch];
            var first = nextBlock;
            Parallel.For(0, batch, i => blocks[i] = DrawBlock(shape, seed, (ulong)(first + i)));
            nextBlock += batch;
            foreach (var block in blocks)
            {
                for (int g = 0; g < BlockSize && accepted < games; g++)
                {
                    drawn++;
                    histogram[block.Min[g]]++;
                    if (block.Min[g] != minSymbols) continue;
                    Array.Copy(block.Values, g * size, values, (long)accepted * size, size);
                    targets[accepted++] = block.Targets[g];
                }
                if (accepted == games) break;
            }
        }
        return new SampledGames(new SymbolicGames(shape.Candidates, shape.Attributes, shape.Values, values, targets), histogram, drawn);
    }

    /// <summary>Counts of min(|M|) (index = min(|M|), 0..|A|) over <paramref name="games"/> games drawn
    /// without control: the distribution the controlled sampler filters.</summary>
    public static long[] Histogram(GameShape shape, long games, ulong seed)
    {
        shape.Validate();
        if (games < 1) throw new ArgumentException($"games must be >= 1, got {games}");
        var blocks = (int)((games + BlockSize - 1) / BlockSize);
        var perBlock = new long[blocks][];
        Parallel.For(0, blocks, b =>
        {
            var block = DrawBlock(shape, seed, (ulong)b);
            var counts = new long[shape.Attributes + 1];
            var n = (int)Math.Min(BlockSize, games - (long)b * BlockSize);
            for (int g = 0; g < n; g++) counts[block.Min[g]]++;
            perBlock[b] = counts;
        });
        var histogram = new long[shape.Attributes + 1];
        foreach (var counts in perBlock)
            for (int m = 0; m < counts.Length; m++) histogram[m] += counts[m];
        return histogram;
    }

    sealed record Block(byte[] Values, int[] Targets, int[] Min);

    static Block DrawBlock(GameShape shape, ulong seed, ulong stream)
    {
        var rng = Xoshiro256.ForStream(seed, stream);
        var size = shape.Candidates * shape.Attributes;
        var values = new byte[BlockSize * size];
        var targets = new int[BlockSize];
        var min = new int[BlockSize];
        Span<ulong> differing = stackalloc ulong[shape.Candidates];
        for (int g = 0; g < BlockSize; g++)
        {
            var game = values.AsSpan(g * size, size);
            FillValues(ref rng, game, shape.Values);
            targets[g] = rng.NextInt(shape.Candidates);
            var n = SolveMinSym.DifferingSets(game, shape.Candidates, shape.Attributes, targets[g], differing);
            min[g] = SolveMinSym.Solve(differing[..n], shape.Attributes);
        }
        return new Block(values, targets, min);
    }

    // A power-of-two |V| takes its values straight from the bits of each 64-bit draw (32 values per
    // draw for |V| = 4); other |V| use the unbiased bounded draw.
    static void FillValues(ref Xoshiro256 rng, Span<byte> into, int values)
    {
        if ((values & (values - 1)) == 0)
        {
            var bits = System.Numerics.BitOperations.Log2((uint)values);
            var perDraw = 64 / bits;
            var mask = (ulong)values - 1;
            int i = 0;
            while (i < into.Length)
            {
                var word = rng.NextUInt64();
                for (int j = 0; j < perDraw && i < into.Length; j++, word >>= bits)
                    into[i++] = (byte)(word & mask);
            }
        }
        else
        {
            for (int i = 0; i < into.Length; i++) into[i] = (byte)rng.NextInt(values);
        }
    }

    static string Describe(long[] histogram) =>
        string.Join(", ", histogram.Select((n, m) => (n, m)).Where(x => x.n > 0).Select(x => $"{x.m}: {x.n}"));
}

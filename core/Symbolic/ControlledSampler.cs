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

/// <summary>How far a controlled-sampling call has got: games drawn, games kept, games wanted.</summary>
public readonly record struct SamplingProgress(long Drawn, int Accepted, int Wanted);

/// <summary>What a pilot draw says about how often games of the shape have a min(|M|): it was seen
/// <see cref="Seen"/> times in <see cref="Pilot"/> games. <see cref="UpperRate"/> is a 95% upper
/// confidence bound on its share (3 / Pilot when never seen: the rule of three).</summary>
public sealed record Acceptance(long Pilot, long Seen, long[] Histogram, double Seconds)
{
    /// <summary>The pilot's share of games with the wanted min(|M|).</summary>
    public double Rate => (double)Seen / Pilot;

    /// <summary>A 95% upper bound on the share: the rule of three when none was seen, else the rate
    /// plus two standard errors.</summary>
    public double UpperRate => Seen == 0 ? 3.0 / Pilot : Rate + 2 * Math.Sqrt(Rate * (1 - Rate) / Pilot);

    /// <summary>Games drawn per second in the pilot (on all cores).</summary>
    public double DrawsPerSecond => Pilot / Math.Max(Seconds, 1e-9);

    /// <summary>Draws expected for <paramref name="games"/> kept games at the pilot's rate (infinite
    /// when the pilot saw none).</summary>
    public double ExpectedDraws(int games) => Seen == 0 ? double.PositiveInfinity : games / Rate;
}

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
    /// <param name="progress">Hears how far the draw has got after every batch of blocks.</param>
    public static SampledGames Sample(GameShape shape, int minSymbols, int games, ulong seed,
        long maxDraws = DefaultMaxDraws, CancellationToken cancel = default, Action<SamplingProgress>? progress = null)
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
        var batch = Math.Min(Math.Max(1, Environment.ProcessorCount) * 2, BlocksInMemory(shape));
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
            progress?.Invoke(new SamplingProgress(drawn, accepted, games));
        }
        return new SampledGames(new SymbolicGames(shape.Candidates, shape.Attributes, shape.Values, values, targets), histogram, drawn);
    }

    /// <summary>Counts of min(|M|) (index = min(|M|), 0..|A|) over <paramref name="games"/> games drawn
    /// without control: the distribution the controlled sampler filters. <paramref name="progress"/>
    /// hears the games drawn so far, every few hundred blocks.</summary>
    public static long[] Histogram(GameShape shape, long games, ulong seed, Action<long>? progress = null)
    {
        shape.Validate();
        if (games < 1) throw new ArgumentException($"games must be >= 1, got {games}");
        var blocks = (games + BlockSize - 1) / BlockSize;
        var histogram = new long[shape.Attributes + 1];
        var chunk = Math.Min(Math.Max(1, Environment.ProcessorCount) * 8, BlocksInMemory(shape));
        for (long first = 0; first < blocks; first += chunk)
        {
            var count = (int)Math.Min(chunk, blocks - first);
            AddBlocks(shape, seed, first, count, games, histogram);
            progress?.Invoke(Math.Min(games, (first + count) * BlockSize));
        }
        return histogram;
    }

    // Adds the min(|M|) counts of blocks first..first+count-1 (of a draw of `games` games) to `histogram`.
    static void AddBlocks(GameShape shape, ulong seed, long first, int count, long games, long[] histogram)
    {
        var perBlock = new long[count][];
        Parallel.For(0, count, i =>
        {
            var b = first + i;
            var block = DrawBlock(shape, seed, (ulong)b);
            var counts = new long[shape.Attributes + 1];
            var n = (int)Math.Min(BlockSize, games - b * BlockSize);
            for (int g = 0; g < n; g++) counts[block.Min[g]]++;
            perBlock[i] = counts;
        });
        foreach (var counts in perBlock)
            for (int m = 0; m < counts.Length; m++) histogram[m] += counts[m];
    }

    /// <summary>Blocks drawn at once: every core busy, but no more than about 1 GB of games held (a
    /// block holds BlockSize x candidates x attributes values, 2 GB at 100,000 candidates of 20 attributes).</summary>
    static int BlocksInMemory(GameShape shape) => (int)Math.Clamp(Math.Floor(1e9 / BlockBytes(shape)), 1, 1024);

    /// <summary>Bytes of attribute values one block of <see cref="BlockSize"/> games of the shape holds.</summary>
    public static double BlockBytes(GameShape shape) => (double)BlockSize * shape.Candidates * shape.Attributes;

    /// <summary>A pilot draw of uncontrolled games (streams of a seed derived from
    /// <paramref name="seed"/>, so the pilot changes no dataset) and how often it saw min(|M|) =
    /// <paramref name="minSymbols"/>: whether a controlled draw can finish, and how long it would take.
    /// It draws up to <paramref name="maxBlocks"/> blocks, stopping after the first chunk of blocks
    /// that ends past <paramref name="maxSeconds"/> (large games are slow to draw).</summary>
    public static Acceptance Pilot(GameShape shape, int minSymbols, ulong seed, int maxBlocks = 64, double maxSeconds = 2.0)
    {
        new ProblemList()
            .AddRange(shape.Problems())
            .AddRange(shape.Problems().Count == 0 ? MinSymbolsProblems(shape.Attributes, minSymbols) : [])
            .AtLeast("pilot blocks", 1, maxBlocks)
            .Validate();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var histogram = new long[shape.Attributes + 1];
        var chunk = Math.Min(Math.Max(1, Environment.ProcessorCount), BlocksInMemory(shape));
        long blocks = 0;
        var pilotSeed = seed ^ 0x5DEECE66DUL;
        while (blocks < maxBlocks && (blocks == 0 || clock.Elapsed.TotalSeconds < maxSeconds))
        {
            var count = (int)Math.Min(chunk, maxBlocks - blocks);
            AddBlocks(shape, pilotSeed, blocks, count, long.MaxValue, histogram);
            blocks += count;
        }
        return new Acceptance(blocks * BlockSize, histogram[minSymbols], histogram, clock.Elapsed.TotalSeconds);
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

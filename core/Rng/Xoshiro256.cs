namespace CommLab.Rng;

/// <summary>xoshiro256** (Blackman and Vigna), seeded through splitmix64. Game generation draws about
/// 1,300 attribute values per candidate game and needs about 12 candidate games per accepted one, so it
/// uses this small value-type generator rather than <see cref="System.Random"/>: its streams are fixed
/// by the algorithm (not by the .NET version) and a block of games can own its own stream.</summary>
public struct Xoshiro256
{
    ulong s0, s1, s2, s3;

    /// <summary>A generator whose stream is determined by <paramref name="seed"/> alone.</summary>
    public Xoshiro256(ulong seed)
    {
        s0 = SplitMix(ref seed); s1 = SplitMix(ref seed); s2 = SplitMix(ref seed); s3 = SplitMix(ref seed);
    }

    /// <summary>A generator for stream <paramref name="stream"/> of <paramref name="seed"/>: different
    /// streams of one seed are unrelated, so blocks of work can run in any order or in parallel.</summary>
    public static Xoshiro256 ForStream(ulong seed, ulong stream)
    {
        var mixed = seed;
        var a = SplitMix(ref mixed);
        return new Xoshiro256(a ^ (stream * 0xD1B54A32D192ED03UL + 0x8CB92BA72F3D8DD7UL));
    }

    /// <summary>The generator's four state words, so a saved environment or dataset block can resume its
    /// stream exactly; <see cref="FromState"/> is the inverse.</summary>
    public readonly (ulong S0, ulong S1, ulong S2, ulong S3) State => (s0, s1, s2, s3);

    /// <summary>A generator resuming from <paramref name="state"/> (as read from <see cref="State"/>).
    /// The all-zero state is xoshiro's one fixed point and is refused.</summary>
    public static Xoshiro256 FromState((ulong S0, ulong S1, ulong S2, ulong S3) state)
    {
        if ((state.S0 | state.S1 | state.S2 | state.S3) == 0)
            throw new ArgumentException("a xoshiro256 state must not be all zero (the generator would only ever return 0)");
        var g = default(Xoshiro256);
        g.s0 = state.S0; g.s1 = state.S1; g.s2 = state.S2; g.s3 = state.S3;
        return g;
    }

    static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>64 uniformly random bits.</summary>
    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(s1 * 5, 7) * 9;
        var t = s1 << 17;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>A uniform integer in [0, <paramref name="bound"/>), without modulo bias (Lemire's
    /// multiply-and-reject on 32-bit draws).</summary>
    public int NextInt(int bound)
    {
        if (bound <= 0) throw new ArgumentOutOfRangeException(nameof(bound), $"bound must be >= 1, got {bound}");
        var b = (uint)bound;
        while (true)
        {
            var m = (ulong)(uint)(NextUInt64() >> 32) * b;
            var low = (uint)m;
            if (low >= b || low >= (uint)(-(int)b) % b) return (int)(m >> 32);
        }
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace CommLab.Estimators;

/// <summary>The random draws estimators are built from.</summary>
/// <remarks>On CPU, libtorch draws uniforms one at a time from a Mersenne twister (about 2.4 ns each) and
/// its exponential_ costs about 18 ns: for GRMCK's K x C draws these dominate. Float32 draws on CPU are
/// therefore made here, by xoshiro128+ in eight SIMD lanes (about 0.4 ns each), seeded from the caller's
/// torch generator so that the generator stays the one source of randomness and a run stays reproducible
/// from its seed. Other dtypes and devices use libtorch's own generator.</remarks>
public static class Draws
{
    // The smallest draw on libtorch's path, whose uniform lies in [0, 1): 0 would make -log U infinite.
    const double Smallest = 1e-20;

    /// <summary>log U for U ~ Uniform(0, 1): strictly negative and finite, so -log U is Exp(1) noise
    /// that is neither 0 nor infinite, and -log(-log U) is Gumbel(0, 1) noise.</summary>
    public static Tensor LogUniform(long[] shape, ScalarType dtype, Device device, Generator? generator)
    {
        // A fresh tensor that requires no gradient: autograd records nothing here, no_grad or not.
        var draws = empty(shape, dtype: dtype, device: device);
        if (dtype == ScalarType.Float32 && device.type == TorchSharp.DeviceType.CPU)
        {
            FillUniform(MemoryMarshal.Cast<byte, float>(draws.bytes), Seeds.Next(generator));
            return draws.log_();
        }
        return draws.uniform_(Smallest, 1.0, generator).log_();
    }

    /// <summary>Fills <paramref name="target"/> with uniforms strictly inside (0, 1), on the grid
    /// (k + 1/2) / 2^23, from the xoshiro128+ stream of <paramref name="seed"/>.</summary>
    public static void FillUniform(Span<float> target, ulong seed)
    {
        Span<uint> state = stackalloc uint[32];
        var mix = seed;
        for (int i = 0; i < 32; i += 2)
        {
            var v = SplitMix(ref mix);
            state[i] = (uint)v;
            state[i + 1] = (uint)(v >> 32) | 1u; // no lane may start all-zero
        }
        var s0 = Vector256.Create<uint>(state[..8]);
        var s1 = Vector256.Create<uint>(state[8..16]);
        var s2 = Vector256.Create<uint>(state[16..24]);
        var s3 = Vector256.Create<uint>(state[24..32]);
        var half = Vector256.Create(0.5f);
        var scale = Vector256.Create(1f / (1 << 23));
        Span<float> tail = stackalloc float[8];
        for (int i = 0; i < target.Length; i += 8)
        {
            var r = s0 + s3;
            var t = s1 << 9;
            s2 ^= s0;
            s3 ^= s1;
            s1 ^= s2;
            s0 ^= s3;
            s2 ^= t;
            s3 = (s3 << 11) | (s3 >> 21);
            // The top 23 bits, plus one half: exact in float32 and never 0 or 1.
            var u = (Vector256.ConvertToSingle((r >> 9).AsInt32()) + half) * scale;
            if (i + 8 <= target.Length) u.StoreUnsafe(ref target[i]);
            else
            {
                u.CopyTo(tail);
                tail[..(target.Length - i)].CopyTo(target[i..]);
            }
        }
    }

    static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The seeds already drawn from <paramref name="generator"/> in a block and not yet used:
    /// with the generator's own state, they are what a checkpoint must hold for the draws to continue
    /// exactly (the generator has moved past the whole block).</summary>
    public static long[] PendingSeeds(Generator generator) => Seeds.Pending(generator);

    /// <summary>Makes <paramref name="pending"/> (from <see cref="PendingSeeds"/>) the next seeds drawn
    /// from <paramref name="generator"/>, before any new block; call it with the generator's state restored.</summary>
    public static void RestorePendingSeeds(Generator generator, long[] pending) => Seeds.Restore(generator, pending);

    /// <summary>64-bit seeds drawn from a torch generator in blocks, so a draw costs no libtorch call most of the time.</summary>
    static class Seeds
    {
        const int Block = 64;
        static readonly ConditionalWeakTable<Generator, Buffer> PerGenerator = new();
        static readonly Buffer Global = new();

        sealed class Buffer
        {
            public readonly long[] Values = new long[Block];
            public int Used = Block;
        }

        public static ulong Next(Generator? generator)
        {
            var buffer = generator is null ? Global : PerGenerator.GetValue(generator, _ => new Buffer());
            lock (buffer)
            {
                if (buffer.Used == Block)
                {
                    using var drawn = randint(long.MinValue, long.MaxValue, new long[] { Block }, dtype: ScalarType.Int64, generator: generator);
                    drawn.data<long>().CopyTo(buffer.Values);
                    buffer.Used = 0;
                }
                return (ulong)buffer.Values[buffer.Used++];
            }
        }

        public static long[] Pending(Generator generator)
        {
            if (!PerGenerator.TryGetValue(generator, out var buffer)) return Array.Empty<long>();
            lock (buffer) return buffer.Values[buffer.Used..];
        }

        public static void Restore(Generator generator, long[] pending)
        {
            if (pending.Length > Block) throw new ArgumentException($"at most {Block} seeds can be pending, got {pending.Length}");
            var buffer = PerGenerator.GetValue(generator, _ => new Buffer());
            lock (buffer)
            {
                // The pending seeds end the block, as they did when saved.
                buffer.Used = Block - pending.Length;
                pending.CopyTo(buffer.Values, buffer.Used);
            }
        }
    }
}

using System.Numerics;
using System.Runtime.Intrinsics;

namespace CommLab.Symbolic;

/// <summary>SolveMinSym (Zhang, appendix A.2): the symbolic complexity min(|M|) of a game, the fewest
/// (attribute, value) symbols of the target that no distractor shares entirely.
/// <para>A set C of the target's attributes singles the target out exactly when every distractor
/// differs from it on some attribute of C. So with D_j the attributes where distractor j differs,
/// min(|M|) is the size of a smallest set hitting every D_j. Instead of the paper's enumeration of
/// subsets (up to C(|A|, k) of them, each checked against every distractor), this searches with
/// iterative deepening, branching only on the attributes of the unhit D_j with the fewest members
/// (one of them must be in C), with attribute sets as 64-bit masks; the last symbol is found with one
/// AND over the sets still unhit.</para>
/// <para>Distractors identical to the target are left out, as in Algorithm 1 (no message can tell
/// them apart). The full attribute set then always works, so the answer is in 1..|A|, except when
/// no distractor is left at all: then the empty message suffices and the answer is 0 (Algorithm 1
/// returns 1 there, because its first one-symbol candidate is checked against no distractor).</para></summary>
public static class SolveMinSym
{
    /// <summary>min(|M|) of the game whose objects are <paramref name="objects"/> (candidates x
    /// attributes, candidate-major) with the target at index <paramref name="target"/>.</summary>
    public static int Solve(ReadOnlySpan<byte> objects, int candidates, int attributes, int target)
    {
        if (attributes < 1 || attributes > 64)
            throw new ArgumentOutOfRangeException(nameof(attributes), $"attributes must be in 1..64, got {attributes}");
        if (objects.Length != candidates * attributes)
            throw new ArgumentException($"objects must hold candidates x attributes = {candidates} x {attributes} values, got {objects.Length}");
        if ((uint)target >= (uint)candidates)
            throw new ArgumentOutOfRangeException(nameof(target), $"target must be in 0..{candidates - 1}, got {target}");

        Span<ulong> differing = candidates <= 256 ? stackalloc ulong[candidates] : new ulong[candidates];
        var count = DifferingSets(objects, candidates, attributes, target, differing);
        return Solve(differing[..count], attributes);
    }

    /// <summary>min(|M|) from the distractors' differing-attribute masks (bit a set: the distractor's
    /// value of attribute a differs from the target's). Empty masks (identical distractors) are ignored.</summary>
    public static int Solve(ReadOnlySpan<ulong> differing, int attributes)
    {
        Span<ulong> sets = differing.Length <= 256 ? stackalloc ulong[differing.Length] : new ulong[differing.Length];
        var n = Minimal(differing, sets);
        if (n == 0) return 0;
        var size = n * (attributes + 1);
        Span<ulong> work = size <= 4096 ? stackalloc ulong[size] : new ulong[size];
        for (int k = 1; k <= attributes; k++)
            if (Hits(sets[..n], k, work)) return k;
        throw new InvalidOperationException("unreachable: the full attribute set hits every non-empty set");
    }

    /// <summary>Writes the differing-attribute mask of every distractor that is not identical to the
    /// target into <paramref name="into"/>; returns how many were written.</summary>
    public static int DifferingSets(ReadOnlySpan<byte> objects, int candidates, int attributes, int target, Span<ulong> into)
    {
        var t = objects.Slice(target * attributes, attributes);
        int count = 0;
        // Up to 32 attributes, one 32-byte comparison per candidate gives its mask, as long as the
        // load stays inside the span; the rest (and wider objects) compare byte by byte.
        var simd = Vector256.IsHardwareAccelerated && attributes <= 32;
        var keep = attributes == 64 ? ~0UL : (1UL << attributes) - 1;
        Vector256<byte> target256 = default;
        if (simd && target * attributes + 32 <= objects.Length)
            target256 = Vector256.Create(objects.Slice(target * attributes, 32));
        else simd = false;
        for (int c = 0; c < candidates; c++)
        {
            if (c == target) continue;
            ulong mask = 0;
            var start = c * attributes;
            if (simd && start + 32 <= objects.Length)
            {
                var equal = Vector256.Equals(Vector256.Create(objects.Slice(start, 32)), target256).ExtractMostSignificantBits();
                mask = ~(ulong)equal & keep;
            }
            else
            {
                var o = objects.Slice(start, attributes);
                for (int a = 0; a < attributes; a++)
                    if (o[a] != t[a]) mask |= 1UL << a;
            }
            if (mask != 0) into[count++] = mask;
        }
        return count;
    }

    // Keeps the sets no other set is a proper subset of (hitting the subset hits the superset), without
    // duplicates and empties: fewer sets to scan at every node of the search.
    static int Minimal(ReadOnlySpan<ulong> sets, Span<ulong> into)
    {
        int n = 0;
        foreach (var s in sets)
        {
            if (s == 0) continue;
            bool dominated = false;
            for (int i = 0; i < n && !dominated; i++)
                dominated = (into[i] & s) == into[i];
            if (dominated) continue;
            int kept = 0;
            for (int i = 0; i < n; i++)
                if ((into[i] & s) != s) into[kept++] = into[i];
            into[kept++] = s;
            n = kept;
        }
        return n;
    }

    // Is there a set of at most k attributes hitting every set in `sets`? `work` holds the sets still
    // unhit at each depth.
    static bool Hits(ReadOnlySpan<ulong> sets, int k, Span<ulong> work)
    {
        if (sets.Length == 0) return true;
        if (k == 0) return false;
        if (k == 1)
        {
            ulong common = ~0UL;
            foreach (var s in sets) common &= s;
            return common != 0;
        }
        var pivot = sets[0];
        foreach (var s in sets)
            if (BitOperations.PopCount(s) < BitOperations.PopCount(pivot)) pivot = s;

        var next = work[..sets.Length];
        var rest = work[sets.Length..];
        for (var bits = pivot; bits != 0; bits &= bits - 1)
        {
            var a = bits & (~bits + 1);
            int n = 0;
            foreach (var s in sets)
                if ((s & a) == 0) next[n++] = s;
            if (Hits(next[..n], k - 1, rest)) return true;
        }
        return false;
    }
}

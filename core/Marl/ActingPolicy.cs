using System.Numerics;
using CommLab.Rng;
using TorchSharp;
using static TorchSharp.torch;

namespace CommLab.Marl;

/// <summary>The actors as plain arrays, for choosing actions: a copy of a <see cref="StackedMlp"/>'s
/// weights on the CPU, run forward in managed code, with each action sampled from softmax of the logits.</summary>
/// <remarks>
/// <para>Why not libtorch: acting runs one small forward pass per environment step (the authors' loop
/// steps one environment), and at hidden width 64 its arithmetic is a few thousand multiply-adds per
/// agent, a few microseconds here, where the dozen libtorch calls a tensor forward pass and sample take
/// cost over a hundred. The weights change only in updates, so <see cref="Refresh"/> copies them once
/// per batch of updates.</para>
/// <para>The same network and the same distribution as the tensor forward pass; sums run in another
/// order, so logits agree to float rounding, not bit for bit.</para>
/// </remarks>
public sealed class ActingPolicy
{
    readonly int agents, slices;
    readonly int[] sizes;
    readonly float[][] weights, biases;   // per layer: [slices * in * out], [slices * out]
    readonly float[] hidden, next, logits;

    /// <summary>A policy shaped as <paramref name="actors"/>, holding its current weights.</summary>
    public ActingPolicy(StackedMlp actors)
    {
        var layers = actors.Layers;
        agents = layers[0].Agents;
        slices = layers[0].Shared ? 1 : agents;
        sizes = actors.Sizes;
        weights = layers.Select(l => new float[slices * l.Inputs * l.Outputs]).ToArray();
        biases = layers.Select(l => new float[slices * l.Outputs]).ToArray();
        var widest = sizes.Max();
        hidden = new float[widest];
        next = new float[widest];
        logits = new float[sizes[^1]];
        Refresh(actors);
    }

    /// <summary>Actions per agent.</summary>
    public int Actions => sizes[^1];

    /// <summary>Floats per agent observation.</summary>
    public int ObservationLength => sizes[0];

    /// <summary>Copies the actors' current weights (after updates).</summary>
    public void Refresh(StackedMlp actors)
    {
        var layers = actors.Layers;
        for (int l = 0; l < layers.Count; l++)
        {
            Copy(layers[l].Weight, weights[l]);
            Copy(layers[l].Bias, biases[l]);
        }
    }

    static void Copy(Tensor parameter, float[] into)
    {
        using var scope = NewDisposeScope();
        var values = parameter.detach().to(ScalarType.Float32).cpu().contiguous();
        values.data<float>().CopyTo(into);
    }

    /// <summary>Samples every agent's action in each of the environments whose flat observations
    /// ([envs * N * obs], env-major as <see cref="CommLab.Envs.IVectorEnv.Observations"/>) are given,
    /// into <paramref name="into"/> ([envs * N]). Each action takes one uniform draw from
    /// <paramref name="random"/>, agents in order within each environment in order.</summary>
    public void Sample(ReadOnlySpan<float> observations, Span<int> into, ref Xoshiro256 random)
    {
        var d = ObservationLength;
        if (observations.Length != into.Length * d || into.Length % agents != 0)
            throw new ArgumentException($"{observations.Length} observation floats and {into.Length} actions do not make whole environments of {agents} agents x {d} floats");
        for (int k = 0; k < into.Length; k++)
        {
            var agent = k % agents;
            Logits(agent, observations.Slice(k * d, d));
            into[k] = SampleSoftmax(logits, ref random);
        }
    }

    /// <summary>Agent <paramref name="agent"/>'s logits for one observation, into <see cref="logits"/>.</summary>
    void Logits(int agent, ReadOnlySpan<float> observation)
    {
        var slice = slices == 1 ? 0 : agent;
        observation.CopyTo(hidden);
        var input = hidden;
        var output = next;
        for (int l = 0; l < weights.Length; l++)
        {
            int n = sizes[l], m = sizes[l + 1];
            var y = l == weights.Length - 1 ? logits.AsSpan() : output.AsSpan(0, m);
            biases[l].AsSpan(slice * m, m).CopyTo(y);
            var w = weights[l].AsSpan(slice * n * m, n * m);
            // y += x_i * W[i, :] for each input i: rows of W are contiguous, so the inner loop is a SIMD axpy.
            for (int i = 0; i < n; i++)
            {
                var x = input[i];
                if (x != 0) Axpy(x, w.Slice(i * m, m), y);
            }
            if (l < weights.Length - 1)
            {
                for (int j = 0; j < m; j++) if (y[j] < 0) y[j] = 0;
                (input, output) = (output, input);
            }
        }
    }

    static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var va = new Vector<float>(a);
            for (; j <= y.Length - Vector<float>.Count; j += Vector<float>.Count)
                (new Vector<float>(y.Slice(j)) + va * new Vector<float>(x.Slice(j))).CopyTo(y.Slice(j));
        }
        for (; j < y.Length; j++) y[j] += a * x[j];
    }

    /// <summary>An index drawn with probability softmax(<paramref name="scores"/>): one uniform draw
    /// against the running sum of exp(score - max).</summary>
    static int SampleSoftmax(ReadOnlySpan<float> scores, ref Xoshiro256 random)
    {
        var max = float.NegativeInfinity;
        foreach (var s in scores) max = Math.Max(max, s);
        double total = 0;
        Span<double> weights = stackalloc double[scores.Length];
        for (int a = 0; a < scores.Length; a++) total += weights[a] = Math.Exp(scores[a] - max);
        // 53 random bits: a double uniform in [0, 1).
        var u = (random.NextUInt64() >> 11) * (1.0 / (1UL << 53)) * total;
        for (int a = 0; a < scores.Length - 1; a++)
        {
            u -= weights[a];
            if (u < 0) return a;
        }
        return scores.Length - 1;
    }
}

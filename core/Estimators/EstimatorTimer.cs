using System.Diagnostics;
using CommLab.Devices;
using static TorchSharp.torch;

namespace CommLab.Estimators;

/// <summary>One timed cell of the compute-time protocol: an estimator on one logit instance.</summary>
/// <param name="Estimator">Column name ("STGS", "GRMC-10", "GST").</param>
/// <param name="Dimension">Categories per logit vector.</param>
/// <param name="Batch">Logit vectors per call.</param>
/// <param name="Instance">Which logit instance (also its seed).</param>
/// <param name="Calls">Timed calls.</param>
/// <param name="Microseconds">Mean wall time of one forward-and-backward relaxation.</param>
/// <param name="ForwardMicroseconds">Mean wall time of the forward pass alone.</param>
/// <param name="TensorsPerCall">Tensors created per relaxation by the forward pass, as the dispose scope
/// counts them (outputs and views of the operations dispatched to libtorch; the backward pass's own
/// are not counted).</param>
/// <param name="Threads">libtorch threads during the measurement.</param>
public sealed record TimingMeasurement(
    string Estimator, int Dimension, int Batch, int Instance, int Calls,
    double Microseconds, double ForwardMicroseconds, double TensorsPerCall, int Threads);

/// <summary>Times estimators the way "Revisiting the Gumbel-Softmax in MADDPG" does (Section 4.2,
/// Table 2): one relaxation is the estimator's training path plus the backward pass to the logits.</summary>
public static class EstimatorTimer
{
    /// <summary>Times <paramref name="calls"/> relaxations by each estimator of <paramref name="columns"/>
    /// on one logit instance, after <paramref name="warmup"/> untimed ones. The backward pass is
    /// torch.autograd.grad with a fixed upstream gradient, so nothing accumulates between calls; each
    /// call has its own dispose scope. The estimators take turns in blocks of calls, so a slow spell of
    /// the machine (other tenants, the garbage collector) lands on every column alike; forward-only
    /// calls are timed the same way, to show how the time splits.</summary>
    public static IReadOnlyList<TimingMeasurement> Measure(string deviceName, IReadOnlyList<(string Name, EstimatorSpec Spec)> columns,
        int dimension, int batch, int instance, int calls, int warmup)
    {
        var device = DeviceChoice.Resolve(deviceName);
        void Sync() { if (device.type == TorchSharp.DeviceType.CUDA) cuda.synchronize(); }
        using var generator = new Generator((ulong)(1000 * instance + dimension), device);
        using var logits = randn(new long[] { batch, dimension }, generator: generator, device: device).requires_grad_(true);
        using var upstream = randn(new long[] { batch, dimension }, generator: generator, device: device);
        var inputs = new[] { logits };
        var grads = new[] { upstream };
        var estimators = columns.Select(c => c.Spec.Create(generator)).ToArray();
        void Relax(IDiscreteEstimator e)
        {
            using var _ = NewDisposeScope();
            autograd.grad(new[] { e.Apply(logits, true) }, inputs, grads);
        }
        void Forward(IDiscreteEstimator e)
        {
            using var _ = NewDisposeScope();
            e.Apply(logits, true);
        }
        var n = estimators.Length;
        var total = new double[n];
        var forwardTotal = new double[n];
        var tensors = new long[n];
        foreach (var e in estimators)
            for (int i = 0; i < warmup; i++) Relax(e);
        var block = Math.Max(1, Math.Min(100, calls / 10));
        var stats = TorchSharp.DisposeScopeManager.Statistics;
        for (int done = 0; done < calls;)
        {
            var size = Math.Min(block, calls - done);
            for (int i = 0; i < n; i++)
            {
                Sync();
                var created = stats.CreatedInScopeCount;
                var clock = Stopwatch.StartNew();
                for (int k = 0; k < size; k++) Relax(estimators[i]);
                Sync();
                total[i] += clock.Elapsed.TotalMilliseconds * 1000.0;
                tensors[i] += stats.CreatedInScopeCount - created;
                clock.Restart();
                for (int k = 0; k < size; k++) Forward(estimators[i]);
                Sync();
                forwardTotal[i] += clock.Elapsed.TotalMilliseconds * 1000.0;
            }
            done += size;
        }
        return Enumerable.Range(0, n).Select(i => new TimingMeasurement(
            columns[i].Name, dimension, batch, instance, calls, total[i] / calls, forwardTotal[i] / calls,
            (double)tensors[i] / calls, get_num_threads())).ToList();
    }
}

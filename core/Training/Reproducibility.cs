using System.Runtime.InteropServices;
using CommLab.Devices;

namespace CommLab.Training;

/// <summary>Makes CPU results repeat bit for bit: same config and seed, same numbers on the same machine.</summary>
/// <remarks>libtorch's CPU build links Intel oneMKL, whose GEMM kernels pick code paths by the memory
/// alignment of their buffers unless "conditional numerical reproducibility" is on; two identical runs
/// then differ in the 8th digit and, after a few epochs, in the metrics. Setting the mode to AUTO (what
/// the MKL_CBWR=AUTO environment variable does) fixes the path for a given processor and thread count.
/// .NET cannot set a native environment variable before libtorch reads it, so we call MKL's own setter.</remarks>
public static class Reproducibility
{
    const int MklCbwrBranch = 1;
    const int MklCbwrAuto = 2;

    delegate int CbwrFn(int value);

    static readonly Lazy<(CbwrFn Set, CbwrFn Get)?> Mkl = new(() =>
    {
        // Entry points call Ensure before any tensor work, so libtorch is loaded here: by path, before
        // TorchSharp looks for it by name (see TorchNatives).
        TorchNatives.Load();
        TorchSharp.torch.InitializeDeviceType(TorchSharp.DeviceType.CPU);
        var lib = TorchNatives.LibTorchCpu;
        if (!NativeLibrary.TryGetExport(lib, "mkl_serv_cbwr_set", out var set) ||
            !NativeLibrary.TryGetExport(lib, "mkl_serv_cbwr_get", out var get)) return null;
        return (Marshal.GetDelegateForFunctionPointer<CbwrFn>(set), Marshal.GetDelegateForFunctionPointer<CbwrFn>(get));
    });

    static int warned;

    /// <summary>Turns on MKL's reproducible mode; idempotent and cheap. MKL accepts the mode only before
    /// its first computation, so entry points (test runner, experiment scripts) call this before any
    /// tensor work; the trainer calls it too. The first call loads libtorch (<see cref="TorchNatives.Load"/>)
    /// and throws its <see cref="DllNotFoundException"/> when that fails. Returns false, with a one-time
    /// warning on stderr, when the mode could not be set (MKL already in use, or a libtorch without MKL).</summary>
    public static bool Ensure()
    {
        var ok = Mkl.Value is { } mkl && (mkl.Get(MklCbwrBranch) == MklCbwrAuto || (mkl.Set(MklCbwrAuto) == 0 && mkl.Get(MklCbwrBranch) == MklCbwrAuto));
        if (!ok && Interlocked.Exchange(ref warned, 1) == 0)
            Console.Error.WriteLine("warning: MKL's reproducible mode could not be set (call Reproducibility.Ensure() before any " +
                "tensor operation); runs with the same seed may differ in the last digits");
        return ok;
    }

    // One lock for every model built from libtorch's global generator, whichever trainer builds it.
    static readonly object InitLock = new();

    /// <summary>Runs <paramref name="create"/> (a model constructor) with libtorch's global generator
    /// seeded to <paramref name="seed"/>. Parameter initialization draws from that one global generator,
    /// so runs started in parallel take turns here and each run's initial weights depend on its seed alone.</summary>
    public static T Seeded<T>(int seed, Func<T> create)
    {
        lock (InitLock)
        {
            TorchSharp.torch.random.manual_seed(seed);
            return create();
        }
    }

    /// <summary>Runs <paramref name="create"/> (a model constructor whose initial weights will be
    /// overwritten, by a checkpoint or an explicit generator) under the same lock as <see cref="Seeded"/>,
    /// and puts libtorch's global generator back as it was: building such a model changes no one's draws.</summary>
    public static T Untouched<T>(Func<T> create)
    {
        lock (InitLock)
        {
            using var state = TorchSharp.torch.random.get_rng_state();
            try { return create(); }
            finally { TorchSharp.torch.random.set_rng_state(state); }
        }
    }

    /// <summary>MKL's current reproducibility branch (2 = AUTO), or null without MKL.</summary>
    public static int? MklMode => Mkl.Value is { } mkl ? mkl.Get(MklCbwrBranch) : null;
}

using System.Runtime.InteropServices;

namespace CommLab.Devices;

/// <summary>Makes libtorch's CPU allocations cheap where page faults are dear, before libtorch loads.</summary>
/// <remarks>
/// <para>libtorch takes every CPU tensor from the C library's malloc, and glibc serves a large request
/// (over 128 KB at first, over 32 MB always) with fresh pages from the kernel and hands them back on
/// free. Each fresh 4 KB page then faults on first touch, and on these VMs faults are dear: allocating
/// and filling a 40 MB tensor took 130-160 ms, filling an existing one 2 ms, so the Object game's
/// evaluation (a [1000, 10^4] score matrix) spent 180 ms of 200 on faults, and a 12.6 MB GRU weight
/// gradient cost 2.4 ms to allocate.</para>
/// <para>Two settings remove that: glibc keeps freed memory for reuse (mallopt: no mmap-backed chunks,
/// no trimming of the heap's top), and c10 backs allocations of 2 MB and more with transparent huge
/// pages (its THP_MEM_ALLOC_ENABLE switch; the kernel's madvise mode, this machine's, honours it), 512
/// times fewer faults where fresh pages are needed. Measured with one thread: 40 MB allocate-and-fill
/// 160 -> 1 ms, 12.6 MB 2.4 -> 0.2 ms, 1.3 MB 0.23 -> 0.02 ms. The price: the process keeps its peak
/// heap until it ends (a training run's memory does not shrink anyway). Numerics do not change:
/// libtorch's 64-byte alignment is kept. A THP_MEM_ALLOC_ENABLE already in the environment wins;
/// COMMLAB_CPU_ALLOCATION=default leaves both settings alone (to compare, or to return memory).</para>
/// </remarks>
public static class CpuAllocation
{
    const int MallocTrimThreshold = -1; // M_TRIM_THRESHOLD
    const int MallocMmapMax = -4;       // M_MMAP_MAX

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int Mallopt(int parameter, int value);

    [DllImport("libc", EntryPoint = "setenv")]
    static extern int SetEnv(string name, string value, int overwrite);

    /// <summary>True once both settings took (Linux with glibc); false elsewhere, where nothing changes.</summary>
    public static bool Configured { get; private set; }

    /// <summary>Applies the settings; call before libtorch loads (<see cref="TorchNatives.Load"/> does).
    /// c10 reads THP_MEM_ALLOC_ENABLE once, from the C library's environment, which .NET's
    /// Environment.SetEnvironmentVariable does not write on Linux: hence setenv.</summary>
    internal static void Configure()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("COMMLAB_CPU_ALLOCATION") == "default") return;
        try
        {
            var hugePages = SetEnv("THP_MEM_ALLOC_ENABLE", "1", overwrite: 0) == 0;
            Configured = hugePages && Mallopt(MallocMmapMax, 0) == 1 && Mallopt(MallocTrimThreshold, int.MaxValue) == 1;
        }
        catch (EntryPointNotFoundException)
        {
            // A C library without mallopt (musl): allocations stay as they are.
        }
    }
}

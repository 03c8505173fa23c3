using System.Reflection;
using static TorchSharp.torch;

namespace CommLab.Devices;

/// <summary>What the tensor library is and how many threads it uses: the facts a run records about
/// where it ran (its provenance), and the one place that splits the CPU between parallel runs.</summary>
public static class Compute
{
    /// <summary>The TorchSharp package version, e.g. "0.107.0".</summary>
    public static string TorchSharpVersion { get; } =
        typeof(TorchSharp.torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    /// <summary>The libtorch version TorchSharp reports, e.g. "2.10.0.0".</summary>
    public static string LibtorchVersion => __version__;

    /// <summary>Threads libtorch uses for one operation in this process.</summary>
    public static int Threads => get_num_threads();

    /// <summary>Gives each of <paramref name="jobs"/> runs executing at once an equal share of the
    /// processors (at least one thread): libtorch's thread count is per process, so runs in parallel
    /// would otherwise each start every core and slow one another down.</summary>
    public static void ShareThreadsBetween(int jobs)
    {
        if (jobs < 1) throw new ArgumentOutOfRangeException(nameof(jobs), jobs, "jobs must be >= 1");
        set_num_threads(Math.Max(1, Environment.ProcessorCount / jobs));
    }

    /// <summary>Sets libtorch's thread count (>= 1) for what follows, e.g. one thread to time single logit vectors.</summary>
    public static void UseThreads(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be >= 1");
        set_num_threads(threads);
    }
}

using System.Runtime.InteropServices;

namespace CommLab.Devices;

/// <summary>Loads libtorch and TorchSharp's native library by absolute path from the build output,
/// before TorchSharp asks for them by name.</summary>
/// <remarks>TorchSharp first asks the runtime for <c>torch_cpu</c> and <c>LibTorchSharp</c> by bare
/// name. A compiled program's deps.json points the runtime at runtimes/linux-x64/native; a script under
/// <c>dotnet fsi</c> has no such file, so the names reach the dynamic loader's own search, which takes
/// whatever libtorch_cpu.so lies on LD_LIBRARY_PATH (conda) or in the system library directories
/// (Debian's libtorch-dev). When the search finds nothing, TorchSharp copies both packages' natives,
/// about 480 MB, into a cpu/ folder beside TorchSharp.dll and loads that copy. And even a compiled
/// program's libtorch_cpu.so gets the libraries it needs from LD_LIBRARY_PATH before its own folder.
/// Loaded here first, each after the libraries it needs, every later request by name (TorchSharp's,
/// or the loader's for a dependency) is answered with the library already loaded, matched by its
/// soname: nothing is copied and no other libtorch is consulted.</remarks>
public static class TorchNatives
{
    /// <summary>Each library after those it needs: libtorch_cpu needs c10, libtorch needs libtorch_cpu,
    /// TorchSharp's needs all three. (libtorch's OpenMP runtime comes first; see <see cref="Files"/>.)</summary>
    static readonly string[] InLoadOrder = ["libc10.so", "libtorch_cpu.so", "libtorch.so", "libLibTorchSharp.so"];

    /// <summary>Where the libraries are loaded from: runtimes/linux-x64/native beside TorchSharp.dll,
    /// the folder a compiled program's deps.json names too. The build fills it with hard links to the
    /// files of the libtorch-cpu-linux-x64 and TorchSharp packages, libLibTorchSharp.so after its
    /// GLIBCXX patch (build/WeakenGlibcxxNeed.cs), so loading from here loads the package's files.</summary>
    public static string Folder { get; } =
        Path.Combine(Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location)!, "runtimes", "linux-x64", "native");

    /// <summary>The libraries to load from <paramref name="folder"/>, in load order.</summary>
    /// <exception cref="DllNotFoundException">One is missing: the message names the folder, the files
    /// missing and the command that puts them there.</exception>
    public static IReadOnlyList<string> Files(string folder)
    {
        var missing = InLoadOrder.Where(name => !File.Exists(Path.Combine(folder, name))).ToList();
        if (missing.Count > 0)
            throw new DllNotFoundException(
                $"TorchSharp's native libraries are not in {folder} (missing: {string.Join(", ", missing)}). " +
                "The build links them there from the libtorch-cpu-linux-x64 and TorchSharp packages: run `dotnet fsi build.fsx -t Build`.");
        // libtorch_cpu's OpenMP runtime; its name carries a build hash (libgomp-98b21ff3.so.1 in 2.10).
        var openMp = Directory.GetFiles(folder, "libgomp-*.so*").Order();
        return [.. openMp, .. InLoadOrder.Select(name => Path.Combine(folder, name))];
    }

    static readonly Lazy<IntPtr> LibTorchCpuHandle = new(() =>
    {
        IntPtr libTorchCpu = 0;
        var files = Files(Folder);
        // Before libtorch's first allocation: c10 reads its huge-page switch once.
        CpuAllocation.Configure();
        foreach (var path in files)
        {
            var handle = NativeLibrary.Load(path);
            if (Path.GetFileName(path) == "libtorch_cpu.so") libTorchCpu = handle;
        }
        return libTorchCpu;
    });

    /// <summary>Loads the libraries from <see cref="Folder"/>, once per process. Call it before
    /// TorchSharp's first use; <see cref="Training.Reproducibility.Ensure"/>, which every entry point
    /// calls first, does. Throws <see cref="DllNotFoundException"/> when a library is missing or does
    /// not load (the message says which, and why).</summary>
    public static void Load() => _ = LibTorchCpuHandle.Value;

    /// <summary>The loaded libtorch_cpu.so, for its exported functions (MKL's).</summary>
    internal static IntPtr LibTorchCpu => LibTorchCpuHandle.Value;
}

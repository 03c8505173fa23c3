/// TorchSharp's native library loads and computes on this machine, and the copy the tests load carries
/// the build's patch (build/WeakenGlibcxxNeed.cs): its GLIBCXX_3.4.32 version need is marked weak.
/// libtorch is loaded by path from the build output (TorchNatives), in the tests and under `dotnet fsi`.
module CommLab.Tests.NativeTests

open System
open System.IO
open System.Text
open Expecto
open TorchSharp
open CommLab.Devices
open CommLab.Tests.TensorValues

/// The C library's view of the process: its environment and malloc's statistics.
module Libc =
    open System.Runtime.InteropServices

    /// glibc's struct mallinfo2 (all size_t).
    [<Struct; StructLayout(LayoutKind.Sequential)>]
    type MallInfo2 =
        val arena: unativeint
        val ordblks: unativeint
        val smblks: unativeint
        val hblks: unativeint
        val hblkhd: unativeint
        val usmblks: unativeint
        val fsmblks: unativeint
        val uordblks: unativeint
        val fordblks: unativeint
        val keepcost: unativeint

    [<DllImport("libc", EntryPoint = "mallinfo2")>]
    extern MallInfo2 private mallinfo2Native()

    [<DllImport("libc", EntryPoint = "getenv")>]
    extern nativeint private getenvNative(string name)

    /// malloc's statistics; hblkhd is the bytes in chunks mapped with mmap of their own.
    let mallinfo2 () = let m = mallinfo2Native () in {| hblkhd = uint64 m.hblkhd |}

    /// The variable as the C library sees it ("" when unset); .NET keeps its own copy on Linux.
    let getenv name = match getenvNative name with 0n -> "" | p -> Marshal.PtrToStringAnsi p

/// One version a shared object needs from one of its dependencies (an entry of .gnu.version_r).
type VersionNeed = { File: string; Name: string; Flags: uint16 }

/// VER_FLG_WEAK: the loader accepts a dependency that lacks this version.
let private weakFlag = 0x2us

/// Every version need of a 64-bit little-endian ELF file. Written independently of the build task so
/// that a mistake in the task's reader is not repeated here: it follows vn_next/vna_next links to
/// the end instead of trusting the section's entry count.
let versionNeeds (elf: byte[]) : VersionNeed list =
    if elf.Length < 64 || elf[0] <> 0x7fuy || Encoding.ASCII.GetString(elf, 1, 3) <> "ELF" then
        invalidArg "elf" "not an ELF file"
    if elf[4] <> 2uy || elf[5] <> 1uy then invalidArg "elf" "not a 64-bit little-endian ELF file"
    let u16 (at: int64) = BitConverter.ToUInt16(elf, int at)
    let u32 (at: int64) = int64 (BitConverter.ToUInt32(elf, int at))
    let u64 (at: int64) = int64 (BitConverter.ToUInt64(elf, int at))
    let text (at: int64) = Encoding.ASCII.GetString(elf, int at, Array.IndexOf(elf, 0uy, int at) - int at)
    let sectionHeaders, headerSize, sections = u64 0x28L, int64 (u16 0x3AL), int (u16 0x3CL)
    let header (i: int64) = sectionHeaders + i * headerSize
    [ for i in 0L .. int64 sections - 1L do
        let sh = header i
        // sh_type SHT_GNU_verneed; sh_link names the string table; sh_offset is where entries start.
        if u32 (sh + 4L) = 0x6ffffffeL then
            let strings = u64 (header (u32 (sh + 0x28L)) + 0x18L)
            let mutable need = u64 (sh + 0x18L)
            let mutable more = true
            while more do
                let file = text (strings + u32 (need + 4L))
                let mutable aux = need + u32 (need + 8L)
                let mutable moreAux = u16 (need + 2L) > 0us
                while moreAux do
                    yield { File = file; Name = text (strings + u32 (aux + 8L)); Flags = u16 (aux + 4L) }
                    let next = u32 (aux + 12L)
                    aux <- aux + next
                    moreAux <- next <> 0L
                let next = u32 (need + 12L)
                need <- need + next
                more <- next <> 0L ]

/// The copy of libLibTorchSharp.so that the build placed next to the test assembly.
let private besideTests =
    Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so")

/// The libraries TorchNatives loads by path (besides libtorch's OpenMP runtime), by file name.
let private torchLibraries = set [ "libc10.so"; "libtorch_cpu.so"; "libtorch.so"; "libLibTorchSharp.so" ]

/// Paths of those libraries in a /proc/<pid>/maps listing.
let private torchMappings (maps: string) =
    maps.Split '\n'
    |> Array.choose (fun line ->
        let at = line.IndexOf '/'
        if at >= 0 then Some(line.Substring at) else None)
    |> Array.filter (fun path -> torchLibraries.Contains(Path.GetFileName path |> string))
    |> Array.distinct

/// The file names among mapped paths.
let private names (paths: string[]) = paths |> Array.map (Path.GetFileName >> string) |> Set.ofArray

/// Paths of libLibTorchSharp.so mapped into this process (after TorchSharp has loaded it).
let private loadedCopies () =
    torchMappings (File.ReadAllText "/proc/self/maps") |> Array.filter (fun path -> path.EndsWith "/libLibTorchSharp.so")

/// Runs, under `dotnet fsi`, a script that loads experiments/Load.fsx as every experiment does,
/// computes, and prints its own /proc/self/maps; `environment` is added to the child's variables.
let private fsiMaps (environment: (string * string) list) (dir: string) =
    let script = Path.Combine(dir, "maps.fsx")
    let load = Path.Combine(Approval.repoRoot (), "experiments", "Load.fsx")
    File.WriteAllText(script,
        sprintf "#load @\"%s\"\nTorchSharp.torch.ones(2L).sum().item<float32>() |> ignore\nstdout.Write(System.IO.File.ReadAllText \"/proc/self/maps\")\n" load)
    CommandRun.dotnetWith environment [ "fsi"; script ]

let private glibcxx332 (path: string) =
    versionNeeds (File.ReadAllBytes path) |> List.tryFind (fun n -> n.Name = "GLIBCXX_3.4.32")

let tests =
    testList "Native" [
        test "TorchSharp multiplies two matrices" {
            use a = matrix [| [| 1f; 2f |]; [| 3f; 4f |] |]
            use b = matrix [| [| 5f |]; [| 6f |] |]
            use product = a.matmul b
            Expect.equal (floats product) [| 17f; 39f |] "[[1,2],[3,4]] x [5,6] is [17,39]: libtorch is loaded and computes"
        }

        test "the libLibTorchSharp.so beside the tests needs GLIBCXX_3.4.32 only weakly" {
            Expect.isTrue (File.Exists besideTests) (sprintf "the build copies the native library to %s" besideTests)
            match glibcxx332 besideTests with
            | None -> failtestf "%s has no GLIBCXX_3.4.32 need: TorchSharp changed, so the patch in build/ may be obsolete" besideTests
            | Some need ->
                Expect.equal need.File "libstdc++.so.6" "the version is needed from libstdc++"
                Expect.equal (need.Flags &&& weakFlag) weakFlag
                    "VER_FLG_WEAK must be set, or the library does not load on Debian 12: rebuild so build/WeakenGlibcxxNeed.cs runs"
        }

        test "the patch weakens no other version need" {
            let needs = versionNeeds (File.ReadAllBytes besideTests)
            Expect.isGreaterThan needs.Length 10 "the library needs many versions of libc and libstdc++: the reader found them all"
            Expect.contains (needs |> List.map (fun n -> n.Name)) "GLIBCXX_3.4.30" "the reader sees the other libstdc++ needs"
            let weakOthers = needs |> List.filter (fun n -> n.Name <> "GLIBCXX_3.4.32" && n.Flags &&& weakFlag <> 0us)
            Expect.isEmpty weakOthers "only GLIBCXX_3.4.32 may be weakened; other needs keep the loader's checks"
        }

        test "the library TorchSharp loaded is a patched copy" {
            use _ = torch.ones(1L)
            let loaded = loadedCopies ()
            Expect.isNonEmpty loaded "TorchSharp has loaded libLibTorchSharp.so into this process"
            for path in loaded do
                let flags = glibcxx332 path |> Option.map (fun n -> n.Flags &&& weakFlag)
                Expect.equal flags (Some weakFlag) (sprintf "%s must carry the weak GLIBCXX_3.4.32 need" path)
        }

        test "libtorch and TorchSharp's library are loaded from the folder beside TorchSharp.dll" {
            use _ = torch.ones(1L)
            let beside = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native")
            Expect.equal (Path.GetFullPath TorchNatives.Folder) (Path.GetFullPath beside)
                "TorchNatives looks in runtimes/linux-x64/native beside TorchSharp.dll, where the build links the package files"
            let mapped = torchMappings (File.ReadAllText "/proc/self/maps")
            Expect.equal (names mapped) torchLibraries "all four libraries are loaded"
            for path in mapped do
                Expect.equal (Path.GetDirectoryName path) (Path.GetFullPath beside) (sprintf "%s must come from the build output" path)
        }

        test "missing natives: the error names the folder, the missing files and the command that links them" {
            use dir = new TempDir()
            let error = Expect.throwsC (fun () -> TorchNatives.Files dir.Path |> ignore) id
            Expect.isTrue (error :? DllNotFoundException) (sprintf "a missing library is a DllNotFoundException, got %s" (error.GetType().Name))
            Expect.stringContains error.Message dir.Path "the message names the folder looked in"
            Expect.stringContains error.Message "libtorch_cpu.so" "the message names the missing files"
            Expect.stringContains error.Message "dotnet fsi build.fsx -t Build" "the message says how to put them there"
        }

        test "under dotnet fsi libtorch comes from the build output, not a copy nor one on LD_LIBRARY_PATH" {
            // Decoys: a real shared object under each library's name, first on the loader's search path.
            // Without TorchNatives, TorchSharp finds nothing beside TorchSharp.dll, copies the natives into
            // cpu/, and that copy's dependencies resolve to these decoys, so the script fails.
            use decoys = new TempDir()
            for name in torchLibraries do
                File.Copy(Path.Combine(TorchNatives.Folder, "libtorch_global_deps.so"), Path.Combine(decoys.Path, name))
            let code, output = fsiMaps [ "LD_LIBRARY_PATH", decoys.Path ] decoys.Path
            Expect.equal code 0 (sprintf "the script computes with a decoy libtorch on LD_LIBRARY_PATH:\n%s" output)
            let buildOutput = Path.Combine(Approval.repoRoot (), "artifacts", "bin", "CommLab.Dsl", "release", "runtimes", "linux-x64", "native")
            let mapped = torchMappings output
            Expect.equal (names mapped) torchLibraries (sprintf "all four libraries are loaded:\n%s" (String.concat "\n" mapped))
            for path in mapped do
                Expect.equal (Path.GetDirectoryName path) buildOutput
                    (sprintf "%s must come from the build output (the folder Load.fsx references), not a cpu/ copy or a decoy" path)
        }

        test "large tensors reuse the heap: allocating 40 MB maps no fresh memory of its own" {
            Expect.isTrue CpuAllocation.Configured "mallopt and THP_MEM_ALLOC_ENABLE took at start-up (Linux, glibc)"
            Expect.equal (Libc.getenv "THP_MEM_ALLOC_ENABLE") "1" "c10's huge-page switch is on in the C library's environment"
            let mapped () = (Libc.mallinfo2 ()).hblkhd
            let before = mapped ()
            use big = torch.ones(1000L, 10000L)
            Expect.isLessThan (mapped () - before) (40_000_000UL) (sprintf "bytes in mmap-backed chunks grew by %d" (mapped () - before))
            Expect.equal (big.sum().item<float32>()) 1e7f "the tensor is usable"
        }

        test "the ELF reader rejects a file that is not ELF" {
            let error = Expect.throwsC (fun () -> versionNeeds (Array.zeroCreate 64) |> ignore) id
            Expect.stringContains error.Message "not an ELF file" "the reader checks the magic number before reading offsets"
        }
    ]

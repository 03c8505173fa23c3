/// Where a run came from: the code (git commit, and whether tracked code had uncommitted changes), the
/// tensor library, the device and the threads. Written into every run's config.json beside the
/// config, outside the part the run id hashes, so the same config keeps its id on any machine.
module CommLab.Dsl.Provenance

open System
open System.Diagnostics
open System.IO
open System.Runtime.InteropServices
open CommLab.Devices

/// The facts recorded with a run.
type Provenance =
    { /// `git rev-parse HEAD` of the checkout the framework was built in; "unknown" outside git.
      Commit: string
      /// Tracked files outside results/ differ from that commit (the numbers may come from code no commit holds).
      Dirty: bool
      /// TorchSharp package version.
      TorchSharp: string
      /// libtorch version as TorchSharp reports it.
      Libtorch: string
      /// The device the run was asked to use ("cpu", "cuda", "cuda:N").
      Device: string
      /// libtorch threads of the run.
      Threads: int
      /// Processors the machine offers.
      Processors: int
      /// Operating system and architecture.
      Os: string
      /// When the run started (UTC, ISO 8601).
      Started: string }

// git, run in the folder of this assembly (inside the checkout it was built from, also when a script
// runs from elsewhere); None when git or the checkout is missing.
let private git (args: string list) =
    try
        let dir = Path.GetDirectoryName(typeof<Provenance>.Assembly.Location) |> string
        let psi = ProcessStartInfo("git", args, WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true)
        match Process.Start psi with
        | null -> None
        | p ->
            use p = p
            let out = p.StandardOutput.ReadToEnd()
            p.WaitForExit()
            if p.ExitCode = 0 then Some(out.Trim()) else None
    with _ -> None

// Asked once per process: the answer cannot change while a sweep runs from the built assemblies.
let private checkout =
    lazy
        (match git [ "rev-parse"; "HEAD" ] with
         | Some commit ->
             // Results are rewritten by every sweep; only changes to the code make numbers unreproducible.
             let changes = git [ "status"; "--porcelain"; "--untracked-files=no"; "--"; ":/"; ":(exclude,top)results" ]
             commit, (match changes with Some s -> s <> "" | None -> true)
         | None -> "unknown", true)

/// The provenance of a run starting now on `device`.
let current (device: string) : Provenance =
    let commit, dirty = checkout.Force()
    { Commit = commit
      Dirty = dirty
      TorchSharp = Compute.TorchSharpVersion
      Libtorch = Compute.LibtorchVersion
      Device = device
      Threads = Compute.Threads
      Processors = Environment.ProcessorCount
      Os = sprintf "%s %s" RuntimeInformation.OSDescription (string RuntimeInformation.OSArchitecture)
      Started = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", Globalization.CultureInfo.InvariantCulture) }

// The project's build, run as `dotnet fsi build.fsx -t <Target> [-- <experiment options>]`.
// `dotnet fsi build.fsx` alone lists the targets.
//
// The script runs in two stages because FAKE itself is a Paket package: the first stage (no FAKE
// define) restores the pinned tools and every package, writes Paket's load scripts, and then runs
// this same file again with FAKE defined, where the targets live. Both stages are plain F#.

#if !FAKE
open System.Diagnostics
open System.IO

let private root = __SOURCE_DIRECTORY__

let private run (args: string list) =
    let psi = ProcessStartInfo("dotnet", args, WorkingDirectory = root, UseShellExecute = false)
    use p = Process.Start psi
    p.WaitForExit()
    p.ExitCode

let private require args =
    let code = run args
    if code <> 0 then
        eprintfn "build.fsx: `dotnet %s` failed (exit %d)" (String.concat " " args) code
        exit code

require [ "tool"; "restore" ]
require [ "paket"; "restore" ]
let private loadScript = Path.Combine(root, ".paket", "load", "net8.0", "Build", "Fake.Core.Target.fsx")
if not (File.Exists loadScript) || File.GetLastWriteTimeUtc loadScript < File.GetLastWriteTimeUtc(Path.Combine(root, "paket.lock")) then
    require [ "paket"; "generate-load-scripts"; "--group"; "Build"; "--framework"; "net8.0"; "--type"; "fsx" ]
// plotly.js (inlined into every HTML plot so it opens offline) comes from npm, pinned by its lock file.
if not (Directory.Exists(Path.Combine(root, "build", "plotly", "node_modules"))) then
    let psi = ProcessStartInfo("npm", [ "ci"; "--prefix"; "build/plotly"; "--no-audit"; "--no-fund" ], WorkingDirectory = root, UseShellExecute = false)
    use p = Process.Start psi
    p.WaitForExit()
    if p.ExitCode <> 0 then
        eprintfn "build.fsx: `npm ci --prefix build/plotly` failed (exit %d)" p.ExitCode
        exit p.ExitCode
let private userArgs = fsi.CommandLineArgs |> Array.skip 1 |> List.ofArray
exit (run ([ "fsi"; "--define:FAKE"; Path.Combine(root, "build.fsx") ] @ userArgs))
#else
#load ".paket/load/net8.0/Build/Fake.Core.Target.fsx"
#load ".paket/load/net8.0/Build/Fake.Core.Process.fsx"
#load ".paket/load/net8.0/Build/Fake.IO.FileSystem.fsx"

open System.IO
open Fake.Core
open Fake.Core.TargetOperators

// FAKE normally runs under its own runner; under `dotnet fsi` we create its context ourselves.
let private fakeArgs = fsi.CommandLineArgs |> Array.skip 1 |> List.ofArray
Context.setExecutionContext (Context.RuntimeContext.Fake(Context.FakeExecutionContext.Create false "build.fsx" fakeArgs))

let root = __SOURCE_DIRECTORY__
let testsDll = Path.Combine(root, "artifacts", "bin", "CommLab.Tests", "release", "CommLab.Tests.dll")
let testSummary = Path.Combine(root, "artifacts", "test-summary.txt")
// Only a Test target run by this invocation may leave a summary to repeat at the end.
if File.Exists testSummary then File.Delete testSummary

/// Exit code of bad input (an option, a config, a target name): the message is already printed, and
/// the build ends with the same code, without FAKE's failure report.
let badInput = 2

let private runDotnet (args: string list) =
    let result =
        CreateProcess.fromRawCommand "dotnet" args
        |> CreateProcess.withWorkingDirectory root
        |> Proc.run
    result.ExitCode

let private failed (args: string list) (code: int) =
    failwithf "`dotnet %s` failed (exit %d)" (String.concat " " args) code

/// Runs `dotnet args`; a script or program that refused its input (exit 2) ends the build with 2.
let dotnet (args: string list) =
    match runDotnet args with
    | 0 -> ()
    | code when code = badInput -> exit badInput
    | code -> failed args code

/// Options after `--` go to the experiment script, e.g. `-t Heatmap -- --profile smoke`.
let passThrough (p: TargetParameter) = List.ofSeq p.Context.Arguments

let experiment name (p: TargetParameter) =
    dotnet ([ "fsi"; Path.Combine("experiments", name + ".fsx") ] @ passThrough p)

// Every target is declared through `target`, so the list below (help, unknown-target check) is complete.
let targets = ResizeArray<string>()
let target (name: string) (body: TargetParameter -> unit) =
    targets.Add name
    Target.create name body

target "Restore" (fun _ -> Trace.log "tools and packages restored by the bootstrap stage")
target "Build" (fun _ -> dotnet [ "build"; "CommLab.sln"; "-c"; "Release"; "--nologo"; "-v"; "minimal" ])
target "Test" (fun p ->
    System.Environment.SetEnvironmentVariable("COMMLAB_TEST_SUMMARY", testSummary)
    // Not `dotnet`: whatever the test runner's exit code, the summary line must still be printed.
    let args = [ testsDll ] @ passThrough p
    match runDotnet args with
    | 0 -> ()
    | code -> failed args code)
// The cluster tests: start a single-node Slurm on this machine (installing Debian's slurm-wlm and
// munge when missing; needs root), then run the tests that submit to it. The plain Test target lists
// them as skipped.
target "SlurmTest" (fun p ->
    let start = Path.Combine(root, "build", "slurm", "start-local-cluster.sh")
    let result = CreateProcess.fromRawCommand "bash" [ start ] |> CreateProcess.redirectOutput |> Proc.run
    let conf =
        result.Result.Output.Split('\n')
        |> Array.tryPick (fun line -> if line.StartsWith "export SLURM_CONF=" then Some(line.Substring "export SLURM_CONF=".Length) else None)
    match result.ExitCode, conf with
    | 0, Some conf -> System.Environment.SetEnvironmentVariable("SLURM_CONF", conf.Trim())
    | code, _ -> failwithf "%s failed (exit %d):\n%s%s" start code result.Result.Output result.Result.Error
    System.Environment.SetEnvironmentVariable("COMMLAB_SLURM_TESTS", "1")
    System.Environment.SetEnvironmentVariable("COMMLAB_TEST_SUMMARY", testSummary)
    let args = [ testsDll; "--filter"; "CommLab.Slurm.cluster" ] @ passThrough p
    match runDotnet args with
    | 0 -> ()
    | code -> failed args code)
target "Heatmap" (experiment "quantized-heatmap")
target "ObjectCandidates" (experiment "object-game-candidates")
target "ObjectAblation" (experiment "object-lr-ablation")
// The quantization paper's other games: Tables 6-8 / Figure 3 and Figures 5-7 (paper profile: --data, --model).
target "ImageCandidates" (experiment "image-game-candidates")
target "SentRefCandidates" (experiment "sent-ref-candidates")
target "SentClsCandidates" (experiment "sent-cls-candidates")
target "ImageHeatmap" (experiment "image-heatmap")
target "SentRefHeatmap" (experiment "sent-ref-heatmap")
target "SentClsHeatmap" (experiment "sent-cls-heatmap")
target "EstimatorTime" (experiment "estimator-compute-time")
target "ChannelEstimators" (experiment "channel-estimators")
target "SmsFigures" (experiment "sms-message-length")
target "SmsComplexity" (experiment "sms-complexity")
target "SmsAblation" (experiment "sms-ablation")
target "Table1" (experiment "maddpg-table1")
target "Figure4" (experiment "maddpg-figure4")
target "Analyse" (fun p -> dotnet ([ "fsi"; Path.Combine("experiments", "analyse.fsx") ] @ passThrough p))
target "Figures" (fun p -> dotnet ([ "fsi"; Path.Combine("experiments", "export-figures.fsx") ] @ passThrough p))
target "Bench" (fun p ->
    for script in [ "games.fsx"; "object-game.fsx"; "quantized-games.fsx"; "estimator-gradients.fsx"; "sms.fsx" ] do
        dotnet ([ "fsi"; Path.Combine("bench", script) ] @ passThrough p))
target "EnvBench" (fun p -> dotnet ([ "fsi"; Path.Combine("bench", "envs.fsx") ] @ passThrough p))
target "MarlBench" (fun p -> dotnet ([ "fsi"; Path.Combine("bench", "marl.fsx") ] @ passThrough p))
target "Paper" (fun _ ->
    for name in [ "quantized-heatmap"; "object-game-candidates"; "object-lr-ablation"; "estimator-compute-time"; "channel-estimators"; "sms-complexity"; "sms-message-length"; "sms-ablation"; "maddpg-table1"; "maddpg-figure4" ] do
        dotnet [ "fsi"; Path.Combine("experiments", name + ".fsx"); "--profile"; "paper" ])
target "Help" (fun _ ->
    Trace.log (sprintf "Targets: %s" (String.concat ", " targets))
    Trace.log "Usage: dotnet fsi build.fsx -t <Target> [-- <options for the experiment script>]")

"Restore" ==> "Build" ==> "Test"
"Build" ==> "SlurmTest"
"Build" ==> "Heatmap"
"Build" ==> "ObjectCandidates"
"Build" ==> "ObjectAblation"
"Build" ==> "ImageCandidates"
"Build" ==> "SentRefCandidates"
"Build" ==> "SentClsCandidates"
"Build" ==> "ImageHeatmap"
"Build" ==> "SentRefHeatmap"
"Build" ==> "SentClsHeatmap"
"Build" ==> "EstimatorTime"
"Build" ==> "ChannelEstimators"
"Build" ==> "SmsFigures"
"Build" ==> "SmsComplexity"
"Build" ==> "SmsAblation"
"Build" ==> "Table1"
"Build" ==> "Figure4"
"Build" ==> "Analyse"
"Build" ==> "Figures"
"Build" ==> "Bench"
"Build" ==> "EnvBench"
"Build" ==> "Paper"

// FAKE answers an unknown target with a stack trace; name it and the valid ones instead.
let requested =
    fakeArgs |> List.pairwise |> List.tryPick (fun (flag, value) -> if flag = "-t" || flag = "--target" then Some value else None)
match requested with
| Some name when not (targets |> Seq.exists (fun t -> System.String.Equals(t, name, System.StringComparison.OrdinalIgnoreCase))) ->
    eprintfn "build.fsx: unknown target '%s'; the targets are: %s" name (String.concat ", " targets)
    exit badInput
| _ -> ()

try
    Target.runOrDefaultWithArguments "Help"
finally
    // CI reads the last line: repeat the tests' plain summary after FAKE's report.
    if File.Exists testSummary then printfn "%s" (File.ReadAllText testSummary)
#endif

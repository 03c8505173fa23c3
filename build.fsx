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

let dotnet (args: string list) =
    let result =
        CreateProcess.fromRawCommand "dotnet" args
        |> CreateProcess.withWorkingDirectory root
        |> Proc.run
    if result.ExitCode <> 0 then
        failwithf "`dotnet %s` failed (exit %d)" (String.concat " " args) result.ExitCode

/// Options after `--` go to the experiment script, e.g. `-t Heatmap -- --profile smoke`.
let passThrough (p: TargetParameter) = List.ofSeq p.Context.Arguments

let experiment name (p: TargetParameter) =
    dotnet ([ "fsi"; Path.Combine("experiments", name + ".fsx") ] @ passThrough p)

Target.create "Restore" (fun _ -> Trace.log "tools and packages restored by the bootstrap stage")
Target.create "Build" (fun _ -> dotnet [ "build"; "CommLab.sln"; "-c"; "Release"; "--nologo"; "-v"; "minimal" ])
Target.create "Test" (fun p ->
    System.Environment.SetEnvironmentVariable("COMMLAB_TEST_SUMMARY", testSummary)
    dotnet ([ testsDll ] @ passThrough p))
Target.create "Heatmap" (experiment "quantized-heatmap")
Target.create "ObjectCandidates" (experiment "object-game-candidates")
Target.create "EstimatorTime" (experiment "estimator-compute-time")
Target.create "ChannelEstimators" (experiment "channel-estimators")
Target.create "SmsFigures" (experiment "sms-message-length")
Target.create "SmsComplexity" (experiment "sms-complexity")
Target.create "Bench" (fun p ->
    for script in [ "object-game.fsx"; "estimator-gradients.fsx"; "sms.fsx" ] do
        dotnet ([ "fsi"; Path.Combine("bench", script) ] @ passThrough p))
Target.create "EnvBench" (fun p -> dotnet ([ "fsi"; Path.Combine("bench", "envs.fsx") ] @ passThrough p))
Target.create "Paper" (fun _ ->
    for name in [ "quantized-heatmap"; "object-game-candidates"; "estimator-compute-time"; "channel-estimators"; "sms-complexity"; "sms-message-length" ] do
        dotnet [ "fsi"; Path.Combine("experiments", name + ".fsx"); "--profile"; "paper" ])
Target.create "Help" (fun _ ->
    Trace.log "Targets: Restore, Build, Test, Heatmap, ObjectCandidates, EstimatorTime, ChannelEstimators, SmsFigures, SmsComplexity, Bench, EnvBench, Paper"
    Trace.log "Usage: dotnet fsi build.fsx -t <Target> [-- <options for the experiment script>]")

"Restore" ==> "Build" ==> "Test"
"Build" ==> "Heatmap"
"Build" ==> "ObjectCandidates"
"Build" ==> "EstimatorTime"
"Build" ==> "ChannelEstimators"
"Build" ==> "SmsFigures"
"Build" ==> "SmsComplexity"
"Build" ==> "Bench"
"Build" ==> "EnvBench"
"Build" ==> "Paper"

try
    Target.runOrDefaultWithArguments "Help"
finally
    // CI reads the last line: repeat the tests' plain summary after FAKE's report.
    if File.Exists testSummary then printfn "%s" (File.ReadAllText testSummary)
#endif

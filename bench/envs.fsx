// Environment throughput on this machine (a benchmark, not a test; issue 5):
// random-action agent-steps per second for each of the nine tasks of the MADDPG paper's Table 1,
// batch 1 and 1024, one thread and two. Episodes that end are reset between steps (ResetDone), as a
// trainer would, and that time counts. Actions come from a pre-drawn pool so drawing them is not timed.
// Goals: >= 1e6 agent-steps/s for Foraging-8x8-2p-2f and >= 1e5 for rware-tiny-4ag at batch 1024, 2 cores.
// Options: --seconds S (time per cell, default 1.0), --out FILE (also write the table there).
// The environments need no TorchSharp; loading it (experiments/Load.fsx) left libtorch threads busy
// during the first measurements.
#r "../artifacts/bin/CommLab.Core/release/CommLab.Core.dll"
#r "../artifacts/bin/CommLab.Dsl/release/CommLab.Dsl.dll"
#load "Options.fsx"

open System
open System.Diagnostics
open System.IO
open CommLab.Envs

open BenchOptions

let seconds = number "--seconds" 1.0
let outFile = option "--out" ""

/// Agent-steps per second of `task` at `batch` environments and `threads` threads.
let throughput (task: EnvTask) batch threads =
    use env = task.Create(batch, threads)
    env.Reset 1UL
    let rng = Random(7)
    let pool = Array.init 64 (fun _ -> Array.init (batch * task.Agents) (fun _ -> rng.Next task.ActionCount))
    let run steps =
        for s in 0 .. steps - 1 do
            env.Step pool[s % pool.Length]
            env.ResetDone()
    // Warm-up long enough for the JIT's tiering to reach optimised code (the first cell was 5x slow
    // with 200 steps of warm-up).
    let warm = Stopwatch.StartNew()
    while warm.Elapsed.TotalSeconds < 0.5 do run 100
    // Calibrate a step count that takes about `seconds`, then time it.
    let mutable steps = 100
    let clock = Stopwatch.StartNew()
    run steps
    while clock.Elapsed.TotalSeconds < seconds / 10.0 do
        steps <- steps * 2
        clock.Restart()
        run steps
    let target = max 1 (int (float steps * seconds / clock.Elapsed.TotalSeconds))
    clock.Restart()
    run target
    float target * float batch * float task.Agents / clock.Elapsed.TotalSeconds

printfn "cores: %d, %.1f s per cell" Environment.ProcessorCount seconds
let rows =
    [ for name in EnvTask.PaperTasks ->
          let task = EnvTask.Parse name
          let cells = [ throughput task 1 1; throughput task 1024 1; throughput task 1024 2 ]
          printfn "%s: %s" name (cells |> List.map (sprintf "%.3g") |> String.concat ", ")
          name :: (cells |> List.map (sprintf "%.3g")) ]
let table =
    CommLab.Dsl.Markdown.tableAligned
        [ "task", CommLab.Dsl.Markdown.Left
          "batch 1, 1 thread", CommLab.Dsl.Markdown.Right
          "batch 1024, 1 thread", CommLab.Dsl.Markdown.Right
          "batch 1024, 2 threads", CommLab.Dsl.Markdown.Right ]
        rows
printf "%s" table
let goal name (value: float) target =
    printfn "goal %s at batch 1024, 2 threads: %.3g agent-steps/s (goal %.0g): %s" name value target (if value >= target then "met" else "NOT met")
// "Nothing is allocated per step": bytes allocated by 1,000 steps (with resets) once the JIT has
// settled (the first few thousand calls run unoptimised code that may allocate).
let allocated (task: EnvTask) batch threads =
    use env = task.Create(batch, threads)
    env.Reset 1UL
    let actions = Array.create (batch * task.Agents) 1
    let run n = for _ in 1 .. n do env.Step actions; env.ResetDone()
    run 3000
    let before = GC.GetTotalAllocatedBytes true
    run 1000
    GC.GetTotalAllocatedBytes true - before
for name in [ "Foraging-8x8-2p-2f"; "rware-tiny-4ag" ] do
    printfn "allocated by 1000 steps of %s, batch 1024, 2 threads: %d bytes" name (allocated (EnvTask.Parse name) 1024 2)
goal "Foraging-8x8-2p-2f" (throughput (EnvTask.Parse "Foraging-8x8-2p-2f") 1024 2) 1e6
goal "rware-tiny-4ag" (throughput (EnvTask.Parse "rware-tiny-4ag") 1024 2) 1e5
if outFile <> "" then
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath outFile)) |> ignore
    File.WriteAllText(outFile, table)
    printfn "wrote %s" outFile

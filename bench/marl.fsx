// MADDPG training throughput on this machine (a benchmark, not a test; issue 12).
// Environment steps per second of training (acting, storing, sampling and updates at the authors'
// update ratio: LBF 1 update per 25-step episode, RWARE 10 per 500-step episode; batch 512, hidden 64,
// GST) for Foraging-8x8-2p-2f-coop and rware-tiny-4ag, with 1 and 8 environments per rollout, on one
// libtorch thread and on two. Goals: >= 5,000 steps/s on one core for Foraging-8x8-2p-2f-coop and
// >= 2,000 for rware-tiny-4ag (the authors' PyTorch loop: about 1,000 per CPU-second on LBF).
// Then one update split into its parts, its matrix-multiply work and achieved GFLOP/s beside a measured
// bmm rate, and the bytes the loop allocates per environment step outside updates.
// Options: --steps-scale X (multiplies every run's length, default 1.0), --out FILE (also write the report).
#load "../experiments/Load.fsx"
#load "Options.fsx"

open System
open System.Diagnostics
open System.IO
open TorchSharp
open CommLab.Devices
open CommLab.Envs
open CommLab.Estimators
open CommLab.Marl
open CommLab.Dsl

open BenchOptions

let scale = number "--steps-scale" 1.0
let outFile = option "--out" ""
let report = Text.StringBuilder()
let say (line: string) =
    printfn "%s" line
    report.AppendLine line |> ignore

// The authors' settings for the task, a buffer of 200k (2M would only cost memory here), warm-up just
// long enough to fill a batch, one evaluation episode at the start and the end (not timed: the
// trainer's steps per second leave evaluation out).
let settingsFor (task: string) (environments: int) (steps: int64) =
    let authors = if task.StartsWith "rware" then MaddpgSettings.ForWarehouse() else MaddpgSettings.ForForaging()
    MaddpgSettings(
        ActorLearningRate = authors.ActorLearningRate, CriticLearningRate = authors.CriticLearningRate,
        UpdatesPerEpisode = authors.UpdatesPerEpisode, EpisodeLimit = authors.EpisodeLimit,
        WarmupEpisodes = (if task.StartsWith "rware" then 2 else 40), BufferCapacity = 200_000,
        TotalSteps = steps, EvaluationInterval = steps, EvaluationEpisodes = 1, Environments = environments)

let train task environments steps (timings: UpdateTimings option) =
    let run = MaddpgRun(EnvTask.Parse task, EstimatorSpec.Gst(0.7, 1.0), settingsFor task environments steps, 1)
    MaddpgTrainer.Train(run, MaddpgTrainingOptions(Timings = Option.toObj timings))

let tasks = [ "Foraging-8x8-2p-2f-coop", 5_000.0, 60_000L; "rware-tiny-4ag", 2_000.0, 40_000L ]
let steps (n: int64) = int64 (float n * scale) / 8L * 8L

say (sprintf "cores: %d; libtorch %s; batch 512, hidden 64, GST; steps/s of training (warm-up included, evaluation not)" Environment.ProcessorCount Compute.LibtorchVersion)
say ""
say "| task | environments | 1 thread | 2 threads | goal (1 core) |"
say "| --- | --- | --- | --- | --- |"
for task, goal, n in tasks do
    for environments in [ 1; 8 ] do
        let rates =
            [ for threads in [ 1; 2 ] ->
                  Compute.UseThreads threads
                  // A short run first: the JIT and libtorch's first calls are not what we measure.
                  train task environments (steps 4_000L) None |> ignore
                  (train task environments (steps n) None).StepsPerSecond ]
        let verdict = if rates[0] >= goal then "met" else "NOT met"
        say (sprintf "| %s | %d | %.0f | %.0f | %.0f (%s) |" task environments rates[0] rates[1] goal verdict)

// One update, split; its matrix-multiply work from the network sizes (N agents, D observation, A
// actions, H hidden, B batch, C = N (D + A) critic input): forward F_a = 2NB(DH + HH + HA) for the
// actors and F_c = 2NB(CH + HH + H) for the critics; an update runs the target (F_a + F_c), the critic
// loss forward and backward (3 F_c less the first layer's input gradient), and the actor loss (actor
// forward and backward, critic forward and input gradients, no critic weight gradients: 3 F_a + 2 F_c
// less the actors' first-layer input gradient).
say ""
say "| task | update (ms, 1 thread) | sample | critic | clip + Adam | actor | targets | read back | matmul GFLOP per update | achieved GFLOP/s | bmm GFLOP/s [N, B, H] x [N, H, H] |"
say "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
Compute.UseThreads 1
for task, _, n in tasks do
    let t = UpdateTimings()
    train task 8 (steps n) (Some t) |> ignore
    let parsed = EnvTask.Parse task
    let env = parsed.Create 1
    let N, D, A, H, B = float env.Agents, float env.ObservationLength, float env.ActionCount, 64.0, 512.0
    env.Dispose()
    let C = N * (D + A)
    let fa = 2.0 * N * B * (D * H + H * H + H * A)
    let fc = 2.0 * N * B * (C * H + H * H + H)
    let flops = 4.0 * fa + 6.0 * fc - 2.0 * N * B * (C * H + D * H)
    let ms x = 1000.0 * x / float t.Updates
    let bmmRate =
        use x = torch.randn(int64 N, 512L, 64L)
        use w = torch.randn(int64 N, 64L, 64L)
        for _ in 1 .. 50 do (x.bmm w).Dispose()
        let clock = Stopwatch.StartNew()
        let reps = 2000
        for _ in 1 .. reps do (x.bmm w).Dispose()
        2.0 * N * 512.0 * 64.0 * 64.0 * float reps / clock.Elapsed.TotalSeconds / 1e9
    say (sprintf "| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.3f | %.1f | %.1f |" task (ms t.Total) (ms t.Sample) (ms t.Critic)
             (ms t.Optimizer) (ms t.Actor) (ms t.Targets) (ms t.Readback) (flops / 1e9) (flops / (t.Total / float t.Updates) / 1e9) bmmRate)

// Managed bytes allocated per environment step by acting, stepping and storing: runs whose batch never
// fits in the buffer (so no update runs), the difference of a long and a short one over their step
// difference, which cancels the buffer, networks and the two evaluations.
say ""
say "| task | bytes allocated per environment step outside updates (1 environment) |"
say "| --- | --- |"
for task, _, _ in tasks do
    let allocated (total: int64) =
        let settings = MaddpgSettings(WarmupEpisodes = 0, BatchSize = 200_000, BufferCapacity = 200_000, TotalSteps = total,
                                      EvaluationInterval = total, EvaluationEpisodes = 1, EpisodeLimit = (if task.StartsWith "rware" then 500 else 25))
        let before = GC.GetAllocatedBytesForCurrentThread()
        MaddpgTrainer.Train(MaddpgRun(EnvTask.Parse task, EstimatorSpec.Gst(0.7, 1.0), settings, 1)) |> ignore
        GC.GetAllocatedBytesForCurrentThread() - before
    allocated 1_000L |> ignore
    let short, long = allocated 10_000L, allocated 110_000L
    say (sprintf "| %s | %.2f |" task (float (long - short) / 100_000.0))

if outFile <> "" then
    File.WriteAllText(outFile, report.ToString())
    printfn "wrote %s" outFile

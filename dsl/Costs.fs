/// What a run costs in one core's time, estimated from throughput measured on the reference machine
/// (the 2-vCPU VM of docs/benchmarks.md, one torch thread per run, as a sweep runs by default), so
/// `--plan` can say what a sweep still needs before anything runs. Each figure names the bench and
/// commit it comes from; re-measure with `dotnet fsi bench/games.fsx` and `dotnet fsi bench/marl.fsx`.
module CommLab.Dsl.Costs

open CommLab.Envs

/// One-thread seconds of one Object game step and of one evaluation pass (validation over 1000
/// targets, or the test pass), at the paper's batch and 10^4 objects: `bench/games.fsx` at commit
/// 03ed49d. Instant channels: about 2 ms and 0.03 s whatever the word. Recurrent: 0.30 s and 2.2 s at
/// GRU 1024 with embedding 1024, scaled to other sizes by the GRU's weights, hidden x (hidden +
/// embedding), which its products grow with.
let objectStep (c: Channel.Channel) =
    match c.Architecture with
    | Channel.Instant -> 0.002, 0.03
    | Channel.Recurrent ->
        let scale = float c.Hidden * float (c.Hidden + c.Embedding) / (1024.0 * 2048.0)
        0.30 * scale, 2.2 * scale

/// One-thread seconds of one Lewis game step and of one validation pass over 2000 games, at the
/// paper's GRU 512 and embedding 32: `bench/games.fsx` at commit 03ed49d measured 27 ms and 0.52 s at
/// L = 1, rising about 7 ms and 0.1 s per symbol to 55 ms and 0.94 s at L = 5; other sizes scaled by
/// the GRU's weights as for the Object game. Those steps were of batch 32; a step of another batch
/// is scaled by (batch / 32)^0.75: the sms-ablation quick runs at L = 1 took 113 s for 30 epochs at
/// batch 128 against 159 s at batch 32, 2.8x the time per step for 4x the games.
let lewisStep (maxLength: int) (hidden: int) (embedding: int) (batch: int) =
    let scale = float hidden * float (hidden + embedding) / (512.0 * 544.0)
    let extra = float (maxLength - 1)
    (0.027 + 0.007 * extra) * scale * (float batch / 32.0) ** 0.75, (0.52 + 0.1 * extra) * scale

/// One-thread seconds of one Image game step (batch 32, games of `gameSize` images of 4096 features,
/// the informed sender) and of evaluating one target: `bench/quantized-games.fsx --steps 7` at commit
/// 806c57c on the quiet VM measured 106 ms and 3.7 ms for QT-Instant (w = 100), 99 ms and 1.9 ms for
/// QT-RNN (GRU 20); other game sizes scaled linearly.
let imageStep (c: Channel.Channel) (gameSize: int) =
    let scale = float gameSize / 100.0
    match c.Architecture with
    | Channel.Instant -> 0.106 * scale, 0.0037 * scale
    | Channel.Recurrent -> 0.099 * scale, 0.0019 * scale

/// One-thread seconds of one sentence-game step at batch 32 and of evaluating one target, measured
/// by `bench/quantized-games.fsx --steps 7` at commit 806c57c on the quiet VM. Sent-Ref trains linear
/// agents on cached vectors: 6 ms and 0.02 ms (Instant), 164 ms and 1.26 ms (GRU 768, other sizes
/// scaled by the GRU's weights). Sent-Cls fine-tunes two DistilBERT-base (64-token sentences, the 77
/// intent names): 11.6 s and 0.13 s (Instant), 10.8 s and 0.08 s (GRU 768; the GRU's own share, as
/// in Sent-Ref, scaled with its size).
let sentenceStep (c: Channel.Channel) (classification: bool) =
    let gru = float c.Hidden * float (c.Hidden + c.Embedding) / (768.0 * 1536.0)
    match classification, c.Architecture with
    | false, Channel.Instant -> 0.006, 0.00002
    | false, Channel.Recurrent -> 0.164 * gru, 0.00126 * gru
    | true, Channel.Instant -> 11.6, 0.127
    | true, Channel.Recurrent -> 10.8 + 0.164 * (gru - 1.0), 0.082 + 0.00126 * (gru - 1.0)

/// One-thread seconds per MADDPG environment step, updates included (94-97% of the time):
/// `bench/marl.fsx` at commit c5df9f1 measured 4,851 steps/s on Foraging-8x8-2p-2f-coop (2 agents)
/// and 2,819 on rware-tiny-4ag (4 agents). An update's critics read every agent's observation and
/// action, so other agent counts are scaled by the square of the count.
let maddpgStep (task: string) =
    let agents = float (EnvTask.Parse task).Agents
    if task.StartsWith "rware" then (agents / 4.0) ** 2.0 / 2819.0 else (agents / 2.0) ** 2.0 / 4851.0

/// Seconds of the experiments that store no runs (one job each, measuring or counting, training
/// nothing), by profile: timed with `/usr/bin/time dotnet fsi experiments/<name>.fsx --profile <p>` at
/// commit 03ed49d (F# start-up included); the paper profile of estimator-compute-time is its quick
/// time scaled by the 7.5 times as many timed calls.
let singleJob (experiment: string) (profile: Cli.Profile) : float =
    match experiment, profile with
    | "sms-complexity", Cli.Smoke -> 5.0
    | "sms-complexity", Cli.Quick -> 19.0
    | "sms-complexity", Cli.Paper -> 49.0
    | "estimator-compute-time", Cli.Smoke -> 6.0
    | "estimator-compute-time", Cli.Quick -> 108.0
    | "estimator-compute-time", Cli.Paper -> 810.0
    | _ -> invalidArg (nameof experiment) (sprintf "no measured time for %s" experiment)

/// The reduced budgets the MADDPG scripts share (Table 1, Figure 4): each overrides the authors'
/// settings (`Maddpg.forTask`) the same way in every script, so a smoke or quick run of one is
/// comparable with the other's.
module CommLab.Dsl.MaddpgProfiles

open CommLab.Dsl.Maddpg
open CommLab.Dsl.Statistics

/// Smoke: the 8x8 cooperative task for 3,000 steps, in seconds (what the tests run).
let smokeTask: string * int64 = "Foraging-8x8-2p-2f-coop", 3_000L

/// Smoke: 5 warm-up episodes, batch 64, a 20k buffer, evaluations every 1,500 steps over 50 episodes
/// (fewer leave the untrained policies of this sparse task at a return of exactly 0).
let smoke (s: Settings) : Settings =
    { s with WarmupEpisodes = 5; BatchSize = 64; BufferCapacity = 20_000; EvaluationInterval = 1_500L; EvaluationEpisodes = 50 }

/// Quick: the headline task of the LBF comparison (Figure 2c, Figure 4) for 500k steps of the paper's 7.5M.
let quickTask: string * int64 = "Foraging-15x15-4p-5f", 500_000L

/// Quick: 40 warm-up episodes and a 200k buffer (the paper's 400 and 2M are sized for 7.5M steps);
/// evaluations at the authors' 50k steps, which also keeps their share of evaluation transitions in
/// the buffer (100 episodes of up to 50 steps per 50k training steps).
let quick (s: Settings) : Settings =
    { s with WarmupEpisodes = 40; BufferCapacity = 200_000 }

/// The bootstrap of a profile's intervals: rliable's 50,000 replicates, except 2,000 for smoke so the
/// tests stay fast. Seeded (seed 0), so every table repeats.
let bootstrap (profile: Cli.Profile) : Bootstrap.Settings =
    match profile with
    | Cli.Smoke -> { Bootstrap.defaults with Resamples = 2_000 }
    | Cli.Quick
    | Cli.Paper -> Bootstrap.defaults

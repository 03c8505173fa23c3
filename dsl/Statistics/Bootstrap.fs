/// Stratified bootstrap confidence intervals (Agarwal et al. 2021): runs are resampled with replacement
/// within each task, the statistic is recomputed over all tasks, and the interval is the central
/// percentiles of the recomputed values. Few runs per task, many tasks: resampling within tasks keeps
/// every task in every replicate.
module CommLab.Dsl.Statistics.Bootstrap

open CommLab.Rng

/// How an interval is resampled.
type Settings =
    { /// Bootstrap replicates.
      Resamples: int
      /// Seed of the resampling: the same seed gives the same interval.
      Seed: int
      /// Coverage of the interval, in (0, 1).
      Confidence: float }

/// 50,000 replicates (as rliable's interval estimates), seed 0, 95%.
let defaults: Settings = { Resamples = 50_000; Seed = 0; Confidence = 0.95 }

/// A statistic and its bootstrap interval.
type Interval =
    { /// The statistic of the scores as given.
      Estimate: float
      Lower: float
      Upper: float }

// xoshiro256** rather than System.Random: its stream is fixed by the algorithm, not by the .NET
// version, so a reported interval repeats on a later runtime. A class, because a closure cannot
// capture a mutable struct.
type private Draws(seed: int) =
    let mutable rng = Xoshiro256(uint64 seed)
    member _.Below(bound: int) = rng.NextInt bound

let private checkScores (name: string) (scores: float list list) =
    if List.isEmpty scores then
        invalidArg name (sprintf "%s holds no tasks; give, per task, its runs' scores" name)
    scores |> List.iteri (fun i runs -> Sample.check (sprintf "%s, task %d" name (i + 1)) 1 runs)

// Each task keeps its number of runs.
let private resample (draws: Draws) (scores: float[] list) : float list list =
    [ for runs in scores -> List.init runs.Length (fun _ -> runs[draws.Below runs.Length]) ]

// numpy's default ("linear") percentile: interpolates between the two nearest ranks of sorted values.
let private percentile (sorted: float[]) (q: float) =
    let h = q * float (sorted.Length - 1)
    let lo = int h
    let hi = min (lo + 1) (sorted.Length - 1)
    sorted[lo] + (h - float lo) * (sorted[hi] - sorted[lo])

let private interval (settings: Settings) (estimate: float) (replicate: Draws -> float) : Interval =
    if settings.Resamples < 1 then
        invalidArg "settings" (sprintf "Resamples must be >= 1, got %d" settings.Resamples)
    if not (settings.Confidence > 0.0 && settings.Confidence < 1.0) then
        invalidArg "settings" (sprintf "Confidence must lie in (0, 1), got %g" settings.Confidence)
    let draws = Draws settings.Seed
    let values = Array.init settings.Resamples (fun _ -> replicate draws) |> Array.sort
    let tail = (1.0 - settings.Confidence) / 2.0
    { Estimate = estimate; Lower = percentile values tail; Upper = percentile values (1.0 - tail) }

/// The percentile interval of `statistic` over `scores` (per task, its runs' scores, at least one each).
let stratified (settings: Settings) (statistic: float list list -> float) (scores: float list list) : Interval =
    checkScores "scores" scores
    let arrays = scores |> List.map Array.ofList
    interval settings (statistic scores) (fun draws -> statistic (resample draws arrays))

/// The percentile interval of a statistic comparing two methods' scores (per task, its runs' scores);
/// each replicate resamples both, independently, within each task.
let stratifiedPair (settings: Settings) (statistic: float list list -> float list list -> float) (x: float list list) (y: float list list) : Interval =
    checkScores "x" x
    checkScores "y" y
    let xs, ys = List.map Array.ofList x, List.map Array.ofList y
    interval settings (statistic x y) (fun draws ->
        let rx = resample draws xs
        statistic rx (resample draws ys))

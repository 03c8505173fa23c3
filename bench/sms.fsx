// Speed of symbolic complexity on this machine (a benchmark, not a test):
//  1. wall time to generate the paper's min(|M|) = 3 dataset (10000 games of |A| = 20, |V| = 4,
//     64 objects; about 12 games drawn per game kept), all cores. Goal (issue 4): under 10 s on 2 cores.
//  2. SolveMinSym throughput in games per second on uncontrolled games of the paper's shape, one
//     thread and all cores, beside the paper's Algorithm 1 (subsets from the smallest, each checked
//     against every distractor) written plainly here on one thread.
#load "../experiments/Load.fsx"

open System
open System.Diagnostics
open System.Threading.Tasks
open CommLab.Symbolic

let median (xs: float list) = List.sort xs |> fun s -> s[s.Length / 2]
let time (f: unit -> 'a) =
    let clock = Stopwatch.StartNew()
    let r = f ()
    r, clock.Elapsed.TotalSeconds

printfn "cores: %d" Environment.ProcessorCount
ControlledSampler.Sample(GameShape.Paper, 3, 200, 99UL) |> ignore // JIT warm-up

// 1. Dataset generation.
let generations = [ for seed in 1UL .. 3UL -> time (fun () -> ControlledSampler.Sample(GameShape.Paper, 3, 10000, seed)) ]
let drawn = generations |> List.averageBy (fun (s, _) -> float s.Drawn)
let genSeconds = median (List.map snd generations)
printfn "generate 10000 games with min(|M|) = 3: %.2f s (median of 3 seeds; %.0f games drawn on average, %.1f per kept game) goal < 10 s: %s"
    genSeconds drawn (drawn / 10000.0) (if genSeconds < 10.0 then "met" else "NOT met")

// 2. SolveMinSym throughput on 100000 uncontrolled games (min(|M|) 2 or 3).
let pool =
    let twos = ControlledSampler.Sample(GameShape.Paper, 2, 91500, 5UL).Games
    let threes = ControlledSampler.Sample(GameShape.Paper, 3, 8500, 6UL).Games
    [ twos; threes ]
let solveAll parallel' =
    let total = ref 0L
    for set in pool do
        if parallel' then set.MinSymbols() |> ignore
        else
            for g in 0 .. set.Count - 1 do
                total.Value <- total.Value + int64 (SolveMinSym.Solve(set.Game g, set.Candidates, set.Attributes, set.Target g))
    total.Value
solveAll false |> ignore
let oneThread = median [ for _ in 1 .. 3 -> snd (time (fun () -> solveAll false)) ]
let allCores = median [ for _ in 1 .. 3 -> snd (time (fun () -> solveAll true)) ]
printfn "SolveMinSym, 100000 games (91.5%% min 2, 8.5%% min 3): %.0f games/s on 1 thread, %.0f games/s on %d cores"
    (100000.0 / oneThread) (100000.0 / allCores) Environment.ProcessorCount

// The paper's Algorithm 1: combinations of attributes from size 1 up; each checked against every
// distractor that is not identical to the target.
let algorithm1 (objects: byte[]) (candidates: int) (attributes: int) (target: int) =
    let value c a = objects[c * attributes + a]
    let distractors = [| for c in 0 .. candidates - 1 do if c <> target && Seq.exists (fun a -> value c a <> value target a) (seq { 0 .. attributes - 1 }) then yield c |]
    let subset = Array.zeroCreate attributes
    let rec search k depth start =
        if depth = k then
            distractors |> Array.forall (fun d -> Seq.exists (fun i -> value d subset[i] <> value target subset[i]) (seq { 0 .. k - 1 }))
        else
            seq { start .. attributes - 1 } |> Seq.exists (fun a -> subset[depth] <- a; search k (depth + 1) (a + 1))
    seq { 1 .. attributes } |> Seq.find (fun k -> search k 0 0)
let sample = 3000
let plain, plainSeconds =
    time (fun () ->
        [| for set in pool do
               let n = sample * set.Count / 100000
               for g in 0 .. n - 1 -> algorithm1 (set.Game(g).ToArray()) set.Candidates set.Attributes (set.Target g) |])
let fast = [| for set in pool do
                  let n = sample * set.Count / 100000
                  for g in 0 .. n - 1 -> SolveMinSym.Solve(set.Game g, set.Candidates, set.Attributes, set.Target g) |]
printfn "Algorithm 1 written plainly: %.0f games/s on 1 thread (%d games; same answers as SolveMinSym: %b), so SolveMinSym is %.0fx faster"
    (float plain.Length / plainSeconds) plain.Length (plain = fast) ((100000.0 / oneThread) / (float plain.Length / plainSeconds))

// 3. Lewis game training throughput at the paper's size (GRU 512, embedding 32, 64 candidates,
//    batch 128, Schedule-Free AdamW): one epoch over 2000 min(|M|) = 3 games per L, all cores, and
//    the wall time it implies for the paper profile of sms-message-length.
open CommLab.Dsl
let lewisData = { LewisGame.paperData with MinSymbols = 3; Games = 2500; TrainGames = 2000 }
let perGame =
    [ for l in [ 1; 3; 5 ] ->
          let run = { LewisGame.defaults with Data = lewisData; MaxLength = l; Epochs = 1 }
          let train, validation = LewisGame.split lewisData
          let result = CommLab.Training.LewisGameTrainer.Train(LewisGame.toCore run, train, validation)
          printfn "Lewis game, paper size, L = %d: %.0f games/s in training" l result.GamesPerSecond
          l, 1.0 / result.GamesPerSecond ]
// Seconds per game grow linearly with L (one GRU step more for each agent); fit through L = 1 and 5.
let secondsAt l =
    let (l1, s1), (l5, s5) = perGame.Head, List.last perGame
    s1 + (s5 - s1) * float (l - l1) / float (l5 - l1)
let paperHours = 3.0 * 2.0 * 30.0 * 8000.0 * (List.sumBy secondsAt [ 1 .. 5 ]) / 3600.0
printfn "sms-message-length paper profile (2 datasets x L = 1..5 x 3 seeds x 30 epochs x 8000 games): about %.1f h of training on this machine" paperHours

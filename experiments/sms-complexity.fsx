// Section 3 of "A Combinatorial Approach to Neural Emergent Communication" (Zhang): why Lewis games
// on real images need one or two symbols (Eq. 1-2, the sampling pitfall), and how min(|M|) is
// distributed when games are drawn from attribute-value objects (the distribution that makes
// min(|M|) = 3 data expensive to collect).
#load "Load.fsx"

open CommLab.Dsl
open CommLab.Symbolic

let options = Cli.parse "sms-complexity" Cli.Quick (fsi.CommandLineArgs |> Array.skip 1)
Experiment.wholeJob options "sms-complexity"
let trials, games =
    match options.Profile with
    | Cli.Smoke -> 2000, 2000L
    | Cli.Quick -> 20000, 100000L
    | Cli.Paper -> 100000, 1000000L

// Eq. 1-2 with n = 128 images as in Havrylov and Titov (127 distractors), for MSCOCO's 80 labelled
// categories and for the larger category counts the paper argues real images have; the paper's
// example is |V| = 10000, m = 2 (about 55%). Also n = 64 (this paper's games).
let pitfallCases =
    [ for classes in [ 80; 1000; 10000 ] do
          for n in [ 64; 128 ] do
              for m in [ 2; 3 ] -> classes, n, m ]

// The paper's shape (|A| = 20, |V| = 4, 64 objects), and one step away from it along each axis.
let shapes =
    [ GameShape.Paper
      GameShape(20, 4, 128); GameShape(20, 4, 32)
      GameShape(10, 4, 64); GameShape(30, 4, 64)
      GameShape(20, 3, 64); GameShape(20, 8, 64) ]
let seed = 0UL
let histograms = [ for s in shapes -> s, ControlledSampler.Histogram(s, games, seed) ]

let label (s: GameShape) = sprintf "|A|=%d |V|=%d n=%d" s.Attributes s.Values s.Candidates
Experiment.publishRows options "sms-complexity"
    [ for s, h in histograms do
          for m, n in Array.indexed h do
              if n > 0L then
                  yield {| Attributes = s.Attributes; Values = s.Values; Candidates = s.Candidates; MinSymbols = m; Games = n; Share = float n / float games |} ]
    []
    { Title = sprintf "Symbolic complexity of Lewis games (%s profile)" (Cli.profileName options)
      Body =
        [ "Eq. 1-2: probability that some class appears at least m times among n images drawn uniformly over |V| classes (before the target is drawn). Eq. 2 treats the classes as independent; the simulated column is the exact probability, estimated."
          SmsReports.pitfallTable pitfallCases trials seed
          sprintf "min(|M|) of %d uncontrolled games per shape (objects i.i.d. uniform, target uniform among them, seed %d):" games seed
          SmsReports.histogramTable [ for s, h in histograms -> "uncontrolled", s, h ] ]
      Pages =
        [ { File = "histograms.html"; Title = "min(|M|) of uncontrolled games"
            Charts =
              [ Plots.bars (sprintf "Share of games by min(|M|), %d games per shape" games) "min(|M|)" "share of games"
                    [ for s, h in histograms -> label s, [ for m, n in Array.indexed h do if n > 0L then yield string m, float n / float games ] ] ] } ] }

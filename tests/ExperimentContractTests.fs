/// The experiment contract end to end: a sweep is checked before anything trains, a run made to
/// diverge is stored and counted as diverged in its table (never averaged in), and every run stored
/// under results/ is still found by its config's hash and still loads.
module CommLab.Tests.ExperimentContractTests

open System
open System.IO
open Expecto
open CommLab.Dsl
open CommLab.Dsl.Channel

let private options (out: string) : Cli.Options =
    { Script = "contract"; Profile = Cli.Smoke; Seeds = None; Jobs = Some 1; Device = "cpu"; Out = out; CheckpointMinutes = 10.0; Plan = false; Executor = Cli.LocalExecutor; Run = None; Only = []; Interactions = false; Data = None; Model = None }

/// A tiny Object game (4 x 4 objects, QT-Instant with words of 16) that learns in a second at lr 1e-2.
let private tiny =
    { ObjectGame.defaults with
        Channel = { Channel.defaults with WordLength = 16; Alphabet = 4 }
        Attributes = 4
        Values = 4
        LearningRate = 1e-2
        Epochs = 2
        Patience = 2
        Candidates = [ 2; 10 ]
        SelectionCandidates = 2
        GamesPerEpoch = None }

let private contract =
    testList "experiment contract" [
        test "every problem of a sweep is listed with its run's label before anything trains" {
            let configs = [ tiny; { tiny with LearningRate = infinity; BatchSize = 0 }; { tiny with Seed = 2; LearningRate = nan } ]
            let problems = Experiment.problems (options "unused") ObjectGame.kind configs
            let label = ObjectGame.label configs[1]
            Expect.contains problems (sprintf "%s: batch size must be >= 1, got 0" label) "the field, the value and the run"
            Expect.isTrue (problems |> List.exists (fun p -> p.StartsWith label && p.Contains "learning rate must be > 0 and finite"))
                (sprintf "an infinite learning rate is refused: %A" problems)
            Expect.isTrue (problems |> List.exists (fun p -> p.StartsWith(ObjectGame.label configs[2]) && p.Contains "learning rate must be > 0 and finite"))
                (sprintf "so is NaN: %A" problems)
            Expect.isEmpty (Experiment.problems (options "unused") ObjectGame.kind [ tiny ]) "a valid sweep has none"
        }

        test "a CUDA device on the CPU build is one problem, found before any run" {
            let problems = Experiment.problems { options "unused" with Device = "cuda" } ObjectGame.kind [ tiny; { tiny with Seed = 2 } ]
            Expect.equal problems.Length 1 "the device is checked once, not once per run"
            Expect.stringStarts problems.Head "--device: device 'cuda' was requested but CUDA is not available" "names the option and why"
        }

        test "the Lewis game's data rules are the core's, one rule for min(|M|)" {
            let r = { LewisGame.defaults with Data = { LewisGame.paperData with MinSymbols = 21 } }
            Expect.contains (LewisGame.validate r) "min symbols must be in 1..20 (the attribute count), got 21" "the same words as `sms generate`"
        }

        test "a run made to diverge is stored as diverged and counted apart in its table" {
            use tmp = new TempDir()
            let threads = CommLab.Devices.Compute.Threads
            try
                let configs = [ tiny; { tiny with Seed = 2 }; { tiny with Seed = 3; LearningRate = 1e30 } ]
                let o = options tmp.Path
                let results = Experiment.run o "diverging" ObjectGame.kind configs
                match results.Runs[2].Outcome with
                | Diverged d ->
                    Expect.equal d.Unit "epoch" "counted in epochs"
                    Expect.equal d.Quantity "train loss" "the loss went non-finite"
                    Expect.isFalse (Double.IsFinite d.Value) "with a non-finite value"
                | Finished m -> failtestf "lr 1e30 finished with test accuracy %A" m.TestAccuracy
                Expect.isTrue (results.Runs[0..1] |> List.forall (fun r -> r.Outcome.IsFinished)) "the other seeds finish"
                let table = ReferentialReports.candidatesTable PaperNumbers.Quantized.Object results.Rows
                Expect.stringContains table "(2 of 3 seeds; 1 diverged)" "the accuracy cells count the diverged seed"
                Expect.stringContains table "| 2 of 3 seeds; 1 diverged |" "so does the seeds column"
                Experiment.publish o results { Title = "diverging"; Body = [ table ]; Pages = [] }
                let markdown = File.ReadAllText(Path.Combine(tmp.Path, "diverging", "smoke", "table.md"))
                Expect.stringContains markdown "## Diverged runs" "table.md lists the diverged runs"
                Expect.stringContains markdown "train loss became" "with what happened, and in which epoch"
                Expect.stringContains markdown ((ObjectGame.label configs[2]).Replace("|", "\\|")) "by their label (its pipes escaped)"
                let csv = Experiment.loadCsv (Path.Combine(tmp.Path, "diverging", "smoke", "results.csv"))
                let diverged = csv.GetColumn<bool>("Diverged") |> Deedle.Series.values |> List.ofSeq
                Expect.equal diverged [ false; false; false; false; true; true ] "two rows per run, the last run's flagged"
                let accuracy = csv.GetColumn<float>("Accuracy") |> Deedle.Series.values |> List.ofSeq
                Expect.isTrue (accuracy |> List.skip 4 |> List.forall Double.IsNaN) "a diverged run has no accuracy, not 0"
            finally
                CommLab.Devices.Compute.UseThreads threads
        }
    ]

// Every run committed under results/ must keep resuming: its config.json, read back as the
// experiment's run record, hashes to the folder's name, and its metrics.json (or diverged.json) loads.
let private storedRunsOf<'cfg, 'metrics> (experiment: string) =
    test (sprintf "stored runs of %s are found by their hash and load" experiment) {
        let dir = Path.Combine(Approval.repoRoot (), "results", experiment)
        let runs = Directory.GetDirectories(Path.Combine(dir, "runs"))
        Expect.isNonEmpty runs "the experiment has stored runs"
        for run in runs do
            let id = Path.GetFileName run |> string
            let cfg = Json.deserialize<'cfg> (File.ReadAllText(RunStore.configPath dir id))
            Expect.equal (RunStore.runId cfg) id (sprintf "%s: the config must hash to its folder, or a re-run would train it again" run)
            Expect.isSome (RunStore.tryLoad<'metrics> dir id) (sprintf "%s has an outcome" run)
    }

let private jobs =
    testList "jobs" [
        test "without --jobs, several runs to do on the CPU run one per core, a single run or a GPU sweep one at a time" {
            let o = { options "results" with Jobs = None }
            let cores = System.Environment.ProcessorCount
            Expect.equal (Experiment.jobsFor o 15) (min 15 cores) "one per core (each then gets one torch thread)"
            Expect.equal (Experiment.jobsFor o 1) 1 "a single run gets every core"
            Expect.equal (Experiment.jobsFor o 0) 1 "nothing to do"
            Expect.equal (Experiment.jobsFor { o with Device = "cuda" } 15) 1 "runs would share one GPU"
            Expect.equal (Experiment.jobsFor { o with Jobs = Some 3 } 15) 3 "--jobs wins"
        }
    ]

let tests =
    testList "experiments" [
      jobs
      testList "stored runs" [
        storedRunsOf<ObjectGame.Run, Referential.Metrics> "object-game-candidates"
        storedRunsOf<ObjectGame.Run, Referential.Metrics> "quantized-heatmap"
        storedRunsOf<ObjectGame.Run, Referential.Metrics> "channel-estimators"
        storedRunsOf<LewisGame.Run, LewisGame.Metrics> "sms-message-length"
        storedRunsOf<LewisGame.Run, LewisGame.Metrics> "sms-ablation"
        storedRunsOf<Maddpg.Run, Maddpg.Metrics> "maddpg-table1"
        storedRunsOf<Maddpg.Run, Maddpg.Metrics> "maddpg-figure4"
      ]
    ]

/// The tests that change libtorch's thread count: run with the sequenced group.
let sequenced = contract

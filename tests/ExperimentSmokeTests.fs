/// Each experiment script runs end to end with its smoke profile, and the tables it writes are
/// snapshot-tested: a change in the numbers or the layout shows up as a diff to approve.
module CommLab.Tests.ExperimentSmokeTests

open System.Diagnostics
open System.IO
open Expecto

// The scripts' synthetic stand-ins go to a data cache of the test run's own, not the user's.
let private dataCache = lazy (Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "commlab-tests-cache-" + System.Guid.NewGuid().ToString "N")).FullName)

let private dotnet (args: string list) = CommandRun.dotnetWith [ "COMMLAB_CACHE", dataCache.Value ] args

let private script (name: string) = Path.Combine(Approval.repoRoot (), "experiments", name + ".fsx")

/// Runs `dotnet fsi experiments/<name>.fsx --profile smoke --out <dir>`; returns (exit code, output).
let private runScript (name: string) (outDir: string) =
    dotnet [ "fsi"; script name; "--profile"; "smoke"; "--out"; outDir ]

// A .NET stack trace has lines "   at Namespace.Type.Method(...)".
let private expectNoTrace (output: string) =
    Expect.isFalse (System.Text.RegularExpressions.Regex.IsMatch(output, @"(?m)^\s+at \S+\(")) (sprintf "bad input gets a message, not a stack trace:\n%s" output)

/// `--plan` prints what a sweep still costs and runs nothing, in scripts with stored runs and without.
let private planning =
    testList "--plan" [
        test "a sweep's plan counts its runs and their CPU-hours, and starts none" {
            use dir = new TempDir()
            let code, output = dotnet [ "fsi"; script "maddpg-table1"; "--profile"; "paper"; "--plan"; "--out"; dir.Path ]
            Expect.equal code 0 (sprintf "exit code 0:\n%s" output)
            // Table 1: 9 tasks x 5 estimators x 5 seeds.
            Expect.stringContains output "maddpg-table1, Paper profile: 225 runs, 0 finished, 225 to run." "every run of the paper grid, none stored"
            Expect.stringContains output "CPU-hours left" "an estimate of the hours"
            Expect.isFalse (Directory.Exists(Path.Combine(dir.Path, "maddpg-table1"))) "nothing was started"
        }
        test "a script without stored runs gives its one job's time" {
            let code, output = dotnet [ "fsi"; script "sms-complexity"; "--profile"; "paper"; "--plan"; "--out"; "/nonexistent" ]
            Expect.equal code 0 (sprintf "exit code 0:\n%s" output)
            Expect.stringContains output "sms-complexity, Paper profile: one job, no stored runs" "one job"
            Expect.isFalse (output.Contains "Symbolic complexity") "no table was written"
        }
    ]

/// `--only` runs a slice of a sweep and keeps its tables apart from the whole sweep's.
let private slice =
    test "--only runs the runs whose label has the text, and writes their tables to a folder of their own" {
        use dir = new TempDir()
        let code, output = dotnet [ "fsi"; script "quantized-heatmap"; "--profile"; "smoke"; "--out"; dir.Path; "--only"; "w=4 "; "--only"; "seed=1" ]
        Expect.equal code 0 (sprintf "exit code 0:\n%s" output)
        Expect.stringContains output "quantized-heatmap: 4 runs" "2 alphabets x 2 quantization phases at word length 4, of the 8 smoke runs"
        let experiment = Path.Combine(dir.Path, "quantized-heatmap")
        Expect.equal (Directory.GetDirectories(Path.Combine(experiment, "runs")).Length) 4 "only those ran"
        Expect.isFalse (Directory.Exists(Path.Combine(experiment, "smoke"))) "the whole sweep's folder is not written"
        let table = File.ReadAllText(Path.Combine(experiment, "smoke-only-w-4--seed-1", "table.md"))
        Expect.stringContains table "A slice of the sweep: only the runs whose label contains 'w=4 ' and 'seed=1' (`--only`)." "the table says it is a slice"
        let code, output = dotnet [ "fsi"; script "quantized-heatmap"; "--profile"; "smoke"; "--out"; dir.Path; "--only"; "nosuch" ]
        Expect.equal code 2 (sprintf "exit code 2:\n%s" output)
        Expect.stringContains output "--only 'nosuch' matches none of the 8 runs of quantized-heatmap's Smoke profile" "names the option, the text and the sweep"
        Expect.stringContains output "QT-Inst |v|=2 w=4" "and shows labels to match"
        expectNoTrace output
    }

/// Runs save their games with `--interactions on` (the smoke default) and not with `off`; the analyse
/// step measures the saved games again, to the values the runs stored when they finished.
let private interactions =
    test "runs save their games when asked, and analyse.fsx measures them to the values stored at training" {
        use dir = new TempDir()
        let sweep (out: string) (extra: string list) =
            dotnet ([ "fsi"; script "sms-message-length"; "--profile"; "smoke"; "--out"; out; "--only"; "seed=1"; "--only"; "L=1" ] @ extra)
        let analyse (out: string) (extra: string list) = dotnet ([ "fsi"; script "analyse"; "--experiment"; "sms-message-length"; "--out"; out ] @ extra)
        let off = Path.Combine(dir.Path, "off")
        let code, output = sweep off [ "--interactions"; "off" ]
        Expect.equal code 0 (sprintf "the sweep runs:
%s" output)
        Expect.isEmpty (Directory.EnumerateFiles(off, "interactions.csv.gz", SearchOption.AllDirectories)) "off: no games saved"
        let code, output = analyse off []
        Expect.equal code 2 (sprintf "nothing to analyse is exit code 2:
%s" output)
        Expect.stringContains output "no run of sms-message-length saved its games: run its sweep with --interactions on" "says why and what to do"
        expectNoTrace output

        let on = Path.Combine(dir.Path, "on")
        let code, output = sweep on []
        Expect.equal code 0 (sprintf "the sweep runs:
%s" output)
        let runs = Directory.GetDirectories(Path.Combine(on, "sms-message-length", "runs"))
        Expect.equal runs.Length 2 "L = 1 on both data sets"
        for run in runs do
            Expect.isTrue (File.Exists(Path.Combine(run, "interactions.csv.gz"))) "smoke: each run saved its games"
        let code, output = analyse on []
        Expect.equal code 0 (sprintf "analyse succeeds:
%s" output)
        let csv = Deedle.Frame.ReadCsv(Path.Combine(on, "sms-message-length", "analysis", "language.csv"))
        let measured = Seq.zip (csv.GetColumn<string>("RunId") |> Deedle.Series.values) (csv.GetColumn<float>("TopSim") |> Deedle.Series.values) |> Map.ofSeq
        for run in runs do
            let metrics = CommLab.Dsl.Json.deserialize<CommLab.Dsl.LewisGame.Metrics>(File.ReadAllText(Path.Combine(run, "metrics.json")))
            let stored = metrics.Language.Value.TopSim
            Expect.floatClose Accuracy.veryHigh measured[Path.GetFileName run] stored "the analysis repeats the topsim stored at training"
        let code, output = analyse on [ "--message-distance"; "levenshtein" ]
        Expect.equal code 2 "a wrong distance is exit code 2"
        Expect.stringContains output "--message-distance must be one of hamming, edit, euclidean, cosine; got 'levenshtein'" "names the option, the value and the choices"
        expectNoTrace output
    }

/// Bad input ends a script (and the build) with the reason and exit code 2, and runs nothing.
let private badInput =
    testList "bad input" [
        test "a CUDA device on the CPU build stops the sweep before any run" {
            use dir = new TempDir()
            let code, output = dotnet [ "fsi"; script "object-game-candidates"; "--profile"; "smoke"; "--device"; "cuda"; "--out"; dir.Path ]
            Expect.equal code 2 (sprintf "exit code 2:\n%s" output)
            Expect.stringContains output "--device: device 'cuda' was requested but CUDA is not available" "names the option and why"
            expectNoTrace output
            Expect.isFalse (Directory.Exists(Path.Combine(dir.Path, "object-game-candidates", "runs"))) "no run folder was started"
        }
        test "a bench's wrong option names the option, the value and what is allowed, before any timing" {
            let bench = Path.Combine(Approval.repoRoot (), "bench", "quantized-games.fsx")
            let code, output = dotnet [ "fsi"; bench; "--games"; "image,images" ]
            Expect.equal code 2 (sprintf "exit code 2:\n%s" output)
            Expect.stringContains output "--games must be a comma-separated list of image, sent-ref, sent-cls, got 'images'" "the unknown game and the allowed ones"
            Expect.isFalse (output.Contains "step") "nothing was timed"
            expectNoTrace output
            let code, output = dotnet [ "fsi"; bench; "--threads"; "0" ]
            Expect.equal code 2 (sprintf "exit code 2:\n%s" output)
            Expect.stringContains output "--threads must be a number > 0, got '0'" "the option, the value and what is allowed"
        }
        test "a wrong option names the option and shows the usage" {
            let code, output = dotnet [ "fsi"; script "sms-message-length"; "--jobs"; "0" ]
            Expect.equal code 2 (sprintf "exit code 2:\n%s" output)
            Expect.stringContains output "--jobs must be >= 1, got 0" "the option, the value and what is allowed"
            Expect.stringContains output "USAGE:" "and the usage"
            expectNoTrace output
        }
        test "a negative checkpoint interval names the option, the value and what is allowed" {
            use dir = new TempDir()
            let code, output = dotnet [ "fsi"; script "maddpg-table1"; "--checkpoint-minutes"; "-1"; "--out"; dir.Path ]
            Expect.equal code 2 (sprintf "exit code 2:\n%s" output)
            Expect.stringContains output "--checkpoint-minutes must be a finite number >= 0, got -1" "the option, the value and what is allowed"
            expectNoTrace output
            Expect.isFalse (Directory.Exists(Path.Combine(dir.Path, "maddpg-table1"))) "nothing was started"
        }
        test "options of the wrong type, repeated, or an --out that cannot hold results: named, exit 2, nothing run" {
            use dir = new TempDir()
            let file = Path.Combine(dir.Path, "a-file")
            File.WriteAllText(file, "")
            let cases =
                [ [ "--seeds"; "abc" ], "--seeds takes whole numbers, got 'abc'"
                  [ "--seeds"; "1"; "2x" ], "--seeds takes whole numbers, got '2x'"
                  [ "--jobs"; "two" ], "--jobs takes a whole number, got 'two'"
                  [ "--checkpoint-minutes"; "soon" ], "--checkpoint-minutes takes a number, got 'soon'"
                  [ "--profile"; "smoke"; "--profile"; "paper" ], "--profile is given 2 times; give it once"
                  [ "--out"; file ], sprintf "--out %s is a file; give a folder for the results" file
                  [ "--out"; "/proc/commlab-results" ], "--out /proc/commlab-results: cannot create the folder" ]
            for args, expected in cases do
                // The smoke profile into a fresh folder, unless the case gives those options itself.
                let unless (option: string) (extra: string list) = if List.contains option args then [] else extra
                let code, output =
                    dotnet ([ "fsi"; script "sms-ablation" ] @ args @ unless "--profile" [ "--profile"; "smoke" ] @ unless "--out" [ "--out"; Path.Combine(dir.Path, "results") ])
                Expect.equal code 2 (sprintf "%A: exit code 2:\n%s" args output)
                Expect.stringContains output expected (sprintf "%A: names the option, the value and what it takes" args)
                expectNoTrace output
            Expect.isFalse (Directory.Exists(Path.Combine(dir.Path, "results", "sms-ablation", "runs"))) "no run was started"
        }
        test "an unknown build target lists the targets" {
            let code, output = dotnet [ "fsi"; "build.fsx"; "-t"; "Figure9" ]
            Expect.equal code 2 (sprintf "exit code 2:\n%s" output)
            Expect.stringContains output "unknown target 'Figure9'; the targets are: Restore, Build, Test" "the target and the valid ones"
            expectNoTrace output
        }
    ]

/// The HTML pages the smoke runs wrote, copied for the browser checks: experiment -> pages.
let private pages = System.Collections.Concurrent.ConcurrentDictionary<string, string list>()
let private pageStore = lazy (Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "commlab-smoke-pages-" + System.Guid.NewGuid().ToString "N")).FullName)

let private keepPages (name: string) (profileDir: string) =
    let folder = Directory.CreateDirectory(Path.Combine(pageStore.Value, name)).FullName
    pages[name] <-
        [ for page in Directory.GetFiles(profileDir, "*.html") |> Array.sort ->
              let copy = Path.Combine(folder, Path.GetFileName page)
              File.Copy(page, copy, true)
              copy ]

let private smokeWith (name: string) (outputs: string list) (snapshot: string -> unit) (rows: int option) =
    test name {
        use dir = new TempDir()
        let code, output = runScript name dir.Path
        Expect.equal code 0 (sprintf "the smoke profile of %s must succeed:\n%s" name output)
        let profileDir = Path.Combine(dir.Path, name, "smoke")
        keepPages name profileDir
        for file in outputs do
            Expect.isTrue (File.Exists(Path.Combine(profileDir, file))) (sprintf "%s should write %s" name file)
        let csv = File.ReadAllLines(Path.Combine(profileDir, "results.csv"))
        Expect.isGreaterThan csv.Length 1 "results.csv has a header and rows"
        rows |> Option.iter (fun n -> Expect.equal (csv.Length - 1) n "results.csv has one row per measurement")
        snapshot (File.ReadAllText(Path.Combine(profileDir, "table.md")))
        // A second run finds every run finished and trains nothing.
        let code2, output2 = runScript name dir.Path
        Expect.equal code2 0 "re-running succeeds"
        Expect.isFalse (output2.Contains " started (") (sprintf "a re-run must skip finished runs:\n%s" output2)
    }

// Trained numbers may move by a target or two on another CPU: 0.02 tolerance, exact layout.
let private smoke (name: string) (outputs: string list) =
    smokeWith name outputs (Approval.verifyNumbers 0.02 (name + ".smoke.md")) None

// Timings differ on every run: the layout is snapshot, the numbers are checked for sense.
let private timingSmoke =
    let check (table: string) =
        let verdicts = System.Text.RegularExpressions.Regex(@"(NOT )?met")
        Approval.verifyLayout "estimator-compute-time.smoke.md" (verdicts.Replace(table, "<met or not>"))
        let cells = System.Text.RegularExpressions.Regex(@"\| (\d+) +\| ours +\| ([^\n]*)").Matches table
        Expect.equal cells.Count 4 "two dimensions at batch 1 and at batch 512"
        for row in cells do
            let times = [ for m in System.Text.RegularExpressions.Regex(@"([0-9.]+) ± [0-9.]+ \(([0-9.]+)\)").Matches row.Groups[2].Value -> float m.Groups[1].Value, float m.Groups[2].Value ]
            Expect.equal times.Length 5 "STGS, GRMC-1, GRMC-10, GRMC-50 and GST"
            Expect.isTrue (times |> List.forall (fun (t, _) -> t > 0.0)) "every time is positive"
            Expect.floatClose Accuracy.high (snd times[0]) 1.0 "STGS is its own baseline"
    smokeWith "estimator-compute-time" [ "results.csv"; "compute-time.html"; "table.md" ] check (Some 40)

/// Without the paper's data the Image and sentence games' paper profiles stop before anything runs,
/// naming the files and where to get them; a --data that is not there is named per run; stand-in
/// tables say what they are.
let private noData =
    testList "the games' data" [
        for name, expected in
            [ "image-game-candidates", [ "--data DIR"; "ours_images_single_sm0.h5"; "https://dl.fbaipublicfiles.com/signaling_game_data" ]
              "sent-cls-heatmap", [ "--data FILE, Banking77's train.csv"; "--model DIR"; "https://huggingface.co/distilbert-base-uncased" ] ] ->
            test (sprintf "%s's paper profile without data stops, naming the data" name) {
                use dir = new TempDir()
                let code, output = dotnet [ "fsi"; script name; "--profile"; "paper"; "--out"; dir.Path ]
                Expect.equal code 2 "exit code 2"
                for text in expected do Expect.stringContains output text "names the data and where it comes from"
                expectNoTrace output
                Expect.isFalse (Directory.Exists(Path.Combine(dir.Path, name))) "nothing was started"
            }
        test "a --data folder that is not there is named before anything runs" {
            use dir = new TempDir()
            let missing = Path.Combine(dir.Path, "signal-game")
            let code, output = dotnet [ "fsi"; script "image-heatmap"; "--profile"; "smoke"; "--data"; missing; "--out"; dir.Path ]
            Expect.equal code 2 "exit code 2"
            Expect.stringContains output (sprintf "image data folder '%s' does not exist" missing) "names the folder"
            expectNoTrace output
        }
        test "--model without --data, and --data on a game without data files, are refused" {
            use dir = new TempDir()
            let code, output = dotnet [ "fsi"; script "sent-ref-candidates"; "--profile"; "smoke"; "--model"; dir.Path; "--out"; dir.Path ]
            Expect.equal code 2 "exit code 2"
            Expect.stringContains output "--model needs --data FILE too" "says what is missing"
            let code, output = dotnet [ "fsi"; script "object-game-candidates"; "--profile"; "smoke"; "--data"; dir.Path; "--out"; dir.Path ]
            Expect.equal code 2 "exit code 2"
            Expect.stringContains output "--data applies to the Image and sentence games only, not object-game-candidates" "names the option"
        }
    ]

/// A MADDPG sweep killed part-way (after its first run wrote a checkpoint) and started again resumes
/// that run from the checkpoint and ends with the results of a sweep never stopped.
let private killedAndResumed =
    test "maddpg-table1 killed part-way resumes from its checkpoint and ends as a run never stopped" {
        use dir = new TempDir()
        let args (out: string) = [ "fsi"; script "maddpg-table1"; "--profile"; "smoke"; "--seeds"; "1"; "--checkpoint-minutes"; "0"; "--out"; out ]
        let killed = Path.Combine(dir.Path, "killed")
        let psi = ProcessStartInfo("dotnet", args killed)
        psi.WorkingDirectory <- Approval.repoRoot ()
        psi.RedirectStandardOutput <- true
        psi.RedirectStandardError <- true
        use p = Process.Start psi
        p.OutputDataReceived.Add ignore
        p.ErrorDataReceived.Add ignore
        p.BeginOutputReadLine()
        p.BeginErrorReadLine()
        let runs = Path.Combine(killed, "maddpg-table1", "runs")
        let checkpointed () =
            Directory.Exists runs
            && Directory.EnumerateFiles(runs, "maddpg.checkpoint", SearchOption.AllDirectories) |> Seq.isEmpty |> not
        let clock = Stopwatch.StartNew()
        while not (checkpointed ()) && not p.HasExited && clock.Elapsed.TotalSeconds < 180.0 do
            System.Threading.Thread.Sleep 50
        Expect.isTrue (checkpointed ()) "the first run wrote a checkpoint"
        Expect.isFalse p.HasExited "and the sweep was still running"
        p.Kill true
        p.WaitForExit()
        Expect.isFalse (File.Exists(Path.Combine(killed, "maddpg-table1", "smoke", "results.csv"))) "killed before any results"
        let code, output = dotnet (args killed)
        Expect.equal code 0 (sprintf "the second attempt finishes:\n%s" output)
        Expect.stringContains output "resumed from its checkpoint" "and says it resumed"
        Expect.isEmpty (Directory.EnumerateDirectories(runs, "checkpoint", SearchOption.AllDirectories)) "finished runs leave no checkpoints"
        let whole = Path.Combine(dir.Path, "whole")
        let code2, output2 = dotnet (args whole)
        Expect.equal code2 0 (sprintf "the uninterrupted sweep finishes:\n%s" output2)
        let csv root = File.ReadAllText(Path.Combine(root, "maddpg-table1", "smoke", "results.csv"))
        Expect.equal (csv killed) (csv whole) "the same results.csv, to the last digit"
    }

/// The pages of an experiment's smoke profile: those its smoke test kept, or (when that test did not
/// run here, e.g. filtered out) the pages of a smoke run made now.
let private pagesOf (name: string) =
    match pages.TryGetValue name with
    | true, kept -> kept
    | _ ->
        use dir = new TempDir()
        let code, output = runScript name dir.Path
        Expect.equal code 0 (sprintf "the smoke profile of %s must succeed:\n%s" name output)
        keepPages name (Path.Combine(dir.Path, name, "smoke"))
        pages[name]

/// Every page the smoke profiles write, opened in headless Chromium with no network: each chart was
/// drawn, with both axis titles, and the page logged nothing to its console. Skipped, with the reason,
/// where there is no Chromium (.ci/run installs it).
let private pageChecks =
    [ for name, files in
            [ "quantized-heatmap", [ "heatmaps.html" ]; "object-game-candidates", [ "candidates.html" ]
              "channel-estimators", [ "candidates.html" ]; "estimator-compute-time", [ "compute-time.html" ]
              "sms-message-length", [ "figures.html" ]; "sms-complexity", [ "histograms.html" ]
              "maddpg-table1", [ "returns.html"; "sample-efficiency.html" ]; "maddpg-figure4", [ "gradient-variance.html" ]
              "image-game-candidates", [ "candidates.html" ]; "sent-ref-candidates", [ "candidates.html" ]; "sent-cls-candidates", [ "candidates.html" ]
              "image-heatmap", [ "heatmaps.html" ]; "sent-ref-heatmap", [ "heatmaps.html" ]; "sent-cls-heatmap", [ "heatmaps.html" ] ] ->
            test (sprintf "%s's pages render in Chromium" name) {
                match CommLab.Dsl.Browser.find () with
                | None -> skiptestf "no Chromium on this machine: %s" CommLab.Dsl.Browser.howToInstall
                | Some chromium ->
                    let written = pagesOf name
                    Expect.sequenceEqual (written |> List.map Path.GetFileName) files (sprintf "%s writes these pages" name)
                    for page in written do
                        let html = File.ReadAllText page
                        let loaded = CommLab.Dsl.Browser.load chromium 10000 page
                        let r = CommLab.Dsl.Browser.rendered html loaded.Dom
                        let what = sprintf "%s/%s" name (Path.GetFileName page)
                        Expect.isGreaterThan r.Charts 0 (sprintf "%s has charts" what)
                        Expect.equal r.Drawn r.Charts (sprintf "%s: plotly drew every chart" what)
                        for x, y in r.AxisTitles do
                            Expect.isTrue (x <> "" && y <> "") (sprintf "%s: every chart has both axis titles (got '%s', '%s')" what x y)
                        Expect.isEmpty loaded.Console (sprintf "%s: nothing logged to the console" what)
                        Expect.stringContains html (sprintf "(%s, Smoke profile)</title>" name) (sprintf "%s: the page title names the experiment and profile" what)
            } ]

let private browser =
    testList "browser" [
        yield! pageChecks
        test "export-figures writes each chart as SVG and PNG, offline" {
            match CommLab.Dsl.Browser.find () with
            | None -> skiptestf "no Chromium on this machine: %s" CommLab.Dsl.Browser.howToInstall
            | Some _ ->
                use dir = new TempDir()
                let profileDir = Directory.CreateDirectory(Path.Combine(dir.Path, "sms-message-length", "smoke")).FullName
                for page in pagesOf "sms-message-length" do File.Copy(page, Path.Combine(profileDir, Path.GetFileName page))
                let code, output = dotnet [ "fsi"; script "export-figures"; "--experiment"; "sms-message-length"; "--profile"; "smoke"; "--out"; dir.Path ]
                Expect.equal code 0 (sprintf "export succeeds:\n%s" output)
                let figures = Path.Combine(profileDir, "figures")
                // figures.html: Figures 2 and 3 and the two length charts.
                for n in 1 .. 4 do
                    let svg = File.ReadAllText(Path.Combine(figures, sprintf "figures-%d.svg" n))
                    Expect.stringStarts svg "<svg" (sprintf "chart %d: an SVG document" n)
                    Expect.stringContains svg "epoch" "with its axis title"
                    let png = File.ReadAllBytes(Path.Combine(figures, sprintf "figures-%d.png" n))
                    Expect.sequenceEqual png[0..7] [| 137uy; 80uy; 78uy; 71uy; 13uy; 10uy; 26uy; 10uy |] (sprintf "chart %d: a PNG file" n)
                let code, output = dotnet [ "fsi"; script "export-figures"; "--experiment"; "sms-message-length"; "--profile"; "paper"; "--out"; dir.Path ]
                Expect.equal code 2 "no pages is exit code 2"
                Expect.stringContains output "no HTML pages in" "says where it looked"
                Expect.stringContains output "the profile folders of sms-message-length are: smoke" "and what there is"
                expectNoTrace output
        }
        test "the Figure 4 heatmaps: fixed colour scales, values in the cells, the two phases side by side" {
            match CommLab.Dsl.Browser.find () with
            | None -> skiptestf "no Chromium on this machine: %s" CommLab.Dsl.Browser.howToInstall
            | Some chromium ->
                let page = pagesOf "quantized-heatmap" |> List.head
                let html = File.ReadAllText page
                let charts = System.Text.RegularExpressions.Regex.Matches(html, "<div id=\"chart-\d+\"").Count
                Expect.equal (System.Text.RegularExpressions.Regex.Matches(html, "\"zauto\":false").Count) charts "every heatmap on a fixed colour range"
                Expect.stringContains html "\"zmax\":1.0" "accuracy on 0..1"
                Expect.stringContains html "Unique messages over 1000 test targets" "NoUM on 0..the test targets"
                Expect.stringContains html "quantized in training and inference" "human titles"
                Expect.isFalse (html.Contains "TrainAndInference") "no type names in titles"
                let loaded = CommLab.Dsl.Browser.load chromium 10000 page
                Expect.isGreaterThan (System.Text.RegularExpressions.Regex.Matches(loaded.Dom, "class=\"annotation\"").Count) 4 "each cell's value is printed"
                // The smoke sweep's word lengths and alphabets, as categories: a cell label placed by its
                // numeric value would stretch the axis to other ticks.
                for xs, ys in (CommLab.Dsl.Browser.rendered html loaded.Dom).Ticks do
                    Expect.sequenceEqual xs [ "4"; "32" ] "x ticks: the word lengths, nothing else"
                    Expect.sequenceEqual ys [ "2"; "10" ] "y ticks: the alphabet sizes, nothing else"
                // Charts come in phase pairs (train+inference, inference only) of one measure.
                let charts = CommLab.Dsl.Browser.layout chromium page
                Expect.equal (charts.Length % 2) 0 "pairs of phases"
                for pair in List.chunkBySize 2 charts do
                    let (_, left1, top1, width1), (_, left2, top2, _) = pair[0], pair[1]
                    Expect.equal top2 top1 "side by side in a 1280-pixel window"
                    Expect.isGreaterThanOrEqual left2 (left1 + width1) "the second to the right of the first"
        }
    ]

let tests =
    testSequenced <| testList "experiment smoke" [
        ExperimentContractTests.sequenced
        badInput
        planning
        slice
        interactions
        smoke "quantized-heatmap" [ "results.csv"; "heatmaps.html"; "table.md" ]
        smoke "object-game-candidates" [ "results.csv"; "candidates.html"; "table.md" ]
        smoke "channel-estimators" [ "results.csv"; "candidates.html"; "table.md" ]
        smoke "object-lr-ablation" [ "results.csv"; "table.md" ]
        timingSmoke
        smoke "sms-message-length" [ "results.csv"; "figures.html"; "table.md" ]
        smoke "sms-complexity" [ "results.csv"; "histograms.html"; "table.md" ]
        smoke "sms-ablation" [ "results.csv"; "table.md" ]
        smoke "maddpg-table1" [ "results.csv"; "returns.html"; "sample-efficiency.html"; "marl-eval.json"; "table.md" ]
        smoke "maddpg-figure4" [ "results.csv"; "gradient-variance.html"; "table.md" ]
        smoke "image-game-candidates" [ "results.csv"; "candidates.html"; "table.md" ]
        smoke "sent-ref-candidates" [ "results.csv"; "candidates.html"; "table.md" ]
        smoke "sent-cls-candidates" [ "results.csv"; "candidates.html"; "table.md" ]
        smoke "image-heatmap" [ "results.csv"; "heatmaps.html"; "table.md" ]
        smoke "sent-ref-heatmap" [ "results.csv"; "heatmaps.html"; "table.md" ]
        smoke "sent-cls-heatmap" [ "results.csv"; "heatmaps.html"; "table.md" ]
        noData
        killedAndResumed
        browser
    ]

module CommLab.Tests.RunStoreTests

open System
open System.IO
open Expecto
open CommLab.Dsl

type GoldenCfg = { Game: string; Lr: float; Seed: int; Hidden: int list }

type Metrics = { Accuracy: float; Loss: float }

let private golden = { Game = "reconstruction"; Lr = 0.001; Seed = 7; Hidden = [ 64; 64 ] }

let tests =
    testList "RunStore" [
        test "equal configs get the same id, different configs different ids" {
            let a = RunStore.runId golden
            Expect.equal (RunStore.runId { golden with Hidden = [ 64; 64 ] }) a "an equal config built separately must find the same run"
            Expect.notEqual (RunStore.runId { golden with Seed = 8 }) a "another seed is another run"
            Expect.notEqual (RunStore.runId { golden with Lr = 0.0010000000000000002 }) a "the id must see the last bit of a float"
        }

        test "a run id is 12 lowercase hex characters" {
            let id = RunStore.runId golden
            Expect.equal id.Length 12 "run folders have fixed-width names"
            Expect.all id (fun c -> Char.IsDigit c || (c >= 'a' && c <= 'f')) "ids are lowercase hex"
        }

        test "the run id of a fixed config does not change" {
            // The SHA-256 of the indented JSON {"Game": .., "Lr": 0.001, "Seed": 7, "Hidden": [64, 64]}.
            // If this fails, existing results folders stop resuming: change it only on purpose.
            Expect.equal (RunStore.runId golden) "ac8d286d8b97" "the JSON or the hash of configs changed"
        }

        test "a written result loads back; a run without metrics is unfinished" {
            use tmp = new TempDir()
            let dir = tmp.Path
            let id = RunStore.runId golden
            Expect.isNone (RunStore.tryLoad<Metrics> dir id) "nothing written yet"
            RunStore.writeConfig dir id golden (Provenance.current "cpu")
            Expect.isNone (RunStore.tryLoad<Metrics> dir id) "a config alone marks a started, unfinished run"
            RunStore.writeOutcome dir id (Finished { Accuracy = 0.75; Loss = 0.5 })
            Expect.equal (RunStore.tryLoad<Metrics> dir id) (Some(Finished { Accuracy = 0.75; Loss = 0.5 })) "the saved result comes back"
            let leftovers = Directory.GetFiles(RunStore.runDir dir id) |> Array.map Path.GetFileName |> Array.sort
            Expect.equal leftovers [| "config.json"; "metrics.json" |] "atomic writes must not leave temporary files behind"
        }

        test "config.json holds the config, which hashes to its folder, and the provenance beside it" {
            use tmp = new TempDir()
            let dir = tmp.Path
            let id = RunStore.runId golden
            RunStore.writeConfig dir id golden (Provenance.current "cpu")
            let text = File.ReadAllText(RunStore.configPath dir id)
            Expect.equal (RunStore.runId (Json.deserialize<GoldenCfg> text)) id "read back as the config, the file is the same run"
            let provenance = (Newtonsoft.Json.Linq.JObject.Parse text)["Provenance"]
            Expect.isNotNull provenance "a Provenance field beside the config"
            Expect.equal (string provenance["Device"]) "cpu" "the device"
            Expect.equal (string provenance["TorchSharp"]) CommLab.Devices.Compute.TorchSharpVersion "the TorchSharp version"
            Expect.stringStarts (string provenance["Libtorch"]) "2." "the libtorch version"
            Expect.isGreaterThanOrEqual (int provenance["Threads"]) 1 "the thread count"
            let commit = string provenance["Commit"]
            Expect.isTrue (commit = "unknown" || (commit.Length = 40 && commit |> Seq.forall Uri.IsHexDigit)) (sprintf "a git commit (or unknown), got %s" commit)
            Expect.isTrue (provenance["Dirty"].Type = Newtonsoft.Json.Linq.JTokenType.Boolean) "whether the code had uncommitted changes"
        }

        test "a diverged run is stored as diverged, with where and what, and loads back as such" {
            use tmp = new TempDir()
            let dir = tmp.Path
            let id = RunStore.runId golden
            let divergence = CommLab.Training.Divergence("epoch", 3L, "train loss", nan, "batch 17 of 250")
            RunStore.writeOutcome dir id (Diverged divergence: Outcome<Metrics>)
            Expect.isFalse (File.Exists(RunStore.metricsPath dir id)) "a diverged run has no metrics.json: it is not a result"
            match RunStore.tryLoad<Metrics> dir id with
            | Some (Diverged d) ->
                Expect.equal (d.Unit, d.At, d.Quantity, d.Detail) ("epoch", 3L, "train loss", "batch 17 of 250") "where and what"
                Expect.isTrue (Double.IsNaN d.Value) "the non-finite value survives the round trip"
            | other -> failtestf "expected a diverged outcome, got %A" other
        }

        test "a malformed metrics.json is an error naming the file" {
            use tmp = new TempDir()
            let dir = tmp.Path
            let id = RunStore.runId golden
            RunStore.writeOutcome dir id (Finished {| Accuracy = 0.75 |})
            Expect.throwsC (fun () -> RunStore.tryLoad<Metrics> dir id |> ignore) (fun ex ->
                Expect.stringContains ex.Message (RunStore.metricsPath dir id) "the message must say which file to look at"
                Expect.stringContains ex.Message "Loss" "the message must say what is wrong with it")
        }
    ]

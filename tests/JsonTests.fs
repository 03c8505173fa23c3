module CommLab.Tests.JsonTests

open System
open Expecto
open CommLab.Dsl

type Optimizer =
    | Adam
    | Sgd

type Schedule =
    | Constant of float
    | Step of every: int * factor: float

type Config =
    { Name: string
      Lr: float
      Optimizer: Optimizer
      Schedule: Schedule
      Warmup: int option
      Seeds: int list
      Level: DayOfWeek }

/// `Config` with a field added later whose None keeps the old meaning.
type Extended =
    { Name: string
      Lr: float
      Optimizer: Optimizer
      Schedule: Schedule
      Warmup: int option
      Seeds: int list
      Level: DayOfWeek
      [<Newtonsoft.Json.JsonProperty(NullValueHandling = Newtonsoft.Json.NullValueHandling.Ignore)>]
      Later: int option }

let private sample =
    { Name = "tiny"
      Lr = 0.1 + 0.2 // not exactly 0.3: checks that doubles round-trip to the last bit
      Optimizer = Sgd
      Schedule = Step(10, 0.5)
      Warmup = None
      Seeds = [ 1; 2; 3 ]
      Level = DayOfWeek.Monday }

let tests =
    testList "Json" [
        test "a config round-trips to an equal value" {
            for cfg in [ sample; { sample with Warmup = Some 5; Schedule = Constant 1e-300; Optimizer = Adam } ] do
                Expect.equal (Json.deserialize<Config> (Json.serialize cfg)) cfg "reading back what was written must give the same config"
        }

        test "options, data-less unions and enums are written readably" {
            let json = Json.serialize { sample with Warmup = Some 5 }
            Expect.stringContains json "\"Warmup\": 5" "Some 5 should be written as 5, not {\"Case\":\"Some\"..}"
            Expect.stringContains json "\"Optimizer\": \"Sgd\"" "a data-less union case should be its name"
            Expect.stringContains json "\"Level\": \"Monday\"" "an enum should be its name"
            Expect.stringContains (Json.serialize sample) "\"Warmup\": null" "None should be null"
        }

        test "output is indented with \\n line ends on every OS" {
            let json = Json.serialize sample
            Expect.isFalse (json.Contains "\r") "run ids hash this text, so it must not depend on the OS line ending"
            Expect.stringContains json "\n  \"Name\"" "config files are read by people, so they are indented"
        }

        test "a missing record field is an error naming the field" {
            let json = Json.serialize sample
            let without = json.Replace("\"Lr\": 0.30000000000000004,", "")
            Expect.notEqual without json "the test must actually remove the field"
            Expect.throwsC (fun () -> Json.deserialize<Config> without |> ignore) (fun ex ->
                Expect.stringContains ex.Message "Lr" "the error should say which field is missing")
        }

        test "an option field marked to be omitted when None leaves the JSON (and so the run id) as before" {
            let old = sample
            let extended = { Name = old.Name; Lr = old.Lr; Optimizer = old.Optimizer; Schedule = old.Schedule; Warmup = old.Warmup; Seeds = old.Seeds; Level = old.Level; Later = None }
            Expect.equal (Json.serialize extended) (Json.serialize old) "None is left out: the same text as the record without the field"
            Expect.equal (RunStore.runId extended) (RunStore.runId old) "so the same run id"
            Expect.equal (Json.deserialize<Extended> (Json.serialize old)) extended "a file without the field reads as None"
            let some = { extended with Later = Some 7 }
            Expect.stringContains (Json.serialize some) "\"Later\": 7" "Some is written"
            Expect.equal (Json.deserialize<Extended> (Json.serialize some)) some "and reads back"
            Expect.notEqual (RunStore.runId some) (RunStore.runId old) "a run that sets it is another run"
        }

        test "an unknown union case is an error listing the valid ones" {
            let json = (Json.serialize sample).Replace("\"Sgd\"", "\"Rmsprop\"")
            Expect.throwsC (fun () -> Json.deserialize<Config> json |> ignore) (fun ex ->
                Expect.stringContains ex.Message "Adam, Sgd" "the error should list the cases that would be accepted")
        }
    ]

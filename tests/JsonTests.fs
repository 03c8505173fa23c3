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

        test "an unknown union case is an error listing the valid ones" {
            let json = (Json.serialize sample).Replace("\"Sgd\"", "\"Rmsprop\"")
            Expect.throwsC (fun () -> Json.deserialize<Config> json |> ignore) (fun ex ->
                Expect.stringContains ex.Message "Adam, Sgd" "the error should list the cases that would be accepted")
        }
    ]

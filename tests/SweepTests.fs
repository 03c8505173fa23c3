module CommLab.Tests.SweepTests

open System
open Expecto
open CommLab.Dsl

type private Cfg = { Lr: float; Seed: int; Name: string }

let private baseCfg = { Lr = 1.0; Seed = 0; Name = "base" }
let private lr = Sweep.axis "lr" [ 0.1; 0.01 ] (fun v c -> { c with Lr = v })
let private seed = Sweep.axis "seed" [ 1; 2; 3 ] (fun v c -> { c with Seed = v })
let private name = Sweep.axis "name" [ "a" ] (fun v c -> { c with Name = v })

let tests =
    testList "Sweep" [
        test "the grid has one config per combination" {
            let axes = [ lr; seed; name ]
            Expect.equal (Sweep.size axes) 6 "2 x 3 x 1 combinations"
            Expect.equal (Sweep.grid baseCfg axes |> List.length) (Sweep.size axes) "size must agree with the grid"
            Expect.equal (Sweep.grid baseCfg axes |> List.distinct |> List.length) 6 "every combination is a different config"
        }

        test "the first axis varies slowest" {
            let got = Sweep.grid baseCfg [ lr; seed ] |> List.map (fun c -> c.Lr, c.Seed)
            let expected = [ 0.1, 1; 0.1, 2; 0.1, 3; 0.01, 1; 0.01, 2; 0.01, 3 ]
            Expect.equal got expected "runs are listed in axis order, so tables and logs read like nested loops"
        }

        test "no axes gives the base config alone" {
            Expect.equal (Sweep.grid baseCfg []) [ baseCfg ] "a sweep without axes is a single run"
            Expect.equal (Sweep.size ([]: Sweep.Axis<Cfg> list)) 1 "the empty product is 1"
        }

        test "an axis without values is an error naming it" {
            let empty = Sweep.axis "dropout" ([]: float list) (fun _ c -> c)
            Expect.throwsC (fun () -> Sweep.grid baseCfg [ lr; empty ] |> ignore) (fun ex ->
                Expect.stringContains ex.Message "dropout" "the message must say which axis is empty")
        }

        test "a repeated axis name is an error" {
            Expect.throwsT<ArgumentException> (fun () -> Sweep.size [ lr; lr ] |> ignore) "two axes with one name are a typo"
        }
    ]

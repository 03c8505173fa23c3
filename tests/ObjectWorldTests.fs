/// The Object game's world of objects and the split of its targets into train/validation/test.
module CommLab.Tests.ObjectWorldTests

open System
open Expecto
open TorchSharp
open CommLab.Data
open CommLab.Tests.TensorValues

/// The message of the ArgumentException thrown by `f`.
let private errorOf (f: unit -> 'a) = Expect.throwsC (f >> ignore) (fun e -> (e :?> ArgumentException).Message)

let tests =
    testList "ObjectWorld" [
        test "the paper's 4 x 10 world: 10^4 distinct objects, each with exactly one value per attribute" {
            let world = ObjectWorld(4, 10)
            Expect.equal world.Count 10000 "10 values for each of 4 attributes"
            use features = world.Features torch.CPU
            Expect.sequenceEqual features.shape [| 10000L; 40L |] "one row per object, 4 one-hot blocks of 10"
            let featureRows = rows features
            for i in 0 .. world.Count - 1 do
                let row = featureRows[i]
                for a in 0..3 do
                    let block = row[a * 10 .. a * 10 + 9]
                    if not (isOneHot block) then failtestf "object %d attribute %d is not one-hot: %A" i a block
            Expect.equal (featureRows |> Array.distinct |> Array.length) 10000 "no two objects share their features"
        }

        test "row i of the features encodes AttributesOf(i)" {
            let world = ObjectWorld(3, 4)
            use features = world.Features torch.CPU
            let featureRows = rows features
            for i in 0 .. world.Count - 1 do
                let decoded = Array.init 3 (fun a -> Array.findIndex ((=) 1f) (featureRows[i][a * 4 .. a * 4 + 3]))
                Expect.sequenceEqual decoded (world.AttributesOf i) (sprintf "object %d: its one-hots are its attribute values" i)
        }

        test "the value features of object i are its attribute values 1..Values (EGG's input)" {
            let world = ObjectWorld(3, 4)
            use values = world.ValueFeatures torch.CPU
            Expect.sequenceEqual values.shape [| 64L; 3L |] "one row per object, one number per attribute"
            let valueRows = rows values
            for i in 0 .. world.Count - 1 do
                Expect.sequenceEqual valueRows[i] (world.AttributesOf i |> Array.map (fun v -> float32 (v + 1))) (sprintf "object %d" i)
        }

        test "AttributesOf gives the base-Values digits, most significant first" {
            let world = ObjectWorld(4, 10)
            Expect.sequenceEqual (world.AttributesOf 1234) [| 1; 2; 3; 4 |] "1234 in base 10"
            Expect.sequenceEqual (ObjectWorld(3, 5).AttributesOf 38) [| 1; 2; 3 |] "38 = 1*25 + 2*5 + 3"
            for i in 0 .. world.Count - 1 do
                let back = world.AttributesOf i |> Array.fold (fun acc d -> acc * 10 + d) 0
                if back <> i then failtestf "AttributesOf %d reads back as %d" i back
        }

        test "invalid worlds are rejected with the field and the value" {
            Expect.stringContains (errorOf (fun () -> ObjectWorld(0, 10))) "attributes must be >= 1, got 0" "zero attributes"
            Expect.stringContains (errorOf (fun () -> ObjectWorld(2, 1))) "values must be >= 2, got 1" "a single value is no choice"
            Expect.stringContains (errorOf (fun () -> ObjectWorld(8, 10))) "values^attributes must be <= 10^7, got 10^8" "too many objects"
        }

        testList "TargetSplit" [
            test "80/10/10 of 10^4 targets: 8000/1000/1000, disjoint, covering every object" {
                let split = TargetSplit.Create(10000, 0.1, 0.1, 42)
                Expect.equal (split.Train.Length, split.Validation.Length, split.Test.Length) (8000, 1000, 1000) "the paper's split"
                let all = Array.concat [ split.Train; split.Validation; split.Test ]
                Expect.equal (Array.sort all) [| 0 .. 9999 |] "each object is a target of exactly one split"
            }

            test "the same seed gives the same split, another seed a different one" {
                let a, b, c = TargetSplit.Create(1000, 0.1, 0.1, 1), TargetSplit.Create(1000, 0.1, 0.1, 1), TargetSplit.Create(1000, 0.1, 0.1, 2)
                Expect.equal (a.Train, a.Validation, a.Test) (b.Train, b.Validation, b.Test) "a split is a function of its seed"
                Expect.notEqual a.Test c.Test "a different data seed shuffles differently"
            }

            test "fractions are rounded to whole targets" {
                let split = TargetSplit.Create(64, 0.1, 0.1, 0)
                Expect.equal (split.Validation.Length, split.Test.Length, split.Train.Length) (6, 6, 52) "6.4 rounds to 6"
            }

            test "invalid fractions are rejected with their values" {
                let message = errorOf (fun () -> TargetSplit.Create(100, 0.5, 0.5, 0))
                Expect.stringContains message "validation and test fractions" "names the fields"
                Expect.stringContains message "got 0.5 and 0.5" "quotes the values"
                Expect.stringContains (errorOf (fun () -> TargetSplit.Create(100, -0.1, 0.1, 0))) "got -0.1 and 0.1" "negative fraction"
            }
        ]
    ]

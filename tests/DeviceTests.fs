/// Parsing the device choice, and failing early when CUDA is asked for but missing.
module CommLab.Tests.DeviceTests

open System
open Expecto
open TorchSharp
open CommLab.Devices

let tests =
    testList "DeviceChoice" [
        test "IsValid accepts cpu, cuda and cuda:N" {
            let accepted = [ "cpu"; "cuda"; "cuda:0"; "cuda:3" ] |> List.filter DeviceChoice.IsValid
            Expect.equal accepted [ "cpu"; "cuda"; "cuda:0"; "cuda:3" ] "the documented forms are all valid"
        }

        test "IsValid rejects other names" {
            let accepted = [ "gpu"; "cuda:x"; ""; "cuda:"; "cuda:-1"; "CPU" ] |> List.filter DeviceChoice.IsValid
            Expect.isEmpty accepted "only cpu, cuda and cuda:N with N >= 0 are devices"
        }

        test "Resolve names the bad value and the allowed forms" {
            let message = Expect.throwsC (fun () -> DeviceChoice.Resolve "gpu" |> ignore) (fun e -> (e :?> ArgumentException).Message)
            Expect.stringContains message "'gpu'" "quotes the value"
            Expect.stringContains message "cpu, cuda, cuda:N" "lists what is allowed"
        }

        test "Resolve cpu gives the CPU" {
            Expect.equal (DeviceChoice.Resolve "cpu").``type`` DeviceType.CPU "cpu is always available"
        }

        test "Resolve cuda fails before training when CUDA is missing" {
            if torch.cuda.is_available () then
                Expect.equal (DeviceChoice.Resolve "cuda").``type`` DeviceType.CUDA "with CUDA available, cuda is a CUDA device"
            else
                let message =
                    Expect.throwsC (fun () -> DeviceChoice.Resolve "cuda:0" |> ignore) (fun e -> (e :?> InvalidOperationException).Message)
                Expect.stringContains message "'cuda:0'" "quotes the requested device"
                Expect.stringContains message "CUDA is not available" "says why, so nobody waits for a run that cannot start"
        }
    ]

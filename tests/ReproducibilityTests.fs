/// MKL's reproducible mode is what makes "same config + seed, same numbers" hold on CPU.
module CommLab.Tests.ReproducibilityTests

open Expecto
open CommLab.Training

let tests =
    testList "reproducibility" [
        test "MKL conditional numerical reproducibility is set to AUTO" {
            Expect.isTrue (Reproducibility.Ensure()) "the CPU libtorch links MKL, so the mode can be set"
            Expect.equal Reproducibility.MklMode (System.Nullable 2) "MKL_CBWR_AUTO (2) is in force"
        }
    ]

/// `encode`: token ids and sentence vectors of a DistilBERT checkpoint, one JSON line per sentence (see
/// CommLab.Dsl.EncodeCommand).
module CommLab.Encode.Program

[<EntryPoint>]
let main argv =
    // libtorch is loaded by path from the build output before TorchSharp's first use (see
    // CommLab.Devices.TorchNatives); missing natives end the program with the reason.
    try
        CommLab.Training.Reproducibility.Ensure() |> ignore
    with :? System.DllNotFoundException as e ->
        eprintfn "encode: %s" e.Message
        exit 2
    CommLab.Dsl.EncodeCommand.run argv stdout stderr

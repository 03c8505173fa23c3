/// Numbers printed in "Emergent Quantized Communication" (Carmeli, Meir, Belinkov) for the Object game,
/// to put beside ours. The text was extracted from a PDF: cells that are unreadable there are None,
/// never guessed.
module CommLab.Dsl.PaperNumbers.Quantized

open CommLab.Dsl.Channel

/// Table 5 (Object game, test accuracy, mean of 3 seeds) by channel name and candidate count.
/// CN-Inst and both QT rows are cut short in the extracted text; the QT values at 10^4 come from Table 2.
let table5 : Map<string, Map<int, float>> =
    let cols = [ 2; 10; 100; 500; 1000; 2000; 5000; 10000 ]
    let row (values: float option list) = List.zip cols values |> List.choose (fun (k, v) -> v |> Option.map (fun v -> k, v)) |> Map.ofList
    let all (vs: float list) = vs |> List.map Some
    Map.ofList
        [ "CN-RNN", row (all [ 1.000; 1.000; 1.000; 1.000; 1.000; 1.000; 1.000; 1.000 ])
          "GS-RNN", row (all [ 0.997; 0.974; 0.831; 0.560; 0.442; 0.324; 0.208; 0.152 ])
          "QT-RNN", row [ Some 1.000; None; None; None; None; None; None; Some 1.00 ]
          "CN-Inst", row [ Some 1.000; Some 1.000; Some 1.000; Some 0.998; Some 0.998; None; None; None ]
          "GS-Inst", row (all [ 0.926; 0.628; 0.179; 0.062; 0.036; 0.022; 0.010; 0.008 ])
          "QT-Inst", row [ Some 1.000; None; None; None; None; None; None; Some 1.00 ] ]

/// Table 5's channel settings (footnote 5): alphabet, word length, message length.
let table5Settings =
    Map.ofList
        [ "CN-RNN", (None, 100, 6)
          "GS-RNN", (Some 10, 10, 6)
          "QT-RNN", (Some 10, 100, 6)
          "CN-Inst", (None, 100, 1)
          "GS-Inst", (Some 100, 100, 1)
          "QT-Inst", (Some 10, 100, 1) ]

/// Table 3 (Object row): number of unique messages over 1000 test targets, QT inference-only.
let table3 = Map.ofList [ "GS-Inst", 58; "QT-Inst", 1000; "GS-RNN", 948; "QT-RNN", 1000 ]

/// Table 2 (Object row): QT accuracy with 2 and with the maximum (10^4) candidates, by
/// (architecture, quantize phase).
let table2 =
    Map.ofList
        [ (Instant, TrainAndInference), (1.00, 1.00)
          (Instant, InferenceOnly), (1.00, 1.00)
          (Recurrent, TrainAndInference), (1.00, 1.00)
          (Recurrent, InferenceOnly), (1.00, 1.00) ]

/// Figure 4 is an image; the text states only these qualitative findings.
let figure4Claims =
    [ "inference-only quantization reaches maximal accuracy from word length 50 for alphabet sizes larger than 4"
      "train+inference quantization reaches the same for alphabet sizes larger than 16"
      "quantization during both training and inference performs worse than inference-only"
      "longer words help much more than larger alphabets; NoUM correlates with accuracy" ]

/// Numbers printed in "Emergent Quantized Communication" (Carmeli, Meir, Belinkov) for its four games,
/// to put beside ours. The text was extracted from a PDF: cells that are unreadable there are None,
/// never guessed.
module CommLab.Dsl.PaperNumbers.Quantized

open CommLab.Dsl.Channel

/// The paper's four games (Section 4.1).
type Game =
    /// Synthetic objects: 4 attributes x 10 values (Table 5).
    | Object
    /// ImageNet features of EGG's signal game, an informed sender (Table 6).
    | Image
    /// Banking77 sentences, the receiver picks the sentence (Table 7).
    | SentRef
    /// Banking77 sentences, the receiver picks the intent (Table 8).
    | SentCls

/// The game's name as the paper writes it.
let gameName =
    function
    | Object -> "Object"
    | Image -> "Image"
    | SentRef -> "Sent-Ref"
    | SentCls -> "Sent-Cls"

/// The candidate counts of the game's table (Tables 5-8) and Figure 3 panel.
let candidates =
    function
    | Object -> [ 2; 10; 100; 500; 1000; 2000; 5000; 10000 ]
    | Image -> [ 2; 10; 20; 50; 100 ]
    | SentRef | SentCls -> [ 2; 8; 16; 32; 64; 77 ]

let private table (game: Game) (rows: (string * float option list) list) : Map<string, Map<int, float>> =
    let cols = candidates game
    rows
    |> List.map (fun (channel, values) ->
        channel, List.zip cols values |> List.choose (fun (k, v) -> v |> Option.map (fun v -> k, v)) |> Map.ofList)
    |> Map.ofList

let private all (vs: float list) = vs |> List.map Some

/// Tables 5-8: test accuracy (mean of 3 seeds) by channel name and candidate count. In Table 5 CN-Inst
/// and both QT rows are cut short in the extracted text; the QT values at 10^4 come from Table 2.
let accuracy (game: Game) : Map<string, Map<int, float>> =
    match game with
    | Object ->
        table game
            [ "CN-RNN", all [ 1.000; 1.000; 1.000; 1.000; 1.000; 1.000; 1.000; 1.000 ]
              "GS-RNN", all [ 0.997; 0.974; 0.831; 0.560; 0.442; 0.324; 0.208; 0.152 ]
              "QT-RNN", [ Some 1.000; None; None; None; None; None; None; Some 1.00 ]
              "CN-Inst", [ Some 1.000; Some 1.000; Some 1.000; Some 0.998; Some 0.998; None; None; None ]
              "GS-Inst", all [ 0.926; 0.628; 0.179; 0.062; 0.036; 0.022; 0.010; 0.008 ]
              "QT-Inst", [ Some 1.000; None; None; None; None; None; None; Some 1.00 ] ]
    | Image ->
        table game
            [ "CN-RNN", all [ 0.993; 0.944; 0.893; 0.792; 0.675 ]
              "GS-RNN", all [ 0.626; 0.222; 0.134; 0.067; 0.033 ]
              "QT-RNN", all [ 0.992; 0.948; 0.898; 0.786; 0.673 ]
              "CN-Inst", all [ 0.999; 0.996; 0.992; 0.982; 0.962 ]
              "GS-Inst", all [ 0.951; 0.661; 0.472; 0.233; 0.132 ]
              "QT-Inst", all [ 0.999; 0.995; 0.990; 0.982; 0.962 ] ]
    | SentRef ->
        table game
            [ "CN-RNN", all [ 1.000; 0.999; 0.997; 0.994; 0.989; 0.989 ]
              "GS-RNN", all [ 0.814; 0.386; 0.226; 0.138; 0.078; 0.068 ]
              "QT-RNN", all [ 1.000; 0.999; 0.998; 0.995; 0.990; 0.989 ]
              "CN-Inst", all [ 0.999; 0.995; 0.989; 0.981; 0.955; 0.945 ]
              "GS-Inst", all [ 0.673; 0.256; 0.139; 0.069; 0.039; 0.035 ]
              "QT-Inst", all [ 0.999; 0.996; 0.990; 0.981; 0.956; 0.945 ] ]
    | SentCls ->
        table game
            [ "CN-RNN", all [ 0.993; 0.972; 0.959; 0.943; 0.925; 0.920 ]
              "GS-RNN", all [ 0.941; 0.806; 0.717; 0.611; 0.493; 0.460 ]
              "QT-RNN", all [ 0.993; 0.972; 0.959; 0.943; 0.925; 0.920 ]
              "CN-Inst", all [ 0.994; 0.976; 0.964; 0.948; 0.927; 0.920 ]
              "GS-Inst", all [ 0.960; 0.811; 0.666; 0.478; 0.298; 0.258 ]
              "QT-Inst", all [ 0.993; 0.976; 0.964; 0.949; 0.930; 0.925 ] ]

/// Tables 5-8's channel settings (footnote 5): alphabet (None for CN), word length, message length.
/// QT's alphabet is 10 everywhere and its words 100 long, but 10 for QT-RNN in Sent-Cls; GS's alphabet
/// is 10, 50, 100, 10 (Recurrent) and 100, 50, 100, 100 (Instant) for the four games.
let settings (game: Game) : Map<string, int option * int * int> =
    let gsRnn, gsInst =
        match game with
        | Object -> 10, 100
        | Image -> 50, 50
        | SentRef -> 100, 100
        | SentCls -> 10, 100
    Map.ofList
        [ "CN-RNN", (None, 100, 6)
          "GS-RNN", (Some gsRnn, gsRnn, 6)
          "QT-RNN", (Some 10, (if game = SentCls then 10 else 100), 6)
          "CN-Inst", (None, 100, 1)
          "GS-Inst", (Some gsInst, gsInst, 1)
          "QT-Inst", (Some 10, 100, 1) ]

/// Table 3: test targets and the number of unique messages over them, GS against QT inference-only.
let uniqueMessages (game: Game) : int * Map<string, int> =
    let targets, gsInst, qtInst, gsRnn, qtRnn =
        match game with
        | Object -> 1000, 58, 1000, 948, 1000
        | Image -> 1024, 16, 1016, 391, 1016
        | SentRef -> 1001, 8, 1001, 116, 1001
        | SentCls -> 1042, 20, 1042, 125, 1042
    targets, Map.ofList [ "GS-Inst", gsInst; "QT-Inst", qtInst; "GS-RNN", gsRnn; "QT-RNN", qtRnn ]

/// Table 2: QT accuracy with 2 and with the game's most candidates, by (architecture, quantize phase).
/// Standard deviations are under 0.02, or 0.07 where the paper marks them (Sent-Ref's Max column, Sent-Cls's Instant train+inference Max).
let quantizePhases (game: Game) : Map<Architecture * Quantize, float * float> =
    let instTI, instI, rnnTI, rnnI =
        match game with
        | Object -> (1.00, 1.00), (1.00, 1.00), (1.00, 1.00), (1.00, 1.00)
        | Image -> (0.51, 0.01), (0.99, 0.96), (0.51, 0.01), (0.99, 0.67)
        | SentRef -> (0.95, 0.29), (0.99, 0.95), (0.99, 0.74), (1.0, 0.99)
        | SentCls -> (0.97, 0.58), (0.99, 0.92), (0.98, 0.63), (0.99, 0.93)
    Map.ofList
        [ (Instant, TrainAndInference), instTI
          (Instant, InferenceOnly), instI
          (Recurrent, TrainAndInference), rnnTI
          (Recurrent, InferenceOnly), rnnI ]

/// Figures 4-7 are images; the text states only these qualitative findings.
let heatmapClaims (game: Game) =
    match game with
    | Object ->
        [ "inference-only quantization reaches maximal accuracy from word length 50 for alphabet sizes larger than 4"
          "train+inference quantization reaches the same for alphabet sizes larger than 16"
          "quantization during both training and inference performs worse than inference-only"
          "longer words help much more than larger alphabets; NoUM correlates with accuracy" ]
    | Image ->
        [ "increasing the number of symbols improves the results"
          "quantization during training prevents convergence: the system fails to learn (Figure 5)" ]
    | SentRef ->
        [ "increasing the number of symbols improves the results"
          "quantization during training degrades the performance (Figure 6)" ]
    | SentCls ->
        [ "increasing the number of symbols improves the results"
          "quantization during training degrades the performance"
          "NoUM equals the number of targets, although one message per class (77) would suffice (Figure 7)" ]

/// The figure of the game's heatmaps.
let heatmapFigure =
    function
    | Object -> 4
    | Image -> 5
    | SentRef -> 6
    | SentCls -> 7

/// The table of the game's accuracy against candidates.
let candidatesTable =
    function
    | Object -> 5
    | Image -> 6
    | SentRef -> 7
    | SentCls -> 8

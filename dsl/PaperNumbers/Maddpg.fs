/// Numbers printed in "Revisiting the Gumbel-Softmax in MADDPG" (Tilbury, Christianos, Albrecht), to
/// put beside ours.
module CommLab.Dsl.PaperNumbers.Maddpg

/// Table 2's estimator columns, in its order. The authors' script labels a K = 100 run "MK50"; the
/// table says K = 50.
let table2Columns = [ "STGS"; "GRMC-1"; "GRMC-10"; "GRMC-50"; "GST" ]

/// Table 2's logit dimensions.
let table2Dimensions = [ 3; 5; 10; 50; 100; 1000 ]

/// Table 2: microseconds per relaxation (mean and 95% half-width) by dimension, in `table2Columns` order.
let table2: Map<int, (float * float) list> =
    Map [ 3, [ 135.28, 0.19; 445.91, 11.38; 446.65, 0.86; 486.36, 1.7; 357.56, 1.04 ]
          5, [ 135.65, 0.51; 438.52, 0.63; 446.66, 0.7; 501.9, 1.16; 356.95, 0.6 ]
          10, [ 135.83, 0.48; 438.95, 1.01; 451.65, 0.82; 531.97, 0.45; 356.52, 0.55 ]
          50, [ 134.05, 0.89; 440.46, 1.01; 484.77, 1.29; 765.56, 2.09; 356.77, 1.77 ]
          100, [ 139.23, 0.25; 455.54, 2.97; 520.06, 0.78; 1055.18, 4.16; 359.26, 1.26 ]
          1000, [ 154.17, 0.45; 533.12, 1.01; 1060.74, 2.92; 6171.59, 8.67; 386.57, 1.36 ] ]

/// Table 2, one cell: the paper's time and half-width of `estimator` at `dimension`, if printed.
let table2Cell (estimator: string) (dimension: int) : (float * float) option =
    match Map.tryFind dimension table2, List.tryFindIndex ((=) estimator) table2Columns with
    | Some values, Some i -> Some values[i]
    | _ -> None

/// Table 1's estimator columns, in its order.
let table1Columns = [ "STGS-1"; "STGS-T"; "TAGS"; "GRMCK"; "GST" ]

/// One cell of Table 1: mean and 95% confidence half-width over 5 seeds, and whether the extracted
/// text prints an asterisk (not significantly different from the best, two-sided Welch test at 5%).
/// The extraction lost the bold that marks the best, and prints asterisks on maximum returns only.
type Table1Cell =
    { Mean: float
      HalfWidth: float
      Asterisk: bool }

/// Table 1 by task (EnvTask.PaperTasks order): training steps, then per estimator (table1Columns
/// order) the maximum return and the average return.
let table1: (string * int64 * (Table1Cell * Table1Cell) list) list =
    let cell (mean, half, star) = { Mean = mean; HalfWidth = half; Asterisk = star }
    let row task steps (cells: ((float * float * bool) * (float * float * bool)) list) =
        task, steps, cells |> List.map (fun (maximum, average) -> cell maximum, cell average)
    let no = false
    [ row "Foraging-8x8-2p-2f-coop" 5_000_000L
          [ (1.00, 0.00, no), (0.88, 0.05, no); (1.00, 0.01, no), (0.91, 0.04, no); (1.00, 0.01, no), (0.87, 0.05, no)
            (1.00, 0.00, no), (0.88, 0.05, no); (1.00, 0.00, no), (0.89, 0.04, no) ]
      row "Foraging-2s-8x8-2p-2f-coop" 5_000_000L
          [ (0.79, 0.07, true), (0.65, 0.04, no); (0.83, 0.03, no), (0.66, 0.04, no); (0.78, 0.03, true), (0.62, 0.04, no)
            (0.81, 0.05, true), (0.67, 0.04, no); (0.81, 0.02, true), (0.68, 0.03, no) ]
      row "Foraging-10x10-3p-3f" 6_000_000L
          [ (0.75, 0.03, no), (0.58, 0.04, no); (0.75, 0.03, no), (0.59, 0.03, no); (0.74, 0.06, no), (0.51, 0.04, no)
            (0.71, 0.07, no), (0.57, 0.03, no); (0.79, 0.04, no), (0.66, 0.03, no) ]
      row "Foraging-2s-10x10-3p-3f" 6_000_000L
          [ (0.55, 0.05, true), (0.48, 0.01, no); (0.58, 0.06, no), (0.48, 0.01, no); (0.54, 0.03, no), (0.46, 0.01, no)
            (0.56, 0.03, true), (0.49, 0.01, no); (0.56, 0.05, true), (0.50, 0.01, no) ]
      row "Foraging-15x15-3p-5f" 7_500_000L
          [ (0.24, 0.02, no), (0.12, 0.01, no); (0.28, 0.06, no), (0.15, 0.01, no); (0.20, 0.03, no), (0.08, 0.01, no)
            (0.26, 0.05, no), (0.16, 0.01, no); (0.31, 0.04, no), (0.20, 0.01, no) ]
      row "Foraging-15x15-4p-3f" 7_500_000L
          [ (0.79, 0.03, no), (0.54, 0.04, no); (0.79, 0.06, no), (0.58, 0.04, no); (0.77, 0.06, no), (0.45, 0.04, no)
            (0.79, 0.04, no), (0.58, 0.04, no); (0.83, 0.04, no), (0.67, 0.03, no) ]
      row "Foraging-15x15-4p-5f" 7_500_000L
          [ (0.33, 0.06, no), (0.13, 0.02, no); (0.46, 0.12, no), (0.22, 0.02, no); (0.24, 0.05, no), (0.10, 0.01, no)
            (0.43, 0.06, no), (0.21, 0.02, no); (0.48, 0.06, no), (0.30, 0.02, no) ]
      row "rware-tiny-2ag" 7_500_000L
          [ (1.37, 0.22, true), (0.55, 0.07, no); (1.37, 0.49, true), (0.64, 0.08, no); (1.50, 0.46, no), (0.60, 0.08, no)
            (1.37, 0.40, true), (0.65, 0.07, no); (1.40, 0.58, true), (0.65, 0.07, no) ]
      row "rware-tiny-4ag" 7_500_000L
          [ (2.68, 0.49, no), (0.84, 0.12, no); (3.18, 0.60, no), (1.09, 0.15, no); (2.23, 0.50, no), (0.78, 0.11, no)
            (3.17, 0.85, no), (1.15, 0.15, no); (4.16, 0.97, no), (1.82, 0.21, no) ] ]

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

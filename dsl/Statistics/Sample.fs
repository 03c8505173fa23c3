/// A sample: the values of one quantity over seeds, runs or episodes. Every statistic in this folder
/// refuses a sample it cannot use here, so a diverged run's NaN fails loudly instead of turning a
/// mean, an interval or a p-value into NaN further down.
module CommLab.Dsl.Statistics.Sample

open System

/// Throws an ArgumentException naming `what` when `values` has fewer than `minimum` values or holds
/// a NaN or an infinity (with its position, counted from 1).
let check (what: string) (minimum: int) (values: float list) : unit =
    if values.Length < minimum then
        invalidArg what (sprintf "%s needs at least %d values, got %d" what minimum values.Length)
    match values |> List.tryFindIndex (Double.IsFinite >> not) with
    | Some i ->
        invalidArg what (sprintf "%s holds %g at position %d; a statistic cannot use it (leave a diverged run out and report it)" what values[i] (i + 1))
    | None -> ()

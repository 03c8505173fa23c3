/// Markdown for result reports: GitHub pipe tables and the number formats used in them. Output is
/// deterministic, so reports can be committed and checked with snapshot tests.
module CommLab.Dsl.Markdown

open System
open System.Globalization

/// What a missing or NaN number is shown as. ASCII, so column padding stays exact.
let missing: string = "n/a"

/// `value` with `digits` decimals, invariant culture: `decimals 3 0.81234` = "0.812". NaN gives
/// `missing`, infinities "inf" / "-inf"; a value that rounds to zero never shows as "-0.000".
/// (Named `decimals` because `fixed` is an F# keyword.)
let decimals (digits: int) (value: float) : string =
    if digits < 0 then
        invalidArg "digits" (sprintf "digits must be >= 0, got %d" digits)
    if Double.IsNaN value then missing
    elif Double.IsPositiveInfinity value then "inf"
    elif Double.IsNegativeInfinity value then "-inf"
    else
        let text = value.ToString("F" + string digits, CultureInfo.InvariantCulture)
        if text.StartsWith "-" && text |> Seq.forall (fun c -> c = '-' || c = '0' || c = '.') then text.Substring 1 else text

/// Like `decimals`, with None shown as `missing`.
let decimalsOpt (digits: int) (value: float option) : string =
    value |> Option.map (decimals digits) |> Option.defaultValue missing

/// "mean ± std" with the same decimals for both, e.g. "0.812 ± 0.013"; `missing` when the mean is
/// NaN, and "0.812 ± n/a" when only the spread is (a single seed).
let meanStd (digits: int) (mean: float) (std: float) : string =
    if Double.IsNaN mean then missing else sprintf "%s ± %s" (decimals digits mean) (decimals digits std)

// A pipe would end the cell and a newline the row.
let private cell (text: string) =
    text.Replace("\r\n", " ").Replace("\n", " ").Replace("|", "\\|")

/// A GitHub pipe table with every column padded to its widest cell. Each line ends in "\n".
/// Every row must have one cell per header.
let table (headers: string list) (rows: string list list) : string =
    if List.isEmpty headers then
        invalidArg "headers" "a table needs at least one column"
    rows
    |> List.iteri (fun i row ->
        if row.Length <> headers.Length then
            invalidArg "rows" (sprintf "row %d has %d cells but there are %d headers (%s)" (i + 1) row.Length headers.Length (String.concat ", " headers)))
    let all = (headers :: rows) |> List.map (List.map cell)
    // At least 3 wide, so the separator row is always a valid "---".
    let widths = List.transpose all |> List.map (fun column -> column |> List.map String.length |> List.max |> max 3)
    let render cells =
        "| " + (List.map2 (fun (c: string) w -> c.PadRight w) cells widths |> String.concat " | ") + " |\n"
    let separator = "| " + (widths |> List.map (fun w -> String('-', w)) |> String.concat " | ") + " |\n"
    render all.Head + separator + (all.Tail |> List.map render |> String.concat "")

/// Markdown for result reports: GitHub pipe tables and the number formats used in them. Output is
/// deterministic, so reports can be committed and checked with snapshot tests.
module CommLab.Dsl.Markdown

open System
open System.Globalization

/// What a missing or NaN number is shown as. ASCII, so column padding stays exact.
let missing: string = "n/a"

// NaN as `missing`, infinities as "inf" / "-inf", a finite value by `format`; digits must be >= 0.
let private finite (digits: int) (value: float) (format: float -> string) : string =
    if digits < 0 then
        invalidArg "digits" (sprintf "digits must be >= 0, got %d" digits)
    if Double.IsNaN value then missing
    elif Double.IsPositiveInfinity value then "inf"
    elif Double.IsNegativeInfinity value then "-inf"
    else format value

/// `value` with `digits` decimals, invariant culture: `decimals 3 0.81234` = "0.812". NaN gives
/// `missing`, infinities "inf" / "-inf"; a value that rounds to zero never shows as "-0.000".
/// (Named `decimals` because `fixed` is an F# keyword.)
let decimals (digits: int) (value: float) : string =
    finite digits value (fun v ->
        let text = v.ToString("F" + string digits, CultureInfo.InvariantCulture)
        if text.StartsWith "-" && text |> Seq.forall (fun c -> c = '-' || c = '0' || c = '.') then text.Substring 1 else text)

/// `value` in scientific notation with `digits` decimals and a two-digit exponent, invariant
/// culture: `scientific 2 1.856e-7` = "1.86e-07"; for quantities spanning decades (gradient
/// variances), where `decimals` would print 0.00. NaN gives `missing`, infinities "inf" / "-inf".
let scientific (digits: int) (value: float) : string =
    finite digits value (fun v -> v.ToString((if digits = 0 then "0" else "0." + String('0', digits)) + "e+00", CultureInfo.InvariantCulture))

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

/// How a column's cells line up.
type Align =
    | Left
    /// Numbers: right-aligned in the raw text, and marked `---:` for renderers.
    | Right

/// A GitHub pipe table with every column padded to its widest cell and aligned as given. Each line
/// ends in "\n". Every row must have one cell per column.
let tableAligned (columns: (string * Align) list) (rows: string list list) : string =
    if List.isEmpty columns then
        invalidArg "columns" "a table needs at least one column"
    let headers = List.map fst columns
    rows
    |> List.iteri (fun i row ->
        if row.Length <> headers.Length then
            invalidArg "rows" (sprintf "row %d has %d cells but there are %d headers (%s)" (i + 1) row.Length headers.Length (String.concat ", " headers)))
    let all = (headers :: rows) |> List.map (List.map cell)
    // At least 3 wide, so the separator row is always a valid "---" (or "--:").
    let widths = List.transpose all |> List.map (fun column -> column |> List.map String.length |> List.max |> max 3)
    let aligns = List.map snd columns
    let pad align (c: string) (w: int) = match align with Left -> c.PadRight w | Right -> c.PadLeft w
    let render cells =
        "| " + (List.map3 pad aligns cells widths |> String.concat " | ") + " |\n"
    let rule align w = match align with Left -> String('-', w) | Right -> String('-', w - 1) + ":"
    let separator = "| " + (List.map2 rule aligns widths |> String.concat " | ") + " |\n"
    render all.Head + separator + (all.Tail |> List.map render |> String.concat "")

/// A GitHub pipe table with every column padded to its widest cell, left-aligned. Each line ends in
/// "\n". Every row must have one cell per header.
let table (headers: string list) (rows: string list list) : string =
    tableAligned (headers |> List.map (fun h -> h, Left)) rows

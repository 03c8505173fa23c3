/// Mean, spread and count over seeds. A diverged seed (NaN) makes the mean NaN instead of vanishing.
module CommLab.Dsl.Summary

/// Statistics of one cell over seeds.
type Cell =
    { Mean: float
      /// Sample standard deviation (0 for a single seed).
      Std: float
      /// Number of seeds.
      N: int }

/// Statistics of a list of values.
let cell (values: float list) =
    let n = List.length values
    let mean = if n = 0 then nan else List.average values
    let std =
        if n < 2 then 0.0
        else sqrt (values |> List.sumBy (fun v -> (v - mean) ** 2.0) |> fun s -> s / float (n - 1))
    { Mean = mean; Std = std; N = n }

/// Groups rows by `key` and summarizes `value` in each group.
let by (key: 'row -> 'k) (value: 'row -> float) (rows: 'row list) : Map<'k, Cell> =
    rows |> List.groupBy key |> List.map (fun (k, rs) -> k, cell (List.map value rs)) |> Map.ofList

/// "0.998 ± 0.003" (or "n/a").
let format (digits: int) (c: Cell option) =
    match c with
    | Some c when c.N > 1 -> Markdown.meanStd digits c.Mean c.Std
    | Some c -> Markdown.decimals digits c.Mean
    | None -> Markdown.missing

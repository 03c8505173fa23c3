/// Mean, spread and count over seeds. Rows of diverged runs are counted, never averaged: a cell says
/// how many of its runs finished and how many diverged, so a diverged seed cannot vanish from a mean.
module CommLab.Dsl.Summary

/// Statistics of one cell over seeds.
type Cell =
    { /// Mean over the finished runs (NaN when none finished).
      Mean: float
      /// Sample standard deviation over the finished runs (0 for a single one).
      Std: float
      /// Finished runs.
      N: int
      /// Diverged runs, left out of Mean and Std.
      Diverged: int }

/// Statistics of values, each flagged with whether its run diverged (then its value is ignored).
let cellOf (values: (bool * float) list) : Cell =
    let finished = values |> List.filter (fst >> not) |> List.map snd
    let n = List.length finished
    let mean = if n = 0 then nan else List.average finished
    let std =
        if n < 2 then 0.0
        else sqrt (finished |> List.sumBy (fun v -> (v - mean) ** 2.0) |> fun s -> s / float (n - 1))
    { Mean = mean; Std = std; N = n; Diverged = values.Length - n }

/// Statistics of values of finished runs.
let cell (values: float list) : Cell = cellOf (values |> List.map (fun v -> false, v))

/// Groups rows by `key` and summarizes `value` in each group. Rows are any record with a
/// `Diverged: bool` field (every experiment kind's row has one).
let inline by (key: ^row -> 'k) (value: ^row -> float) (rows: ^row list) : Map<'k, Cell> =
    rows
    |> List.groupBy key
    |> List.map (fun (k, rs) -> k, cellOf [ for r in rs -> (^row: (member Diverged: bool) r), value r ])
    |> Map.ofList

/// "2 of 3 seeds; 1 diverged" (empty when nothing diverged).
let divergedNote (c: Cell) : string =
    if c.Diverged = 0 then "" else sprintf "%d of %d seeds; %d diverged" c.N (c.N + c.Diverged) c.Diverged

/// How many runs (seeds) a group holds, given whether each diverged: "3", or "2 of 3 seeds; 1 diverged".
let seeds (diverged: bool list) : string =
    let c = cellOf [ for d in diverged -> d, 0.0 ]
    if c.Diverged = 0 then string c.N else divergedNote c

/// "0.998 ± 0.003", "0.998" for one seed, "n/a" for no cell; with diverged runs
/// "0.998 (2 of 3 seeds; 1 diverged)", or "diverged (0 of 2 seeds; 2 diverged)" when none finished.
let format (digits: int) (c: Cell option) : string =
    match c with
    | None -> Markdown.missing
    | Some c when c.N = 0 && c.Diverged > 0 -> sprintf "diverged (%s)" (divergedNote c)
    | Some c ->
        let value = if c.N > 1 then Markdown.meanStd digits c.Mean c.Std else Markdown.decimals digits c.Mean
        if c.Diverged > 0 then sprintf "%s (%s)" value (divergedNote c) else value

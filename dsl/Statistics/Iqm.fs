/// The interquartile mean (IQM), the aggregate Agarwal et al. (2021, "Deep reinforcement learning at
/// the edge of the statistical precipice") recommend over runs x tasks: the mean of the middle half of
/// the scores, robust to outlying runs yet using more of them than the median.
module CommLab.Dsl.Statistics.Iqm

/// Mean of `values` after cutting floor(proportion n) of the lowest and as many of the highest (the
/// definition of scipy's `trim_mean`). `proportion` must lie in [0, 0.5).
let trimmedMean (proportion: float) (values: float list) : float =
    if not (proportion >= 0.0 && proportion < 0.5) then
        invalidArg "proportion" (sprintf "proportion must lie in [0, 0.5), got %g" proportion)
    Sample.check "values" 1 values
    let cut = int (proportion * float values.Length)
    values |> List.sort |> List.skip cut |> List.take (values.Length - 2 * cut) |> List.average

/// The IQM of `values`: their 25% trimmed mean (1..8 gives the mean of 3..6).
let ofValues (values: float list) : float = trimmedMean 0.25 values

/// The IQM over every run of every task; `scores` holds, per task, its runs' scores.
let ofTasks (scores: float list list) : float = ofValues (List.concat scores)

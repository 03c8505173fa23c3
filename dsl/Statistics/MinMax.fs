/// Min-max normalisation of one task's scores, as marl-eval does before aggregating over tasks: tasks
/// with returns in the hundreds and tasks with returns below one then weigh alike.
module CommLab.Dsl.Statistics.MinMax

/// Every method's scores on one task (call it once per task), rescaled so that the lowest score of any
/// method is 0 and the highest 1. When all scores are equal the task ranks nothing: every score is 0.
let normalise (scores: ('k * float list) list) : ('k * float list) list =
    let all = List.collect snd scores
    Sample.check "scores" 1 all
    let lo, hi = List.min all, List.max all
    let scale v = if hi = lo then 0.0 else (v - lo) / (hi - lo)
    scores |> List.map (fun (k, values) -> k, List.map scale values)

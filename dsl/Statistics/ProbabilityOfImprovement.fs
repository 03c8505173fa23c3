/// The probability of improvement of Agarwal et al. (2021): how likely a run of method X beats a run of
/// method Y on a task, averaged over tasks. It says how often X is better, not by how much.
module CommLab.Dsl.Statistics.ProbabilityOfImprovement

/// P(X > Y) on one task: the Mann-Whitney U statistic of `x` over `y` divided by n_x n_y, that is the
/// share of (x, y) pairs in which x is higher, a tie counting 1/2.
let ofTask (x: float list) (y: float list) : float =
    Sample.check "x" 1 x
    Sample.check "y" 1 y
    let score a b = if a > b then 1.0 elif a = b then 0.5 else 0.0
    (x |> List.sumBy (fun a -> y |> List.sumBy (score a))) / float (x.Length * y.Length)

/// P(X > Y) averaged over tasks; `x` and `y` hold, per task (in the same order), the runs' scores.
let ofTasks (x: float list list) (y: float list list) : float =
    if x.Length <> y.Length || x.IsEmpty then
        invalidArg "y" (sprintf "x and y must hold the same tasks, at least one; got %d and %d tasks" x.Length y.Length)
    List.map2 ofTask x y |> List.average

/// `ofTasks` with its stratified-bootstrap interval.
let interval (settings: Bootstrap.Settings) (x: float list list) (y: float list list) : Bootstrap.Interval =
    Bootstrap.stratifiedPair settings ofTasks x y

/// Sample-efficiency curves (Agarwal et al. 2021): the IQM over all runs of all tasks at each
/// evaluation step, with a stratified-bootstrap band, so methods are compared over all of training.
module CommLab.Dsl.Statistics.SampleEfficiency

/// One point of the curve.
type Point =
    { /// Environment steps of training.
      Step: int64
      /// The IQM over runs x tasks at this step, with its band.
      Iqm: Bootstrap.Interval }

/// The IQM curve of `curves` (per task, its runs' evaluation curves; every run evaluated at the same
/// steps). Every step is resampled with the same seed, so a replicate picks the same runs at every
/// step: the band resamples whole runs, not scores step by step.
let curve (settings: Bootstrap.Settings) (curves: Curves.Curve list list) : Point list =
    let runsPerTask = curves |> List.map List.length
    let byTask (scores: float list) = runsPerTask |> List.mapFold (fun rest n -> List.splitAt n rest) scores |> fst
    Curves.byStep (List.concat curves)
    |> List.map (fun (step, scores) -> { Step = step; Iqm = Bootstrap.stratified settings Iqm.ofTasks (byTask scores) })

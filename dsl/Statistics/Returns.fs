/// The two return metrics of "Revisiting the Gumbel-Softmax in MADDPG" (Section 4.2, after Papoudakis
/// et al.), from each seed's evaluation curve. Each gives one value per seed, so Table 1's intervals
/// and tests (`Best.standings`) run over seeds.
module CommLab.Dsl.Statistics.Returns

/// The maximum return: where training peaked.
type Peak =
    { /// The evaluation step at which the mean return over seeds is highest (the earliest, on a tie).
      Step: int64
      /// Each seed's return at that step, in the order of the curves.
      Values: float list }

/// The maximum return of per-seed evaluation curves (every seed evaluated at the same steps): the step
/// where the mean over seeds peaks, and the seeds' returns there. Peak performance of the method.
let maximum (curves: Curves.Curve list) : Peak =
    let steps = Curves.byStep curves
    let means = steps |> List.map (snd >> List.average)
    let step, values = steps[List.findIndex ((=) (List.max means)) means]
    { Step = step; Values = values }

/// The average return of per-seed evaluation curves: each seed's mean over all its evaluations, in the
/// order of the curves. Their mean is the paper's "mean over all time-steps and seeds", which rewards
/// learning fast as well as well.
let average (curves: Curves.Curve list) : float list =
    Curves.byStep curves |> List.map snd |> List.transpose |> List.map List.average

/// Table 1's marks in "Revisiting the Gumbel-Softmax in MADDPG": among methods compared on one metric
/// of one task, the best (bold) is the highest mean over seeds; another is marked with an asterisk when
/// a two-sided Welch test at 5% cannot tell it from the best.
module CommLab.Dsl.Statistics.Best

open CommLab.Dsl

/// One method's cell of the table.
type Standing<'k> =
    { /// The method (an estimator, say), as the caller names it.
      Name: 'k
      /// Mean over seeds.
      Mean: float
      /// Half-width of the mean's 95% t confidence interval over seeds.
      HalfWidth: float
      /// Highest mean of all (the first of equal means): bold in Table 1.
      IsBest: bool
      /// Not the best, and Welch's two-sided test at 5% cannot tell it from the best: Table 1's asterisk.
      IndistinguishableFromBest: bool }

/// Table 1's rule for each method's per-seed values (at least 2 each), in the order given.
let standings (samples: ('k * float list) list) : Standing<'k> list =
    if samples.IsEmpty then
        invalidArg "samples" "no methods to compare; give each method's per-seed values"
    for name, values in samples do
        Sample.check (sprintf "the values of %A" name) 2 values
    let means = samples |> List.map (fun (_, values) -> (Summary.cell values).Mean)
    let best = List.findIndex ((=) (List.max means)) means
    let bestValues = snd samples[best]
    samples
    |> List.mapi (fun i (name, values) ->
        { Name = name
          Mean = means[i]
          HalfWidth = TTest.halfWidth95 values
          IsBest = (i = best)
          IndistinguishableFromBest = i <> best && not (TTest.distinguishable values bestValues) })

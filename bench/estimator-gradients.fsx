// Bias and variance of each estimator's gradient on one toy problem (not a paper table): logits
// l = (1, 0, -1, 2, 0.5), loss f(a) = <w, a> with w = (0.3, -1, 2, 0.5, -0.7). The true gradient of
// E[f(a)] = sum_j p_j w_j is p * (w - <p, w>); each estimator's gradient is drawn 40,000 times (one row
// of a batch each) and compared with it. Run: dotnet fsi bench/estimator-gradients.fsx
#load "../experiments/Load.fsx"

open TorchSharp
open CommLab.Estimators

torch.set_num_threads 1
let logits = [| 1.0f; 0.0f; -1.0f; 2.0f; 0.5f |]
let w = [| 0.3f; -1.0f; 2.0f; 0.5f; -0.7f |]
let p = logits |> Array.map (float >> exp) |> fun e -> e |> Array.map (fun v -> v / Array.sum e)
let expected = Array.map2 (fun a (b: float32) -> a * float b) p w |> Array.sum
let truth = Array.init 5 (fun j -> p[j] * (float w[j] - expected))
let norm (v: float[]) = sqrt (Array.sumBy (fun x -> x * x) v)
let draws = 40000L

/// One estimator's row: its bias, cosine to the true gradient and total variance.
let measure (spec: EstimatorSpec) =
    use _ = torch.NewDisposeScope()
    let estimator = spec.Create(new torch.Generator(1UL))
    let l = torch.tensor(logits).unsqueeze(0L).repeat(draws, 1L).requires_grad_(true)
    (torch.tensor(w).unsqueeze(0L) * estimator.Apply(l, true)).sum().backward()
    let g = l.grad.data<float32>().ToArray() |> Array.map float |> Array.chunkBySize 5
    let mean = Array.init 5 (fun j -> g |> Array.averageBy (fun r -> r[j]))
    let variance = Array.init 5 (fun j -> g |> Array.averageBy (fun r -> (r[j] - mean[j]) ** 2.0)) |> Array.sum
    let bias = Array.map2 (-) mean truth |> norm
    let cosine = (Array.map2 (*) mean truth |> Array.sum) / (norm mean * norm truth)
    [ spec.Name; sprintf "%g" spec.Temperature; sprintf "%.3f" bias; sprintf "%.3f" cosine; sprintf "%.3f" variance ]

let rows =
    [ for spec in [ EstimatorSpec.Stgs 1.0; EstimatorSpec.Stgs 0.5; EstimatorSpec.Grmc(1.0, 10); EstimatorSpec.Grmc(0.5, 10)
                    EstimatorSpec.Gst(1.0, 1.0); EstimatorSpec.Gst(0.7, 1.0) ] -> measure spec ]
printf "%s" (CommLab.Dsl.Markdown.table [ "estimator"; "tau"; "bias (norm of mean - true)"; "cosine(mean, true)"; "total variance" ] rows)
printfn "\nnorm of the true gradient: %.3f" (norm truth)

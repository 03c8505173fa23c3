/// The estimator library: forward samples are one-hot draws of Categorical(softmax(l)); GRMCK's conditioned
/// noise and its gradient's mean and variance; GST's gap; TAGS' schedule and checkpoints; shapes, dtypes,
/// reproducibility and tensor leaks. Statistical tests use fixed seeds and sample sizes where a correct
/// estimator passes with a wide margin and a wrong one (checked by the negative controls) fails.
module CommLab.Tests.EstimatorTests

open System
open Expecto
open TorchSharp
open CommLab.Estimators
open CommLab.Tests.TensorValues

let private logits = [| 1.0f; 0.0f; -1.0f; 2.0f; 0.5f |]
let private categories = logits.Length

let private softmax (l: float32[]) =
    let e = l |> Array.map (float >> exp)
    e |> Array.map (fun v -> v / Array.sum e)

/// Every estimator whose training forward value is a one-hot sample, with the settings the tests use.
let private straightThrough =
    [ EstimatorSpec.Stgs 1.0
      EstimatorSpec.Stgs 0.5
      EstimatorSpec.Tags(4.0, 0.1, 100L)
      EstimatorSpec.Grmc(0.5, 10)
      EstimatorSpec.Gst(0.7, 1.0) ]

let private all = EstimatorSpec.Relaxed 1.0 :: straightThrough

let private withEvaluation (how: EvaluationBehaviour) (s: EstimatorSpec) =
    EstimatorSpec(s.Kind, s.Temperature, s.EndTemperature, s.Period, s.Samples, s.Gap, how)

let private create (seed: uint64) (spec: EstimatorSpec) = spec.Create(new torch.Generator(seed))

/// `logits` repeated over a [a; b; categories] batch, so every row is an independent draw.
let private batch (a: int64) (b: int64) =
    torch.tensor(logits).reshape(1L, 1L, int64 categories).repeat(a, b, 1L)

/// Pearson's chi-square statistic of category counts against probabilities.
let private chiSquare (counts: int[]) (probs: float[]) =
    let n = float (Array.sum counts)
    Array.map2 (fun (c: int) p -> (float c - n * p) ** 2.0 / (n * p)) counts probs |> Array.sum

// Chi-square with 4 degrees of freedom exceeds this with probability 0.001.
let private chiSquareCritical = 18.47

let private countChoices (oneHots: float32[][]) =
    let counts = Array.zeroCreate categories
    for row in oneHots do
        counts[Array.findIndex ((=) 1f) row] <- counts[Array.findIndex ((=) 1f) row] + 1
    counts

/// Per-row gradients of sum(w * estimator(l)) for `n` copies of `logits`: independent draws of the
/// estimator's gradient with respect to the logits.
let private gradients (estimator: IDiscreteEstimator) (n: int64) =
    use l = (torch.tensor(logits).unsqueeze(0L).repeat(n, 1L)).requires_grad_(true)
    use w = torch.tensor([| 0.3f; -1.0f; 2.0f; 0.5f; -0.7f |]).unsqueeze(0L)
    use loss = (w * estimator.Apply(l, true)).sum()
    loss.backward()
    let g = gradient l
    Array.chunkBySize categories g

let private column k (rows: float32[][]) = rows |> Array.map (fun r -> float r[k])
let private mean (xs: float[]) = Array.average xs
let private variance (xs: float[]) = let m = mean xs in xs |> Array.averageBy (fun x -> (x - m) ** 2.0)

/// Two-sample Kolmogorov-Smirnov statistic.
let private ks (a: float[]) (b: float[]) =
    let a, b = Array.sort a, Array.sort b
    let mutable i, j, d = 0, 0, 0.0
    while i < a.Length && j < b.Length do
        let x = min a[i] b[j]
        while i < a.Length && a[i] <= x do i <- i + 1
        while j < b.Length && b[j] <= x do j <- j + 1
        d <- max d (abs (float i / float a.Length - float j / float b.Length))
    d

let private distribution =
    testList "forward samples" [
        for spec in straightThrough do
            test (sprintf "%s: training forward values are one-hot draws of Categorical(softmax(l))" spec.Name) {
                use l = batch 100L 200L
                let sampled = rows ((create 11UL spec).Apply(l, true))
                Expect.isEmpty (sampled |> Array.filter (isOneHot >> not)) "every training forward value is one-hot"
                let stat = chiSquare (countChoices sampled) (softmax logits)
                Expect.isLessThan stat chiSquareCritical (sprintf "chi-square %.2f over 20000 draws (df 4)" stat)
            }
        for spec in straightThrough do
            test (sprintf "%s: sampling evaluation draws from Categorical(softmax(l)) without gradient" spec.Name) {
                use l = (batch 20000L 1L).requires_grad_(true)
                use y = (create 12UL (withEvaluation EvaluationBehaviour.Sample spec)).Apply(l, false)
                Expect.isFalse y.requires_grad "evaluation carries no gradient"
                let stat = chiSquare (countChoices (rows y)) (softmax logits)
                Expect.isLessThan stat chiSquareCritical (sprintf "chi-square %.2f over 20000 draws (df 4)" stat)
            }
        test "negative control: the chi-square check rejects draws from softmax(l / 2)" {
            use l = batch 20000L 1L
            use half = l / 2.0
            let stat = chiSquare (countChoices (rows (OneHot.Sample(half, new torch.Generator(13UL))))) (softmax logits)
            Expect.isGreaterThan stat chiSquareCritical "a sampler of the wrong distribution must fail the same test"
        }
        for spec in all do
            test (sprintf "%s: argmax evaluation is the one-hot of the largest logit" spec.Name) {
                use l = matrix [| [| 0.1f; 0.5f; 0.2f |]; [| 3f; 0f; 0f |]; [| -2f; -1f; -0.5f |] |]
                let estimator = create 14UL spec
                Expect.sequenceEqual (floats (estimator.Apply(l, false))) [| 0f; 1f; 0f; 1f; 0f; 0f; 0f; 0f; 1f |]
                    "argmax evaluation is deterministic and noise-free"
            }
        test "relaxed Gumbel-Softmax: training values are soft and sum to 1" {
            use l = batch 50L 10L
            let sampled = rows ((create 15UL (EstimatorSpec.Relaxed 1.0)).Apply(l, true))
            for row in sampled do
                Expect.floatClose Accuracy.medium (float (Array.sum row)) 1.0 "a softmax sums to 1"
            Expect.isGreaterThan (sampled |> Array.filter (isOneHot >> not)).Length 450 "at temperature 1 words are not one-hot"
        }
    ]

let private grmc =
    testList "GRMCK" [
        test "conditioned perturbed logits always have their argmax at the sampled action" {
            for dtype in [ torch.float32; torch.float64 ] do
                use g = new torch.Generator(21UL)
                // Spread from -40 to +40 so both tails of the conditioning formula are exercised.
                use l = (torch.randn([| 500L; 7L |], generator = g) * 20.0).to_type(dtype)
                use index = OneHot.SampleIndex(l, g)
                use conditioned = GumbelRaoMonteCarlo.ConditionedLogits(l, index, 20, g)
                Expect.sequenceEqual conditioned.shape [| 20L; 500L; 7L |] "K samples in front"
                use top = conditioned.argmax(-1L, keepdim = true)
                use expected = index.unsqueeze(0L).expand(20L, 500L, 1L)
                Expect.isTrue (top.eq(expected).all().item<bool>()) (sprintf "%A: argmax(l + g_k) = a for every k and row" dtype)
        }
        test "the chosen conditioned logit is Gumbel(log Z): mean log Z + 0.5772" {
            use g = new torch.Generator(22UL)
            use l = torch.tensor(logits).unsqueeze(0L).repeat(500L, 1L)
            use index = OneHot.SampleIndex(l, g)
            use conditioned = GumbelRaoMonteCarlo.ConditionedLogits(l, index, 20, g)
            let chosen = floats (conditioned.amax([| -1L |])) |> Array.map float
            let logZ = logits |> Array.sumBy (float >> exp) |> log
            // max_j(l_j + g_j) ~ Gumbel(log Z, 1), independent of the argmax; its sd is pi / sqrt 6.
            Expect.floatClose { absolute = 0.06; relative = 0.0 } (mean chosen) (logZ + 0.5772157) "10000 draws, standard error 0.013"
        }
        test "its gradient has the mean of the STGS gradient at the same temperature and a lower variance" {
            let n = 40000L
            let stgs = gradients (create 23UL (EstimatorSpec.Stgs 0.5)) n
            let rao = gradients (create 24UL (EstimatorSpec.Grmc(0.5, 10))) n
            for k in 0 .. categories - 1 do
                let a, b = column k stgs, column k rao
                let se = sqrt (variance a / float n + variance b / float n)
                Expect.isLessThan (abs (mean a - mean b)) (4.5 * se)
                    (sprintf "component %d: means %.4f (STGS) and %.4f (GRMC-10) differ by more than 4.5 standard errors" k (mean a) (mean b))
            let total rows = [ 0 .. categories - 1 ] |> List.sumBy (fun k -> variance (column k rows))
            Expect.isLessThan (total rao) (0.8 * total stgs)
                (sprintf "total variance %.4f (GRMC-10) against %.4f (STGS): Rao-Blackwellisation lowers it" (total rao) (total stgs))
        }
        test "with K = 1 its gradient is distributed as the STGS gradient" {
            let n = 20000L
            let stgs = gradients (create 25UL (EstimatorSpec.Stgs 0.5)) n
            let one = gradients (create 26UL (EstimatorSpec.Grmc(0.5, 1))) n
            let ten = gradients (create 27UL (EstimatorSpec.Grmc(0.5, 10))) n
            // The two-sample KS statistic exceeds 1.95 sqrt(2/n) with probability 0.001.
            let critical = 1.95 * sqrt (2.0 / float n)
            for k in 0 .. categories - 1 do
                let d = ks (column k stgs) (column k one)
                Expect.isLessThan d critical (sprintf "component %d: KS %.4f between STGS and GRMC-1" k d)
            let d10 = [ 0 .. categories - 1 ] |> List.map (fun k -> ks (column k stgs) (column k ten)) |> List.max
            Expect.isGreaterThan d10 critical "negative control: GRMC-10 has a different (narrower) distribution, and the test sees it"
        }
    ]

let private gst =
    testList "GST" [
        test "after the perturbations the chosen logit is the maximum and every other is at least kappa below" {
            use g = new torch.Generator(31UL)
            use l = torch.randn([| 400L; 9L |], generator = g) * 3.0
            for kappa in [ 0.0; 0.5; 1.0; 3.0 ] do
                // Every index, not only sampled ones: the perturbation must hold for any choice.
                use index = torch.randint(9L, [| 400L; 1L |], generator = g)
                let gapped = rows (GappedStraightThrough.Gapped(l, index, kappa))
                let original = rows l
                let chosen = floats index |> Array.map int
                for r in 0 .. 399 do
                    let row = gapped[r]
                    Expect.equal row[chosen[r]] (Array.max original[r]) "m1 moves the chosen logit to max(l)"
                    for j in 0 .. 8 do
                        if j <> chosen[r] then
                            Expect.isLessThanOrEqual (float row[j]) (float row[chosen[r]] - kappa + 1e-5) (sprintf "kappa %g: logit %d within the gap" kappa j)
        }
        test "logits already gapped at the chosen index are left as they are" {
            use l = matrix [| [| 5f; 1f; 3.5f |]; [| -2f; 0f; 4f |] |]
            use index = torch.tensor([| 0L; 2L |]).unsqueeze(1L)
            Expect.sequenceEqual (floats (GappedStraightThrough.Gapped(l, index, 1.0))) (floats l) "m1 = m2 = 0"
            Expect.sequenceEqual (floats (GappedStraightThrough.Gapped(l, index, 2.0))) [| 5f; 1f; 3f; -2f; 0f; 4f |]
                "with kappa 2 only the logit 1.5 below the maximum moves, to max - kappa"
        }
        test "its gradient is the softmax Jacobian at the gapped logits" {
            use l = (matrix [| [| 0.2f; 1.0f; -0.4f |] |]).requires_grad_(true)
            let estimator = create 32UL (EstimatorSpec.Gst(0.7, 1.0))
            use w = torch.tensor([| 1.0f; -2.0f; 0.5f |]).unsqueeze(0L)
            use y = estimator.Apply(l, true)
            use loss = (w * y).sum()
            loss.backward()
            let chosen = floats y |> Array.findIndex ((=) 1f)
            use index = torch.tensor([| int64 chosen |]).reshape(1L, 1L)
            let s = floats ((GappedStraightThrough.Gapped(l, index, 1.0) / 0.7).softmax(-1L)) |> Array.map float
            let wv = [| 1.0; -2.0; 0.5 |]
            let inner = Array.map2 (*) s wv |> Array.sum
            let expected = Array.init 3 (fun j -> s[j] * (wv[j] - inner) / 0.7)
            Array.iter2 (fun (e: float) (a: float32) -> Expect.floatClose Accuracy.medium (float a) e "d softmax_tau / dl")
                expected (gradient l)
        }
    ]

let private tags =
    testList "TAGS" [
        test "the temperature follows start * (end/start)^(n/period) exactly and stops at the end value" {
            let estimator = create 41UL (EstimatorSpec.Tags(4.0, 0.1, 100L))
            let mutable product = 4.0
            let factor = (0.1 / 4.0) ** (1.0 / 100.0)
            for n in 0 .. 150 do
                let expected = if n >= 100 then 0.1 else 4.0 * (0.1 / 4.0) ** (float n / 100.0)
                Expect.floatClose { absolute = 0.0; relative = 1e-12 } estimator.Temperature expected (sprintf "after %d updates" n)
                if n <= 100 then
                    // The authors multiply by (end/start)^(1/period) once per update.
                    Expect.floatClose { absolute = 0.0; relative = 1e-9 } estimator.Temperature product (sprintf "product form after %d updates" n)
                    product <- product * factor
                estimator.Step()
            Expect.equal estimator.Temperature 0.1 "held at exactly the end value"
        }
        test "a TAGS step uses the current temperature: same draw and gradient as STGS at that temperature" {
            let annealed = create 42UL (EstimatorSpec.Tags(2.0, 0.5, 10L))
            for _ in 1 .. 4 do annealed.Step()
            let fixedTau = create 42UL (EstimatorSpec.Stgs annealed.Temperature)
            let a, b = gradients annealed 64L, gradients fixedTau 64L
            Expect.sequenceEqual (Array.concat a) (Array.concat b) "identical noise, identical temperature"
            let early = gradients (create 42UL (EstimatorSpec.Tags(2.0, 0.5, 10L))) 64L
            Expect.notEqual (Array.concat early) (Array.concat a) "before the updates the temperature (2.0) differs"
        }
        test "its state survives a checkpoint, and restoring another kind is refused" {
            let estimator = create 43UL (EstimatorSpec.Tags(4.0, 0.1, 100L))
            for _ in 1 .. 37 do estimator.Step()
            let json = Text.Json.JsonSerializer.Serialize estimator.State
            let state = Text.Json.JsonSerializer.Deserialize<EstimatorState> json
            let restored = create 44UL (EstimatorSpec.Tags(4.0, 0.1, 100L))
            restored.Restore state
            Expect.equal restored.Temperature estimator.Temperature "the schedule continues where it stopped"
            Expect.equal state.Updates 37L "the state counts updates"
            let other = create 45UL (EstimatorSpec.Stgs 1.0)
            let message = try other.Restore state; "" with :? ArgumentException as e -> e.Message
            Expect.stringContains message "TemperatureAnnealed" "the message names the kind that wrote the state"
        }
    ]

let private mechanics =
    testList "shapes, reproducibility, leaks" [
        for spec in all do
            for dtype in [ torch.float32; torch.float64 ] do
                test (sprintf "%s %A: output and gradient keep the logits' shape and dtype" spec.Name dtype) {
                    use l = torch.randn([| 2L; 3L; 4L; 6L |], dtype = dtype).requires_grad_(true)
                    use y = (create 51UL spec).Apply(l, true)
                    Expect.sequenceEqual y.shape l.shape "same shape as the logits"
                    Expect.equal y.dtype dtype "same dtype"
                    use loss = (y * torch.arange(6L, dtype = dtype)).sum()
                    loss.backward()
                    Expect.sequenceEqual l.grad.shape l.shape "gradient shaped like the logits"
                    Expect.equal l.grad.dtype dtype "gradient dtype"
                    Expect.isTrue (l.grad.isfinite().all().item<bool>()) "finite gradient"
                    Expect.isGreaterThan (gradient l |> Array.sumBy abs) 1e-6f "a gradient reaches the logits"
                }
        for spec in all do
            test (sprintf "%s: the same generator seed gives the same values and gradients" spec.Name) {
                let a, b, c = gradients (create 52UL spec) 32L, gradients (create 52UL spec) 32L, gradients (create 53UL spec) 32L
                Expect.sequenceEqual (Array.concat a) (Array.concat b) "reproducible from the seed"
                Expect.notEqual (Array.concat a) (Array.concat c) "another seed draws other noise"
            }
        for spec in all do
            test (sprintf "%s: no tensor outlives its dispose scope over 20000 forward and backward calls" spec.Name) {
                let estimator = create 54UL spec
                use l = (torch.randn([| 4L; 5L |])).requires_grad_(true)
                use w = torch.randn([| 4L; 5L |])
                let stats = DisposeScopeManager.Statistics
                let live = stats.ThreadTotalLiveCount
                let created, disposed = stats.CreatedInScopeCount, stats.DisposedInScopeCount
                for _ in 1 .. 20000 do
                    use _ = torch.NewDisposeScope()
                    (w * estimator.Apply(l, true)).sum().backward()
                    estimator.Step()
                Expect.equal stats.ThreadTotalLiveCount live "as many live tensors as before the calls"
                Expect.equal (stats.DisposedInScopeCount - disposed) (stats.CreatedInScopeCount - created) "every tensor created in a scope was disposed"
                Expect.isGreaterThan (stats.CreatedInScopeCount - created) 20000L "the calls did create tensors (the check is live)"
            }
    ]

let private draws =
    testList "draws" [
        test "SIMD uniforms lie strictly inside (0, 1), fill every slot, and look uniform" {
            for length in [ 1; 7; 8; 13; 100003 ] do
                let values = Array.zeroCreate<float32> length
                Draws.FillUniform(Span values, 42UL)
                Expect.isTrue (values |> Array.forall (fun v -> v > 0f && v < 1f)) (sprintf "length %d: every value in (0, 1), none left at 0" length)
            let values = Array.zeroCreate<float32> 100000
            Draws.FillUniform(Span values, 7UL)
            let counts = Array.zeroCreate 10
            for v in values do counts[int (v * 10f)] <- counts[int (v * 10f)] + 1
            let stat = counts |> Array.sumBy (fun c -> (float c - 10000.0) ** 2.0 / 10000.0)
            // chi-square with 9 degrees of freedom exceeds 27.9 with probability 0.001
            Expect.isLessThan stat 27.9 (sprintf "chi-square %.2f over 10 bins" stat)
            let xs = values |> Array.map float
            let lag = Array.map2 (fun a b -> (a - 0.5) * (b - 0.5)) xs[.. xs.Length - 2] xs[1..] |> Array.average
            Expect.isLessThan (abs (lag * 12.0)) 0.02 "successive draws are uncorrelated (lag-1 correlation)"
        }
        test "the same seed gives the same stream, another seed another" {
            let draw seed = let v = Array.zeroCreate<float32> 64 in Draws.FillUniform(Span v, seed); v
            Expect.sequenceEqual (draw 5UL) (draw 5UL) "deterministic"
            Expect.notEqual (draw 5UL) (draw 6UL) "seeded"
        }
        test "log-uniform draws are finite and negative, on the SIMD path and on libtorch's" {
            for dtype in [ torch.float32; torch.float64 ] do
                use g = new torch.Generator(9UL)
                use d = Draws.LogUniform([| 1000L; 37L |], dtype, torch.CPU, g)
                let values = floats d
                Expect.isTrue (values |> Array.forall (fun v -> v < 0f && not (Single.IsInfinity v) && not (Single.IsNaN v))) (sprintf "%A" dtype)
                // E[log U] = -1 for U ~ Uniform(0, 1); the standard error over 37000 draws is 0.005.
                Expect.floatClose { absolute = 0.03; relative = 0.0 } (values |> Array.averageBy float) -1.0 (sprintf "%A: mean of log U" dtype)
        }
        test "draws continue exactly from a generator's state with its pending seeds (what a checkpoint holds)" {
            use g = new torch.Generator(11UL)
            // Three draws take 3 of a block of 64 seeds: the generator has moved past all 64.
            for _ in 1..3 do (Draws.LogUniform([| 5L |], torch.float32, torch.CPU, g)).Dispose()
            let state = g.get_state()
            let pending = Draws.PendingSeeds g
            Expect.equal pending.Length 61 "61 seeds of the block are still to use"
            let next (gen: torch.Generator) = [ for _ in 1..70 -> floats (Draws.LogUniform([| 5L |], torch.float32, torch.CPU, gen)) ]
            let expected = next g
            use other = new torch.Generator(99UL)
            other.set_state state
            Draws.RestorePendingSeeds(other, pending)
            Expect.equal (next other) expected "the next 70 draws (through a new block) are the same"
            use stateOnly = new torch.Generator(99UL)
            stateOnly.set_state state
            Expect.notEqual (next stateOnly) expected "the generator's state alone would skip the pending seeds"
        }
    ]

let private specs =
    testList "EstimatorSpec" [
        test "every impossible field is named with its value and the allowed range" {
            let problems (s: EstimatorSpec) = String.Join(" | ", s.Problems())
            Expect.stringContains (problems (EstimatorSpec.Stgs 0.0)) "temperature must be > 0" "tau"
            Expect.stringContains (problems (EstimatorSpec.Grmc(1.0, 0))) "samples (K) must be >= 1, got 0" "K"
            Expect.stringContains (problems (EstimatorSpec.Gst(1.0, -0.5))) "gap (kappa) must be >= 0 and finite, got -0.5" "kappa"
            let t = problems (EstimatorSpec.Tags(-1.0, 0.0, 0L))
            for part in [ "start temperature must be > 0"; "end temperature must be > 0"; "period must be >= 1 update, got 0" ] do
                Expect.stringContains t part "TAGS lists every problem at once"
            Expect.isEmpty (straightThrough |> List.collect (fun s -> List.ofSeq (s.Problems()))) "the test settings are valid"
            let message = try (EstimatorSpec.Stgs -1.0).Create(null) |> ignore; "" with :? ArgumentException as e -> e.Message
            Expect.stringContains message "got -1" "Create refuses an invalid spec with the same message"
        }
        test "names say the estimator and its main setting" {
            Expect.sequenceEqual (all |> List.map (fun s -> s.Name)) [ "GS-1"; "STGS-1"; "STGS-0.5"; "TAGS-4-0.1"; "GRMC-10"; "GST-1" ] "table labels"
        }
        test "straight-through rounding refuses fewer than 2 levels" {
            use x = torch.tensor([| 0.2f |])
            Expect.throwsT<ArgumentOutOfRangeException> (fun () -> StraightThroughRounding.Round(x, 1) |> ignore) "one level cannot encode anything"
        }
    ]

let tests = testList "Estimators" [ distribution; grmc; gst; tags; mechanics; draws; specs ]

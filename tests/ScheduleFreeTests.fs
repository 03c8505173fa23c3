/// Schedule-Free AdamW against traces computed from its equations, its averaging property, and its
/// train/eval discipline.
module CommLab.Tests.ScheduleFreeTests

open System
open Expecto
open TorchSharp
open CommLab.Optim

type private Settings = { Lr: float; Beta1: float; Beta2: float; Eps: float; Decay: float; Warmup: int; R: float; Power: float }

/// The method's equations on plain floats, one coordinate at a time: returns y, z and
/// x = (y - (1 - beta1) z) / beta1 after every step.
let private reference (s: Settings) (grad: float[] -> float[]) (start: float[]) (steps: int) =
    let y = Array.copy start
    let z = Array.copy start
    let v = Array.zeroCreate start.Length
    let mutable weightSum = 0.0
    let mutable lrMax = -1.0
    [ for k in 0 .. steps - 1 do
          let g = grad y
          let lr = s.Lr * (if k < s.Warmup then float (k + 1) / float s.Warmup else 1.0)
          let bias2 = 1.0 - s.Beta2 ** float (k + 1)
          lrMax <- max lrMax lr
          let w = float (k + 1) ** s.R * lrMax ** s.Power
          weightSum <- weightSum + w
          let c = w / weightSum
          for i in 0 .. y.Length - 1 do
              v[i] <- s.Beta2 * v[i] + (1.0 - s.Beta2) * g[i] * g[i]
              let u = g[i] / (sqrt (v[i] / bias2) + s.Eps) + s.Decay * y[i]
              y[i] <- (1.0 - c) * y[i] + c * z[i] + lr * (s.Beta1 * (1.0 - c) - 1.0) * u
              z[i] <- z[i] - lr * u
          let x = Array.map2 (fun yi zi -> (yi - (1.0 - s.Beta1) * zi) / s.Beta1) y z
          yield Array.copy y, Array.copy z, x ]

// A quadratic with different curvature per coordinate: gradient 2 h (p - t).
let private curvature = [| 1.0; 4.0; 0.25 |]
let private optimum = [| 0.5; -1.0; 2.0 |]
let private grad (p: float[]) = Array.init p.Length (fun i -> 2.0 * curvature[i] * (p[i] - optimum[i]))

let private parameter (values: float[]) =
    new Modules.Parameter(torch.tensor(values, dtype = torch.float64))

let private values (p: Modules.Parameter) = p.detach().data<float>().ToArray()

let private setGradient (p: Modules.Parameter) =
    use _ = torch.no_grad()
    let g = grad (values p)
    if isNull p.grad then p.grad <- torch.zeros_like(p)
    p.grad.copy_(torch.tensor(g, dtype = torch.float64)) |> ignore

let private options (s: Settings) =
    ScheduleFreeOptions(s.Lr, s.Beta1, s.Beta2, s.Eps, s.Decay, s.Warmup, s.R, s.Power)

let private close (expected: float[]) (actual: float[]) (what: string) =
    Array.iteri2 (fun i e a -> Expect.floatClose { absolute = 1e-12; relative = 1e-10 } a e (sprintf "%s, coordinate %d" what i)) expected actual

let tests =
    testList "Schedule-Free AdamW" [
        test "two steps by hand: y, z and the average x" {
            // p = 1, gradient 2 every step, lr 0.1, beta1 0.9, no epsilon. Step 1: v/bc2 = 4, u = 1,
            // c = 1, so y = z = 0.9. Step 2: again u = 1, c = 1/2, so y = 0.9 + 0.1 (0.45 - 1) = 0.845,
            // z = 0.8 and x = (0.9 + 0.8) / 2 = 0.85.
            use p = parameter [| 1.0 |]
            use opt = new ScheduleFreeAdamW([ p ], ScheduleFreeOptions(LearningRate = 0.1, Epsilon = 0.0))
            opt.Train()
            let step () =
                p.grad <- torch.tensor([| 2.0 |], dtype = torch.float64)
                opt.Step()
            step ()
            close [| 0.9 |] (values p) "y after step 1"
            close [| 0.9 |] (opt.Z(0).data<float>().ToArray()) "z after step 1"
            step ()
            close [| 0.845 |] (values p) "y after step 2"
            close [| 0.8 |] (opt.Z(0).data<float>().ToArray()) "z after step 2"
            opt.Eval()
            close [| 0.85 |] (values p) "x after step 2"
        }

        test "matches the equations over 8 steps with warmup, weight decay and r = 1, evaluating between steps" {
            let s = { Lr = 0.05; Beta1 = 0.9; Beta2 = 0.99; Eps = 1e-8; Decay = 0.1; Warmup = 3; R = 1.0; Power = 2.0 }
            let start = [| 1.0; 2.0; -3.0 |]
            let trace = reference s grad start 8
            use p = parameter start
            use opt = new ScheduleFreeAdamW([ p ], options s)
            for k, (y, z, x) in List.indexed trace do
                opt.Train()
                setGradient p
                opt.Step()
                close y (values p) (sprintf "y after step %d" (k + 1))
                close z (opt.Z(0).data<float>().ToArray()) (sprintf "z after step %d" (k + 1))
                opt.Eval()
                close x (values p) (sprintf "x after step %d (eval mode)" (k + 1))
            Expect.equal opt.Steps 8L "eight steps"
        }

        test "with r = 0 and a constant learning rate, x is the plain average of the z iterates" {
            use p = parameter [| 3.0; -1.0; 0.0 |]
            use opt = new ScheduleFreeAdamW([ p ], ScheduleFreeOptions(LearningRate = 0.1))
            let zs = ResizeArray()
            for _ in 1 .. 6 do
                opt.Train()
                setGradient p
                opt.Step()
                zs.Add(opt.Z(0).data<float>().ToArray())
            opt.Eval()
            let mean = Array.init 3 (fun i -> zs |> Seq.averageBy (fun z -> z[i]))
            close mean (values p) "x = mean of z_1 .. z_6"
        }

        test "refuses to step in eval mode, and a new optimizer starts in eval mode" {
            use p = parameter [| 1.0 |]
            use opt = new ScheduleFreeAdamW([ p ])
            p.grad <- torch.ones(1, dtype = torch.float64)
            Expect.isFalse opt.TrainMode "starts in eval mode, like the reference"
            let message = try opt.Step(); "" with :? InvalidOperationException as e -> e.Message
            Expect.stringContains message "call Train()" "the error says what to do"
            opt.Train()
            opt.Step()
            opt.Eval()
            Expect.throwsT<InvalidOperationException> (fun () -> opt.Step()) "eval mode again after Eval()"
            Expect.equal opt.Steps 1L "only the train-mode step counted"
        }

        test "eval then train gives y back" {
            use p = parameter [| 1.0; 2.0; 3.0 |]
            use opt = new ScheduleFreeAdamW([ p ], ScheduleFreeOptions(LearningRate = 0.2))
            opt.Train()
            for _ in 1 .. 3 do
                setGradient p
                opt.Step()
            let y = values p
            opt.Eval()
            Expect.isFalse (Array.forall2 (fun a b -> abs (a - b) < 1e-9) y (values p)) "x differs from y after steps"
            opt.Train()
            close y (values p) "y restored"
        }

        test "a checkpoint taken in eval mode continues exactly" {
            let run (restoreAt: int option) =
                use p = parameter [| 0.0; 1.0; -2.0 |]
                use opt = new ScheduleFreeAdamW([ p ], ScheduleFreeOptions(LearningRate = 0.05, WarmupSteps = 2))
                let mutable result = [||]
                for k in 1 .. 5 do
                    opt.Train()
                    setGradient p
                    opt.Step()
                    opt.Eval()
                    if restoreAt = Some k then
                        // A fresh parameter holding the checkpoint's x, and a fresh optimizer given its state.
                        let state = opt.State()
                        use _ = torch.no_grad()
                        p.copy_(torch.tensor(values p, dtype = torch.float64)) |> ignore
                        use fresh = new ScheduleFreeAdamW([ p ], ScheduleFreeOptions(LearningRate = 0.05, WarmupSteps = 2))
                        fresh.Restore state
                        for _ in k + 1 .. 5 do
                            fresh.Train()
                            setGradient p
                            fresh.Step()
                            fresh.Eval()
                        result <- values p
                if Array.isEmpty result then values p else result
            close (run None) (run (Some 3)) "x after 5 steps, with and without a restart at step 3"
        }

        test "bad settings are refused naming the field and the allowed range" {
            let problems = ScheduleFreeOptions(LearningRate = 0.0, Beta1 = 1.0, Beta2 = -0.1, WarmupSteps = -1).Problems()
            Expect.containsAll problems
                [ "learning rate must be > 0 and finite, got 0"; "beta1 must be in (0, 1), got 1"; "beta2 must be in [0, 1), got -0.1"; "warmup steps must be >= 0, got -1" ]
                "every bad field"
            use p = parameter [| 1.0 |]
            Expect.throwsT<ArgumentException> (fun () -> new ScheduleFreeAdamW([ p ], ScheduleFreeOptions(Epsilon = -1.0)) |> ignore) "the constructor checks"
        }
    ]

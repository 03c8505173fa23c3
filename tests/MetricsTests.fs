/// Accuracy against k candidates (ties fail) and the number of unique messages.
module CommLab.Tests.MetricsTests

open System
open Expecto
open TorchSharp
open CommLab.Metrics
open CommLab.Tests.TensorValues

let private n = 20

/// Scores [T, n] for targets t % n built by `score target object`.
let private scoresFor (targets: int) (score: int -> int -> float32) =
    let ids = Array.init targets (fun t -> t % n)
    matrix [| for t in ids -> Array.init n (score t) |], torch.tensor(ids |> Array.map int64)

let private accuracy (scores, targets) counts seed =
    use g = new torch.Generator(uint64 seed)
    CandidateAccuracy.Evaluate(scores, targets, counts, g)

let tests =
    testList "Metrics" [
        testList "CandidateAccuracy" [
            test "perfect scores give 1 at every candidate count" {
                let got = accuracy (scoresFor 100 (fun t o -> if o = t then 1f else 0f)) [| 2; 5; n |] 1
                Expect.sequenceEqual got [| 1.0; 1.0; 1.0 |] "the target is strictly best against any distractors"
            }

            test "a target that ties with the others is never found" {
                let got = accuracy (scoresFor 100 (fun _ _ -> 0.5f)) [| 2; 5; n |] 1
                Expect.sequenceEqual got [| 0.0; 0.0; 0.0 |] "a tie is a failure, so identical messages cannot score by luck"
            }

            test "a target tied with one other object fails only when that object is drawn" {
                // Object t+1 scores the same as the target; the rest score lower.
                let got = accuracy (scoresFor 2000 (fun t o -> if o = t || o = (t + 1) % n then 1f else 0f)) [| n |] 1
                Expect.sequenceEqual got [| 0.0 |] "with every object a candidate the tie is always present"
            }

            test "a second-best target: 0 at k = N, and 1 - (k-1)/(N-1) on average for smaller k" {
                // Object t+1 beats the target; the target fails exactly when t+1 is among the k-1 distractors.
                let scores = scoresFor 4000 (fun t o -> if o = (t + 1) % n then 1f elif o = t then 0.9f else 0f)
                let counts = [| 2; 5; 10; n |]
                let got = accuracy scores counts 3
                for i in 0 .. counts.Length - 1 do
                    let expected = 1.0 - float (counts[i] - 1) / float (n - 1)
                    Expect.floatClose { absolute = 0.03; relative = 0.0 } got[i] expected
                        (sprintf "k=%d: distractors are k-1 of the N-1 other objects, drawn uniformly without replacement" counts[i])
                Expect.equal got[counts.Length - 1] 0.0 "at k = N the better object is always a candidate"
            }

            test "the same generator seed gives the same accuracy" {
                let scores = scoresFor 500 (fun t o -> if o = (t + 1) % n then 1f elif o = t then 0.9f else 0f)
                let a, b, c = accuracy scores [| 2; 5 |] 9, accuracy scores [| 2; 5 |] 9, accuracy scores [| 2; 5 |] 10
                Expect.sequenceEqual a b "distractors come from the generator alone"
                Expect.notEqual a c "another seed draws other distractors"
            }

            test "a candidate count outside 2..N is rejected with the range and the value" {
                let scores = scoresFor 10 (fun t o -> if o = t then 1f else 0f)
                let messageFor k = Expect.throwsC (fun () -> accuracy scores [| k |] 1 |> ignore) (fun e -> e.Message)
                Expect.stringContains (messageFor 1) (sprintf "candidate count must be in 2..%d, got 1" n) "one candidate is no choice"
                Expect.stringContains (messageFor (n + 1)) (sprintf "candidate count must be in 2..%d, got %d" n (n + 1)) "more candidates than objects"
            }
        ]

        testList "UniqueMessages" [
            test "counts distinct rows" {
                use messages = matrix [| [| 0f; 1f |]; [| 1f; 0f |]; [| 0f; 1f |]; [| 0.5f; 0.5f |]; [| 1f; 0f |] |]
                Expect.equal (UniqueMessages.Count messages) 3 "5 messages, of which 3 differ"
            }

            test "compares whole multi-word messages" {
                // [T=4, M=2, W=2]: rows 0 and 2 share their first word only, rows 1 and 3 are equal.
                use messages = torch.tensor([| 0f; 1f; 1f; 0f;  1f; 1f; 0f; 0f;  0f; 1f; 0f; 1f;  1f; 1f; 0f; 0f |]).reshape(4L, 2L, 2L)
                Expect.equal (UniqueMessages.Count messages) 3 "a message is all its words, not the first one"
            }

            test "reads a non-contiguous tensor by its logical rows" {
                // The transpose's rows are the columns of the stored matrix: (0,0,0), (1,1,0) and (0,0,0).
                use stored = matrix [| [| 0f; 1f; 0f |]; [| 0f; 1f; 0f |]; [| 0f; 0f; 0f |] |]
                use messages = stored.t()
                Expect.equal (UniqueMessages.Count messages) 2 "rows are read as indexed, not as laid out in memory"
            }

            test "counts integer symbols too" {
                use symbols = torch.tensor([| 3L; 1L; 3L; 2L; 1L; 3L |]).reshape(6L, 1L)
                Expect.equal (UniqueMessages.Count symbols) 3 "symbols 1, 2 and 3"
            }
        ]
    ]

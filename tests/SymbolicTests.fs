/// SolveMinSym against the paper's enumeration, the game file format, the controlled sampler and
/// the Eq. 1-2 probabilities.
module CommLab.Tests.SymbolicTests

open System
open System.IO
open Expecto
open CommLab.Symbolic

/// Algorithm 1 of the paper, written plainly: attribute subsets from the smallest, the first one no
/// (non-identical) distractor matches entirely. 0 when no distractor differs from the target.
let bruteForce (objects: byte[]) (candidates: int) (attributes: int) (target: int) =
    let value c a = objects[c * attributes + a]
    let distractors = [ for c in 0 .. candidates - 1 do if c <> target && [ 0 .. attributes - 1 ] |> List.exists (fun a -> value c a <> value target a) then yield c ]
    if distractors.IsEmpty then 0
    else
        let rec subsets k start =
            if k = 0 then [ [] ]
            else [ for a in start .. attributes - 1 do for rest in subsets (k - 1) (a + 1) -> a :: rest ]
        [ 1 .. attributes ]
        |> List.find (fun k ->
            subsets k 0
            |> List.exists (fun subset -> distractors |> List.forall (fun d -> subset |> List.exists (fun a -> value d a <> value target a))))

let private randomGame (rng: Random) =
    let attributes = rng.Next(1, 9)
    let values = rng.Next(2, 5)
    let candidates = rng.Next(2, 14)
    let objects = Array.init (candidates * attributes) (fun _ -> byte (rng.Next values))
    // Some games copy the target into a distractor, to exercise the exclusion of identical ones.
    let target = rng.Next candidates
    if rng.Next 4 = 0 then
        let copy = rng.Next candidates
        Array.blit objects (target * attributes) objects (copy * attributes) attributes
    objects, candidates, attributes, values, target

let private games (text: string) = GameFile.Read(new StringReader(text), "test input")

let private readError (text: string) =
    Expect.throwsT<InvalidDataException> (fun () -> games text |> ignore) "a malformed file is refused"
    try games text |> ignore; "" with e -> e.Message

let tests =
    testList "symbolic complexity" [
        test "the paper's Figure 1: one symbol for the top row, two for the bottom row" {
            // Attributes (colour, shape); red = 0, blue = 1; triangle = 0, circle = 1, square = 2.
            let top = [| 0uy; 0uy;  1uy; 1uy;  1uy; 2uy |]
            let bottom = [| 0uy; 0uy;  1uy; 0uy;  0uy; 1uy |]
            Expect.equal (SolveMinSym.Solve(ReadOnlySpan top, 3, 2, 0)) 1 "'Triangle' or 'Red' alone singles out the target"
            Expect.equal (SolveMinSym.Solve(ReadOnlySpan bottom, 3, 2, 0)) 2 "'Red Triangle' is needed"
        }

        test "agrees with the paper's enumeration on 3000 random small games" {
            let rng = Random 11
            for i in 1 .. 3000 do
                let objects, candidates, attributes, _, target = randomGame rng
                let expected = bruteForce objects candidates attributes target
                Expect.equal (SolveMinSym.Solve(ReadOnlySpan objects, candidates, attributes, target)) expected
                    (sprintf "game %d (%d candidates, %d attributes, target %d)" i candidates attributes target)
        }

        test "agrees with the enumeration on games of the paper's shape" {
            let sampled = ControlledSampler.Sample(GameShape.Paper, 3, 30, 5UL)
            let mixed = ControlledSampler.Sample(GameShape.Paper, 2, 30, 6UL)
            for set in [ sampled.Games; mixed.Games ] do
                for g in 0 .. set.Count - 1 do
                    let objects = set.Game(g).ToArray()
                    Expect.equal (bruteForce objects 64 20 (set.Target g)) (SolveMinSym.Solve(ReadOnlySpan objects, 64, 20, set.Target g)) "same min(|M|)"
        }

        test "identical distractors are ignored; none left gives 0" {
            let game = [| 1uy; 2uy;  1uy; 2uy;  1uy; 3uy |]
            Expect.equal (SolveMinSym.Solve(ReadOnlySpan game, 3, 2, 0)) 1 "the copy of the target is not a distractor"
            let copies = [| 1uy; 2uy;  1uy; 2uy |]
            Expect.equal (SolveMinSym.Solve(ReadOnlySpan copies, 2, 2, 1)) 0 "no distractor differs: the empty message suffices"
        }

        test "up to 64 attributes fit, bad shapes are refused with the allowed range" {
            let rng = Random 3
            let objects = Array.init (5 * 64) (fun _ -> byte (rng.Next 2))
            let m = SolveMinSym.Solve(ReadOnlySpan objects, 5, 64, 0)
            Expect.isTrue (m >= 1 && m <= 4) "four distractors need at most four symbols"
            Expect.throwsT<ArgumentOutOfRangeException> (fun () -> SolveMinSym.Solve(ReadOnlySpan<byte>(Array.zeroCreate 65), 1, 65, 0) |> ignore) "65 attributes"
            ()
        }

        test "game files round-trip, with digits and with comma-separated values" {
            for values in [ 4; 12 ] do
                let rng = Random values
                let objects = Array.init (7 * 5 * 3) (fun _ -> byte (rng.Next values))
                let targets = Array.init 7 (fun _ -> rng.Next 5)
                let set = SymbolicGames(5, 3, values, objects, targets)
                use w = new StringWriter()
                GameFile.Write(w, set, "a test\nof two lines")
                let back = GameFile.Read(new StringReader(w.ToString()), "round trip")
                Expect.equal (back.Count, back.Candidates, back.Attributes, back.Values) (7, 5, 3, values) "same shape"
                for g in 0 .. 6 do
                    Expect.equal (back.Target g) targets[g] "same target"
                    Expect.equal (back.Game(g).ToArray()) (set.Game(g).ToArray()) "same objects"
                if values > 10 then Expect.stringContains (w.ToString()) "," "values above 9 are comma-separated"
        }

        test "a file without header takes its values from the data" {
            let set = games "1 012 210\n# a comment\n\n0 000 111\n"
            Expect.equal (set.Count, set.Candidates, set.Attributes, set.Values) (2, 2, 3, 3) "2 games, 2 candidates, 3 attributes, values 0..2"
            Expect.equal (set.MinSymbols()) [| 1; 1 |] "every distractor differs everywhere"
        }

        test "malformed files name the line and what was expected" {
            Expect.stringContains (readError "5 01 10\n") "line 1: target index must be in 0..1" "target beyond the candidates"
            Expect.stringContains (readError "0 01 10\n1 01 10 11\n") "line 2: game has 3 candidates, expected 2" "candidate count changes"
            Expect.stringContains (readError "0 01 10\n0 011 100\n") "line 2: candidate 0 has 3 attribute values, expected 2" "attribute count changes"
            Expect.stringContains (readError "0 0x 10\n") "digits 0-9" "not a digit"
            Expect.stringContains (readError "a 01 10\n") "target index must be an integer, got 'a'" "not an integer"
            Expect.stringContains (readError "# values=2\n0 02 10\n") "value 2, the header allows 0..1" "value beyond the header"
            Expect.stringContains (readError "0 01\n") "at least 2 candidates" "a lone candidate"
            Expect.stringContains (readError "# nothing\n") "no games found" "an empty file"
            Expect.throwsT<FileNotFoundException> (fun () -> GameFile.Read "/no/such/games.txt" |> ignore) "a missing file"
            ()
        }

        test "every sampled game has the asked min(|M|), and the sample depends on the seed alone" {
            let shape = GameShape(8, 3, 12)
            let small = ControlledSampler.Sample(shape, 3, 300, 42UL)
            let large = ControlledSampler.Sample(shape, 3, 3000, 42UL)
            Expect.isTrue (small.Games.MinSymbols() |> Array.forall ((=) 3)) "every kept game needs 3 symbols"
            Expect.equal small.Histogram[3] 300L "the histogram counts the kept games"
            Expect.equal (Array.sum small.Histogram) small.Drawn "every drawn game is counted once"
            // Blocks are consumed in order, so a smaller request is a prefix of a larger one.
            for g in 0 .. 299 do
                Expect.equal (large.Games.Game(g).ToArray()) (small.Games.Game(g).ToArray()) "same games in the same order"
            let other = ControlledSampler.Sample(shape, 3, 300, 43UL)
            Expect.notEqual (other.Games.Game(0).ToArray()) (small.Games.Game(0).ToArray()) "another seed, other games"
        }

        test "the paper's shape gives min(|M|) 2 in about 91.5% of games and 3 in the rest" {
            let h = ControlledSampler.Histogram(GameShape.Paper, 20000L, 9UL)
            Expect.equal (Array.sum h) 20000L "every game counted"
            let share2 = float h[2] / 20000.0
            // The binomial standard error at 20000 games is 0.002.
            Expect.isTrue (share2 > 0.905 && share2 < 0.925) (sprintf "share of min(|M|) = 2: %.4f" share2)
            Expect.equal (h[2] + h[3]) 20000L "only 2 and 3 occur"
        }

        test "impossible requests are refused before drawing, and a rare min(|M|) stops at the draw limit" {
            Expect.throwsT<ArgumentException> (fun () -> ControlledSampler.Sample(GameShape.Paper, 21, 10, 0UL) |> ignore) "min above |A|"
            Expect.throwsT<ArgumentException> (fun () -> ControlledSampler.Sample(GameShape(20, 1, 64), 2, 10, 0UL) |> ignore) "one value"
            Expect.throwsT<InvalidOperationException> (fun () -> ControlledSampler.Sample(GameShape.Paper, 6, 10, 0UL, 5000L) |> ignore) "min 6 never occurs"
            ()
        }

        test "Eq. 1-2 by hand, and the paper's 55% example" {
            // n = 2 draws over 2 classes: a given class appears at least once with 1 - 1/4.
            Expect.floatClose Accuracy.veryHigh (SamplingPitfall.AtLeast(2, 2, 1)) 0.75 "Eq. 1"
            Expect.floatClose Accuracy.veryHigh (SamplingPitfall.AnyAtLeast(2, 2, 1)) (1.0 - 0.25 * 0.25) "Eq. 2"
            // n = 3 over 2 classes, m = 2: C(3,2)/8 + 1/8.
            Expect.floatClose Accuracy.veryHigh (SamplingPitfall.AtLeast(3, 2, 2)) 0.5 "Eq. 1, m = 2"
            let p = SamplingPitfall.AnyAtLeast(128, 10000, 2)
            Expect.isTrue (abs (p - 0.55) < 0.01) (sprintf "the paper says about 55%%, got %.4f" p)
            let simulated = SamplingPitfall.Simulate(128, 10000, 2, 20000, 1UL)
            Expect.isTrue (abs (simulated - p) < 0.02) (sprintf "Eq. 2 is close to the exact probability here: %.4f vs %.4f" p simulated)
        }

        test "message bounds by hand: naming attribute values knowing the target only, or the distractors too" {
            // Target (0,0,0); one distractor differs only on attribute 2, one only on attribute 0.
            let g = SymbolicGames(3, 3, 2, [| 0uy; 0uy; 0uy;  0uy; 0uy; 1uy;  1uy; 0uy; 0uy |], [| 0 |])
            // One symbol: attribute 0 leaves the first distractor (1/2), 1 leaves both (1/3), 2 the second (1/2).
            Expect.floatClose Accuracy.veryHigh (MessageBounds.AttributeTargetOnly(g, 1)) (4.0 / 9.0) "mean over the three attributes"
            Expect.floatClose Accuracy.veryHigh (MessageBounds.AttributeDistractorAware(g, 1)) 0.5 "the best attribute"
            // Two symbols: {0,2} singles the target out, {0,1} and {1,2} leave one distractor.
            Expect.floatClose Accuracy.veryHigh (MessageBounds.AttributeTargetOnly(g, 2)) (2.0 / 3.0) "mean over the three pairs"
            Expect.floatClose Accuracy.veryHigh (MessageBounds.AttributeDistractorAware(g, 2)) 1.0 "L = min(|M|) = 2 suffices"
            Expect.floatClose Accuracy.veryHigh (MessageBounds.AttributeTargetOnly(g, 5)) 1.0 "L beyond |A| names every attribute"
            // A distractor identical to the target matches every message.
            let copy = SymbolicGames(2, 2, 2, [| 1uy; 0uy;  1uy; 0uy |], [| 1 |])
            Expect.floatClose Accuracy.veryHigh (MessageBounds.AttributeDistractorAware(copy, 2)) 0.5 "a tie at best"
        }

        test "message bounds over random games agree with a plain enumeration of attribute sets" {
            let rng = Random 12
            for _ in 1 .. 150 do
                let objects, candidates, attributes, values, target = randomGame rng
                let g = SymbolicGames(candidates, attributes, values, objects, [| target |])
                let value c a = objects[c * attributes + a]
                for l in 1 .. attributes do
                    let accuracies =
                        [ for mask in 0 .. (1 <<< attributes) - 1 do
                              if Numerics.BitOperations.PopCount(uint32 mask) = l then
                                  let matching =
                                      [ 0 .. candidates - 1 ]
                                      |> List.filter (fun c -> c <> target && [ 0 .. attributes - 1 ] |> List.forall (fun a -> mask &&& (1 <<< a) = 0 || value c a = value target a))
                                  yield 1.0 / float (1 + matching.Length) ]
                    Expect.floatClose Accuracy.veryHigh (MessageBounds.AttributeTargetOnly(g, l)) (List.average accuracies) (sprintf "target-only, L = %d" l)
                    Expect.floatClose Accuracy.veryHigh (MessageBounds.AttributeDistractorAware(g, l)) (List.max accuracies) (sprintf "distractor-aware, L = %d" l)
                // Distractor-aware accuracy reaches 1 exactly at min(|M|) when no distractor is identical.
                let m = SolveMinSym.Solve(ReadOnlySpan objects, candidates, attributes, target)
                if m >= 1 && MessageBounds.AttributeDistractorAware(g, attributes) = 1.0 then
                    Expect.equal (MessageBounds.AttributeDistractorAware(g, m)) 1.0 "min(|M|) symbols single the target out"
                    if m > 1 then Expect.isLessThan (MessageBounds.AttributeDistractorAware(g, m - 1)) 1.0 "one fewer does not"
        }

        test "any code: the expected accuracy of K equal message classes against the binomial sum, and message counts" {
            let binomial (k: float) (c: int) =
                let p = 1.0 / k
                [ 0 .. c - 1 ] |> List.sumBy (fun x ->
                    let choose = exp (Numerics.BigInteger.Log(Seq.fold (*) 1I [ bigint (c - x) .. bigint (c - 1) ]) - Numerics.BigInteger.Log(Seq.fold (*) 1I [ 1I .. bigint x ]))
                    choose * p ** float x * (1.0 - p) ** float (c - 1 - x) / float (1 + x))
            for k, c in [ 1.0, 64; 2.0, 3; 80.0, 64; 6321.0, 64; 10.0, 100 ] do
                Expect.floatClose Accuracy.high (MessageBounds.AnyCode(k, c)) (binomial k c) (sprintf "K = %g, C = %d" k c)
            Expect.floatClose Accuracy.veryHigh (MessageBounds.AnyCode(1.0, 64)) (1.0 / 64.0) "one message: a uniform guess"
            Expect.equal (MessageBounds.Messages(79, 0, 1)) 80.0 "EOS vocabulary of 80, L = 1: the empty message and 79 symbols"
            Expect.equal (MessageBounds.Messages(79, 1, 2)) (79.0 + 79.0 * 79.0) "no empty message, L = 2"
            Expect.equal (MessageBounds.Messages(80, 2, 2)) 6400.0 "fixed length 2 over 80 symbols"
            Expect.throwsT<ArgumentOutOfRangeException> (fun () -> MessageBounds.Messages(80, 3, 2) |> ignore) "min above max"
        }
    ]

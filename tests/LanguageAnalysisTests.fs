/// Language analysis: distances, Spearman's rho, topographic similarity, posdis, bosdis and message
/// entropy on languages whose values are known by hand.
module CommLab.Tests.LanguageAnalysisTests

open System
open Expecto
open TorchSharp
open CommLab.Metrics

let private rows (xs: int list list) = xs |> List.map (fun r -> r |> List.map float |> Array.ofList) |> Array.ofList
let private dist kind (a: float list) (b: float list) = Distances.Between(kind, ReadOnlySpan(Array.ofList a), ReadOnlySpan(Array.ofList b))

/// Every object of a grid: 2 attributes of `values` values.
let private grid values = [| for a in 0 .. values - 1 do for b in 0 .. values - 1 -> [| a; b |] |]

/// A compositional language on `grid values`: one symbol per attribute, distinct alphabets per position.
let private compositional values (objects: int[][]) = objects |> Array.map (fun o -> [| o[0]; values + o[1] |])

let private notNaN name (x: float) = Expect.isFalse (Double.IsNaN x) (sprintf "%s is a number" name)

let tests =
    testList "Language analysis" [
        testList "distances" [
            test "edit distance counts insertions, deletions and substitutions" {
                // kitten -> sitting: 2 substitutions and 1 insertion.
                let word (s: string) = [ for c in s -> float c ]
                Expect.equal (dist Distance.Edit (word "kitten") (word "sitting")) 3.0 "kitten/sitting"
                Expect.equal (dist Distance.Edit [] [ 1.0; 2.0 ]) 2.0 "from the empty message"
                Expect.equal (dist Distance.Edit [ 1.0; 2.0; 3.0 ] [ 2.0; 3.0 ]) 1.0 "one deletion, not a shift of substitutions"
            }
            test "Hamming counts a position only one row has as differing" {
                Expect.equal (dist Distance.Hamming [ 1.0; 2.0; 3.0 ] [ 1.0; 5.0; 3.0 ]) 1.0 "one substitution"
                Expect.equal (dist Distance.Hamming [ 1.0; 2.0; 3.0 ] [ 2.0; 3.0 ]) 3.0 "no alignment: 2 differ, 1 missing"
            }
            test "cosine distance is 0 between two zero rows and 1 between a zero row and another" {
                Expect.equal (dist Distance.Cosine [ 0.0; 0.0 ] [ 0.0; 0.0 ]) 0.0 "both zero"
                Expect.equal (dist Distance.Cosine [ 0.0; 0.0 ] [ 1.0; 0.0 ]) 1.0 "one zero"
                Expect.floatClose Accuracy.veryHigh (dist Distance.Cosine [ 1.0; 0.0 ] [ 0.0; 2.0 ]) 1.0 "orthogonal"
                Expect.floatClose Accuracy.veryHigh (dist Distance.Euclidean [ 0.0; 0.0 ] [ 3.0; 4.0 ]) 5.0 "3-4-5"
            }
        ]

        testList "Spearman" [
            test "ties take their mean rank (hand-computed rho)" {
                // ranks x = 1, 2.5, 2.5, 4; y = 1, 3, 2, 4: rho = 4.5 / sqrt(4.5 * 5).
                Expect.sequenceEqual (RankCorrelation.Ranks [| 1.0; 2.0; 2.0; 3.0 |]) [| 1.0; 2.5; 2.5; 4.0 |] "mean ranks"
                let rho = RankCorrelation.Spearman([| 1.0; 2.0; 2.0; 3.0 |], [| 1.0; 3.0; 2.0; 4.0 |])
                Expect.floatClose Accuracy.veryHigh rho (4.5 / sqrt 22.5) "rho with ties"
            }
            test "a constant side gives 0, not NaN" {
                Expect.equal (RankCorrelation.Spearman([| 1.0; 2.0; 3.0 |], [| 7.0; 7.0; 7.0 |])) 0.0 "constant y"
            }
            test "a decreasing relation gives -1" {
                Expect.floatClose Accuracy.veryHigh (RankCorrelation.Spearman([| 1.0; 2.0; 3.0; 10.0 |], [| 9.0; 4.0; 1.0; 0.0 |])) -1.0 "reversed"
            }
        ]

        testList "a perfectly compositional language" [
            let objects = grid 4
            let messages = compositional 4 objects
            let m = LanguageAnalysis.OfSymbols(objects, messages)
            test "scores topsim 1, posdis 1, bosdis 1 and log2(16) bits" {
                Expect.floatClose Accuracy.veryHigh m.TopographicSimilarity 1.0 "topsim"
                Expect.floatClose Accuracy.veryHigh m.PositionalDisentanglement.Value 1.0 "posdis"
                Expect.floatClose Accuracy.veryHigh m.BagOfSymbolsDisentanglement.Value 1.0 "bosdis"
                Expect.floatClose Accuracy.veryHigh m.Entropy.Value 4.0 "16 equally likely messages"
            }
            test "swapping the order in half the messages keeps bosdis at 1 and lowers posdis" {
                let swapped = messages |> Array.mapi (fun i msg -> if i % 2 = 0 then Array.rev msg else msg)
                Expect.floatClose Accuracy.veryHigh (Disentanglement.BagOfSymbols(objects, swapped)) 1.0 "bags ignore order"
                Expect.isLessThan (Disentanglement.Positional(objects, swapped)) 0.5 "positions now mix the attributes"
            }
        ]

        test "a holistic random bijection scores near 0" {
            // 64 objects, each named by a random 2-symbol code word: no part of the message follows an attribute.
            let objects = grid 8
            let codes = Array.init 64 id
            Random(7).Shuffle codes
            let messages = codes |> Array.map (fun c -> [| c / 8; c % 8 |])
            let m = LanguageAnalysis.OfSymbols(objects, messages)
            Expect.isLessThan (abs m.TopographicSimilarity) 0.15 "topsim near 0"
            Expect.isLessThan m.PositionalDisentanglement.Value 0.2 "posdis near 0"
            Expect.isLessThan m.BagOfSymbolsDisentanglement.Value 0.2 "bosdis near 0"
            Expect.floatClose Accuracy.veryHigh m.Entropy.Value 6.0 "still 64 distinct messages"
        }

        test "constant messages score 0 everywhere, not NaN" {
            let objects = grid 3
            let m = LanguageAnalysis.OfSymbols(objects, objects |> Array.map (fun _ -> [| 5; 5 |]))
            for name, x in [ "topsim", m.TopographicSimilarity; "entropy", m.Entropy.Value; "posdis", m.PositionalDisentanglement.Value; "bosdis", m.BagOfSymbolsDisentanglement.Value ] do
                notNaN name x
                Expect.equal x 0.0 name
        }

        test "messages of different lengths: a position past the end reads as one more symbol" {
            // Attribute 1 is named only when it is not 0: the message is 1 or 2 symbols long.
            let objects = grid 3
            let ragged = objects |> Array.map (fun o -> if o[1] = 0 then [| o[0] |] else [| o[0]; 10 + o[1] |])
            let padded = objects |> Array.map (fun o -> [| o[0]; 10 + o[1] |])
            let posdis (ms: int[][]) = Disentanglement.Positional(objects, ms)
            Expect.floatClose Accuracy.veryHigh (posdis ragged) (posdis padded) "'ended' at position 2 is the symbol for value 0"
            Expect.floatClose Accuracy.veryHigh (posdis ragged) 1.0 "still one attribute per position"
        }

        test "multi-dimensional inputs are compared row by row" {
            // One-hot objects [N, 2, 3]: Hamming there is twice the attribute Hamming, so the ranks agree.
            let objects = grid 3
            let oneHot = torch.zeros(int64 objects.Length, 2L, 3L, dtype = torch.float64)
            objects |> Array.iteri (fun i o -> oneHot[int64 i, 0L, int64 o[0]] <- torch.tensor 1.0; oneHot[int64 i, 1L, int64 o[1]] <- torch.tensor 1.0)
            let flat = TopographicSimilarity.Rows oneHot
            Expect.equal flat.Length 9 "one row per object"
            Expect.equal flat[0].Length 6 "2 x 3 features"
            let messages = rows [ for o in objects -> [ o[0]; 7 ] ]
            let fromOneHot = TopographicSimilarity.Compute(flat, messages)
            let fromValues = TopographicSimilarity.Compute(rows [ for o in objects -> List.ofArray o ], messages)
            Expect.floatClose Accuracy.veryHigh fromOneHot fromValues "same topsim from either encoding"
            Expect.isGreaterThan fromValues 0.5 "a half-compositional language"
        }

        test "the distance arguments are used" {
            // Objects are numbers 0..9 sent as themselves, as one real value.
            let objects = rows [ for x in 0 .. 9 -> [ x ] ]
            let messages = rows [ for x in 0 .. 9 -> [ x ] ]
            let topsim o m = TopographicSimilarity.Compute(objects, messages, o, m)
            Expect.floatClose Accuracy.veryHigh (topsim Distance.Euclidean Distance.Euclidean) 1.0 "magnitudes on both sides"
            // Every pair differs in its one symbol: constant Hamming / edit distances, so 0.
            Expect.equal (topsim Distance.Euclidean Distance.Edit) 0.0 "message distance is used"
            Expect.equal (topsim Distance.Hamming Distance.Euclidean) 0.0 "object distance is used"
        }

        test "continuous messages: topsim with Euclidean distances, the symbol measures absent" {
            let objects = grid 3
            let messages = objects |> Array.map (fun o -> [| float o[0] * 0.5; float o[1] * 0.25 |])
            let m = LanguageAnalysis.OfContinuous(objects, messages)
            Expect.isGreaterThan m.TopographicSimilarity 0.5 "distances follow the attributes"
            Expect.isNone (Option.ofNullable m.PositionalDisentanglement) "no posdis without symbols"
            Expect.isNone (Option.ofNullable m.Entropy) "no entropy without symbols"
        }

        test "a sample of rows keeps a perfect language perfect" {
            let objects = grid 10
            let m = TopographicSimilarity.Compute(rows [ for o in objects -> List.ofArray o ], rows [ for o in compositional 10 objects -> List.ofArray o ], maxRows = 30, seed = 3)
            Expect.floatClose Accuracy.veryHigh m 1.0 "any subset of a compositional language"
        }

        test "bad input names what is wrong" {
            let message =
                try TopographicSimilarity.Compute(rows [ [ 1 ]; [ 2 ]; [ 3 ] ], rows [ [ 1 ]; [ 2 ] ]) |> ignore; "" with :? ArgumentException as e -> e.Message
            Expect.stringContains message "3 objects and 2 messages" "counts named"
            let lengths =
                try TopographicSimilarity.Compute(rows [ [ 1 ]; [ 2 ]; [ 3 ] ], rows [ [ 1 ]; [ 2; 3 ]; [ 4 ] ], Distance.Hamming, Distance.Euclidean) |> ignore; "" with :? ArgumentException as e -> e.Message
            Expect.stringContains lengths "Euclidean distance needs messages of one length" "distance and side named"
        }
    ]

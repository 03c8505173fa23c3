/// Quantizer: per-word min-max normalization, rounding to an alphabet of levels, straight-through gradient.
module CommLab.Tests.QuantizerTests

open Expecto
open TorchSharp
open CommLab.Channels
open CommLab.Tests.TensorValues

/// A seeded batch of raw words [B, W], so failures are reproducible.
let private words (seed: uint64) (batch: int64) (width: int64) =
    use g = new torch.Generator(seed)
    torch.randn([| batch; width |], generator = g) * 3.0f

let tests =
    testList "Quantizer" [
        test "Normalize maps every word onto [0,1] with min 0 and max 1" {
            use raw = words 1UL 64L 7L
            for row in rows (Quantizer.Normalize raw) do
                Expect.floatClose Accuracy.veryHigh (float (Array.min row)) 0.0 "each word's smallest element becomes 0"
                Expect.floatClose Accuracy.veryHigh (float (Array.max row)) 1.0 "each word's largest element becomes 1"
        }

        test "Normalize works per word, not per batch" {
            use raw = matrix [| [| 0f; 1f; 2f |]; [| 10f; 30f; 20f |] |]
            let got = floats (Quantizer.Normalize raw)
            Expect.sequenceEqual got [| 0f; 0.5f; 1f; 0f; 1f; 0.5f |] "each row uses its own range, so batch-mates do not change a message"
        }

        test "Normalize maps a constant word to 0.5" {
            use raw = matrix [| [| 3f; 3f; 3f |]; [| 0f; 1f; 0f |] |]
            Expect.sequenceEqual (floats (Quantizer.Normalize raw)) [| 0.5f; 0.5f; 0.5f; 0f; 1f; 0f |]
                "a word with no range has no min or max to map; 0.5 is the agreed value, not NaN"
        }

        test "Batch normalization uses one range for the whole batch" {
            use raw = matrix [| [| 0f; 1f; 2f |]; [| 10f; 30f; 20f |] |]
            let got = floats (Quantizer.Normalize(raw, Normalization.Batch))
            Expect.sequenceEqual got [| 0f; 1f / 30f; 2f / 30f; 1f / 3f; 1f; 2f / 3f |]
                "the authors' variant: min 0 and max 30 over every word, so a word's values depend on its batch-mates"
        }

        test "a sample's per-word message does not depend on its batch, a batch-normalized one does" {
            use raw = words 5UL 8L 6L
            let alone (over: Normalization) = floats (Quantizer.Normalize(raw.narrow(0L, 0L, 1L), over))
            let inBatch (over: Normalization) = (rows (Quantizer.Normalize(raw, over)))[0]
            Expect.sequenceEqual (inBatch Normalization.PerWord) (alone Normalization.PerWord) "PerWord: the same word, the same message"
            Expect.notEqual (inBatch Normalization.Batch) (alone Normalization.Batch) "Batch: other words change the range"
        }

        test "Quantize rounds to the nearest of the alphabet's levels" {
            use x = torch.tensor [| 0f; 0.2f; 0.3f; 0.74f; 0.76f; 1f |]
            Expect.sequenceEqual (floats (Quantizer.Quantize(x, 3))) [| 0f; 0f; 0.5f; 0.5f; 1f; 1f |]
                "alphabet 3 has levels {0, 0.5, 1}; each value goes to the nearest"
        }

        testList "Quantize outputs lie on the grid and use every level" [
            for alphabet in [ 2; 3; 5; 10; 16 ] ->
                test (sprintf "alphabet %d" alphabet) {
                    use q = Quantizer.Quantize(Quantizer.Normalize(words (uint64 alphabet) 256L 8L), alphabet)
                    let values = floats q
                    let off = values |> Array.filter (onGrid alphabet >> not)
                    Expect.isEmpty off (sprintf "every value must be k/%d for an integer k in 0..%d" (alphabet - 1) (alphabet - 1))
                    let levels = values |> Array.map (fun v -> round (float v * float (alphabet - 1))) |> Array.distinct
                    Expect.equal levels.Length alphabet "an alphabet of a symbols gives exactly a distinct levels over many words"
                }
        ]

        test "Symbols are the integer levels 0..a-1" {
            use x = torch.tensor [| 0f; 0.25f; 0.5f; 0.75f; 1f |]
            use symbols = Quantizer.Symbols(Quantizer.Quantize(x, 5), 5)
            Expect.equal symbols.dtype torch.int64 "symbols are integers"
            Expect.sequenceEqual (symbols.data<int64>().ToArray()) [| 0L; 1L; 2L; 3L; 4L |] "level k/(a-1) is symbol k"
        }

        test "Symbols of normalized random words stay in 0..a-1" {
            use q = Quantizer.Quantize(Quantizer.Normalize(words 7UL 128L 6L), 4)
            use symbols = Quantizer.Symbols(q, 4)
            let s = symbols.data<int64>().ToArray()
            Expect.equal (Array.min s, Array.max s) (0L, 3L) "min-max normalized words always reach both ends of the alphabet"
        }

        test "Quantize's gradient is the identity (straight-through)" {
            use x = (words 3UL 4L 5L).sigmoid().detach().requires_grad_(true)
            use w = words 4UL 4L 5L
            use loss = (w * Quantizer.Quantize(x, 4)).sum()
            loss.backward()
            Expect.sequenceEqual (gradient x) (floats w) "d/dx sum(w * Quantize(x)) must be w: rounding is skipped in the backward pass"
        }
    ]

/// The sentence games (Sent-Ref, Sent-Cls): Banking77's distinct sentences split 80/10/10, Sent-Ref's
/// frozen vectors cached by what made them, dropout drawn from a run's own generator, the sentence agent
/// that trims padding and chunks evaluation, the run's checks, and training on the stand-in.
module CommLab.Tests.SentenceGameTests

open System
open System.IO
open Expecto
open TorchSharp
open CommLab.Agents
open CommLab.Channels
open CommLab.Data
open CommLab.Estimators
open CommLab.Files
open CommLab.Text
open CommLab.Training
open CommLab.Tests.TensorValues

let private csvIn (dir: TempDir) (lines: string list) =
    let path = Path.Combine(dir.Path, "train.csv")
    File.WriteAllText(path, String.concat "\n" ("text,category" :: lines) + "\n")
    path

/// The stand-in of the sentence games: 8 intents of 40 sentences (seed 3) and a tiny random DistilBERT
/// over their words (StandIns.TinyEncoder, seed `modelSeed`), in `dir`. 320 distinct sentences split
/// 256/32/32 (TargetSplit.Sizes: round(32.0) each for validation and test).
let private standIn (dir: TempDir) modelSeed =
    let csv = Path.Combine(dir.Path, "train.csv")
    let model = Path.Combine(dir.Path, "model")
    StandIns.WriteBankingCsv(csv, 8, 40, 3)
    StandIns.WriteSentenceModel(model, csv, StandIns.TinyEncoder, modelSeed)
    csv, model

let private maxDifference (a: float32[]) (b: float32[]) =
    Expect.equal a.Length b.Length "as many values"
    Array.map2 (fun x y -> abs (x - y)) a b |> Array.max

let private data =
    testList "sentence game data" [
        test "a repeated text is kept once and counted; an unreadable row is carried; classes in ordinal name order" {
            use dir = new TempDir()
            // Readable rows 0..10 (line 6, without a comma, is not one): 11 rows, 3 repeating an earlier
            // text (one of them under another intent), so 8 distinct sentences.
            let path =
                csvIn dir [ "my card is lost,beta"                   // row 0
                            "why is my pin blocked?,Zeta"            // row 1
                            "my card is lost,beta"                   // row 2: repeat of row 0
                            "\"a transfer, twice\",alpha_x"          // row 3
                            "no comma here"                          // line 6: unreadable
                            "my card is lost,alpha_x"                // row 4: repeat of row 0, another intent
                            "a refund please,alpha_x"                // row 5
                            "top up failed,beta"                     // row 6
                            "why is my pin blocked?,Zeta"            // row 7: repeat of row 1
                            "where is my money,Zeta"                 // row 8
                            "card expired,beta"                      // row 9
                            "fee charged twice,alpha_x" ]            // row 10
            let d = SentenceGameData.Load(path, 1)
            Expect.equal d.Duplicates 3 "rows 2, 4 and 7 repeat an earlier text"
            Expect.equal (d.Unreadable |> Array.map (fun u -> u.Line, u.Raw)) [| 6, "no comma here" |] "the row without a comma, at line 6 (the header is line 1)"
            // Ordinal order puts capitals first: culture order would give alpha_x, beta, Zeta.
            Expect.equal d.Classes [| "Zeta"; "alpha_x"; "beta" |] "classes numbered in ordinal name order"
            let all = Array.concat [ d.Train; d.Validation; d.Test ] |> Array.sortBy (fun s -> s.Row)
            let expected =
                [| "my card is lost", 2, 0; "why is my pin blocked?", 0, 1; "a transfer, twice", 1, 3; "a refund please", 1, 5
                   "top up failed", 2, 6; "where is my money", 0, 8; "card expired", 2, 9; "fee charged twice", 1, 10 |]
            Expect.equal (all |> Array.map (fun s -> s.Text, s.Class, s.Row)) expected
                "each distinct text once, with the first row's intent and its index among the readable rows"
        }

        test "the three splits partition the distinct sentences 80/10/10; the seed decides the split" {
            use dir = new TempDir()
            let path = Path.Combine(dir.Path, "train.csv")
            StandIns.WriteBankingCsv(path, 8, 40, 3)
            let texts = Banking77.Read(path).Rows |> Array.map (fun r -> r.Text)
            Expect.equal (Array.distinct texts).Length 320 "the stand-in's 8 x 40 sentences are distinct"
            let a = SentenceGameData.Load(path, 1)
            let sizes = struct (a.Train.Length, a.Validation.Length, a.Test.Length)
            Expect.equal sizes (TargetSplit.Sizes(320, 0.1, 0.1)) "sizes as TargetSplit.Sizes gives them"
            Expect.equal sizes (struct (256, 32, 32)) "10% of 320 is 32"
            let parts = Array.concat [ a.Train; a.Validation; a.Test ] |> Array.map (fun s -> s.Text)
            Expect.equal (Array.sort parts) (Array.sort texts) "together they hold every sentence exactly once"
            Expect.equal a.Classes.Length 8 "8 intents"
            let again = SentenceGameData.Load(path, 1)
            Expect.sequenceEqual (again.Test |> Array.map (fun s -> s.Row)) (a.Test |> Array.map (fun s -> s.Row)) "the same seed, the same test sentences in the same order"
            Expect.sequenceEqual (again.Train |> Array.map (fun s -> s.Row)) (a.Train |> Array.map (fun s -> s.Row)) "and the same training sentences"
            let other = SentenceGameData.Load(path, 2)
            Expect.notEqual (other.Test |> Array.map (fun s -> s.Row)) (a.Test |> Array.map (fun s -> s.Row)) "another seed, another split"
        }

        test "an intent is read with spaces for underscores" {
            Expect.equal (SentenceGameData.ClassText "card_arrival") "card arrival" "one underscore"
            Expect.equal (SentenceGameData.ClassText "top_up_by_card_charge") "top up by card charge" "every underscore"
            Expect.equal (SentenceGameData.ClassText "Refund") "Refund" "nothing else changes"
        }

        test "a file with too few distinct sentences for three splits is refused, naming the file" {
            use dir = new TempDir()
            let two = csvIn dir [ "my card is lost,a"; "my card is lost,a"; "why is my pin blocked?,b" ]
            let e = Thrown.message<InvalidDataException> (fun () -> SentenceGameData.Load(two, 1) |> ignore) "two sentences"
            Expect.stringContains e two "names the file"
            Expect.stringContains e "holds 2 distinct readable sentences" "counts the distinct sentences"
            // Five distinct sentences still leave validation empty: 10% of 5 rounds to 0 (to even).
            use dir = new TempDir()
            let five = csvIn dir [ for i in 1 .. 5 -> sprintf "sentence number %d,a" i ]
            let e = Thrown.message<InvalidDataException> (fun () -> SentenceGameData.Load(five, 1) |> ignore) "five sentences"
            Expect.stringContains e five "names the file"
            Expect.stringContains e "holds 5 distinct readable sentences" "counts them"
            use dir = new TempDir()
            let six = csvIn dir [ for i in 1 .. 6 -> sprintf "sentence number %d,a" i ]
            let d = SentenceGameData.Load(six, 1)
            Expect.equal (d.Train.Length, d.Validation.Length, d.Test.Length) (4, 1, 1) "six are enough: round(0.6) = 1 each"
        }
    ]

let private spec = ChannelSpec(ChannelMode.Quantized, ChannelArchitecture.Instant, 4, 16, 1, QuantizePhase.InferenceOnly, EstimatorSpec.Relaxed 1.0, 16, 16)

/// A run on QT-Instant (alphabet 4, word length 16), mean pooling, max length 32, batches of 16,
/// patience as long as the epochs, data seed 0.
let private runOf game csv model cache lr epochs (negatives: int option) counts selection seed =
    SentenceGameRun(spec, game, csv, model, SentencePooling.Mean, 32, lr, 16, epochs, epochs, Option.toNullable negatives,
                    Nullable(), counts, selection, seed, 0, "cpu", cache)

/// The stand-in run of the known results: test at 2, 4 and 8 candidates, the best epoch picked at 8.
let private run game csv model cache lr epochs negatives seed = runOf game csv model cache lr epochs negatives [| 2; 4; 8 |] 8 seed

let private settings =
    testList "sentence game run" [
        test "every bad setting is named with its value and what is allowed" {
            let good = run SentenceGame.Referential "train.csv" "model" "cache" 1e-3 1 None 1
            Expect.isEmpty (good.Problems()) "the stand-in run is valid"
            let noWord = ChannelSpec(ChannelMode.Quantized, ChannelArchitecture.Instant, 4, 0, 1, QuantizePhase.InferenceOnly, EstimatorSpec.Relaxed 1.0, 16, 16)
            let bad =
                SentenceGameRun(noWord, SentenceGame.Referential, " ", "", SentencePooling.Mean, 1, 0.0, 0, 0, 0,
                                Nullable 0, Nullable 0, [||], 8, 1, 0, "tpu", "")
            Expect.equal (List.ofSeq (bad.Problems()))
                [ "word length must be >= 1, got 0"
                  "data file must be given (Banking77's train.csv)"
                  "model folder must be given (a DistilBERT checkpoint folder)"
                  "max length must be >= 2 ([CLS] and [SEP]), got 1"
                  "learning rate must be > 0 and finite, got 0"
                  "batch size must be >= 1, got 0"
                  "epochs must be >= 1, got 0"
                  "patience must be >= 1, got 0"
                  "negatives must be >= 1 (or all), got 0"
                  "games per epoch must be >= 1 (or one pass over the targets), got 0"
                  "candidate counts must list at least one count"
                  "cache folder must be given for Sent-Ref's sentence vectors"
                  sprintf "device must be one of %s, got 'tpu'" CommLab.Devices.DeviceChoice.Allowed ]
                "every problem, in field order"
            let cls = SentenceGameRun(spec, SentenceGame.Classification, "train.csv", "model", SentencePooling.Mean, 32, 1e-3, 16, 1, 1,
                                      Nullable(), Nullable(), [| 2 |], 2, 1, 0, "cpu", "")
            Expect.isEmpty (cls.Problems()) "Sent-Cls needs no cache folder"
        }

        test "the data bounds candidate counts and negatives: the intents for Sent-Cls, the smallest split for Sent-Ref" {
            let cls negatives counts selection = runOf SentenceGame.Classification "x" "m" "" 1e-3 1 negatives counts selection 1
            Expect.equal (List.ofSeq ((cls (Some 8) [| 2; 4; 16 |] 9).DataProblems(8, "the intents")))
                [ "negatives must be in 1..7 (the training split's candidates), got 8"
                  "candidate counts must be in 2..8 (the intents), got 16"
                  "candidate counts must be in 2..8 (the intents), got 9" ]
                "8 intents: at most 7 negatives and 8 candidates (the selection count too)"
            Expect.isEmpty ((cls (Some 7) [| 2; 8 |] 8).DataProblems(8, "the intents")) "7 and 8 fit"
            Expect.equal (List.ofSeq ((cls None [| 1; 2 |] 2).DataProblems(8, "the intents")))
                [ "candidate counts must be in 2..8 (the intents), got 1" ] "one candidate is no game"
            // Sent-Ref draws its negatives from the training sentences, not the evaluated split's.
            let ref negatives = runOf SentenceGame.Referential "x" "m" "c" 1e-3 1 negatives [| 2; 32 |] 32 1
            Expect.isEmpty ((ref (Some 76)).DataProblems(32, "the sentences of the smallest split", 256)) "76 of 256 training sentences"
            Expect.equal (List.ofSeq ((ref (Some 256)).DataProblems(32, "the sentences of the smallest split", 256)))
                [ "negatives must be in 1..255 (the training split's candidates), got 256" ] "at most every other training sentence"
        }

        test "the trainer checks the data's bounds before loading a model" {
            use dir = new TempDir()
            let csv = Path.Combine(dir.Path, "train.csv")
            StandIns.WriteBankingCsv(csv, 8, 40, 3)
            let missing = Path.Combine(dir.Path, "no-model")   // never read: the data is refused first
            let refused (r: SentenceGameRun) = Thrown.message<ArgumentException> (fun () -> SentenceGameTrainer.Train r |> ignore) "refused"
            // Sent-Ref: the smallest split holds 32 of the 320 sentences, the training split 256.
            let e = refused (runOf SentenceGame.Referential csv missing dir.Path 1e-2 1 (Some 256) [| 2; 40 |] 8 1)
            Expect.equal e "negatives must be in 1..255 (the training split's candidates), got 256\ncandidate counts must be in 2..32 (the sentences of the smallest split), got 40" "Sent-Ref"
            let e = refused (run SentenceGame.Classification csv missing dir.Path 1e-3 1 (Some 8) 1)
            Expect.equal e "negatives must be in 1..7 (the training split's candidates), got 8" "Sent-Cls: 8 intents"
        }
    ]

let private vectors =
    testList "sentence vectors" [
        test "the first call encodes and writes one file, the second reads it; other inputs, other files" {
            use dir = new TempDir()
            let csv, model = standIn dir 5
            let otherModel = Path.Combine(dir.Path, "other-model")
            StandIns.WriteSentenceModel(otherModel, csv, StandIns.TinyEncoder, 6)
            let cache = Path.Combine(dir.Path, "cache")
            let texts = Banking77.Read(csv).Rows |> Array.take 40 |> Array.map (fun r -> r.Text)
            let messages = Collections.Generic.List<string>()
            let vectorsOf folder (texts: string[]) pooling maxLength =
                floats (SentenceVectorCache.Vectors(folder, texts, pooling, maxLength, cache, Action<string>(messages.Add)))
            let files () = Directory.GetFiles cache |> Array.map Path.GetFileName |> Array.sort
            let first = vectorsOf model texts SentencePooling.Mean 32
            let key = SentenceVectorCache.Key(BertCheckpoint.Fingerprint model, texts, SentencePooling.Mean, 32)
            let file = Path.Combine(cache, key + ".safetensors")
            Expect.equal (files ()) [| key + ".safetensors" |] "one file, named by the key"
            Expect.equal (List.ofSeq messages) [ sprintf "encoding 40 sentences with %s (once; kept in %s)" model file ] "says it encoded"
            let metadata = Safetensors.ReadMetadata file
            Expect.equal (metadata["checkpoint"], metadata["pooling"], metadata["max_length"], metadata["sentences"])
                (BertCheckpoint.Fingerprint model, "Mean", "32", "40") "the file says what it was made from"
            messages.Clear()
            let second = vectorsOf model texts SentencePooling.Mean 32
            Expect.equal (List.ofSeq messages) [ sprintf "sentence vectors read from %s" file ] "the second call reads the file"
            Expect.equal second first "the values read are those written"
            use checkpoint = BertCheckpoint.Load model
            let direct = SentenceEncoder.Vectors(checkpoint.Tokenizer, checkpoint.Model, texts, SentencePooling.Mean, 32) |> Array.concat
            Expect.equal first direct "the vectors are SentenceEncoder's"
            Expect.equal first.Length (40 * 32) "40 sentences of dim 32"
            messages.Clear()
            // Each change of input makes a key of its own and a file of its own, and changes the values.
            let changed =
                [ "Cls pooling", vectorsOf model texts SentencePooling.Cls 32
                  "max length 6", vectorsOf model texts SentencePooling.Mean 6
                  "one text changed", vectorsOf model (Array.updateAt 0 (texts[0] + " again") texts) SentencePooling.Mean 32
                  "another checkpoint", vectorsOf otherModel texts SentencePooling.Mean 32 ]
            Expect.equal (files ()).Length 5 "five inputs, five files"
            for what, values in changed do
                Expect.notEqual values first (sprintf "%s: other vectors" what)
            Expect.isTrue (messages |> Seq.forall (fun m -> m.StartsWith "encoding 40 sentences")) "each of them was encoded, none read"
        }

        test "a cache file that does not hold the sentences' vectors is refused with what to do" {
            use dir = new TempDir()
            let _, model = standIn dir 5
            let cache = Path.Combine(dir.Path, "cache")
            let texts = [| "my card is lost"; "why is my pin blocked?"; "a refund please" |]
            let path = Path.Combine(cache, SentenceVectorCache.Key(BertCheckpoint.Fingerprint model, texts, SentencePooling.Mean, 32) + ".safetensors")
            Directory.CreateDirectory cache |> ignore
            let refused why =
                let e = Thrown.message<InvalidDataException> (fun () -> SentenceVectorCache.Vectors(model, texts, SentencePooling.Mean, 32, cache) |> ignore) why
                Expect.stringContains e path (sprintf "%s: names the file" why)
                Expect.stringContains e "delete it and it is made again" (sprintf "%s: says what to do" why)
            Safetensors.Write(path, readOnlyDict [ "vectors", torch.zeros(2L, 32L) ])
            refused "2 rows for 3 sentences"
            Safetensors.Write(path, readOnlyDict [ "other", torch.zeros(3L, 32L) ])
            refused "no tensor named vectors"
            // A file cut short (a copy interrupted, a full disk) cannot even be parsed.
            File.WriteAllBytes(path, File.ReadAllBytes path |> Array.take 20)
            refused "a truncated file"
        }
    ]

let private dropout =
    testList "noise dropout" [
        test "in evaluation mode, or with p = 0, it is the identity" {
            let g = new torch.Generator(1UL)
            use x = torch.randn([| 4L; 50L |], generator = g)
            let noise = DropoutNoise(Generator = new torch.Generator(2UL))
            use d = new NoiseDropout(0.3, noise)
            d.eval() |> ignore
            Expect.equal (floats (d.forward x)) (floats x) "evaluation: unchanged"
            use none = new NoiseDropout(0.0, noise)
            none.train() |> ignore
            Expect.equal (floats (none.forward x)) (floats x) "p = 0 in training: unchanged"
        }

        test "in training the masks come from the generator: about 1-p kept, scaled by 1/(1-p)" {
            let g = new torch.Generator(1UL)
            use x = torch.rand([| 200L; 500L |], generator = g) + 0.5   // no zeros, so a zero is a dropped value
            let input = floats x
            let apply seed =
                let noise = DropoutNoise(Generator = new torch.Generator(uint64 seed))
                use d = new NoiseDropout(0.3, noise)
                d.train() |> ignore
                floats (d.forward x), floats (d.forward x)
            let a, aNext = apply 7
            let b, _ = apply 7
            let c, _ = apply 8
            Expect.equal a b "the same generator seed, the same mask"
            Expect.notEqual c a "another seed, another mask"
            Expect.notEqual aNext a "each call draws a fresh mask"
            let kept = a |> Array.filter (fun v -> v <> 0f) |> Array.length
            // 100,000 values kept with chance 0.7: the share's std is sqrt(0.21 / 1e5) = 0.0014.
            Expect.floatClose { absolute = 0.01; relative = 0.0 } (float kept / 1e5) 0.7 "about 1 - p kept"
            for i in 0 .. a.Length - 1 do
                if a[i] <> 0f then
                    Expect.floatClose { absolute = 0.0; relative = 1e-6 } (float a[i]) (float input[i] / 0.7) "a kept value is scaled by 1/(1-p)"
        }

        test "a DistilBERT in training draws every dropout from its Noise generator" {
            // Untouched: the initial weights need no seed, and other tests' draws are left alone.
            use model = Reproducibility.Untouched(fun () -> new DistilBert(DistilBertConfig(30, 32, 2, 4, 64, 16)))
            let g = new torch.Generator(3UL)
            use ids = torch.randint(1L, 30L, [| 3L; 10L |], dtype = torch.int64, generator = g)
            use mask = torch.ones([| 3L; 10L |], dtype = torch.int64)
            let states seed =
                model.Noise.Generator <- new torch.Generator(uint64 seed)
                use _ = torch.no_grad()
                floats (model.call(ids, mask))
            model.train() |> ignore
            let a, b, c = states 5, states 5, states 6
            model.eval() |> ignore
            let evaluation = states 5
            Expect.notEqual a evaluation "dropout acts in training"
            Expect.equal a b "two generators seeded alike give identical states: no mask comes from elsewhere"
            Expect.notEqual c a "another seed, other masks"
        }
    ]

/// The stand-in's CSV, its checkpoint, and an agent (encoding 16) over the checkpoint's encoder, in evaluation mode.
let private agent (dir: TempDir) pooling =
    let csv, model = standIn dir 5
    let checkpoint = BertCheckpoint.Load model
    let a = new SentenceAgent(checkpoint.Model, pooling, int64 checkpoint.Tokenizer.PadId, 16)
    a.eval() |> ignore
    csv, checkpoint, a

let private sentenceAgent =
    testList "sentence agent" [
        test "a padded row's encoding is the sentence's alone, padding past the model's positions included" {
            use dir = new TempDir()
            for pooling in [ SentencePooling.Mean; SentencePooling.Cls ] do
                let _, checkpoint, a = agent dir pooling
                use _ = a
                use _ = torch.no_grad()
                let texts = [| "my card is lost"; "the app says \"card declined\", what now? (about 20 pounds)"; "help" |]
                let batch = checkpoint.Tokenizer.EncodeBatch(texts, 32)
                // 80 columns: more than the tiny encoder's 64 positions, so only a trimmed row can be encoded.
                let width = batch.Ids.shape[1]
                use padded = torch.cat([| batch.Ids; torch.zeros([| 3L; 80L - width |], dtype = torch.int64).fill_(int64 checkpoint.Tokenizer.PadId) |], 1L)
                let together = rows (a.forward padded)
                for i, text in Array.indexed texts do
                    let alone = floats (a.forward (checkpoint.Tokenizer.EncodeBatch([| text |], 32).Ids))
                    Expect.isLessThan (maxDifference together[i] alone) 1e-5f (sprintf "%A: \"%s\" in a padded batch and alone" pooling text)
        }

        test "without gradients, more than 128 rows go in chunks and give what one pass gives" {
            use dir = new TempDir()
            let csv, checkpoint, a = agent dir SentencePooling.Mean
            use _ = a
            let texts = Banking77.Read(csv).Rows |> Array.map (fun r -> r.Text)   // 320 rows: chunks of 128, 128, 64
            let batch = checkpoint.Tokenizer.EncodeBatch(texts, 32)
            use _ = torch.no_grad()
            let actual = floats (a.forward batch.Ids)
            // One pass over every row, written out: DistilBERT's mean vectors and the agent's linear layer.
            let p = a.state_dict()
            let expected = floats (checkpoint.Model.SentenceVectors(batch.Ids, batch.Mask, SentencePooling.Mean).matmul(p["output.weight"].t()) + p["output.bias"])
            Expect.equal actual.Length (320 * 16) "320 encodings of 16"
            Expect.isLessThan (maxDifference actual expected) 1e-5f "chunked as in one pass"
        }

        test "scoring many rows keeps no encoder intermediates alive: memory is one chunk's, not the split's" {
            use dir = new TempDir()
            let csv, checkpoint, a = agent dir SentencePooling.Mean
            use _ = a
            let texts = Banking77.Read(csv).Rows |> Array.map (fun r -> r.Text)
            let ids = checkpoint.Tokenizer.EncodeBatch(texts, 32).Ids
            use _ = torch.no_grad()
            let live () = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount
            use scope = torch.NewDisposeScope()
            let before = live ()
            let out = a.forward ids
            // What the agent itself makes (row views, three chunks' vectors, their concatenation, the
            // output) stays; a DistilBERT block alone makes over 30 tensors, so the two blocks of three
            // chunks would leave about 200 if their intermediates lived until the caller's scope ended.
            Expect.isLessThan (live () - before) 20L "only the agent's own tensors are still alive"
            Expect.sequenceEqual out.shape [| 320L; 16L |] "320 encodings of 16"
        }

        test "leading dims [B, K, T] are kept, and with gradients the encoder trains" {
            use dir = new TempDir()
            let csv, checkpoint, a = agent dir SentencePooling.Mean
            use _ = a
            let texts = Banking77.Read(csv).Rows |> Array.take 6 |> Array.map (fun r -> r.Text)
            let ids = checkpoint.Tokenizer.EncodeBatch(texts, 32).Ids
            let out = a.forward (ids.reshape(2L, 3L, -1L))
            Expect.sequenceEqual out.shape [| 2L; 3L; 16L |] "[B, K, encoding]"
            Expect.isLessThan (maxDifference (floats out) (floats (a.forward ids))) 1e-6f "each row where it was"
            out.sum().backward()
            let embedding = a.named_parameters() |> Seq.find (fun struct (name, _) -> name.EndsWith "word_embeddings.weight") |> fun struct (_, p) -> p
            Expect.isGreaterThan (gradient embedding |> Array.map abs |> Array.max) 0f "the encoder's word embeddings get a gradient"
        }
    ]

/// Sent-Ref at lr 1e-2 with 7 negatives for 20 epochs: test accuracy 1.0/0.875/0.81 at 2/4/8 (about 5 s).
let private referential csv model cache seed log =
    SentenceGameTrainer.Train(run SentenceGame.Referential csv model cache 1e-2 20 (Some 7) seed, log = log)

/// Sent-Cls at lr 1e-3, every other intent a negative, for `epochs` epochs; `progress` hears each epoch.
let private classification csv model epochs seed progress =
    SentenceGameTrainer.Train(run SentenceGame.Classification csv model "" 1e-3 epochs None seed, progress = progress)

/// Draws from libtorch's global generator after every epoch: a run that drew anything (a dropout mask)
/// from it in the next epoch would then draw something else.
let private disturbGlobal = Action<EpochReport<ReferentialValidation>>(fun _ -> torch.rand(1000L).Dispose())

let private losses (r: ReferentialResult) = r.History |> Array.map (fun h -> h.TrainLoss)

/// Trainings, whose initial weights come from libtorch's global generator (Reproducibility.Seeded).
let training =
    testSequenced <| testList "sentence games" [
        test "Sent-Ref learns above chance, reproducibly, and plays one game per test sentence" {
            use dir = new TempDir()
            let csv, model = standIn dir 5
            let cache = Path.Combine(dir.Path, "cache")
            let messages = Collections.Generic.List<string>()
            let a = referential csv model cache 1 (Action<string>(messages.Add))
            // Chance is 1/2 at 2 candidates and 1/8 at 8; seeds 1..4 reach 0.94-1.0 and 0.78-0.81.
            Expect.isGreaterThan a.TestAccuracy[0] 0.8 "2 candidates"
            Expect.isGreaterThan a.TestAccuracy[2] 0.5 "8 candidates"
            // One message for all would be NoUM 1; seeds 1..4 send 31-32 for the 32 test sentences.
            Expect.isGreaterThan a.TestMessages 16 "the sender tells most test sentences apart"
            Expect.isLessThan (Array.last (losses a)) (Array.head (losses a)) "the training loss falls"
            Expect.equal a.TestTargets 32 "10% of 320 sentences"
            let b = referential csv model cache 1 (Action<string>(messages.Add))
            Expect.sequenceEqual (losses b) (losses a) "the same losses"
            Expect.sequenceEqual b.TestAccuracy a.TestAccuracy "the same accuracies"
            Expect.equal messages.Count 2 "one message per run"
            Expect.stringStarts messages[0] (sprintf "encoding 320 sentences with %s" model) "the first run encodes"
            Expect.stringStarts messages[1] "sentence vectors read from " "the second reads the cache"
            let test = SentenceGameData.Load(csv, 0).Test
            Expect.equal (a.Final.Games |> Seq.map (fun g -> g.Game, g.Target, List.ofArray g.Attributes) |> List.ofSeq)
                (test |> Array.mapi (fun i s -> s.Row, i, [ s.Class ]) |> List.ofArray)
                "one game per test sentence: its row, its index among the test sentences (its own candidate), its intent"
        }

        test "Sent-Cls learns above chance, reproducibly through dropout, and its targets are the intents" {
            use dir = new TempDir()
            let csv, model = standIn dir 5
            let a = classification csv model 5 1 null
            // Chance is 1/2 at 2 candidates and 1/8 at 8; 5 epochs on seeds 1..3 reach 0.94-1.0 and 0.81-0.91
            // (10 epochs reach 1.0 at every count).
            Expect.isGreaterThan a.TestAccuracy[0] 0.8 "2 candidates"
            Expect.isGreaterThan a.TestAccuracy[2] 0.5 "8 candidates"
            Expect.isLessThan (Array.last (losses a)) (Array.head (losses a)) "the training loss falls"
            // Seeds 1..3 send 30-32 messages for the 32 test sentences.
            Expect.isGreaterThan a.TestMessages 16 "the sender tells most test sentences apart"
            let test = SentenceGameData.Load(csv, 0).Test
            Expect.equal (a.Final.Games |> Seq.map (fun g -> g.Game, g.Target, List.ofArray g.Attributes) |> List.ofSeq)
                (test |> Array.map (fun s -> s.Row, s.Class, [ s.Class ]) |> List.ofArray)
                "one game per test sentence: its row and its intent, the receiver's candidate"
            // With 8 intents, 8 candidates is every intent: the games are the test at 8.
            Expect.floatClose Accuracy.veryHigh a.Final.Accuracy a.TestAccuracy[2] "the games are the test at 8 candidates"
            // Seeded resets the global generator before the weights are drawn, so this second run differs
            // from the first only in the global draws between epochs: every dropout mask must come from the run.
            let b = classification csv model 5 1 disturbGlobal
            Expect.sequenceEqual (losses b) (losses a) "the same losses, although the global generator moved: dropout is drawn from the run's generator"
            Expect.sequenceEqual b.TestAccuracy a.TestAccuracy "the same accuracies"
        }

        test "a missing data file or model folder is named" {
            use dir = new TempDir()
            let csv, _ = standIn dir 5
            let noCsv = Path.Combine(dir.Path, "missing.csv")
            let noModel = Path.Combine(dir.Path, "missing-model")
            let cache = Path.Combine(dir.Path, "cache")
            for game in [ SentenceGame.Referential; SentenceGame.Classification ] do
                let train r = SentenceGameTrainer.Train r |> ignore
                let e = Thrown.message<FileNotFoundException> (fun () -> train (run game noCsv noModel cache 1e-3 1 None 1)) (sprintf "%A: no data" game)
                Expect.stringContains e noCsv (sprintf "%A: names the data file" game)
                let e = Thrown.message<FileNotFoundException> (fun () -> train (run game csv noModel cache 1e-3 1 None 1)) (sprintf "%A: no model" game)
                Expect.stringContains e (sprintf "checkpoint folder not found: %s" noModel) (sprintf "%A: names the model folder" game)
        }
    ]

/// Data and settings: no model is trained or built.
let tests = testList "sentence game data" [ data; settings ]
/// Sent-Ref's cache and Sent-Cls's parts.
let parts = testList "sentence vectors" [ vectors; dropout; sentenceAgent ]

/// DistilBERT in TorchSharp against Hugging Face's definition: a tiny random checkpoint written in the
/// real layout (bare and "distilbert."-prefixed names, an MLM head to ignore) loads, and its output
/// equals a forward pass written out here from the saved tensors; padding never changes a sentence's
/// vector; broken checkpoints are refused by name; the `encode` command prints what the parts compute.
module CommLab.Tests.DistilBertTests

open System
open System.Collections.Generic
open System.IO
open System.Text.Json
open Expecto
open TorchSharp
open CommLab.Files
open CommLab.Text
open CommLab.Dsl
open CommLab.Tests.TensorValues

type private Tensor = torch.Tensor

/// 2 layers, dim 32, 4 heads of 8, feed-forward 64, 40 positions; the tokenizer tests' vocabulary
/// filled up to the 50 tokens of vocab_size.
let private config = DistilBertConfig(50, 32, 2, 4, 64, 40)
let private vocabulary = Array.append WordPieceTests.vocabulary (Array.init (50 - WordPieceTests.vocabulary.Length) (sprintf "w%d"))

/// DistilBertModel's state-dict names, spelt out from modeling_distilbert.py.
let private huggingFaceNames =
    [ yield! [ "embeddings.word_embeddings.weight"; "embeddings.position_embeddings.weight"; "embeddings.LayerNorm.weight"; "embeddings.LayerNorm.bias" ]
      for i in 0 .. config.Layers - 1 do
          for part in [ "attention.q_lin"; "attention.k_lin"; "attention.v_lin"; "attention.out_lin"; "sa_layer_norm"; "ffn.lin1"; "ffn.lin2"; "output_layer_norm" ] do
              for p in [ "weight"; "bias" ] do
                  yield sprintf "transformer.layer.%d.%s.%s" i part p ]
    |> List.sort

let private weightsPath dir = Path.Combine(dir, BertCheckpoint.WeightsFile)

/// Rewrites model.safetensors of `dir` through `change`, which edits the name -> tensor map.
let private rewrite (dir: string) (change: Dictionary<string, Tensor> -> unit) =
    let tensors = Safetensors.Read(weightsPath dir)
    change tensors
    Safetensors.Write(weightsPath dir, tensors, readOnlyDict [ "format", "pt" ])

/// A tiny checkpoint in `dir`, written by WriteRandom and then given weights that make every parameter
/// matter (N(0, 0.3) weights, non-zero biases, layer norms away from 1 and 0: Hugging Face's N(0, 0.02)
/// start would hide a wrong scale or head split in the last digits). With `prefixed`, names are under
/// "distilbert." and DistilBertForMaskedLM's head is added. Returns the weights under their bare names.
let private tinyCheckpoint (dir: string) (prefixed: bool) (seed: int) =
    BertCheckpoint.WriteRandom(dir, vocabulary, config, seed, prefixed)
    let g = new torch.Generator(uint64 seed + 100UL)
    let prefix = if prefixed then BertCheckpoint.Prefix else ""
    let bare = Dictionary<string, Tensor>()
    rewrite dir (fun tensors ->
        for name in List.ofSeq tensors.Keys do
            let shape = tensors[name].shape
            let noise = torch.randn(shape, generator = g)
            let value =
                if name.EndsWith ".bias" then noise * 0.1
                elif name.Contains "LayerNorm" || name.Contains "layer_norm" then noise * 0.1 + 1.0
                else noise * 0.3
            tensors[name] <- value
            bare[name.Substring prefix.Length] <- value
        if prefixed then
            tensors["vocab_transform.weight"] <- torch.randn([| 32L; 32L |], generator = g)
            tensors["vocab_transform.bias"] <- torch.zeros(32L)
            tensors["vocab_layer_norm.weight"] <- torch.ones(32L)
            tensors["vocab_layer_norm.bias"] <- torch.zeros(32L)
            tensors["vocab_projector.weight"] <- torch.randn([| 50L; 32L |], generator = g)
            tensors["vocab_projector.bias"] <- torch.zeros(50L))
    bare

/// DistilBertModel's forward pass written out with plain tensor operations from the saved weights:
/// post-norm blocks, scores scaled by 1/sqrt(head size), padded keys given no weight, exact GELU.
let private reference (w: Dictionary<string, Tensor>) (ids: Tensor) (mask: Tensor) =
    let b, t, dim, heads = ids.shape[0], ids.shape[1], int64 config.Dim, int64 config.Heads
    let headDim = dim / heads
    let linear (x: Tensor) name = x.matmul(w[name + ".weight"].t()) + w[name + ".bias"]
    let layerNorm (x: Tensor) name =
        let mean = x.mean([| -1L |], keepdim = true)
        let centered = x - mean
        let variance = (centered * centered).mean([| -1L |], keepdim = true)
        centered / (variance + 1e-12).sqrt() * w[name + ".weight"] + w[name + ".bias"]
    let softmax (s: Tensor) =
        let e = (s - s.amax([| -1L |], keepdim = true)).exp()
        e / e.sum(-1L, keepdim = true)
    let gelu (x: Tensor) = x * 0.5 * (torch.special.erf(x / Math.Sqrt 2.0) + 1.0)
    let split (y: Tensor) = y.reshape(b, t, heads, headDim).permute(0L, 2L, 1L, 3L)
    let words = w["embeddings.word_embeddings.weight"].index_select(0L, ids.flatten()).reshape(b, t, dim)
    let mutable x = layerNorm (words + w["embeddings.position_embeddings.weight"].narrow(0L, 0L, t)) "embeddings.LayerNorm"
    let padded = mask.eq(torch.tensor 0L).reshape(b, 1L, 1L, t)
    for i in 0 .. config.Layers - 1 do
        let layer = sprintf "transformer.layer.%d." i
        let q, k, v = split (linear x (layer + "attention.q_lin")), split (linear x (layer + "attention.k_lin")), split (linear x (layer + "attention.v_lin"))
        let scores = (q.matmul(k.transpose(2L, 3L)) / Math.Sqrt(float headDim)).masked_fill(padded, Double.NegativeInfinity)
        let context = (softmax scores).matmul(v).permute(0L, 2L, 1L, 3L).reshape(b, t, dim)
        let attended = layerNorm (linear context (layer + "attention.out_lin") + x) (layer + "sa_layer_norm")
        x <- layerNorm (linear (gelu (linear attended (layer + "ffn.lin1"))) (layer + "ffn.lin2") + attended) (layer + "output_layer_norm")
    x

let private maxDifference (a: Tensor) (b: Tensor) = (floats a, floats b) ||> Array.map2 (fun x y -> abs (x - y)) |> Array.max

let private sentences = [| "my card is lost"; "where can i top up my card?"; "hello"; "Café naïve, unaffable world!" |]

let private layout =
    testList "checkpoint layout" [
        test "WriteRandom writes DistilBertModel's names and shapes, initialised as Hugging Face does" {
            use dir = new TempDir()
            BertCheckpoint.WriteRandom(dir.Path, vocabulary, config, 5)
            let tensors = Safetensors.Read(weightsPath dir.Path)
            Expect.equal (tensors.Keys |> Seq.sort |> List.ofSeq) huggingFaceNames "exactly Hugging Face's names"
            Expect.sequenceEqual tensors["embeddings.word_embeddings.weight"].shape [| 50L; 32L |] "vocab_size x dim"
            Expect.sequenceEqual tensors["transformer.layer.1.ffn.lin1.weight"].shape [| 64L; 32L |] "hidden_dim x dim (out x in)"
            Expect.isTrue (tensors |> Seq.forall (fun kv -> not (kv.Key.EndsWith ".bias") || (floats kv.Value |> Array.forall ((=) 0f)))) "biases 0"
            Expect.isTrue (floats tensors["transformer.layer.0.sa_layer_norm.weight"] |> Array.forall ((=) 1f)) "layer norms 1"
            Expect.isTrue (floats (tensors["embeddings.word_embeddings.weight"].select(0L, 0L)) |> Array.forall ((=) 0f)) "the [PAD] row 0"
            let std = tensors["transformer.layer.0.ffn.lin1.weight"].std().item<float32>()
            Expect.isTrue (abs (std - 0.02f) < 0.003f) (sprintf "weights ~ N(0, 0.02), std %g" std)
            Expect.equal (DistilBertConfig.Read(Path.Combine(dir.Path, BertCheckpoint.ConfigFile))) config "config.json reads back"
            Expect.sequenceEqual (WordPieceTokenizer.Load(Path.Combine(dir.Path, BertCheckpoint.VocabularyFile)).Vocabulary) vocabulary "vocab.txt reads back"
        }

        test "the fingerprint is the files': same seed, same fingerprint; another seed or a changed byte, another" {
            use a = new TempDir()
            use b = new TempDir()
            use c = new TempDir()
            BertCheckpoint.WriteRandom(a.Path, vocabulary, config, 5)
            BertCheckpoint.WriteRandom(b.Path, vocabulary, config, 5)
            BertCheckpoint.WriteRandom(c.Path, vocabulary, config, 6)
            let fa = BertCheckpoint.Fingerprint a.Path
            Expect.isMatch fa "^[0-9a-f]{64}$" "SHA-256 in hex"
            Expect.equal (BertCheckpoint.Fingerprint b.Path) fa "deterministic"
            Expect.notEqual (BertCheckpoint.Fingerprint c.Path) fa "another seed"
            File.AppendAllText(Path.Combine(b.Path, BertCheckpoint.VocabularyFile), "extra\n")
            Expect.notEqual (BertCheckpoint.Fingerprint b.Path) fa "vocab.txt is part of it"
        }
    ]

let private forward =
    testList "forward" [
        test "a loaded checkpoint computes the written-out forward pass, bare or prefixed with an MLM head" {
            use bareDir = new TempDir()
            use prefixedDir = new TempDir()
            let weights = tinyCheckpoint bareDir.Path false 11
            tinyCheckpoint prefixedDir.Path true 11 |> ignore
            use bare = BertCheckpoint.Load bareDir.Path
            use prefixed = BertCheckpoint.Load prefixedDir.Path
            let batch = bare.Tokenizer.EncodeBatch(sentences, 40)
            let expected = reference weights batch.Ids batch.Mask
            use _ = torch.no_grad()
            let actual = bare.Model.call(batch.Ids, batch.Mask)
            Expect.sequenceEqual actual.shape [| 4L; 10L; 32L |] "[B, T, dim]"
            let difference = maxDifference actual expected
            Expect.isLessThan difference 1e-5f (sprintf "every token state, padded ones included, within 1e-5 (max difference %g)" difference)
            Expect.isGreaterThan (floats expected |> Array.map abs |> Array.max) 0.5f "the states are not near zero: the comparison means something"
            Expect.isLessThan (maxDifference (prefixed.Model.call(batch.Ids, batch.Mask)) actual) 1e-6f "the prefixed checkpoint holds the same weights"
        }

        test "padding changes no sentence's vector, with either pooling" {
            use dir = new TempDir()
            let weights = tinyCheckpoint dir.Path false 12
            use checkpoint = BertCheckpoint.Load dir.Path
            use _ = torch.no_grad()
            let batch = checkpoint.Tokenizer.EncodeBatch(sentences, 40)
            for pooling in [ SentencePooling.Cls; SentencePooling.Mean ] do
                let together = rows (checkpoint.Model.SentenceVectors(batch.Ids, batch.Mask, pooling))
                for i, text in Array.indexed sentences do
                    let alone = checkpoint.Tokenizer.EncodeBatch([| text |], 40)
                    let vector = checkpoint.Model.SentenceVectors(alone.Ids, alone.Mask, pooling)
                    let states = reference weights alone.Ids alone.Mask
                    let expected = if pooling = SentencePooling.Cls then states.select(1L, 0L) else states.mean([| 1L |])
                    Expect.isLessThan (maxDifference vector expected) 1e-5f (sprintf "%A of \"%s\" alone: [CLS]'s state or the mean of its token states" pooling text)
                    Expect.isLessThan (Array.map2 (fun a b -> abs (a - b)) together[i] (floats vector) |> Array.max) 1e-5f
                        (sprintf "%A of \"%s\": the same in a padded batch" pooling text)
        }

        test "encoding sentences leaves no tensor behind" {
            use dir = new TempDir()
            tinyCheckpoint dir.Path false 13 |> ignore
            use checkpoint = BertCheckpoint.Load dir.Path
            let encode () = SentenceEncoder.Vectors(checkpoint.Tokenizer, checkpoint.Model, sentences, SentencePooling.Mean, 16, 3)
            encode () |> ignore
            let before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount
            let vectors = encode ()
            Expect.equal (TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount) before "as many live tensors as before"
            Expect.equal (vectors |> Array.map Array.length) (Array.create 4 32) "one 32-vector per sentence"
        }
    ]

/// Loads the checkpoint in `dir` after `spoil`, expecting an InvalidDataException; returns its message.
let private refused (dir: string) =
    let e = Thrown.message<InvalidDataException> (fun () -> (BertCheckpoint.Load dir).Dispose()) "the checkpoint is refused"
    e

let private badCheckpoints =
    testList "bad checkpoints" [
        test "a missing parameter, an unknown one, a wrong shape" {
            use dir = new TempDir()
            BertCheckpoint.WriteRandom(dir.Path, vocabulary, config, 1, true)
            rewrite dir.Path (fun t ->
                t.Remove "distilbert.transformer.layer.1.ffn.lin2.bias" |> ignore
                t["distilbert.transformer.layer.2.attention.q_lin.weight"] <- torch.zeros(32L, 32L)
                t["pre_classifier.weight"] <- torch.zeros(32L, 32L))
            let message = refused dir.Path
            Expect.stringContains message "unknown tensors distilbert.transformer.layer.2.attention.q_lin.weight" "names the unknown tensor"
            Expect.stringContains message "missing parameters distilbert.transformer.layer.1.ffn.lin2.bias" "names the missing one"
            Expect.isFalse (message.Contains "pre_classifier") "a classification head is ignored"
            use dir = new TempDir()
            BertCheckpoint.WriteRandom(dir.Path, vocabulary, config, 1)
            rewrite dir.Path (fun t -> t["embeddings.position_embeddings.weight"] <- torch.zeros(41L, 32L))
            Expect.stringContains (refused dir.Path) "tensor 'embeddings.position_embeddings.weight' has shape [41, 32], the config asks for [40, 32]" "names the tensor and both shapes"
        }

        test "a folder with pytorch_model.bin only, a missing folder, a missing vocabulary" {
            use dir = new TempDir()
            BertCheckpoint.WriteRandom(dir.Path, vocabulary, config, 1)
            File.Move(weightsPath dir.Path, Path.Combine(dir.Path, "pytorch_model.bin"))
            let e = Thrown.message<FileNotFoundException> (fun () -> (BertCheckpoint.Load dir.Path).Dispose()) "no safetensors"
            Expect.stringContains e "pytorch_model.bin, a pickled PyTorch file, which is not read here" "says the .bin is not read"
            Expect.stringContains e "download model.safetensors from https://huggingface.co/distilbert-base-uncased" "and what to get"
            let gone = Path.Combine(dir.Path, "nowhere")
            let e = Thrown.message<FileNotFoundException> (fun () -> (BertCheckpoint.Load gone).Dispose()) "no folder"
            Expect.stringContains e gone "names the folder"
            File.Delete(Path.Combine(dir.Path, BertCheckpoint.VocabularyFile))
            let e = Thrown.message<FileNotFoundException> (fun () -> (BertCheckpoint.Load dir.Path).Dispose()) "no vocab.txt"
            Expect.stringContains e "vocab.txt not found" "names the file"
        }

        test "config.json problems are named with the field and the value" {
            use dir = new TempDir()
            BertCheckpoint.WriteRandom(dir.Path, vocabulary, config, 1)
            let path = Path.Combine(dir.Path, BertCheckpoint.ConfigFile)
            let json = File.ReadAllText path
            File.WriteAllText(path, json.Replace("\"sinusoidal_pos_embds\": false", "\"sinusoidal_pos_embds\": true").Replace("\"n_heads\": 4", "\"n_heads\": 5").Replace("\"gelu\"", "\"gelu_new\""))
            let message = refused dir.Path
            Expect.stringContains message "sinusoidal_pos_embds must be false" "sinusoidal embeddings refused"
            Expect.stringContains message "n_heads must divide dim (32) evenly, got 5" "heads"
            Expect.stringContains message "activation must be one of \"gelu\", \"relu\", got \"gelu_new\"" "activation"
            File.WriteAllText(path, json.Replace("\"vocab_size\": 50", "\"vocab_size\": 40"))
            Expect.stringContains (refused dir.Path) "50 tokens, more than the model's vocab_size (40)" "vocabulary and model disagree"
        }
    ]

/// The command's JSON lines as (text, ids, vector).
let private parsed (out: string) =
    out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
    |> Array.map (fun line ->
        use doc = JsonDocument.Parse line
        let root = doc.RootElement
        root.GetProperty("text").GetString(),
        [| for id in root.GetProperty("ids").EnumerateArray() -> id.GetInt64() |],
        [| for v in root.GetProperty("vector").EnumerateArray() -> v.GetSingle() |])

let private command =
    testList "encode command" [
        test "prints each sentence's ids as the tokenizer gives them and its vector as the model computes it" {
            use dir = new TempDir()
            tinyCheckpoint dir.Path false 14 |> ignore
            use checkpoint = BertCheckpoint.Load dir.Path
            let input = Path.Combine(dir.Path, "sentences.txt")
            File.WriteAllLines(input, sentences)
            for pooling, name in [ SentencePooling.Mean, "mean"; SentencePooling.Cls, "cls" ] do
                let code, out, err = CommandRun.capture EncodeCommand.run [ "--model"; dir.Path; "--input"; input; "--pooling"; name; "--max-length"; "8" ]
                Expect.equal code 0 (sprintf "encode succeeds: %s" err)
                let lines = parsed out
                Expect.equal (lines |> Array.map (fun (t, _, _) -> t)) sentences "one line per sentence, in order"
                for text, ids, vector in lines do
                    Expect.equal ids (checkpoint.Tokenizer.Encode(text, 8)) (sprintf "ids of \"%s\", cut at 8" text)
                    use _ = torch.no_grad()
                    let alone = checkpoint.Tokenizer.EncodeBatch([| text |], 8)
                    let expected = floats (checkpoint.Model.SentenceVectors(alone.Ids, alone.Mask, pooling))
                    Expect.isLessThan (Array.map2 (fun a b -> abs (a - b)) vector expected |> Array.max) 1e-5f (sprintf "%s vector of \"%s\"" name text)
        }

        test "reads standard input without --input; bad input exits 2 with the reason" {
            use dir = new TempDir()
            tinyCheckpoint dir.Path false 15 |> ignore
            let fromStdin args text = CommandRun.capture (fun a o e -> EncodeCommand.runWith a (new StringReader(text)) o e) args
            let code, out, err = fromStdin [ "--model"; dir.Path ] "hello\n\nmy card\n"
            Expect.equal code 0 (sprintf "succeeds: %s" err)
            Expect.equal (parsed out |> Array.map (fun (t, ids, _) -> t, ids.Length)) [| "hello", 3; "", 2; "my card", 4 |] "every line, the blank one too"
            let code, _, err = fromStdin [ "--model"; Path.Combine(dir.Path, "missing") ] "hello\n"
            Expect.equal code 2 "missing checkpoint"
            Expect.stringContains err "checkpoint folder not found" "says so"
            let code, _, err = fromStdin [ "--model"; dir.Path; "--max-length"; "41" ] "hello\n"
            Expect.equal code 2 "longer than the positions"
            Expect.stringContains err "--max-length must be <= 40, the model's max_position_embeddings, got 41" "names the limit"
            let code, _, err = fromStdin [ "--model"; dir.Path; "--pooling"; "max" ] "hello\n"
            Expect.equal code 2 "unknown pooling"
            Expect.stringContains err "--pooling" "names the option"
        }
    ]

let tests = testList "DistilBERT" [ layout; forward; badCheckpoints; command ]

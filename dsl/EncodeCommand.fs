/// The `encode` command line: the token ids and sentence vector of each sentence under a DistilBERT
/// checkpoint folder (config.json, vocab.txt, model.safetensors), one JSON line per sentence. The console
/// app in apps/encode calls `run`.
module CommLab.Dsl.EncodeCommand

open System
open System.IO
open System.Text.Encodings.Web
open System.Text.Json
open Argu
open CommLab.Text

/// The sentence vector: the [CLS] token's state, or the mean of the sentence's token states.
type PoolingChoice =
    | Cls
    | Mean

type EncodeArgs =
    | [<Mandatory>] Model of dir: string
    | Pooling of PoolingChoice
    | Max_Length of tokens: int
    | Batch_Size of sentences: int
    | Input of file: string

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Model _ -> "checkpoint folder with config.json, vocab.txt and model.safetensors (distilbert-base-uncased: https://huggingface.co/distilbert-base-uncased)."
            | Pooling _ -> "sentence vector: cls, the [CLS] token's state (default; what DistilBertForSequenceClassification reads), or mean, the mean over the sentence's tokens."
            | Max_Length _ -> "tokens per sentence, [CLS] and [SEP] included; longer sentences are cut (default 64, or the model's max_position_embeddings if smaller)."
            | Batch_Size _ -> "sentences per forward pass (default 32); changes only the last digits."
            | Input _ -> "file of sentences, one per line (default: standard input); every line, blank ones too, gives one output line."

/// One output line: {"text":...,"ids":[...],"vector":[...]}, floats in their shortest round-trip form.
let private jsonLine (text: string) (ids: int64[]) (vector: float32[]) =
    use stream = new MemoryStream()
    do
        use w = new Utf8JsonWriter(stream, JsonWriterOptions(Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping))
        w.WriteStartObject()
        w.WriteString("text", text)
        w.WriteStartArray "ids"
        for id in ids do w.WriteNumberValue id
        w.WriteEndArray()
        w.WriteStartArray "vector"
        for v in vector do w.WriteNumberValue v
        w.WriteEndArray()
        w.WriteEndObject()
    Text.Encoding.UTF8.GetString(stream.ToArray())

let private readLines (reader: TextReader) =
    Seq.unfold (fun () -> match reader.ReadLine() with null -> None | line -> Some(line, ())) () |> Array.ofSeq

/// Runs the command with `argv`, reading sentences from `--input` or else from `input`, writing one
/// JSON line per sentence to `out` and problems to `err`; returns the exit code (0 done, 2 bad
/// arguments or input: a missing or malformed checkpoint, a missing input file).
let runWith (argv: string[]) (input: TextReader) (out: TextWriter) (err: TextWriter) : int =
    Command.run<EncodeArgs> "encode" argv out err (fun args ->
        let pooling =
            match args.GetResult(Pooling, defaultValue = Cls) with
            | Cls -> SentencePooling.Cls
            | Mean -> SentencePooling.Mean
        let askedLength = args.TryGetResult Max_Length
        let batchSize = args.GetResult(Batch_Size, defaultValue = 32)
        match askedLength with
        | Some n when n < 2 -> raise (ArgumentException(sprintf "--max-length must be >= 2 (room for [CLS] and [SEP]), got %d" n))
        | _ -> ()
        if batchSize < 1 then raise (ArgumentException(sprintf "--batch-size must be >= 1, got %d" batchSize))
        let sentences =
            match args.TryGetResult Input with
            | Some path when not (File.Exists path) -> raise (FileNotFoundException(sprintf "input file not found: %s (sentences, one per line)" path, path))
            | Some path -> File.ReadAllLines path
            | None -> readLines input
        use checkpoint = BertCheckpoint.Load(args.GetResult Model)
        let maxLength =
            match askedLength with
            | Some n when n > checkpoint.Config.MaxPositions ->
                raise (ArgumentException(sprintf "--max-length must be <= %d, the model's max_position_embeddings, got %d" checkpoint.Config.MaxPositions n))
            | Some n -> n
            | None -> min 64 checkpoint.Config.MaxPositions
        let vectors = SentenceEncoder.Vectors(checkpoint.Tokenizer, checkpoint.Model, sentences, pooling, maxLength, batchSize)
        for text, vector in Array.zip sentences vectors do
            out.WriteLine(jsonLine text (checkpoint.Tokenizer.Encode(text, maxLength)) vector)
        0)

/// `runWith` reading standard input.
let run (argv: string[]) (out: TextWriter) (err: TextWriter) : int = runWith argv Console.In out err

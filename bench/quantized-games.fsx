// Speed of the quantization paper's Image, Sent-Ref and Sent-Cls games at the paper's sizes (a
// benchmark, not a test): samples per second of one training step through the trainers' own pieces
// (loss, backward, Adam), DistilBERT-base's forward at batch 32 and 64 tokens, and what one
// paper-profile run would take on this machine. The data are random stand-ins of the real shapes: the
// step's cost depends on the shapes, not the values.
// Options: --threads N (default 1, what one job of a sweep gets), --steps N (timed steps, default 10),
// --games image,sent-ref,sent-cls (default all; the DistilBERT forward is timed with the sentence games).
#load "../experiments/Load.fsx"
#load "Options.fsx"

open System
open System.Diagnostics
open System.IO
open CommLab.Data
open CommLab.Dsl
open CommLab.Games
open CommLab.Text
open CommLab.Training
open TorchSharp

let threads = int (BenchOptions.number "--threads" 1.0)
// At least 7: the Image game's timed pool is 16 x steps classes of 2 images, and a game needs 100 classes.
let timedSteps = max 7 (int (BenchOptions.number "--steps" 10.0))
let games = BenchOptions.choices "--games" [ "image"; "sent-ref"; "sent-cls" ]
/// The channels to time for `game`: none when `--games` leaves it out.
let channelsOf game channels = if List.contains game games then channels else []
let sentenceGames = List.contains "sent-ref" games || List.contains "sent-cls" games
torch.set_num_threads threads

/// The median of the seconds taken by `f` over `n` calls after `warm` unmeasured ones, each call's
/// tensors freed when it returns (a DistilBERT forward leaves about 0.5 GB to the collector otherwise).
let medianSeconds warm n (f: unit -> unit) =
    let scoped () = use _ = torch.NewDisposeScope() in f ()
    for _ in 1 .. warm do scoped ()
    let times = [| for _ in 1 .. n -> let c = Stopwatch.StartNew() in scoped (); c.Elapsed.TotalSeconds |]
    Array.sortInPlace times
    times[times.Length / 2]

/// Seconds per step: an epoch of exactly `timedSteps` batches, median of 3 after one warm-up.
let stepSeconds (steps: TrainingSteps) =
    medianSeconds 1 3 (fun () -> steps.Epoch(1, Random 1) |> ignore) / float timedSteps

let adam (model: ReferentialGame) lr =
    new TrainerOptimizer(model.parameters(), CommLab.Optim.OptimizerKind.Adam, CommLab.Optim.ScheduleFreeOptions(LearningRate = lr))

let hours (seconds: float) = seconds / 3600.0
let rows = ResizeArray<string>()
let report game channel step perSample evaluation paperSteps paperEvaluations =
    let run = float paperSteps * step + float paperEvaluations * evaluation
    rows.Add(sprintf "| %s | %s | %.0f | %.0f | %.2f | %d | %.1f |" game channel (1000.0 * step) (32.0 / step) evaluation paperSteps (hours run))
    eprintfn "%s %s: step %.0f ms (%.0f samples/s), evaluation pass %.2f s, paper run %.1f h" game channel (1000.0 * step) (32.0 / step) evaluation (hours run)

let qtInst = Channel.defaults
let qtRnn (hidden: int) (embedding: int) = { Channel.defaults with Architecture = Channel.Recurrent; MessageLength = 6; Hidden = hidden; Embedding = embedding }

// --- Image game: games of 100 images of 4096 features, an informed sender, batch 32. -----------------
// Paper run: 50 epochs of 8032 / 32 = 251 steps, a validation pass over 1024 targets after each.
let imagePool classes perClass =
    let gen = new torch.Generator(1UL)
    let features = torch.rand([| int64 (classes * perClass); 4096L |], generator = gen)
    let classOf = torch.arange(int64 (classes * perClass)).div(torch.tensor(int64 perClass), rounding_mode = torch.RoundingMode.floor)
    new ImagePool(features / features.norm(1, true, 2.0f), classOf, Array.init (classes * perClass) id)
for channel, name in channelsOf "image" [ qtInst, "QT-Inst w=100"; qtRnn 20 50, "QT-RNN (GRU 20, embedding 50)" ] do
    let spec = Channel.toSpec channel
    use pool = imagePool (16 * timedSteps) 2
    use distractors = new ClassDistractors(pool.Classes)
    torch.random.manual_seed 1L |> ignore
    use model = ReferentialGame.ForImages(spec, 100, 4096, 50, 20, new torch.Generator(1UL))
    use optimizer = adam model 1e-3
    let steps = ImageGameTrainer.Steps(model, optimizer, pool, distractors, 100, 32, new torch.Generator(2UL))
    let step = stepSeconds steps
    use validation = imagePool 463 3
    use validationDistractors = new ClassDistractors(validation.Classes)
    let perTarget = medianSeconds 0 1 (fun () -> ImageGameTrainer.Evaluate(model, validation, validationDistractors, spec, 100, [| 100 |], 1) |> ignore) / float validation.Count
    report "Image" name step (32.0 / step) (1024.0 * perTarget) (50 * 251) 51

// --- DistilBERT-base, random weights of the real shapes. --------------------------------------------
let bertFolder = Path.Combine(Path.GetTempPath(), "commlab-bench-distilbert-base")
if sentenceGames && not (File.Exists(Path.Combine(bertFolder, BertCheckpoint.WeightsFile))) then
    let vocabulary = Array.append [| "[PAD]"; "[UNK]"; "[CLS]"; "[SEP]"; "[MASK]" |] (Array.init (30522 - 5) (sprintf "w%05d"))
    BertCheckpoint.WriteRandom(bertFolder, vocabulary, DistilBertConfig.BaseUncased, 1)
let randomIds (gen: torch.Generator) rows length =
    let ids = torch.randint(5L, 30522L, [| int64 rows; int64 length |], generator = gen)
    ids.index_put_(torch.tensor(2L), [| torch.TensorIndex.Colon; torch.TensorIndex.Single 0L |])
if sentenceGames then
    use checkpoint = BertCheckpoint.Load bertFolder
    let gen = new torch.Generator(3UL)
    let ids = randomIds gen 32 64
    let mask = torch.ones_like ids
    use _ = torch.no_grad()
    let forward = medianSeconds 1 5 (fun () -> (checkpoint.Model.SentenceVectors(ids, mask, SentencePooling.Mean)).Dispose())
    rows.Add(sprintf "| DistilBERT-base forward | batch 32 x 64 tokens | %.0f | %.0f | | | |" (1000.0 * forward) (32.0 / forward))
    printfn "DistilBERT-base forward, batch 32 x 64 tokens: %.0f ms (%.0f sentences/s); encoding Banking77's 10,003 sentences once: %.1f min"
        (1000.0 * forward) (32.0 / forward) (10003.0 / 32.0 * forward / 60.0)

// --- Sent-Ref: linear agents on frozen 768-d vectors, 76 negatives drawn per target. -----------------
// Paper run: 50 epochs of 8000 / 32 = 250 steps, a validation pass over 1000 sentences after each.
for channel, name in channelsOf "sent-ref" [ qtInst, "QT-Inst w=100"; qtRnn 768 768, "QT-RNN (GRU 768)" ] do
    let spec = Channel.toSpec channel
    let gen = new torch.Generator(4UL)
    let vectors = torch.randn([| int64 (32 * timedSteps); 768L |], generator = gen)
    let split = ReferentialSplit(vectors, vectors, torch.arange(int64 (32 * timedSteps)), Array.init (32 * timedSteps) id, Array.init (32 * timedSteps) (fun i -> [| i |]))
    torch.random.manual_seed 1L |> ignore
    use model = ReferentialGame.ForVectors(768, spec, new torch.Generator(1UL))
    use optimizer = adam model 1e-5
    let settings = ReferentialSettings(50, 50, 32, Nullable 76, Nullable(), [| 2; 77 |], 77, 1)
    let step = stepSeconds (ReferentialTrainer.Steps(model, optimizer, split, settings, new torch.Generator(5UL)))
    // An evaluation pass costs what its shapes cost, so the training split stands in for validation, as in Sent-Cls's rows.
    let evaluation = medianSeconds 1 3 (fun () -> ReferentialTrainer.Evaluate(model, split, [| 77 |], 1) |> ignore) * 1000.0 / float (32 * timedSteps)
    report "Sent-Ref" name step (32.0 / step) evaluation (50 * 250) 51

// --- Sent-Cls: two DistilBERT-base fine-tuned, sentences of 64 tokens, the 77 intent names of 6. -----
// Paper run: 50 epochs of 250 steps, a validation pass over 1000 sentences after each.
for channel, name in channelsOf "sent-cls" [ qtInst, "QT-Inst w=100"; qtRnn 768 768, "QT-RNN (GRU 768)" ] do
    let spec = Channel.toSpec channel
    let sender, receiver = BertCheckpoint.Load bertFolder, BertCheckpoint.Load bertFolder
    let gen = new torch.Generator(6UL)
    let sentences = randomIds gen (32 * timedSteps) 64
    let names = randomIds gen 77 6
    let classes = torch.randint(0L, 77L, [| int64 (32 * timedSteps) |], generator = gen)
    let split = ReferentialSplit(sentences, names, classes, Array.init (32 * timedSteps) id, Array.init (32 * timedSteps) (fun _ -> [| 0 |]))
    torch.random.manual_seed 1L |> ignore
    use model = ReferentialGame.ForSentences(sender.Model, receiver.Model, SentencePooling.Mean, 0L, spec, new torch.Generator(1UL))
    use optimizer = adam model 1e-5
    let settings = ReferentialSettings(50, 50, 32, Nullable(), Nullable(), [| 2; 77 |], 77, 1)
    let step = stepSeconds (ReferentialTrainer.Steps(model, optimizer, split, settings, null))
    let evaluation = medianSeconds 0 1 (fun () -> ReferentialTrainer.Evaluate(model, split, [| 77 |], 1) |> ignore) * 1000.0 / float (32 * timedSteps)
    report "Sent-Cls" name step (32.0 / step) evaluation (50 * 250) 51

// The Sent-Cls rows hold the most (two DistilBERT-base with Adam's moments), so with them the
// process's peak is theirs: what a Sent-Cls task needs.
let peakGiB = float (Process.GetCurrentProcess().PeakWorkingSet64) / float (1L <<< 30)
printfn ""
printfn "peak resident memory of the process: %.1f GiB%s" peakGiB (if List.contains "sent-cls" games then " (the Sent-Cls rows')" else "")
printfn ""
printfn "%d thread(s); a paper run = 50 epochs of steps + 51 evaluation passes (1024 or 1000 targets):" threads
printfn ""
printfn "| game | channel | step (ms) | samples/s | evaluation pass (s) | steps | paper run (h) |"
printfn "| --- | --- | --- | --- | --- | --- | --- |"
for row in rows do printfn "%s" row

/// MADDPG's replay buffer (circular insertion from a vectorised environment, uniform sampling without
/// replacement, checkpoints, no allocation per insert) and its per-agent reward standardisation.
module CommLab.Tests.MarlReplayTests

open System
open Expecto
open TorchSharp
open CommLab.Marl
open CommLab.Tests.TensorValues

let private agents = 2
let private obsLength = 3

/// E transitions numbered from `first`, in IVectorEnv's flat layouts, each value telling its transition,
/// agent and feature apart: observation 100 t + 10 a + f, next observation its negative, action (t + a) mod 5,
/// reward t + a / 10, done when t is a multiple of 3.
let private transitions (first: int) (e: int) =
    let ts = [| first .. first + e - 1 |]
    let obs = [| for t in ts do for a in 0 .. agents - 1 do for f in 0 .. obsLength - 1 -> float32 (100 * t + 10 * a + f) |]
    let actions = [| for t in ts do for a in 0 .. agents - 1 -> (t + a) % 5 |]
    let rewards = [| for t in ts do for a in 0 .. agents - 1 -> float32 t + float32 a / 10f |]
    let isDone = [| for t in ts -> t % 3 = 0 |]
    obs, actions, rewards, obs |> Array.map (fun v -> -v), isDone

let private add (buffer: ReplayBuffer) first e =
    let o, a, r, n, d = transitions first e
    buffer.Add(o, a, r, n, d)

let private filled capacity count =
    let buffer = new ReplayBuffer(capacity, agents, obsLength)
    for first in 0 .. 4 .. count - 1 do add buffer first (min 4 (count - first))
    buffer

/// The transition number stored in each row (read back from its first observation value).
let private storedTransitions (observations: torch.Tensor) =
    floats (observations.select(1, 0L).select(1, 0L)) |> Array.map (fun v -> int v / 100)

let private longs (t: torch.Tensor) = t.cpu().data<int64>().ToArray()

let private sameBatch (a: ReplayBatch) (b: ReplayBatch) what =
    Expect.sequenceEqual (longs b.Rows) (longs a.Rows) (sprintf "%s: the same rows" what)
    for name, x, y in [ "observations", a.Observations, b.Observations; "rewards", a.Rewards, b.Rewards
                        "next observations", a.NextObservations, b.NextObservations; "done", a.Done, b.Done ] do
        Expect.sequenceEqual (floats y) (floats x) (sprintf "%s: the same %s" what name)
    Expect.sequenceEqual (longs b.Actions) (longs a.Actions) (sprintf "%s: the same actions" what)

let private buffer =
    testList "replay buffer" [
        test "transitions are written in a circle: the newest overwrite the oldest" {
            use b = filled 5 0
            add b 0 2
            add b 2 2
            add b 4 2
            Expect.equal (b.Count, b.Position) (5, 1) "5 stored, the next goes to row 1"
            use s = b.State()
            Expect.sequenceEqual (storedTransitions s.Observations) [| 5; 1; 2; 3; 4 |] "transition 5 replaced transition 0 in row 0"
            let o, a, r, n, d = transitions 0 6
            let row t = t % 5
            for t in 1 .. 5 do
                Expect.sequenceEqual (floats s.Observations[int64 (row t)]) o[t * agents * obsLength .. (t + 1) * agents * obsLength - 1] (sprintf "observations of transition %d" t)
                Expect.sequenceEqual (floats s.NextObservations[int64 (row t)]) n[t * agents * obsLength .. (t + 1) * agents * obsLength - 1] (sprintf "next observations of transition %d" t)
                Expect.sequenceEqual (longs s.Actions[int64 (row t)]) (a[t * agents .. t * agents + 1] |> Array.map int64) (sprintf "actions of transition %d" t)
                Expect.sequenceEqual (floats s.Rewards[int64 (row t)]) r[t * agents .. t * agents + 1] (sprintf "rewards of transition %d" t)
                Expect.equal (floats s.Done[int64 (row t)]).[0] (if d[t] then 1f else 0f) (sprintf "done of transition %d" t)
        }

        test "tensors store what spans store" {
            use bySpans = filled 7 0
            use byTensors = new ReplayBuffer(7, agents, obsLength)
            for first in 0 .. 3 .. 9 do
                add bySpans first 3
                let o, a, r, n, d = transitions first 3
                byTensors.Add(torch.tensor(o).reshape(3L, 2L, 3L), torch.tensor(a).reshape(3L, 2L), torch.tensor(r).reshape(3L, 2L),
                              torch.tensor(n).reshape(3L, 2L, 3L), torch.tensor(d))
            use s1 = bySpans.State()
            use s2 = byTensors.State()
            Expect.equal (s2.Position, s2.Count) (s1.Position, s1.Count) "same position and count"
            for name, x, y in [ "observations", s1.Observations, s2.Observations; "rewards", s1.Rewards, s2.Rewards
                                "next observations", s1.NextObservations, s2.NextObservations; "done", s1.Done, s2.Done ] do
                Expect.sequenceEqual (floats y) (floats x) name
            Expect.sequenceEqual (longs s2.Actions) (longs s1.Actions) "actions (int32 given, int64 stored)"
        }

        test "a batch holds distinct stored rows with their stored values" {
            use b = filled 50 20
            let g = new torch.Generator(3UL)
            for _ in 1 .. 50 do
                use batch = b.Sample(8, g)
                let rows = longs batch.Rows
                Expect.equal (Array.distinct rows).Length 8 "no row twice in a batch"
                Expect.isTrue (rows |> Array.forall (fun r -> r >= 0L && r < 20L)) "only stored rows"
                Expect.sequenceEqual (storedTransitions batch.Observations) (rows |> Array.map int) "observations of the rows drawn (row t holds transition t)"
                Expect.sequenceEqual (floats (batch.Rewards.select(1, 1L))) (rows |> Array.map (fun t -> float32 t + 0.1f)) "agent 1's rewards"
                Expect.sequenceEqual (floats batch.Done) (rows |> Array.map (fun t -> if t % 3L = 0L then 1f else 0f)) "done flags"
        }

        test "every row, and every pair of rows, is equally likely" {
            // 20 rows, batches of 8 (chi-square, 19 degrees of freedom: 43.82 at p = 0.001).
            use b = filled 50 20
            let g = new torch.Generator(4UL)
            let counts = Array.zeroCreate 20
            for _ in 1 .. 4000 do
                use batch = b.Sample(8, g)
                for r in longs batch.Rows do counts[int r] <- counts[int r] + 1
            let expected = 4000.0 * 8.0 / 20.0
            let chi = counts |> Array.sumBy (fun c -> (float c - expected) ** 2.0 / expected)
            Expect.isLessThan chi 43.82 (sprintf "row counts look uniform: %A" counts)
            // 5 rows, batches of 2: the 10 pairs (9 degrees of freedom: 27.88 at p = 0.001).
            use small = filled 5 5
            let pairs = Collections.Generic.Dictionary<int64 * int64, int>()
            for _ in 1 .. 5000 do
                use batch = small.Sample(2, g)
                let r = longs batch.Rows |> Array.sort
                let key = r[0], r[1]
                pairs[key] <- (match pairs.TryGetValue key with | true, c -> c | _ -> 0) + 1
            Expect.equal pairs.Count 10 "every pair occurs"
            let chiPairs = pairs.Values |> Seq.sumBy (fun c -> (float c - 500.0) ** 2.0 / 500.0)
            Expect.isLessThan chiPairs 27.88 (sprintf "pair counts look uniform: %A" (Seq.toList pairs))
        }

        test "a batch larger than what is stored is refused" {
            use b = filled 50 6
            let e = Expect.throwsC (fun () -> b.Sample(7, new torch.Generator(1UL)) |> ignore) id
            Expect.stringContains e.Message "must be in [1, 6]" "says how many are stored"
            Expect.stringContains e.Message "got 7" "quotes the batch size"
        }

        test "a restored buffer samples the same batches from the same generator state, and goes on alike" {
            use original = filled 30 45
            use s = original.State()
            use restored = new ReplayBuffer(30, agents, obsLength)
            restored.Restore(s)
            Expect.equal (restored.Count, restored.Position) (original.Count, original.Position) "count and position"
            let g = new torch.Generator(9UL)
            let state = g.get_state()
            use a = original.Sample(16, g)
            g.set_state(state)
            use b = restored.Sample(16, g)
            sameBatch a b "after restoring"
            add original 45 4
            add restored 45 4
            use a2 = original.Sample(30, new torch.Generator(10UL))
            use b2 = restored.Sample(30, new torch.Generator(10UL))
            sameBatch a2 b2 "after more inserts"
        }

        test "a buffer saved to a stream and loaded back samples the same batches, wrapped around or not" {
            for added in [ 12; 45 ] do
                use original = filled 30 added
                use stream = new IO.MemoryStream()
                original.Save(new IO.BinaryWriter(stream))
                stream.Position <- 0L
                use loaded = new ReplayBuffer(30, agents, obsLength)
                loaded.Load(new IO.BinaryReader(stream))
                Expect.equal (loaded.Count, loaded.Position) (original.Count, original.Position) "count and position"
                use a = original.Sample(original.Count, new torch.Generator(3UL))
                use b = loaded.Sample(loaded.Count, new torch.Generator(3UL))
                sameBatch a b (sprintf "every stored transition, after %d inserts" added)
            use small = new ReplayBuffer(20, agents, obsLength)
            use stream = new IO.MemoryStream()
            (filled 30 5).Save(new IO.BinaryWriter(stream))
            stream.Position <- 0L
            let e = Expect.throwsC (fun () -> small.Load(new IO.BinaryReader(stream))) id
            Expect.stringContains e.Message "30 transitions x 2 agents x 3 floats" "names the saved shape"
        }

        test "a state of another buffer shape is refused" {
            use b = filled 30 10
            use s = b.State()
            use other = new ReplayBuffer(31, agents, obsLength)
            let e = Expect.throwsC (fun () -> other.Restore(s)) id
            Expect.stringContains e.Message "30 transitions x 2 agents x 3 floats" "names both shapes"
        }

        test "inserting allocates nothing, from arrays or from tensors in the stored form" {
            // 8 environments of 2 agents with RWARE's 91-float observations, as a trainer would insert them.
            use b = new ReplayBuffer(1000, 2, 91)
            let o, n = Array.create (8 * 2 * 91) 1f, Array.create (8 * 2 * 91) 2f
            let a, r, d = Array.create 16 3, Array.create 16 0.5f, Array.create 8 false
            let ot, nt, rt = torch.tensor(o).reshape(8L, 2L, 91L), torch.tensor(n).reshape(8L, 2L, 91L), torch.tensor(r).reshape(8L, 2L)
            let at, dt = torch.tensor(a).reshape(8L, 2L).to_type(torch.int64), torch.tensor(d).to_type(torch.float32)
            let fromArrays () = for _ in 1 .. 10_000 do b.Add(o, a, r, n, d)
            let fromTensors () = for _ in 1 .. 10_000 do b.Add(ot, at, rt, nt, dt)
            // The second run is measured: the first lets the JIT finish with the loop (its on-stack
            // replacement allocates a little, once).
            let allocated (insert: unit -> unit) =
                insert ()
                let before = GC.GetAllocatedBytesForCurrentThread()
                insert ()
                GC.GetAllocatedBytesForCurrentThread() - before
            Expect.equal (allocated fromArrays) 0L "10,000 inserts of 8 transitions from arrays allocate 0 bytes"
            Expect.equal (allocated fromTensors) 0L "10,000 inserts of 8 transitions from float32 / int64 CPU tensors allocate 0 bytes"
        }

        test "the paper's buffer size is documented: 2M transitions of 2 agents with 91 floats is about 3 GB" {
            let bytes = ReplayBuffer.BytesFor(2_000_000, 2, 91)
            Expect.equal bytes 2_968_000_000L "2M x (2 x 2 x 91 x 4 + 2 x 12 + 4) bytes"
        }

        test "a capacity beyond one array is refused before allocating" {
            let e = Expect.throwsC (fun () -> new ReplayBuffer(2_000_000_000, 8, 91) |> ignore) id
            Expect.stringContains e.Message "lower the capacity" "says what to do"
        }
    ]

/// `count` rewards for each of 3 agents with different scales: around 5 with spread 0.1, mostly 0
/// with rare 1s (LBF's sparse rewards), and standard normal.
let private rewardBatch (g: Random) count =
    Array.init count (fun _ ->
        [| 5.0 + 0.1 * (g.NextDouble() - 0.5); (if g.NextDouble() < 0.05 then 1.0 else 0.0); g.NextDouble() * 2.0 - 1.0 |])

let private asTensor (rows: float[][]) =
    torch.tensor(Array.concat rows |> Array.map float32).reshape(int64 rows.Length, 3L)

let private standardizer =
    testList "reward standardisation" [
        test "the running mean and variance are those of every reward seen" {
            let s = RewardStandardizer(3)
            let g = Random(5)
            let seen = ResizeArray<float32[]>()
            for size in [ 1; 7; 512; 33; 512; 2; 100 ] do
                let batch = rewardBatch g size
                // Rewards pass through float32, as the buffer stores them; compare with those values.
                seen.AddRange(batch |> Array.map (Array.map float32))
                s.Update(asTensor batch)
                for a in 0 .. 2 do
                    let values = seen |> Seq.map (fun r -> float r[a]) |> Seq.toArray
                    let mean = Array.average values
                    let variance = values |> Array.averageBy (fun v -> (v - mean) ** 2.0)
                    Expect.floatClose Accuracy.veryHigh s.Mean[a] mean (sprintf "agent %d mean after %d rewards" a seen.Count)
                    Expect.floatClose { absolute = 1e-15; relative = 1e-9 } s.Variance[a] variance (sprintf "agent %d variance after %d rewards" a seen.Count)
            Expect.equal s.Count (int64 seen.Count) "count"
        }

        test "rewards are standardised per agent, and all-equal rewards become 0" {
            let s = RewardStandardizer(3)
            let batch = asTensor (rewardBatch (Random(6)) 64)
            let standardised = s.UpdateAndStandardize(batch) |> rows
            for a in 0 .. 2 do
                let std = sqrt s.Variance[a]
                rows batch |> Array.iteri (fun i r ->
                    Expect.floatClose { absolute = 1e-5; relative = 1e-5 } (float standardised.[i].[a]) ((float r.[a] - s.Mean.[a]) / std) (sprintf "agent %d row %d" a i))
            let zeros = RewardStandardizer(2)
            let out = zeros.UpdateAndStandardize(torch.zeros(8L, 2L)) |> floats
            Expect.isTrue (out |> Array.forall (fun v -> v = 0f)) "variance 0: every reward equals the mean and becomes 0, not NaN"
        }

        test "a restored standardizer continues exactly" {
            let g = Random(7)
            let a, b = RewardStandardizer(3), RewardStandardizer(3)
            a.Update(asTensor (rewardBatch g 100))
            b.Restore(a.State())
            let next = asTensor (rewardBatch g 50)
            Expect.sequenceEqual (floats (b.UpdateAndStandardize(next))) (floats (a.UpdateAndStandardize(next))) "same standardised rewards"
            Expect.sequenceEqual b.Variance a.Variance "same variances"
        }

        test "standardising before any update is refused" {
            let e = Expect.throwsC (fun () -> RewardStandardizer(2).Standardize(torch.zeros(3L, 2L)) |> ignore) id
            Expect.stringContains e.Message "call Update" "says what to do"
        }
    ]

let tests = testList "MADDPG parts" [ buffer; standardizer ]

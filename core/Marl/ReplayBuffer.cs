using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace CommLab.Marl;

/// <summary>MADDPG's replay memory: the last <see cref="Capacity"/> multi-agent transitions, written in a
/// circle, sampled uniformly without replacement within a batch (the authors' <c>np.random.choice(...,
/// replace=False)</c>).</summary>
/// <remarks>
/// <para>Storage is five managed arrays allocated once, each wrapped as a tensor over the same memory with
/// <c>torch.from_array</c>: inserting is a span copy (no allocation, no libtorch call per transition), and
/// sampling is one <c>index_select</c> per field. Observations [C, N, obs] and next observations
/// [C, N, obs] float32, actions [C, N] int64, rewards [C, N] float32, done [C] float32 (1 = no bootstrap).</para>
/// <para>Memory: <see cref="BytesFor"/> = C (8 N obs + 12 N + 4) bytes. The paper's 2,000,000 transitions with
/// 2 agents and RWARE's 91-float observations take about 3 GB (1,484 bytes each), with 4 agents about
/// 5.9 GB, so the capacity is the caller's choice (<see cref="MaddpgSettings.BufferCapacity"/>). The arrays
/// are allocated uninitialized, and the operating system gives a page memory only when it is first
/// written, so a buffer costs memory as it fills, not when it is created (measured on Linux: a 2.9 GB
/// array raised the resident set by 0 bytes until written).</para>
/// </remarks>
public sealed class ReplayBuffer : IDisposable
{
    readonly float[] observations, nextObservations, rewards, done;
    readonly long[] actions;
    readonly Tensor observationsView, nextObservationsView, actionsView, rewardsView, doneView;
    readonly HashSet<long> chosen = new();
    int position, count;

    /// <param name="capacity">C, transitions kept (the paper: 2,000,000).</param>
    /// <param name="agents">N.</param>
    /// <param name="observationLength">Floats per agent observation.</param>
    public ReplayBuffer(int capacity, int agents, int observationLength)
    {
        if (capacity < 1 || agents < 1 || observationLength < 1)
            throw new ArgumentException($"capacity, agents and observation length must be >= 1, got {capacity}, {agents}, {observationLength}");
        var floats = (long)capacity * agents * observationLength;
        if (floats > Array.MaxLength)
            throw new ArgumentException($"{capacity} transitions x {agents} agents x {observationLength} floats = {floats} floats per observation " +
                $"array, more than one .NET array holds ({Array.MaxLength}); lower the capacity");
        Capacity = capacity;
        Agents = agents;
        ObservationLength = observationLength;
        observations = GC.AllocateUninitializedArray<float>((int)floats, pinned: true);
        nextObservations = GC.AllocateUninitializedArray<float>((int)floats, pinned: true);
        actions = GC.AllocateUninitializedArray<long>(capacity * agents, pinned: true);
        rewards = GC.AllocateUninitializedArray<float>(capacity * agents, pinned: true);
        done = GC.AllocateUninitializedArray<float>(capacity, pinned: true);
        observationsView = View(observations, capacity, agents, observationLength);
        nextObservationsView = View(nextObservations, capacity, agents, observationLength);
        actionsView = View(actions, capacity, agents);
        rewardsView = View(rewards, capacity, agents);
        doneView = View(done, capacity);
    }

    /// <summary>Bytes a buffer of these sizes holds once full.</summary>
    public static long BytesFor(int capacity, int agents, int observationLength) =>
        (long)capacity * (2L * agents * observationLength * sizeof(float) + agents * (sizeof(long) + sizeof(float)) + sizeof(float));

    /// <summary>C, the transitions kept.</summary>
    public int Capacity { get; }

    /// <summary>N.</summary>
    public int Agents { get; }

    /// <summary>Floats per agent observation.</summary>
    public int ObservationLength { get; }

    /// <summary>Transitions stored (at most <see cref="Capacity"/>).</summary>
    public int Count => count;

    /// <summary>The row the next transition is written to.</summary>
    public int Position => position;

    /// <summary>Stores E transitions at once in the flat layouts of <c>IVectorEnv</c> (E = done.Length):
    /// observations and next observations [E * N * obs], actions [E * N], rewards [E * N], done [E].
    /// When the buffer is full the oldest transitions are overwritten. Allocates nothing.</summary>
    /// <remarks>What counts as done is the caller's choice: the authors' code stores time-limit ends as
    /// done (<see cref="CriticTarget.AsRun"/>).</remarks>
    public void Add(ReadOnlySpan<float> observations, ReadOnlySpan<int> actions, ReadOnlySpan<float> rewards,
        ReadOnlySpan<float> nextObservations, ReadOnlySpan<bool> done)
    {
        var e = CheckedRows(done.Length, observations.Length, actions.Length, rewards.Length, nextObservations.Length);
        CopyRows(observations, this.observations, Agents * ObservationLength);
        CopyRows(nextObservations, this.nextObservations, Agents * ObservationLength);
        CopyRows(rewards, this.rewards, Agents);
        for (int k = 0; k < e; k++)
        {
            var row = Row(k);
            this.done[row] = done[k] ? 1f : 0f;
            for (int a = 0; a < Agents; a++) this.actions[(long)row * Agents + a] = actions[k * Agents + a];
        }
        Advance(e);
    }

    /// <summary><see cref="Add(ReadOnlySpan{float}, ReadOnlySpan{int}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{bool})"/>
    /// for callers holding arrays (F# does not convert them to spans).</summary>
    public void Add(float[] observations, int[] actions, float[] rewards, float[] nextObservations, bool[] done) =>
        Add(observations.AsSpan(), actions.AsSpan(), rewards.AsSpan(), nextObservations.AsSpan(), done.AsSpan());

    /// <summary>Stores E transitions given as tensors on any device: observations and next observations
    /// [E, N, obs], actions [E, N] (integer), rewards [E, N], done [E] (bool or 0/1). Tensors already in the
    /// stored form (contiguous on the CPU; float32, actions int64) are read in place and nothing is
    /// allocated; others are first copied and converted.</summary>
    public void Add(Tensor observations, Tensor actions, Tensor rewards, Tensor nextObservations, Tensor done)
    {
        if (done.dim() != 1) throw new ArgumentException($"done must be [E], got [{string.Join(", ", done.shape)}]");
        var e = done.size(0);
        Expect("observations", observations, e, Agents, ObservationLength);
        Expect("next observations", nextObservations, e, Agents, ObservationLength);
        Expect("actions", actions, e, Agents);
        Expect("rewards", rewards, e, Agents);
        CheckedRows((int)e, (int)observations.numel(), (int)actions.numel(), (int)rewards.numel(), (int)nextObservations.numel());
        if (Stored(observations, ScalarType.Float32) && Stored(nextObservations, ScalarType.Float32) && Stored(actions, ScalarType.Int64) &&
            Stored(rewards, ScalarType.Float32) && Stored(done, ScalarType.Float32))
        {
            AddStored(observations, actions, rewards, nextObservations, done);
            return;
        }
        using var scope = NewDisposeScope();
        AddStored(ToStored(observations, ScalarType.Float32), ToStored(actions, ScalarType.Int64), ToStored(rewards, ScalarType.Float32),
            ToStored(nextObservations, ScalarType.Float32), ToStored(done, ScalarType.Float32));
    }

    void AddStored(Tensor observations, Tensor actions, Tensor rewards, Tensor nextObservations, Tensor done)
    {
        CopyRows<float>(MemoryMarshal.Cast<byte, float>(observations.bytes), this.observations, Agents * ObservationLength);
        CopyRows<float>(MemoryMarshal.Cast<byte, float>(nextObservations.bytes), this.nextObservations, Agents * ObservationLength);
        CopyRows<long>(MemoryMarshal.Cast<byte, long>(actions.bytes), this.actions, Agents);
        CopyRows<float>(MemoryMarshal.Cast<byte, float>(rewards.bytes), this.rewards, Agents);
        CopyRows<float>(MemoryMarshal.Cast<byte, float>(done.bytes), this.done, 1);
        Advance((int)done.size(0));
    }

    /// <summary><paramref name="batchSize"/> distinct stored transitions, each set of rows equally likely,
    /// drawn with <paramref name="generator"/> (a CPU generator): <paramref name="batchSize"/> uniforms from
    /// it per call, so the same generator state gives the same batch. On <paramref name="device"/> when
    /// given (else the CPU). The batch's tensors are copies: later inserts do not change them.</summary>
    /// <remarks>Rows are drawn by Floyd's algorithm (O(batch) work and memory whatever the count, where a
    /// permutation of 2M rows would cost milliseconds per update). Its order within the batch is not a
    /// uniform permutation, which nothing downstream depends on: every loss is a batch mean.</remarks>
    public ReplayBatch Sample(int batchSize, Generator generator, Device? device = null)
    {
        if (batchSize < 1 || batchSize > count)
            throw new ArgumentException($"batch size must be in [1, {count}] (the transitions stored, drawn without replacement), got {batchSize}");
        using var scope = NewDisposeScope();
        var rows = tensor(DistinctRows(batchSize, generator));
        Tensor Take(Tensor source)
        {
            var picked = source.index_select(0, rows);
            return device is null || device.type == TorchSharp.DeviceType.CPU ? picked : picked.to(device);
        }
        var batch = new ReplayBatch(rows, Take(observationsView), Take(actionsView), Take(rewardsView), Take(nextObservationsView), Take(doneView));
        return batch.MoveToOuterDisposeScope();
    }

    long[] DistinctRows(int k, Generator generator)
    {
        using var uniforms = rand(k, dtype: ScalarType.Float64, generator: generator);
        var u = MemoryMarshal.Cast<byte, double>(uniforms.bytes);
        var rows = new long[k];
        chosen.Clear();
        for (int i = 0; i < k; i++)
        {
            // Floyd: for j = n - k .. n - 1, take a uniform t in [0, j], or j itself if t was taken already.
            long j = count - k + i;
            var t = Math.Min((long)(u[i] * (j + 1)), j);
            if (!chosen.Add(t))
            {
                t = j;
                chosen.Add(j);
            }
            rows[i] = t;
        }
        return rows;
    }

    /// <summary>A copy of the stored transitions (rows [0, Count)), <see cref="Position"/> and
    /// <see cref="Count"/>: a buffer restored from it samples the same batches from the same generator
    /// state. The copy is as large as the filled part; dispose it when written out.</summary>
    public ReplayBufferState State()
    {
        using var scope = NewDisposeScope();
        Tensor Filled(Tensor view) => view.narrow(0, 0, count).clone().DetachFromDisposeScope();
        return new ReplayBufferState(Capacity, Agents, ObservationLength, position, count,
            Filled(observationsView), Filled(actionsView), Filled(rewardsView), Filled(nextObservationsView), Filled(doneView));
    }

    /// <summary>Replaces the contents with <paramref name="state"/>, taken from a buffer of the same
    /// capacity, agents and observation length (refused otherwise, before anything changes).</summary>
    public void Restore(ReplayBufferState state)
    {
        if (state.Capacity != Capacity || state.Agents != Agents || state.ObservationLength != ObservationLength)
            throw new ArgumentException($"state is of a buffer of {state.Capacity} transitions x {state.Agents} agents x {state.ObservationLength} floats, " +
                $"this one is {Capacity} x {Agents} x {ObservationLength}");
        if (state.Count < 0 || state.Count > Capacity || state.Position < 0 || state.Position >= Capacity ||
            (state.Count < Capacity && state.Position != state.Count))
            throw new ArgumentException($"state has position {state.Position} and count {state.Count}; a buffer of {Capacity} " +
                "has count in [0, capacity] and, until full, position = count");
        using var scope = NewDisposeScope();
        Expect("state observations", state.Observations, state.Count, Agents, ObservationLength);
        Expect("state next observations", state.NextObservations, state.Count, Agents, ObservationLength);
        Expect("state actions", state.Actions, state.Count, Agents);
        Expect("state rewards", state.Rewards, state.Count, Agents);
        Expect("state done", state.Done, state.Count);
        void Fill(Tensor view, Tensor source) => view.narrow(0, 0, state.Count).copy_(source);
        Fill(observationsView, state.Observations);
        Fill(nextObservationsView, state.NextObservations);
        Fill(actionsView, state.Actions);
        Fill(rewardsView, state.Rewards);
        Fill(doneView, state.Done);
        position = state.Position;
        count = state.Count;
    }

    /// <summary>Writes the sizes, position, count and filled rows straight from the arrays, with no copy
    /// in memory (a checkpoint of a 2M-transition buffer is gigabytes; <see cref="State"/> would double it).</summary>
    public void Save(BinaryWriter writer)
    {
        writer.Write(Capacity); writer.Write(Agents); writer.Write(ObservationLength);
        writer.Write(position); writer.Write(count);
        foreach (var (values, width) in Fields)
        {
            var length = (long)count * width;
            writer.Write(length);
            for (long start = 0; start < length; start += Slice)
                writer.Write(Bytes(values, start, (int)Math.Min(Slice, length - start)));
        }
    }

    /// <summary>Reads back what <see cref="Save"/> wrote, into a buffer of the same sizes (refused
    /// otherwise, naming both).</summary>
    public void Load(BinaryReader reader)
    {
        var (capacity, agents, length) = (reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
        if (capacity != Capacity || agents != Agents || length != ObservationLength)
            throw new InvalidDataException($"the saved buffer holds {capacity} transitions x {agents} agents x {length} floats, " +
                $"this one {Capacity} x {Agents} x {ObservationLength}");
        var (savedPosition, savedCount) = (reader.ReadInt32(), reader.ReadInt32());
        if (savedCount < 0 || savedCount > Capacity || savedPosition < 0 || savedPosition >= Capacity)
            throw new InvalidDataException($"the saved buffer has position {savedPosition} and count {savedCount}, outside a buffer of {Capacity}");
        foreach (var (values, width) in Fields)
        {
            var expected = (long)savedCount * width;
            var saved = reader.ReadInt64();
            if (saved != expected) throw new InvalidDataException($"the saved buffer has {saved} values where {expected} were expected");
            for (long start = 0; start < expected; start += Slice)
                reader.BaseStream.ReadExactly(Bytes(values, start, (int)Math.Min(Slice, expected - start)));
        }
        position = savedPosition;
        count = savedCount;
    }

    // The stored arrays and the values each holds per transition, in the order Save writes them.
    (Array Values, int Width)[] Fields => new (Array, int)[]
    {
        (observations, Agents * ObservationLength), (nextObservations, Agents * ObservationLength), (actions, Agents), (rewards, Agents), (done, 1),
    };

    // Whole arrays can pass 2 GB, so they go through in slices of at most 16M values.
    const int Slice = 1 << 24;

    // The bytes of values [start, start + length) of a float or long array.
    static Span<byte> Bytes(Array values, long start, int length)
    {
        var size = values is long[] ? sizeof(long) : sizeof(float);
        ref var first = ref MemoryMarshal.GetArrayDataReference(values);
        return MemoryMarshal.CreateSpan(ref Unsafe.Add(ref first, (nint)(start * size)), length * size);
    }

    /// <summary>Frees the tensor views; the arrays go with the garbage collector.</summary>
    public void Dispose()
    {
        observationsView.Dispose();
        nextObservationsView.Dispose();
        actionsView.Dispose();
        rewardsView.Dispose();
        doneView.Dispose();
    }

    int CheckedRows(int e, int observationsLength, int actionsLength, int rewardsLength, int nextLength)
    {
        if (e < 1 || e > Capacity)
            throw new ArgumentException($"a batch must hold 1 to {Capacity} (the capacity) transitions, got {e}");
        long perObservation = (long)e * Agents * ObservationLength;
        if (observationsLength != perObservation || nextLength != perObservation || actionsLength != e * Agents || rewardsLength != e * Agents)
            throw new ArgumentException($"{e} transitions of {Agents} agents need observations and next observations of {perObservation} floats " +
                $"and {e * Agents} actions and rewards; got {observationsLength}, {nextLength}, {actionsLength}, {rewardsLength}");
        return e;
    }

    // Transition k of the batch being added goes to row (position + k) mod C.
    int Row(int k) => (int)(((long)position + k) % Capacity);

    void CopyRows<T>(ReadOnlySpan<T> source, T[] target, int width)
    {
        var rows = source.Length / width;
        var first = Math.Min(rows, Capacity - position);
        source[..(first * width)].CopyTo(target.AsSpan((int)((long)position * width)));
        source[(first * width)..].CopyTo(target.AsSpan());
    }

    void Advance(int e)
    {
        position = Row(e);
        count = (int)Math.Min((long)count + e, Capacity);
    }

    static Tensor View(Array array, params long[] shape)
    {
        using var flat = from_array(array);
        return flat.view(shape).DetachFromDisposeScope();
    }

    static bool Stored(Tensor t, ScalarType dtype) =>
        t.device_type == TorchSharp.DeviceType.CPU && t.dtype == dtype && t.is_contiguous();

    static Tensor ToStored(Tensor t, ScalarType dtype) => Stored(t, dtype) ? t : t.detach().to(dtype, CPU).contiguous();

    // Shapes of rank 1 to 3 (d1, d2 = -1: absent), checked without allocating.
    static void Expect(string name, Tensor t, long d0, long d1 = -1, long d2 = -1)
    {
        var rank = d1 < 0 ? 1 : d2 < 0 ? 2 : 3;
        if (t.dim() == rank && t.size(0) == d0 && (rank < 2 || t.size(1) == d1) && (rank < 3 || t.size(2) == d2)) return;
        throw new ArgumentException($"{name} must be [{string.Join(", ", new[] { d0, d1, d2 }.Take(rank))}], got [{string.Join(", ", t.shape)}]");
    }
}

/// <summary>A sampled batch: the rows drawn and the five fields at those rows, B first. One bundle so that
/// it leaves its dispose scope whole and is freed whole.</summary>
/// <param name="Rows">[B] int64 on the CPU, the buffer rows drawn.</param>
/// <param name="Observations">[B, N, obs] float32.</param>
/// <param name="Actions">[B, N] int64.</param>
/// <param name="Rewards">[B, N] float32.</param>
/// <param name="NextObservations">[B, N, obs] float32.</param>
/// <param name="Done">[B] float32, 1 where the target must not bootstrap.</param>
public sealed record ReplayBatch(Tensor Rows, Tensor Observations, Tensor Actions, Tensor Rewards, Tensor NextObservations, Tensor Done) : IDisposable
{
    Tensor[] All => new[] { Rows, Observations, Actions, Rewards, NextObservations, Done };

    /// <summary>Moves every tensor to the enclosing dispose scope (what a sampling step returns).</summary>
    public ReplayBatch MoveToOuterDisposeScope()
    {
        foreach (var t in All) t.MoveToOuterDisposeScope();
        return this;
    }

    /// <summary>Frees every tensor; safe to call twice.</summary>
    public void Dispose()
    {
        foreach (var t in All) t.Dispose();
    }
}

/// <summary>A checkpoint of a <see cref="ReplayBuffer"/>: its sizes, position and count, and copies of its
/// filled rows (Count first). Owns its tensors, outside any dispose scope: dispose it when done.</summary>
public sealed record ReplayBufferState(int Capacity, int Agents, int ObservationLength, int Position, int Count,
    Tensor Observations, Tensor Actions, Tensor Rewards, Tensor NextObservations, Tensor Done) : IDisposable
{
    /// <summary>Frees the copies.</summary>
    public void Dispose()
    {
        Observations.Dispose();
        Actions.Dispose();
        Rewards.Dispose();
        NextObservations.Dispose();
        Done.Dispose();
    }
}

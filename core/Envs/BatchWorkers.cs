namespace CommLab.Envs;

/// <summary>Splits a batch of environments into contiguous ranges, one per thread, and runs a body on
/// each. The helper threads live as long as the batch, so a step allocates nothing (Parallel.For
/// allocates per call); with one thread the body runs inline.</summary>
sealed class BatchWorkers : IDisposable
{
    readonly int count;
    readonly Action<int, int> body;
    readonly Thread[] helpers;
    readonly SemaphoreSlim[] start;
    readonly CountdownEvent finished;
    Exception? failure;
    volatile bool stopping;

    /// <param name="count">Items (environments) to split.</param>
    /// <param name="threads">Threads to use, the caller's included.</param>
    /// <param name="body">Called with [from, to) ranges; must touch only its own range.</param>
    public BatchWorkers(int count, int threads, Action<int, int> body)
    {
        if (threads < 1) throw new ArgumentException($"threads must be >= 1, got {threads}");
        this.count = count;
        this.body = body;
        Threads = Math.Max(1, Math.Min(threads, count));
        helpers = new Thread[Threads - 1];
        start = new SemaphoreSlim[Threads - 1];
        finished = new CountdownEvent(1);
        for (var i = 0; i < helpers.Length; i++)
        {
            var part = i + 1;
            start[i] = new SemaphoreSlim(0);
            helpers[i] = new Thread(() => Serve(part)) { IsBackground = true, Name = $"env-batch-{part}" };
            helpers[i].Start();
        }
    }

    public int Threads { get; }

    (int From, int To) Range(int part) => (count * part / Threads, count * (part + 1) / Threads);

    void Serve(int part)
    {
        while (true)
        {
            start[part - 1].Wait();
            if (stopping) return;
            try { var (a, b) = Range(part); body(a, b); }
            catch (Exception e) { failure = e; }
            finally { finished.Signal(); }
        }
    }

    /// <summary>Runs the body over the whole batch and returns when every range is done.</summary>
    public void Run()
    {
        if (helpers.Length == 0) { body(0, count); return; }
        failure = null;
        finished.Reset(helpers.Length);
        foreach (var s in start) s.Release();
        var (a, b) = Range(0);
        try { body(a, b); }
        finally { finished.Wait(); }
        if (failure != null) throw new InvalidOperationException("an environment worker failed", failure);
    }

    public void Dispose()
    {
        stopping = true;
        foreach (var s in start) s.Release();
        foreach (var t in helpers) t.Join();
        foreach (var s in start) s.Dispose();
        finished.Dispose();
    }
}

namespace CommLab.Envs.Warehouse;

/// <summary>A batch of Multi-Robot Warehouse environments with the rules of rware at commit 8fb9805
/// ("v1"), which the MADDPG paper ran: flattened observations, no message bits.</summary>
public sealed class WarehouseEnv : VectorEnv<WarehouseTask, WarehouseState>
{
    /// <summary>Action numbers, as in the reference.</summary>
    public const int Noop = 0, Forward = 1, Left = 2, Right = 3, ToggleLoad = 4;

    readonly WarehouseLayout layout;
    readonly (int X, int Y)[] goals; // an array: enumerating the layout's list would allocate every step
    readonly int n, shelves, queue, cells, width, height;
    // Robots [env, agent]; shelves [env, shelf]; grids [env, cell] hold index + 1 (0: empty).
    readonly int[] agentX, agentY, agentDir, carrying;
    readonly bool[] delivered;
    readonly int[] shelfX, shelfY;
    readonly int[] agentGrid, shelfGrid;
    readonly int[] requests;
    readonly bool[] requested;
    readonly int[] inactive;
    // Per-step scratch, each environment using its own slice.
    readonly int[] request, targetCell, succ, stamp, resolveScratch, shuffle;
    readonly bool[] commit;

    public WarehouseEnv(WarehouseTask task, int batchSize, int threads = 1) : base(task, batchSize, threads)
    {
        layout = WarehouseLayout.For(task);
        goals = layout.Goals.ToArray();
        n = task.AgentCount; shelves = layout.ShelfCount; queue = task.RequestQueueSize;
        width = layout.Columns; height = layout.Rows; cells = width * height;
        agentX = new int[batchSize * n]; agentY = new int[batchSize * n]; agentDir = new int[batchSize * n];
        carrying = new int[batchSize * n]; delivered = new bool[batchSize * n];
        shelfX = new int[batchSize * shelves]; shelfY = new int[batchSize * shelves];
        agentGrid = new int[batchSize * cells]; shelfGrid = new int[batchSize * cells];
        requests = new int[batchSize * queue]; requested = new bool[batchSize * shelves];
        inactive = new int[batchSize];
        request = new int[batchSize * n]; targetCell = new int[batchSize * n]; succ = new int[batchSize * n];
        stamp = new int[batchSize * n]; resolveScratch = new int[batchSize * 4 * n]; commit = new bool[batchSize * n];
        shuffle = new int[batchSize * shelves];
        Bounds = MakeBounds(task, layout);
    }

    /// <summary>The floor plan shared by every environment of the batch.</summary>
    public WarehouseLayout Layout => layout;

    public override ObservationBounds Bounds { get; }

    protected override string ActionNames => "0 NOOP, 1 FORWARD, 2 LEFT, 3 RIGHT, 4 TOGGLE_LOAD";

    /// <summary>x in [0, columns - 1], y in [0, rows - 1], every other informative value a 0/1 flag,
    /// the padding of the as-trained layout always 0.</summary>
    static ObservationBounds MakeBounds(WarehouseTask t, WarehouseLayout plan)
    {
        var low = new float[t.ObservationLength];
        var high = Enumerable.Range(0, t.ObservationLength).Select(i => i < t.InformativeLength ? 1f : 0f).ToArray();
        high[0] = plan.Columns - 1;
        high[1] = plan.Rows - 1;
        return new ObservationBounds(low, high);
    }

    protected override void ResetOne(int e)
    {
        ref var rng = ref Generators[e];
        int a0 = e * n, s0 = e * shelves, g0 = e * cells;
        Array.Clear(agentGrid, g0, cells);
        Array.Clear(shelfGrid, g0, cells);
        for (var s = 0; s < shelves; s++)
        {
            var (x, y) = layout.ShelfHomes[s];
            shelfX[s0 + s] = x; shelfY[s0 + s] = y;
            shelfGrid[g0 + y * width + x] = s + 1;
        }
        // Distinct cells drawn uniformly (numpy's choice without replacement), anywhere, under shelves too.
        for (var i = 0; i < n; i++)
        {
            int cell;
            do cell = rng.NextInt(cells); while (agentGrid[g0 + cell] != 0);
            agentGrid[g0 + cell] = i + 1;
            agentX[a0 + i] = cell % width; agentY[a0 + i] = cell / width;
        }
        for (var i = 0; i < n; i++)
        {
            agentDir[a0 + i] = rng.NextInt(4);
            carrying[a0 + i] = -1;
            delivered[a0 + i] = false;
        }
        // The first requests: a uniform sample of distinct shelves (a partial Fisher-Yates shuffle).
        var perm = shuffle.AsSpan(s0, shelves);
        for (var s = 0; s < shelves; s++) perm[s] = s;
        Array.Clear(requested, s0, shelves);
        for (var q = 0; q < queue; q++)
        {
            var pick = q + rng.NextInt(shelves - q);
            (perm[q], perm[pick]) = (perm[pick], perm[q]);
            requests[e * queue + q] = perm[q];
            requested[s0 + perm[q]] = true;
        }
        inactive[e] = 0;
        Done[e] = false;
    }

    protected override void StepOne(int e, ReadOnlySpan<int> actions)
    {
        int a0 = e * n, g0 = e * cells, s0 = e * shelves;
        var req = request.AsSpan(a0, n);
        var tgt = targetCell.AsSpan(a0, n);
        var next = succ.AsSpan(a0, n);
        var order = stamp.AsSpan(a0, n);
        for (var i = 0; i < n; i++)
        {
            req[i] = actions[i];
            int x = agentX[a0 + i], y = agentY[a0 + i], start = y * width + x, target = start;
            if (req[i] == Forward)
            {
                // A step into the wall clamps to the current cell.
                switch (agentDir[a0 + i])
                {
                    case (int)Heading.Up: target = Math.Max(0, y - 1) * width + x; break;
                    case (int)Heading.Down: target = Math.Min(height - 1, y + 1) * width + x; break;
                    case (int)Heading.Left: target = y * width + Math.Max(0, x - 1); break;
                    default: target = y * width + Math.Min(width - 1, x + 1); break;
                }
                // A loaded robot cannot move into a shelf that stands (is not itself being carried).
                if (carrying[a0 + i] >= 0 && target != start && shelfGrid[g0 + target] != 0)
                {
                    var occupant = agentGrid[g0 + target] - 1;
                    if (occupant < 0 || carrying[a0 + occupant] < 0) { req[i] = Noop; target = start; }
                }
            }
            tgt[i] = target;
            order[i] = 2 * i;
        }
        for (var i = 0; i < n; i++)
        {
            var occupant = agentGrid[g0 + tgt[i]] - 1;
            next[i] = occupant;
            // The cell of robot `occupant` entered the graph as robot i's target if i came first.
            if (occupant >= 0 && occupant != i && 2 * i + 1 < order[occupant]) order[occupant] = 2 * i + 1;
        }
        var go = commit.AsSpan(a0, n);
        MoveResolution.Resolve(next, tgt, order, go, resolveScratch.AsSpan(4 * a0, 4 * n));

        var rewards = Rewards.AsSpan(a0, n);
        for (var i = 0; i < n; i++)
        {
            var act = go[i] ? req[i] : Noop;
            switch (act)
            {
                case Forward:
                    agentX[a0 + i] = tgt[i] % width; agentY[a0 + i] = tgt[i] / width;
                    if (carrying[a0 + i] >= 0) { shelfX[s0 + carrying[a0 + i]] = agentX[a0 + i]; shelfY[s0 + carrying[a0 + i]] = agentY[a0 + i]; }
                    break;
                case Left:
                case Right:
                    agentDir[a0 + i] = Turn(agentDir[a0 + i], act == Right);
                    break;
                case ToggleLoad when carrying[a0 + i] < 0:
                    // The shelf grid still shows the cells as they were before this step's moves.
                    var shelf = shelfGrid[g0 + agentY[a0 + i] * width + agentX[a0 + i]] - 1;
                    if (shelf >= 0) carrying[a0 + i] = shelf;
                    break;
                case ToggleLoad:
                    if (!layout.IsHighway(agentX[a0 + i], agentY[a0 + i]))
                    {
                        carrying[a0 + i] = -1;
                        if (delivered[a0 + i] && Spec.Reward == WarehouseReward.TwoStage) rewards[i] += 0.5f;
                        delivered[a0 + i] = false;
                    }
                    break;
            }
        }
        RebuildGrids(e);

        var deliveredNow = false;
        ref var rng = ref Generators[e];
        foreach (var (gx, gy) in goals)
        {
            var shelf = shelfGrid[g0 + gy * width + gx] - 1;
            if (shelf < 0 || !requested[s0 + shelf]) continue;
            deliveredNow = true;
            // The replacement is uniform over the shelves not requested, taken in shelf order (the
            // reference draws from an unordered set; its later fix sorts it).
            var pick = rng.NextInt(shelves - queue);
            var replacement = -1;
            for (var s = 0; s < shelves; s++)
                if (!requested[s0 + s] && pick-- == 0) { replacement = s; break; }
            requests[e * queue + requests.AsSpan(e * queue, queue).IndexOf(shelf)] = replacement;
            requested[s0 + shelf] = false;
            requested[s0 + replacement] = true;
            var agent = agentGrid[g0 + gy * width + gx] - 1;
            switch (Spec.Reward)
            {
                case WarehouseReward.Global:
                    for (var i = 0; i < n; i++) rewards[i] += 1;
                    break;
                case WarehouseReward.Individual:
                    rewards[agent] += 1;
                    break;
                case WarehouseReward.TwoStage:
                    delivered[a0 + agent] = true;
                    rewards[agent] += 0.5f;
                    break;
            }
        }
        inactive[e] = deliveredNow ? 0 : inactive[e] + 1;
        Done[e] = Ended(EpisodeSteps[e] + 1, inactive[e]);
    }

    bool Ended(int step, int inactiveSteps) =>
        (Spec.MaxInactivitySteps > 0 && inactiveSteps >= Spec.MaxInactivitySteps) || (Spec.MaxSteps > 0 && step >= Spec.MaxSteps);

    /// <summary>Turning follows the cycle up, right, down, left.</summary>
    static int Turn(int dir, bool right)
    {
        ReadOnlySpan<int> clockwise = [(int)Heading.Up, (int)Heading.Right, (int)Heading.Down, (int)Heading.Left];
        var k = clockwise.IndexOf(dir);
        return clockwise[(k + (right ? 1 : 3)) % 4];
    }

    void RebuildGrids(int e)
    {
        int a0 = e * n, s0 = e * shelves, g0 = e * cells;
        Array.Clear(agentGrid, g0, cells);
        Array.Clear(shelfGrid, g0, cells);
        for (var s = 0; s < shelves; s++) shelfGrid[g0 + shelfY[s0 + s] * width + shelfX[s0 + s]] = s + 1;
        for (var i = 0; i < n; i++) agentGrid[g0 + agentY[a0 + i] * width + agentX[a0 + i]] = i + 1;
    }

    protected override void WriteObservations(int e)
    {
        int a0 = e * n, s0 = e * shelves, g0 = e * cells, range = Spec.SensorRange;
        for (var i = 0; i < n; i++)
        {
            // Cleared whole, so the as-trained layout's padding stays zero.
            var obs = Observations.AsSpan((a0 + i) * ObservationLength, ObservationLength);
            obs.Clear();
            int x = agentX[a0 + i], y = agentY[a0 + i];
            obs[0] = x; obs[1] = y;
            obs[2] = carrying[a0 + i] >= 0 ? 1 : 0;
            obs[3 + agentDir[a0 + i]] = 1;
            obs[7] = layout.IsHighway(x, y) ? 1 : 0;
            var o = 8;
            for (var yy = y - range; yy <= y + range; yy++)
                for (var xx = x - range; xx <= x + range; xx++, o += 7)
                {
                    var inside = xx >= 0 && yy >= 0 && xx < width && yy < height;
                    var agent = inside ? agentGrid[g0 + yy * width + xx] - 1 : -1;
                    // An empty (or off-map) cell still sets the first heading bit: the reference writes it.
                    if (agent < 0) obs[o + 1] = 1;
                    else { obs[o] = 1; obs[o + 1 + agentDir[a0 + agent]] = 1; }
                    var shelf = inside ? shelfGrid[g0 + yy * width + xx] - 1 : -1;
                    if (shelf >= 0) { obs[o + 5] = 1; obs[o + 6] = requested[s0 + shelf] ? 1 : 0; }
                }
        }
    }

    public override WarehouseState GetState(int e)
    {
        CheckIndex(e);
        int a0 = e * n, s0 = e * shelves;
        var agents = new WarehouseAgent[n];
        for (var i = 0; i < n; i++)
            agents[i] = new WarehouseAgent(agentX[a0 + i], agentY[a0 + i], (Heading)agentDir[a0 + i],
                carrying[a0 + i] >= 0 ? carrying[a0 + i] : null, delivered[a0 + i]);
        var shelfList = new WarehouseShelf[shelves];
        for (var s = 0; s < shelves; s++) shelfList[s] = new WarehouseShelf(shelfX[s0 + s], shelfY[s0 + s]);
        return new WarehouseState(EpisodeSteps[e], inactive[e], agents, shelfList,
            requests.AsSpan(e * queue, queue).ToArray(), RngText.Format(Generators[e]));
    }

    /// <summary>Every shelf's cell in a state: as listed, or (when the list is left out) at home, except
    /// that a carried shelf is where its robot is.</summary>
    (int X, int Y)[] ShelfCells(WarehouseState s)
    {
        var at = s.Shelves?.Select(sh => (sh.X, sh.Y)).ToArray() ?? layout.ShelfHomes.ToArray();
        if (s.Shelves == null)
            foreach (var a in s.Agents)
                if (a.Carrying is int c && c >= 0 && c < shelves) at[c] = (a.X, a.Y);
        return at;
    }

    protected override void Check(WarehouseState s)
    {
        if (s.Agents.Count != n) throw new ArgumentException($"agents must list {n} robots (the task's count), got {s.Agents.Count}");
        for (var i = 0; i < n; i++)
        {
            var a = s.Agents[i];
            if (a.X < 0 || a.X >= width || a.Y < 0 || a.Y >= height)
                throw new ArgumentException($"agents[{i}] at x={a.X}, y={a.Y} is outside the grid (x in 0..{width - 1}, y in 0..{height - 1})");
            if (!Enum.IsDefined(a.Direction)) throw new ArgumentException($"agents[{i}].direction must be up, down, left or right");
            for (var j = 0; j < i; j++)
                if (s.Agents[j].X == a.X && s.Agents[j].Y == a.Y)
                    throw new ArgumentException($"agents[{i}] and agents[{j}] share the cell x={a.X}, y={a.Y}");
            if (a.Carrying is int c)
            {
                if (c < 0 || c >= shelves) throw new ArgumentException($"agents[{i}].carrying must be a shelf index in 0..{shelves - 1} or null, got {c}");
                for (var j = 0; j < i; j++)
                    if (s.Agents[j].Carrying == c) throw new ArgumentException($"agents[{i}] and agents[{j}] both carry shelf {c}");
            }
        }
        if (s.Shelves != null && s.Shelves.Count != shelves)
            throw new ArgumentException($"shelves must list all {shelves} shelves of this layout (or be left out), got {s.Shelves.Count}");
        var at = ShelfCells(s);
        var carrierOf = new int[shelves];
        Array.Fill(carrierOf, -1);
        for (var i = 0; i < n; i++) if (s.Agents[i].Carrying is int c) carrierOf[c] = i;
        for (var k = 0; k < shelves; k++)
        {
            var (x, y) = at[k];
            if (x < 0 || x >= width || y < 0 || y >= height)
                throw new ArgumentException($"shelves[{k}] at x={x}, y={y} is outside the grid (x in 0..{width - 1}, y in 0..{height - 1})");
            for (var j = 0; j < k; j++)
                if (at[j] == at[k]) throw new ArgumentException($"shelves[{k}] and shelves[{j}] share the cell x={x}, y={y}");
            var carrier = carrierOf[k];
            if (carrier >= 0 && (s.Agents[carrier].X, s.Agents[carrier].Y) != (x, y))
                throw new ArgumentException($"agents[{carrier}] carries shelf {k}, so shelves[{k}] must be at its cell x={s.Agents[carrier].X}, y={s.Agents[carrier].Y}, got x={x}, y={y}");
            // Robots only put shelves down off the highway, so a shelf standing on one could never arise.
            if (carrier < 0 && layout.IsHighway(x, y))
                throw new ArgumentException($"shelves[{k}] stands on the highway cell x={x}, y={y}; only a carried shelf can be there");
        }
        if (s.Requests.Count != queue)
            throw new ArgumentException($"requests must list {queue} shelves (the task's RequestQueueSize), got {s.Requests.Count}");
        for (var q = 0; q < queue; q++)
        {
            if (s.Requests[q] < 0 || s.Requests[q] >= shelves)
                throw new ArgumentException($"requests[{q}] must be a shelf index in 0..{shelves - 1}, got {s.Requests[q]}");
            for (var j = 0; j < q; j++)
                if (s.Requests[j] == s.Requests[q]) throw new ArgumentException($"requests[{q}] repeats shelf {s.Requests[q]}");
        }
        if (Spec.MaxSteps > 0 && s.Step > Spec.MaxSteps)
            throw new ArgumentException($"step must be in 0..{Spec.MaxSteps} (the episode limit), got {s.Step}");
        if (s.InactiveSteps < 0) throw new ArgumentException($"inactiveSteps must be >= 0, got {s.InactiveSteps}");
    }

    protected override void Apply(int e, WarehouseState s)
    {
        int a0 = e * n, s0 = e * shelves;
        for (var i = 0; i < n; i++)
        {
            var a = s.Agents[i];
            agentX[a0 + i] = a.X; agentY[a0 + i] = a.Y; agentDir[a0 + i] = (int)a.Direction;
            carrying[a0 + i] = a.Carrying ?? -1;
            delivered[a0 + i] = a.HasDelivered;
        }
        var at = ShelfCells(s);
        for (var k = 0; k < shelves; k++) { shelfX[s0 + k] = at[k].X; shelfY[s0 + k] = at[k].Y; }
        Array.Clear(requested, s0, shelves);
        for (var q = 0; q < queue; q++) { requests[e * queue + q] = s.Requests[q]; requested[s0 + s.Requests[q]] = true; }
        inactive[e] = s.InactiveSteps;
        RebuildGrids(e);
    }

    protected override string? RngOf(WarehouseState s) => s.Rng;
    protected override int StepOf(WarehouseState s) => s.Step;
    protected override bool IsDone(WarehouseState s) => Ended(s.Step, s.InactiveSteps);
    protected override string ToJson(WarehouseState s) => WarehouseStateJson.Write(s);
    protected override WarehouseState FromJson(string json) => WarehouseStateJson.Read(json);

    public override string RenderText(int env) => WarehousePicture.Text(Spec, GetState(env));
    public override string RenderSvg(int env) => WarehousePicture.Svg(Spec, GetState(env));
}

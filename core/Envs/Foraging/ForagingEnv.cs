namespace CommLab.Envs.Foraging;

/// <summary>A batch of Level-Based Foraging environments with the rules of lbforaging at commit a409b67
/// (gym "v2"), which the MADDPG paper ran. Where the reference leaves an order to chance or has an edge
/// that can crash, the choice made here is written beside the rule (and in docs/envs.md).</summary>
public sealed class ForagingEnv : VectorEnv<ForagingTask, ForagingState>
{
    /// <summary>Action numbers, as in the reference.</summary>
    public const int None = 0, North = 1, South = 2, West = 3, East = 4, Load = 5;

    readonly int players, maxFood, rows, cols;
    // Players [env, player]; food [env, slot] kept in row-major order of cell, level 0 = eaten or never placed.
    readonly int[] playerRow, playerCol, playerLevel;
    readonly int[] foodRow, foodCol, foodLevel;
    readonly int[] foodSpawned;
    // Per-step scratch [env, player]: each environment touches only its own slice, so threads share nothing.
    readonly int[] action, targetRow, targetCol;
    readonly bool[] loading;

    public ForagingEnv(ForagingTask task, int batchSize, int threads = 1) : base(task, batchSize, threads)
    {
        players = task.Players; maxFood = task.MaxFood; rows = task.Rows; cols = task.Cols;
        playerRow = new int[batchSize * players]; playerCol = new int[batchSize * players]; playerLevel = new int[batchSize * players];
        foodRow = new int[batchSize * maxFood]; foodCol = new int[batchSize * maxFood]; foodLevel = new int[batchSize * maxFood];
        foodSpawned = new int[batchSize];
        action = new int[batchSize * players]; targetRow = new int[batchSize * players]; targetCol = new int[batchSize * players];
        loading = new bool[batchSize * players];
        Bounds = MakeBounds(task);
    }

    public override ObservationBounds Bounds { get; }

    protected override string ActionNames => "0 NONE, 1 NORTH, 2 SOUTH, 3 WEST, 4 EAST, 5 LOAD";

    /// <summary>The reference's observation box: coordinates in [-1, size - 1], food levels in
    /// [0, MaxPlayerLevel * Players], player levels in [0, MaxPlayerLevel].</summary>
    static ObservationBounds MakeBounds(ForagingTask t)
    {
        var low = new float[t.ObservationLength];
        var high = new float[t.ObservationLength];
        for (var k = 0; k < t.MaxFood + t.Players; k++)
        {
            low[3 * k] = -1; low[3 * k + 1] = -1; low[3 * k + 2] = 0;
            high[3 * k] = t.Rows - 1; high[3 * k + 1] = t.Cols - 1;
            high[3 * k + 2] = k < t.MaxFood ? t.MaxFoodLevel : t.MaxPlayerLevel;
        }
        return new ObservationBounds(low, high);
    }

    int FoodAt(int e, int r, int c)
    {
        for (int k = e * maxFood, end = k + maxFood; k < end; k++)
            if (foodLevel[k] > 0 && foodRow[k] == r && foodCol[k] == c) return k;
        return -1;
    }

    protected override void ResetOne(int e)
    {
        ref var rng = ref Generators[e];
        var p0 = e * players;
        // Players first, each on a cell no earlier player holds. The reference also avoids the cells that
        // later players held in the previous episode (their positions are not cleared), which makes a reset
        // depend on how the last episode ended; that is dropped here so a seed fixes the episode.
        for (var i = 0; i < players; i++)
        {
            var placed = false;
            for (var attempt = 0; attempt < 1000 && !placed; attempt++)
            {
                int r = rng.NextInt(rows), c = rng.NextInt(cols);
                if (PlayerAmong(e, i, r, c)) continue;
                playerRow[p0 + i] = r; playerCol[p0 + i] = c;
                placed = true;
            }
            if (!placed) PlaceOnFirstFreeCell(e, i);
            // numpy's randint(1, max) excludes max: levels 1..MaxPlayerLevel-1.
            playerLevel[p0 + i] = 1 + rng.NextInt(Spec.MaxPlayerLevel - 1);
        }

        var maxLevel = SumOfThreeLowestLevels(e);
        var minLevel = Spec.Coop ? maxLevel : 1;
        var f0 = e * maxFood;
        Array.Clear(foodLevel, f0, maxFood);
        var count = 0;
        // 1,000 attempts in all (not per food), as the reference: a crowded grid may get fewer foods.
        for (var attempt = 0; attempt < 1000 && count < maxFood; attempt++)
        {
            int r = 1 + rng.NextInt(rows - 2), c = 1 + rng.NextInt(cols - 2);
            if (FoodTooClose(e, r, c) || PlayerAmong(e, players, r, c)) continue;
            foodRow[f0 + count] = r; foodCol[f0 + count] = c;
            foodLevel[f0 + count] = minLevel == maxLevel ? minLevel : minLevel + rng.NextInt(maxLevel - minLevel);
            count++;
        }
        SortFood(e);
        var spawned = 0;
        for (var k = 0; k < maxFood; k++) spawned += foodLevel[f0 + k];
        foodSpawned[e] = spawned;
        Done[e] = false;
    }

    bool PlayerAmong(int e, int firstN, int r, int c)
    {
        var p0 = e * players;
        for (var j = 0; j < firstN; j++)
            if (playerRow[p0 + j] == r && playerCol[p0 + j] == c) return true;
        return false;
    }

    void PlaceOnFirstFreeCell(int e, int i)
    {
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < cols; c++)
                if (!PlayerAmong(e, i, r, c)) { playerRow[e * players + i] = r; playerCol[e * players + i] = c; return; }
    }

    /// <summary>The reference's spacing rule: no food in the 3x3 block around the cell, nor within two
    /// cells along its row or column.</summary>
    bool FoodTooClose(int e, int r, int c)
    {
        for (int k = e * maxFood, end = k + maxFood; k < end; k++)
        {
            if (foodLevel[k] == 0) continue;
            int dr = Math.Abs(foodRow[k] - r), dc = Math.Abs(foodCol[k] - c);
            if ((dr <= 1 && dc <= 1) || (dr == 0 && dc <= 2) || (dc == 0 && dr <= 2)) return true;
        }
        return false;
    }

    int SumOfThreeLowestLevels(int e)
    {
        int a = int.MaxValue, b = int.MaxValue, c = int.MaxValue;
        for (var i = 0; i < players; i++)
        {
            var l = playerLevel[e * players + i];
            if (l < a) { c = b; b = a; a = l; }
            else if (l < b) { c = b; b = l; }
            else if (l < c) c = l;
        }
        return a + (b == int.MaxValue ? 0 : b) + (c == int.MaxValue ? 0 : c);
    }

    /// <summary>Keeps food slots in row-major order of their cells, eaten slots last, so observations list
    /// food as numpy's nonzero() does.</summary>
    void SortFood(int e)
    {
        var f0 = e * maxFood;
        for (var i = 1; i < maxFood; i++)
            for (var j = i; j > 0 && FoodAfter(f0 + j - 1, f0 + j); j--)
            {
                (foodRow[f0 + j - 1], foodRow[f0 + j]) = (foodRow[f0 + j], foodRow[f0 + j - 1]);
                (foodCol[f0 + j - 1], foodCol[f0 + j]) = (foodCol[f0 + j], foodCol[f0 + j - 1]);
                (foodLevel[f0 + j - 1], foodLevel[f0 + j]) = (foodLevel[f0 + j], foodLevel[f0 + j - 1]);
            }
    }

    bool FoodAfter(int a, int b)
    {
        if (foodLevel[a] == 0) return foodLevel[b] != 0;
        if (foodLevel[b] == 0) return false;
        return foodRow[a] > foodRow[b] || (foodRow[a] == foodRow[b] && foodCol[a] > foodCol[b]);
    }

    bool IsValid(int e, int i, int act)
    {
        int r = playerRow[e * players + i], c = playerCol[e * players + i];
        return act switch
        {
            North => r > 0 && FoodAt(e, r - 1, c) < 0,
            South => r < rows - 1 && FoodAt(e, r + 1, c) < 0,
            West => c > 0 && FoodAt(e, r, c - 1) < 0,
            East => c < cols - 1 && FoodAt(e, r, c + 1) < 0,
            Load => AdjacentFood(e, r, c) >= 0,
            _ => true,
        };
    }

    /// <summary>The food slot a loader at (r, c) takes: up, down, left, right, as the reference checks them.
    /// (Its up/left checks read <c>row > 1</c>/<c>col > 1</c>, which only matters for food on the border,
    /// where it never spawns and where restored states may not put it.)</summary>
    int AdjacentFood(int e, int r, int c)
    {
        int k;
        if (r > 0 && (k = FoodAt(e, r - 1, c)) >= 0) return k;
        if (r < rows - 1 && (k = FoodAt(e, r + 1, c)) >= 0) return k;
        if (c > 0 && (k = FoodAt(e, r, c - 1)) >= 0) return k;
        if (c < cols - 1 && (k = FoodAt(e, r, c + 1)) >= 0) return k;
        return -1;
    }

    protected override void StepOne(int e, ReadOnlySpan<int> actions)
    {
        var p0 = e * players;
        // Validity is judged on the state before anyone moves; an invalid action becomes NONE.
        for (var i = 0; i < players; i++)
        {
            var act = IsValid(e, i, actions[i]) ? actions[i] : None;
            action[p0 + i] = act;
            loading[p0 + i] = act == Load;
            int r = playerRow[p0 + i], c = playerCol[p0 + i];
            targetRow[p0 + i] = act == North ? r - 1 : act == South ? r + 1 : r;
            targetCol[p0 + i] = act == West ? c - 1 : act == East ? c + 1 : c;
        }
        // Players that claim the same cell (staying counts as claiming one's own) all stay; the rest move,
        // so chains and swaps go through.
        for (var i = 0; i < players; i++)
        {
            var alone = true;
            for (var j = 0; j < players && alone; j++)
                if (j != i && targetRow[p0 + j] == targetRow[p0 + i] && targetCol[p0 + j] == targetCol[p0 + i]) alone = false;
            if (alone) { playerRow[p0 + i] = targetRow[p0 + i]; playerCol[p0 + i] = targetCol[p0 + i]; }
        }
        // Loading. The reference pops loaders from a Python set (an order that varies between runs); they are
        // taken here in agent order. Each takes its first adjacent food together with every still-waiting
        // loader next to that food.
        var rewards = Rewards.AsSpan(e * players, players);
        for (var i = 0; i < players; i++)
        {
            if (!loading[p0 + i]) continue;
            var k = AdjacentFood(e, playerRow[p0 + i], playerCol[p0 + i]);
            if (k < 0) { loading[p0 + i] = false; continue; }
            int fr = foodRow[k], fc = foodCol[k], level = foodLevel[k];
            var sum = 0;
            for (var j = 0; j < players; j++)
                if (loading[p0 + j] && NextTo(e, j, fr, fc)) sum += playerLevel[p0 + j];
            var success = sum >= level;
            for (var j = 0; j < players; j++)
            {
                if (!loading[p0 + j] || !NextTo(e, j, fr, fc)) continue;
                loading[p0 + j] = false;
                if (!success) { rewards[j] -= (float)Spec.Penalty; continue; }
                double reward = playerLevel[p0 + j] * level;
                if (Spec.NormalizeReward) reward /= (double)sum * foodSpawned[e];
                rewards[j] = (float)reward;
            }
            if (success) foodLevel[k] = 0;
        }
        var step = EpisodeSteps[e] + 1;
        Done[e] = !AnyFood(e) || step >= Spec.MaxEpisodeSteps;
    }

    bool NextTo(int e, int j, int r, int c)
    {
        int dr = Math.Abs(playerRow[e * players + j] - r), dc = Math.Abs(playerCol[e * players + j] - c);
        return dr + dc == 1;
    }

    bool AnyFood(int e)
    {
        for (int k = e * maxFood, end = k + maxFood; k < end; k++) if (foodLevel[k] > 0) return true;
        return false;
    }

    protected override void WriteObservations(int e)
    {
        var sight = Spec.Sight;
        var p0 = e * players;
        var f0 = e * maxFood;
        for (var a = 0; a < players; a++)
        {
            var obs = Observations.AsSpan((p0 + a) * ObservationLength, ObservationLength);
            int r0 = playerRow[p0 + a], c0 = playerCol[p0 + a];
            // Window coordinates: the reference shifts by min(sight, centre), i.e. it clips the window at the
            // top and left edges only, and with full sight the coordinates are absolute.
            int dr = Math.Min(sight, r0) - r0, dc = Math.Min(sight, c0) - c0;
            var slot = 0;
            for (var k = 0; k < maxFood; k++)
            {
                var level = foodLevel[f0 + k];
                int fr = foodRow[f0 + k], fc = foodCol[f0 + k];
                if (level > 0 && Math.Abs(fr - r0) <= sight && Math.Abs(fc - c0) <= sight)
                {
                    obs[3 * slot] = fr + dr; obs[3 * slot + 1] = fc + dc; obs[3 * slot + 2] = level;
                    slot++;
                }
            }
            for (; slot < maxFood; slot++) { obs[3 * slot] = -1; obs[3 * slot + 1] = -1; obs[3 * slot + 2] = 0; }
            // Self first, then the other visible players in agent order. Visibility is the reference's test
            // on the shifted coordinates (0 <= y, x <= 2 * sight), which near the top and left edges admits
            // players a little beyond the food window; kept as is.
            var o = 3 * maxFood;
            obs[o] = r0 + dr; obs[o + 1] = c0 + dc; obs[o + 2] = playerLevel[p0 + a];
            var seen = 1;
            for (var j = 0; j < players; j++)
            {
                if (j == a) continue;
                int y = playerRow[p0 + j] + dr, x = playerCol[p0 + j] + dc;
                if (Math.Min(y, x) < 0 || Math.Max(y, x) > 2 * sight) continue;
                obs[o + 3 * seen] = y; obs[o + 3 * seen + 1] = x; obs[o + 3 * seen + 2] = playerLevel[p0 + j];
                seen++;
            }
            for (; seen < players; seen++) { obs[o + 3 * seen] = -1; obs[o + 3 * seen + 1] = -1; obs[o + 3 * seen + 2] = 0; }
        }
    }

    public override ForagingState GetState(int e)
    {
        CheckIndex(e);
        var ps = new ForagingPlayer[players];
        for (var i = 0; i < players; i++)
            ps[i] = new ForagingPlayer(playerRow[e * players + i], playerCol[e * players + i], playerLevel[e * players + i]);
        var food = new List<ForagingFood>();
        for (var k = 0; k < maxFood; k++)
            if (foodLevel[e * maxFood + k] > 0)
                food.Add(new ForagingFood(foodRow[e * maxFood + k], foodCol[e * maxFood + k], foodLevel[e * maxFood + k]));
        return new ForagingState(EpisodeSteps[e], foodSpawned[e], ps, food, RngText.Format(Generators[e]));
    }

    protected override void Check(ForagingState s)
    {
        var t = Spec;
        if (s.Players.Count != players)
            throw new ArgumentException($"players must list {players} players (the task's count), got {s.Players.Count}");
        for (var i = 0; i < players; i++)
        {
            var p = s.Players[i];
            if (p.Row < 0 || p.Row >= rows || p.Col < 0 || p.Col >= cols)
                throw new ArgumentException($"players[{i}] at ({p.Row}, {p.Col}) is outside the {rows}x{cols} grid");
            if (p.Level < 1 || p.Level > t.MaxPlayerLevel)
                throw new ArgumentException($"players[{i}].level must be in 1..{t.MaxPlayerLevel}, got {p.Level}");
        }
        if (s.Food.Count > maxFood)
            throw new ArgumentException($"food may list at most {maxFood} items (the task's MaxFood), got {s.Food.Count}");
        for (var k = 0; k < s.Food.Count; k++)
        {
            var f = s.Food[k];
            if (f.Row < 1 || f.Row > rows - 2 || f.Col < 1 || f.Col > cols - 2)
                throw new ArgumentException(
                    $"food[{k}] at ({f.Row}, {f.Col}) must be inside the border: rows 1..{rows - 2}, cols 1..{cols - 2} (the reference never places food on it)");
            if (f.Level < 1 || f.Level > t.MaxFoodLevel)
                throw new ArgumentException($"food[{k}].level must be in 1..{t.MaxFoodLevel}, got {f.Level}");
            for (var j = 0; j < k; j++)
                if (s.Food[j].Row == f.Row && s.Food[j].Col == f.Col)
                    throw new ArgumentException($"food[{k}] and food[{j}] share the cell ({f.Row}, {f.Col})");
            for (var i = 0; i < players; i++)
                if (s.Players[i].Row == f.Row && s.Players[i].Col == f.Col)
                    throw new ArgumentException($"food[{k}] and players[{i}] share the cell ({f.Row}, {f.Col})");
        }
        var remaining = s.Food.Sum(f => f.Level);
        if (s.FoodSpawned < remaining || (t.NormalizeReward && s.Food.Count > 0 && s.FoodSpawned < 1))
            throw new ArgumentException(
                $"foodSpawned must be at least the food left on the field ({remaining}), got {s.FoodSpawned}");
        if (s.Step > t.MaxEpisodeSteps)
            throw new ArgumentException($"step must be in 0..{t.MaxEpisodeSteps} (the episode limit), got {s.Step}");
    }

    protected override void Apply(int e, ForagingState s)
    {
        for (var i = 0; i < players; i++)
        {
            playerRow[e * players + i] = s.Players[i].Row;
            playerCol[e * players + i] = s.Players[i].Col;
            playerLevel[e * players + i] = s.Players[i].Level;
        }
        Array.Clear(foodLevel, e * maxFood, maxFood);
        for (var k = 0; k < s.Food.Count; k++)
        {
            foodRow[e * maxFood + k] = s.Food[k].Row;
            foodCol[e * maxFood + k] = s.Food[k].Col;
            foodLevel[e * maxFood + k] = s.Food[k].Level;
        }
        SortFood(e);
        foodSpawned[e] = s.FoodSpawned;
    }

    protected override string? RngOf(ForagingState s) => s.Rng;
    protected override int StepOf(ForagingState s) => s.Step;

    /// <summary>The reference ends an episode when a step leaves no food or reaches the limit; a restored
    /// state counts as ended on the same terms (an empty field only after at least one step).</summary>
    protected override bool IsDone(ForagingState s) => s.Step >= Spec.MaxEpisodeSteps || (s.Step > 0 && s.Food.Count == 0);

    protected override string ToJson(ForagingState s) => ForagingStateJson.Write(s);
    protected override ForagingState FromJson(string json) => ForagingStateJson.Read(json);

    public override string RenderText(int env) => ForagingPicture.Text(Spec, GetState(env));
    public override string RenderSvg(int env) => ForagingPicture.Svg(Spec, GetState(env));
}

namespace CommLab.Envs.Warehouse;

/// <summary>Which robots get to move, decided as rware does with networkx: every robot adds an edge from
/// its cell to the cell it asks for (its own cell if it is not moving forward), and each weakly connected
/// component of that graph is settled on its own. A component with a cycle lets only the robots on the
/// cycle go (a robot staying put is a cycle of one), except a two-cycle, a head-on swap, where nobody
/// moves. A component without a cycle lets only the robots on its longest path go.</summary>
/// <remarks>Each robot has one outgoing edge, so a component is a tree hanging off either one cycle or one
/// empty cell; it is enough to follow successors. networkx's <c>dag_longest_path</c> breaks ties between
/// equally long chains by the order in which the component copy lists predecessors: the order in which
/// their cells entered the graph (robot order, start cell before target), which <c>stamp</c> carries. (When
/// a component holds fewer than half of the graph's cells, networkx instead walks a Python set of cell
/// tuples, an order fixed by tuple hashes; that is not reproduced.)</remarks>
static class MoveResolution
{
    /// <param name="succ">succ[i]: the robot standing on robot i's requested cell (i itself when staying), or -1 when that cell is free.</param>
    /// <param name="target">target[i]: robot i's requested cell index.</param>
    /// <param name="stamp">stamp[i]: when robot i's cell entered the graph (smaller first).</param>
    /// <param name="commit">Output: whether robot i's request stands.</param>
    /// <param name="scratch">At least 4 * n ints.</param>
    public static void Resolve(ReadOnlySpan<int> succ, ReadOnlySpan<int> target, ReadOnlySpan<int> stamp,
        Span<bool> commit, Span<int> scratch)
    {
        var n = succ.Length;
        var color = scratch[..n];          // 0 unseen, 1 on the current walk, 2 settled
        var root = scratch.Slice(n, n);    // >= 0: the free cell the component drains into; < 0: -(cycle id + 1)
        var path = scratch.Slice(2 * n, n);
        var height = scratch.Slice(3 * n, n);
        color.Clear();
        commit.Clear();

        for (var i = 0; i < n; i++)
        {
            if (color[i] != 0) continue;
            int length = 0, v = i;
            while (v >= 0 && color[v] == 0) { color[v] = 1; path[length++] = v; v = succ[v]; }
            int key;
            if (v < 0) key = target[path[length - 1]];
            else if (color[v] == 1)
            {
                // A new cycle: the walk from v onwards.
                var from = path[..length].IndexOf(v);
                var cycle = length - from;
                key = -(v + 1);
                if (cycle != 2)
                    for (var k = from; k < length; k++) commit[path[k]] = true;
            }
            else key = root[v];
            for (var k = 0; k < length; k++) { color[path[k]] = 2; root[path[k]] = key; }
        }

        // Longest chain into each free cell: heights of the robot trees, then a walk back from the cell.
        height.Clear();
        for (var changed = true; changed;)
        {
            changed = false;
            for (var i = 0; i < n; i++)
            {
                var j = succ[i];
                if (j >= 0 && root[i] >= 0 && height[j] < height[i] + 1) { height[j] = height[i] + 1; changed = true; }
            }
        }
        for (var i = 0; i < n; i++)
        {
            if (succ[i] >= 0 || Best(succ, target, stamp, height, -1, target[i]) != i) continue;
            for (var cur = i; cur >= 0; cur = Best(succ, target, stamp, height, cur, -1)) commit[cur] = true;
        }
    }

    /// <summary>Among the robots whose edge ends at robot <paramref name="into"/> (or, with into = -1, at
    /// free cell <paramref name="cell"/>), the one with the longest chain behind it, ties to the earliest stamp.</summary>
    static int Best(ReadOnlySpan<int> succ, ReadOnlySpan<int> target, ReadOnlySpan<int> stamp, ReadOnlySpan<int> height,
        int into, int cell)
    {
        var best = -1;
        for (var k = 0; k < succ.Length; k++)
        {
            var isPred = into >= 0 ? succ[k] == into && k != into : succ[k] < 0 && target[k] == cell;
            if (!isPred) continue;
            if (best < 0 || height[k] > height[best] || (height[k] == height[best] && stamp[k] < stamp[best])) best = k;
        }
        return best;
    }
}

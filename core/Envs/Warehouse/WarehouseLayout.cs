namespace CommLab.Envs.Warehouse;

/// <summary>The fixed floor plan of a warehouse: which cells are highway (where robots may not put a
/// shelf down), where the goals are, and every shelf's home cell.</summary>
/// <remarks>As the reference builds it from the task's block settings: a cell is highway when x % 3 == 0 (aisles between block columns),
/// y % (ColumnHeight + 1) == 0 (cross aisles), y is the last row (delivery row), or it lies in the two
/// middle columns below the first cross aisle's last shelf row (the queue in front of the goals). Goals
/// are the two middle cells of the last row. Every non-highway cell holds a shelf at reset, numbered in
/// row-major order.</remarks>
public sealed class WarehouseLayout
{
    public int Rows { get; }
    public int Columns { get; }

    /// <summary>[Rows * Columns], row-major: whether cell (x, y) is highway.</summary>
    public bool[] Highway { get; }

    /// <summary>Goal cells as (x, y), in the reference's order.</summary>
    public IReadOnlyList<(int X, int Y)> Goals { get; }

    /// <summary>Shelf i's home cell as (x, y).</summary>
    public IReadOnlyList<(int X, int Y)> ShelfHomes { get; }

    public int ShelfCount => ShelfHomes.Count;

    public bool IsHighway(int x, int y) => Highway[y * Columns + x];

    public bool IsGoal(int x, int y)
    {
        foreach (var g in Goals) if (g.X == x && g.Y == y) return true;
        return false;
    }

    WarehouseLayout(int rows, int columns, bool[] highway, IReadOnlyList<(int X, int Y)> goals)
    {
        Rows = rows;
        Columns = columns;
        Highway = highway;
        Goals = goals;
        var homes = new List<(int, int)>();
        for (var y = 0; y < rows; y++)
            for (var x = 0; x < columns; x++)
                if (!highway[y * columns + x]) homes.Add((x, y));
        ShelfHomes = homes;
    }

    /// <summary>The layout of <paramref name="task"/>'s settings: its <see cref="WarehouseTask.Layout"/>
    /// text when it has one, else the block layout of its shelf rows, columns and column height.</summary>
    public static WarehouseLayout For(WarehouseTask task) =>
        task.Layout is { } text ? Parse(text) : Blocks(task.GridRows, task.GridColumns, task.ColumnHeight);

    static WarehouseLayout Blocks(int rows, int columns, int columnHeight)
    {
        var highway = new bool[rows * columns];
        for (var y = 0; y < rows; y++)
            for (var x = 0; x < columns; x++)
                highway[y * columns + x] = x % 3 == 0
                    || y % (columnHeight + 1) == 0
                    || y == rows - 1
                    || (y > rows - (columnHeight + 3) && (x == columns / 2 - 1 || x == columns / 2));
        return new WarehouseLayout(rows, columns, highway, [(columns / 2 - 1, rows - 1), (columns / 2, rows - 1)]);
    }

    /// <summary>A floor plan drawn as text, as the reference's <c>layout</c> argument takes it: one line per
    /// row, <c>x</c> a shelf's home, <c>.</c> highway, <c>g</c> a goal (also highway); case and spaces are
    /// ignored, as are blank lines around the plan. Goals are numbered in row-major order.</summary>
    /// <exception cref="ArgumentException">The plan is not rectangular, has another character, or no goal;
    /// the message names the line.</exception>
    public static WarehouseLayout Parse(string text)
    {
        var lines = text.Replace("\r", "").Replace(" ", "").Trim().Split('\n');
        var columns = lines[0].Length;
        if (columns == 0) throw new ArgumentException("layout is empty: give one line per row of x (shelf), . (highway) and g (goal)");
        var highway = new bool[lines.Length * columns];
        var goals = new List<(int, int)>();
        for (var y = 0; y < lines.Length; y++)
        {
            if (lines[y].Length != columns)
                throw new ArgumentException($"layout line {y + 1} has {lines[y].Length} cells, but line 1 has {columns}: the plan must be rectangular");
            for (var x = 0; x < columns; x++)
            {
                switch (char.ToLowerInvariant(lines[y][x]))
                {
                    case 'x': break;
                    case '.': highway[y * columns + x] = true; break;
                    case 'g': highway[y * columns + x] = true; goals.Add((x, y)); break;
                    default:
                        throw new ArgumentException(
                            $"layout line {y + 1}, column {x + 1}: '{lines[y][x]}' is not a cell; use x (shelf), . (highway) or g (goal)");
                }
            }
        }
        if (goals.Count == 0) throw new ArgumentException("layout has no goal: mark at least one cell with g");
        return new WarehouseLayout(lines.Length, columns, highway, goals);
    }

    /// <summary>The plan as text in <see cref="Parse"/>'s format.</summary>
    public string ToText()
    {
        var b = new System.Text.StringBuilder();
        for (var y = 0; y < Rows; y++)
        {
            for (var x = 0; x < Columns; x++) b.Append(IsGoal(x, y) ? 'g' : IsHighway(x, y) ? '.' : 'x');
            if (y < Rows - 1) b.Append('\n');
        }
        return b.ToString();
    }
}

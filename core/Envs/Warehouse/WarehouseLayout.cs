namespace CommLab.Envs.Warehouse;

/// <summary>The fixed floor plan of a warehouse: which cells are highway (where robots may not put a
/// shelf down), where the goals are, and every shelf's home cell.</summary>
/// <remarks>As the reference builds it: a cell is highway when x % 3 == 0 (aisles between block columns),
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

    WarehouseLayout(int rows, int columns, int columnHeight)
    {
        Rows = rows;
        Columns = columns;
        Highway = new bool[rows * columns];
        var homes = new List<(int, int)>();
        for (var y = 0; y < rows; y++)
            for (var x = 0; x < columns; x++)
            {
                var highway = x % 3 == 0
                    || y % (columnHeight + 1) == 0
                    || y == rows - 1
                    || (y > rows - (columnHeight + 3) && (x == columns / 2 - 1 || x == columns / 2));
                Highway[y * columns + x] = highway;
                if (!highway) homes.Add((x, y));
            }
        ShelfHomes = homes;
        Goals = [(columns / 2 - 1, rows - 1), (columns / 2, rows - 1)];
    }

    /// <summary>The layout of <paramref name="task"/>'s settings.</summary>
    public static WarehouseLayout For(WarehouseTask task) => new(task.GridRows, task.GridColumns, task.ColumnHeight);
}

using System.Globalization;
using System.Text;
using System.Xml.Linq;

namespace CommLab.Envs.Warehouse;

/// <summary>Pictures of a Multi-Robot Warehouse state: an ASCII grid for logs and terminals, and a
/// standalone SVG for reports. Both read only the task (through its <see cref="WarehouseLayout"/>) and a
/// state, so any saved state can be drawn.</summary>
public static class WarehousePicture
{
    /// <summary>The line printed under the text grid.</summary>
    public const string Legend =
        "legend: . highway, _ empty shelf slot, G goal, [ ] shelf, [*] requested shelf; " +
        "robot: heading ^ v < >, agent letter (a = agent 0), uppercase when carrying, then ] or * for the " +
        "shelf (requested: *) it carries or stands under, e.g. >A* carries a requested shelf; @2 two robots on one cell";

    const int CellPx = GridSvg.CellPx;
    static readonly XNamespace Svgns = GridSvg.Ns;

    // Shelves are teal and requested ones orange-red, so robots take neither.
    static readonly string[] Palette = ["#1f77b4", "#9467bd", "#e9c46a", "#e377c2", "#8c564b", "#bcbd22", "#7f7f7f"];

    const string ShelfFill = "#2a9d8f", ShelfStroke = "#1b6a60", RequestedFill = "#e76f51", RequestedStroke = "#9c3d24";

    /// <summary>Who is where: robots and shelves listed per cell, shelf cells with carried shelves moved
    /// to their carriers, and the requested set.</summary>
    sealed record Scene(
        WarehouseLayout Layout,
        List<int>[] RobotsAt,
        List<int>[] ShelvesAt,
        (int X, int Y)[] ShelfCell,
        bool[] Carried,
        HashSet<int> Requested);

    /// <summary>The state as text: a header line (<c>step S/MaxSteps, requests: i, j</c>), then
    /// <see cref="WarehouseTask.GridRows"/> lines of <see cref="WarehouseTask.GridColumns"/> three-character
    /// cells, row 0 first, then <see cref="Legend"/>. Every line ends with '\n'.</summary>
    /// <exception cref="ArgumentException">A robot or shelf lies outside the grid, or a shelf index is out of range.</exception>
    public static string Text(WarehouseTask task, WarehouseState state)
    {
        var scene = Build(task, state);
        var layout = scene.Layout;
        var text = new StringBuilder(Header(task, state)).Append('\n');
        for (var y = 0; y < layout.Rows; y++)
        {
            for (var x = 0; x < layout.Columns; x++)
                text.Append(CellText(scene, state, x, y));
            text.Append('\n');
        }
        return text.Append(Legend).Append('\n').ToString();
    }

    /// <summary>The state as a standalone SVG document, 32 px per cell: highways light grey, shelf slots
    /// white, goals black with a "G", shelves teal (requested ones orange-red; a carried one with a thick
    /// outline), robots as discs in a per-agent colour with a pointer for their heading. Shapes carry
    /// <c>class</c> attributes (<c>goal</c>, <c>shelf</c>, <c>requested</c>, <c>carried</c>, <c>robot</c>,
    /// <c>heading</c>) so tools and tests can find them.</summary>
    /// <exception cref="ArgumentException">A robot or shelf lies outside the grid, or a shelf index is out of range.</exception>
    public static string Svg(WarehouseTask task, WarehouseState state)
    {
        var scene = Build(task, state);
        var layout = scene.Layout;
        var svg = GridSvg.Document(layout.Rows, layout.Columns, task.Name, Header(task, state));

        for (var y = 0; y < layout.Rows; y++)
            for (var x = 0; x < layout.Columns; x++)
            {
                var goal = layout.IsGoal(x, y);
                svg.Add(new XElement(Svgns + "rect",
                    new XAttribute("class", goal ? "goal" : layout.IsHighway(x, y) ? "highway" : "slot"),
                    new XAttribute("x", x * CellPx), new XAttribute("y", y * CellPx),
                    new XAttribute("width", CellPx), new XAttribute("height", CellPx),
                    new XAttribute("fill", goal ? "#222222" : layout.IsHighway(x, y) ? "#e8e8e8" : "#ffffff")));
                if (goal) svg.Add(Label((x + 0.5) * CellPx, (y + 0.5) * CellPx, "G", "#ffffff", halo: false));
            }
        svg.Add(GridSvg.Lines(layout.Rows, layout.Columns, "#cccccc"));

        // Standing shelves first, then carried ones, so a carried shelf sits on top of anything it
        // passes over and right under its robot.
        for (var i = 0; i < layout.ShelfCount; i++)
            if (!scene.Carried[i]) svg.Add(ShelfShape(scene, i));
        for (var i = 0; i < layout.ShelfCount; i++)
            if (scene.Carried[i]) svg.Add(ShelfShape(scene, i));

        for (var i = 0; i < state.Agents.Count; i++)
            svg.Add(RobotShape(state.Agents[i], i));
        return svg.ToString();
    }

    static Scene Build(WarehouseTask task, WarehouseState state)
    {
        var layout = WarehouseLayout.For(task);
        var cells = layout.Rows * layout.Columns;
        if (state.Shelves != null && state.Shelves.Count != layout.ShelfCount)
            throw new ArgumentException($"the state lists {state.Shelves.Count} shelves; {task.Name} has {layout.ShelfCount}");
        var shelfCell = new (int X, int Y)[layout.ShelfCount];
        for (var i = 0; i < shelfCell.Length; i++)
            shelfCell[i] = state.Shelves is { } shelves ? (shelves[i].X, shelves[i].Y) : layout.ShelfHomes[i];

        var robotsAt = NewLists(cells);
        var carried = new bool[layout.ShelfCount];
        for (var i = 0; i < state.Agents.Count; i++)
        {
            var a = state.Agents[i];
            robotsAt[CellIndex(layout, a.X, a.Y, $"robot {i}")].Add(i);
            if (a.Carrying is not { } s) continue;
            CheckShelf(layout, s, $"robot {i} carries shelf {s}");
            // A carried shelf is wherever its robot is, whatever the shelf list says (it is null at reset).
            shelfCell[s] = (a.X, a.Y);
            carried[s] = true;
        }

        var shelvesAt = NewLists(cells);
        for (var i = 0; i < shelfCell.Length; i++)
            shelvesAt[CellIndex(layout, shelfCell[i].X, shelfCell[i].Y, $"shelf {i}")].Add(i);

        foreach (var r in state.Requests) CheckShelf(layout, r, $"requested shelf {r}");
        return new Scene(layout, robotsAt, shelvesAt, shelfCell, carried, [.. state.Requests]);
    }

    static List<int>[] NewLists(int n)
    {
        var lists = new List<int>[n];
        for (var k = 0; k < n; k++) lists[k] = [];
        return lists;
    }

    static int CellIndex(WarehouseLayout layout, int x, int y, string what) =>
        x >= 0 && x < layout.Columns && y >= 0 && y < layout.Rows
            ? y * layout.Columns + x
            : throw new ArgumentException($"{what} at (x {x}, y {y}) is outside the {layout.Rows}x{layout.Columns} grid");

    static void CheckShelf(WarehouseLayout layout, int shelf, string what)
    {
        if (shelf < 0 || shelf >= layout.ShelfCount)
            throw new ArgumentException($"{what}: shelf indices run 0..{layout.ShelfCount - 1}");
    }

    static string Header(WarehouseTask task, WarehouseState state)
    {
        var limit = task.MaxSteps > 0 ? task.MaxSteps.ToString(CultureInfo.InvariantCulture) : "no limit";
        var requests = state.Requests.Count > 0
            ? string.Join(", ", state.Requests.Select(r => r.ToString(CultureInfo.InvariantCulture)))
            : "none";
        return FormattableString.Invariant($"step {state.Step}/{limit}, requests: {requests}");
    }

    static string CellText(Scene scene, WarehouseState state, int x, int y)
    {
        var cell = y * scene.Layout.Columns + x;
        var robots = scene.RobotsAt[cell];
        var shelves = scene.ShelvesAt[cell];
        // Only reachable from a hand-made state: the rules never stack two shelves on one cell.
        var shelfMark = shelves.Count == 0 ? ' ' : shelves.Any(scene.Requested.Contains) ? '*' : ']';
        if (robots.Count > 1) return ("@" + robots.Count.ToString(CultureInfo.InvariantCulture)).PadLeft(3);
        if (robots.Count == 1)
        {
            var a = state.Agents[robots[0]];
            var letter = AgentLetter(robots[0]);
            return $"{Arrow(a.Direction)}{(a.Carrying != null ? char.ToUpperInvariant(letter) : letter)}{shelfMark}";
        }
        if (shelves.Count > 0) return shelfMark == '*' ? "[*]" : "[ ]";
        return scene.Layout.IsGoal(x, y) ? " G " : scene.Layout.IsHighway(x, y) ? " . " : " _ ";
    }

    // a..z, with '#' past 26 robots (the registered tasks stop at 19), so case can mark carrying.
    static char AgentLetter(int agent) => agent < 26 ? (char)('a' + agent) : '#';

    static char Arrow(Heading h) => h switch
    {
        Heading.Up => '^',
        Heading.Down => 'v',
        Heading.Left => '<',
        Heading.Right => '>',
        _ => '?',
    };

    static string Colour(int agent) => Palette[agent % Palette.Length];

    static XElement ShelfShape(Scene scene, int shelf)
    {
        var (x, y) = scene.ShelfCell[shelf];
        var requested = scene.Requested.Contains(shelf);
        var carried = scene.Carried[shelf];
        const double inset = 4;
        return new XElement(Svgns + "rect",
            new XAttribute("class", "shelf" + (requested ? " requested" : "") + (carried ? " carried" : "")),
            new XAttribute("data-shelf", shelf),
            new XAttribute("x", x * CellPx + inset), new XAttribute("y", y * CellPx + inset),
            new XAttribute("width", CellPx - 2 * inset), new XAttribute("height", CellPx - 2 * inset),
            new XAttribute("rx", 2),
            new XAttribute("fill", requested ? RequestedFill : ShelfFill),
            new XAttribute("stroke", carried ? "#111111" : requested ? RequestedStroke : ShelfStroke),
            new XAttribute("stroke-width", carried ? 3 : 1),
            new XElement(Svgns + "title", FormattableString.Invariant(
                $"shelf {shelf}{(requested ? ", requested" : "")}{(carried ? ", carried" : "")}")));
    }

    static XElement RobotShape(WarehouseAgent a, int agent)
    {
        double cx = (a.X + 0.5) * CellPx, cy = (a.Y + 0.5) * CellPx, radius = 9;
        // The pointer's base sits on the disc's rim and its tip stops short of the cell edge.
        var (dx, dy) = a.Direction switch
        {
            Heading.Up => (0.0, -1.0),
            Heading.Down => (0.0, 1.0),
            Heading.Left => (-1.0, 0.0),
            _ => (1.0, 0.0),
        };
        double tip = 15, half = 5;
        var points = FormattableString.Invariant(
            $"{cx + dx * tip},{cy + dy * tip} {cx + dx * radius - dy * half},{cy + dy * radius + dx * half} {cx + dx * radius + dy * half},{cy + dy * radius - dx * half}");
        var colour = Colour(agent);
        return new XElement(Svgns + "g",
            // White with a dark edge shows on light floor, dark goals and black carried-shelf outlines alike.
            new XElement(Svgns + "polygon", new XAttribute("class", "heading"), new XAttribute("points", points),
                new XAttribute("fill", "#ffffff"), new XAttribute("stroke", "#111111"), new XAttribute("stroke-width", 1)),
            new XElement(Svgns + "circle",
                new XAttribute("class", "robot"),
                new XAttribute("data-agent", agent),
                new XAttribute("cx", cx), new XAttribute("cy", cy), new XAttribute("r", radius),
                new XAttribute("fill", colour), new XAttribute("stroke", "#111111"), new XAttribute("stroke-width", 1),
                new XElement(Svgns + "title", FormattableString.Invariant(
                    $"agent {agent} ({AgentLetter(agent)}), heading {a.Direction}{(a.Carrying is { } s ? $", carrying shelf {s}" : "")}"))),
            Label(cx, cy, AgentLetter(agent).ToString(), "#ffffff", halo: true));
    }

    static XElement Label(double cx, double cy, string text, string fill, bool halo)
    {
        var label = new XElement(Svgns + "text",
            new XAttribute("x", cx), new XAttribute("y", cy),
            new XAttribute("text-anchor", "middle"), new XAttribute("dominant-baseline", "central"),
            new XAttribute("font-weight", "bold"), new XAttribute("fill", fill),
            text);
        // A dark halo keeps a white letter legible on the light palette colours.
        if (halo)
            label.Add(new XAttribute("stroke", "#000000"), new XAttribute("stroke-width", 2), new XAttribute("paint-order", "stroke"));
        return label;
    }
}

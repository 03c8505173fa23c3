using System.Globalization;
using System.Text;
using System.Xml.Linq;

namespace CommLab.Envs.Foraging;

/// <summary>Pictures of a Level-Based Foraging state: an ASCII grid for logs and terminals, and a
/// standalone SVG for reports. Both read only the task and a state, so any saved state can be drawn.</summary>
public static class ForagingPicture
{
    /// <summary>The line printed under the text grid.</summary>
    public const string Legend =
        "legend: . empty, *3 food of level 3, a2 player a (agent 0; b is agent 1, ...) at level 2, " +
        "@2 two players (or a player and food) sharing one cell";

    const int CellPx = GridSvg.CellPx;
    static readonly XNamespace Svgns = GridSvg.Ns;

    // Tableau's palette without its red and green: food is drawn in those.
    static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"];

    /// <summary>A player's or food's place in a cell's list: food is tagged so a cell can hold both.</summary>
    readonly record struct Occupant(bool IsFood, int Index);

    /// <summary>The state as text: a header line (<c>step S/MaxEpisodeSteps, food spawned N</c>), then
    /// <see cref="ForagingTask.Rows"/> lines of <see cref="ForagingTask.Cols"/> three-character cells,
    /// row 0 first, then <see cref="Legend"/>. Every line ends with '\n'.</summary>
    /// <exception cref="ArgumentException">A player or food lies outside the grid.</exception>
    public static string Text(ForagingTask task, ForagingState state)
    {
        var cells = Occupants(task, state);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"step {state.Step}/{task.MaxEpisodeSteps}, food spawned {state.FoodSpawned}\n");
        for (var r = 0; r < task.Rows; r++)
        {
            for (var c = 0; c < task.Cols; c++)
                text.Append(CellText(cells[r * task.Cols + c], state));
            text.Append('\n');
        }
        return text.Append(Legend).Append('\n').ToString();
    }

    /// <summary>The state as a standalone SVG document, 32 px per cell: food as red discs, players as
    /// squares in a per-agent colour (both labelled with their level), and, under partial observability,
    /// each player's sight window as a dashed rectangle in its colour. Shapes carry <c>class</c>
    /// attributes (<c>food</c>, <c>player</c>, <c>sight</c>) so tools and tests can find them.</summary>
    /// <exception cref="ArgumentException">A player or food lies outside the grid.</exception>
    public static string Svg(ForagingTask task, ForagingState state)
    {
        var cells = Occupants(task, state);
        int width = task.Cols * CellPx, height = task.Rows * CellPx;
        var svg = GridSvg.Document(task.Rows, task.Cols, task.Name,
            FormattableString.Invariant($"step {state.Step}/{task.MaxEpisodeSteps}, food spawned {state.FoodSpawned}"));
        svg.Add(new XElement(Svgns + "rect", new XAttribute("width", width), new XAttribute("height", height), new XAttribute("fill", "#ffffff")),
            GridSvg.Lines(task.Rows, task.Cols, "#dddddd"));

        // With full sight every window is the whole grid, which would only tint the picture.
        if (task.Sight < Math.Max(task.Rows, task.Cols))
            for (var i = 0; i < state.Players.Count; i++)
                svg.Add(SightWindow(task, state.Players[i], Colour(i)));

        foreach (var f in state.Food)
        {
            double cx = (f.Col + 0.5) * CellPx, cy = (f.Row + 0.5) * CellPx;
            svg.Add(new XElement(Svgns + "circle",
                new XAttribute("class", "food"),
                new XAttribute("cx", cx), new XAttribute("cy", cy), new XAttribute("r", 11),
                new XAttribute("fill", "#d62728"), new XAttribute("stroke", "#7a1516"), new XAttribute("stroke-width", 1),
                new XElement(Svgns + "title", FormattableString.Invariant($"food, level {f.Level}"))));
            svg.Add(Label(cx, cy, f.Level));
        }

        for (var i = 0; i < state.Players.Count; i++)
        {
            var p = state.Players[i];
            // Players sharing a cell are fanned out so each stays visible and clickable.
            var rank = cells[p.Row * task.Cols + p.Col].IndexOf(new Occupant(false, i));
            double shift = 4 * rank, size = 22;
            double x = p.Col * CellPx + (CellPx - size) / 2 + shift, y = p.Row * CellPx + (CellPx - size) / 2 + shift;
            svg.Add(new XElement(Svgns + "rect",
                new XAttribute("class", "player"),
                new XAttribute("data-agent", i),
                new XAttribute("x", x), new XAttribute("y", y), new XAttribute("width", size), new XAttribute("height", size),
                new XAttribute("rx", 4), new XAttribute("fill", Colour(i)),
                new XAttribute("stroke", "#222222"), new XAttribute("stroke-width", 1),
                new XElement(Svgns + "title", FormattableString.Invariant($"agent {i} ({AgentLetter(i)}), level {p.Level}"))));
            svg.Add(Label(x + size / 2, y + size / 2, p.Level));
        }
        return svg.ToString();
    }

    // a..z, then A..Z, then '#' for the rest: 52 players is far past any registered task.
    static char AgentLetter(int agent) =>
        agent < 26 ? (char)('a' + agent) : agent < 52 ? (char)('A' + agent - 26) : '#';

    static List<Occupant>[] Occupants(ForagingTask task, ForagingState state)
    {
        var cells = new List<Occupant>[task.Rows * task.Cols];
        for (var k = 0; k < cells.Length; k++) cells[k] = [];
        for (var i = 0; i < state.Food.Count; i++)
        {
            var f = state.Food[i];
            cells[CellIndex(task, f.Row, f.Col, $"food {i}")].Add(new Occupant(true, i));
        }
        for (var i = 0; i < state.Players.Count; i++)
        {
            var p = state.Players[i];
            cells[CellIndex(task, p.Row, p.Col, $"player {i}")].Add(new Occupant(false, i));
        }
        return cells;
    }

    static int CellIndex(ForagingTask task, int row, int col, string what) =>
        row >= 0 && row < task.Rows && col >= 0 && col < task.Cols
            ? row * task.Cols + col
            : throw new ArgumentException($"{what} at (row {row}, col {col}) is outside the {task.Rows}x{task.Cols} grid");

    static string CellText(List<Occupant> cell, ForagingState state) => cell.Count switch
    {
        0 => " . ",
        1 when cell[0].IsFood => Token('*', state.Food[cell[0].Index].Level),
        1 => Token(AgentLetter(cell[0].Index), state.Players[cell[0].Index].Level),
        _ => Token('@', cell.Count),
    };

    // Right-aligned so single-digit tokens line up under the empty cells' dots; a level past 99
    // becomes '+' so a cell never grows wider than three characters.
    static string Token(char symbol, int n) =>
        (symbol + (n is >= 0 and <= 99 ? n.ToString(CultureInfo.InvariantCulture) : "+")).PadLeft(3);

    static string Colour(int agent) => Palette[agent % Palette.Length];

    static XElement SightWindow(ForagingTask task, ForagingPlayer p, string colour)
    {
        int top = Math.Max(0, p.Row - task.Sight), bottom = Math.Min(task.Rows - 1, p.Row + task.Sight);
        int left = Math.Max(0, p.Col - task.Sight), right = Math.Min(task.Cols - 1, p.Col + task.Sight);
        // Inset by a pixel so the dashed edge is not cut off at the picture's border.
        return new XElement(Svgns + "rect",
            new XAttribute("class", "sight"),
            new XAttribute("x", left * CellPx + 1), new XAttribute("y", top * CellPx + 1),
            new XAttribute("width", (right - left + 1) * CellPx - 2), new XAttribute("height", (bottom - top + 1) * CellPx - 2),
            new XAttribute("fill", colour), new XAttribute("fill-opacity", 0.12),
            new XAttribute("stroke", colour), new XAttribute("stroke-width", 1.5), new XAttribute("stroke-dasharray", "4 3"));
    }

    // White with a dark halo reads on every palette colour and on red food alike.
    static XElement Label(double cx, double cy, int value) =>
        new(Svgns + "text",
            new XAttribute("class", "level"),
            new XAttribute("x", cx), new XAttribute("y", cy),
            new XAttribute("text-anchor", "middle"), new XAttribute("dominant-baseline", "central"),
            new XAttribute("font-weight", "bold"), new XAttribute("fill", "#ffffff"),
            new XAttribute("stroke", "#000000"), new XAttribute("stroke-width", 2), new XAttribute("paint-order", "stroke"),
            value.ToString(CultureInfo.InvariantCulture));
}

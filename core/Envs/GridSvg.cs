using System.Globalization;
using System.Text;
using System.Xml.Linq;

namespace CommLab.Envs;

/// <summary>What the two grid worlds' SVG pictures share: the cell size, the namespace, the document
/// frame and the grid lines (the palettes differ on purpose: each avoids its world's item colours).</summary>
static class GridSvg
{
    public const int CellPx = 32;
    public static readonly XNamespace Ns = "http://www.w3.org/2000/svg";

    /// <summary>An empty picture of <paramref name="rows"/> x <paramref name="cols"/> cells with a title
    /// (the task) and a description (the step line).</summary>
    public static XElement Document(int rows, int cols, string title, string description)
    {
        int width = cols * CellPx, height = rows * CellPx;
        return new XElement(Ns + "svg",
            new XAttribute("width", width),
            new XAttribute("height", height),
            new XAttribute("viewBox", FormattableString.Invariant($"0 0 {width} {height}")),
            new XAttribute("font-family", "sans-serif"),
            new XAttribute("font-size", 12),
            new XElement(Ns + "title", title),
            new XElement(Ns + "desc", description));
    }

    /// <summary>Thin lines between the cells, as one path.</summary>
    public static XElement Lines(int rows, int cols, string stroke)
    {
        var d = new StringBuilder();
        for (var c = 1; c < cols; c++) d.Append(CultureInfo.InvariantCulture, $"M{c * CellPx} 0V{rows * CellPx}");
        for (var r = 1; r < rows; r++) d.Append(CultureInfo.InvariantCulture, $"M0 {r * CellPx}H{cols * CellPx}");
        return new XElement(Ns + "path", new XAttribute("class", "grid"), new XAttribute("d", d.ToString()),
            new XAttribute("stroke", stroke), new XAttribute("stroke-width", 1), new XAttribute("fill", "none"));
    }
}

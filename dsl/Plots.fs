/// Charts written as HTML pages that open offline: XPlot.Plotly builds each chart's data and layout,
/// and `saveHtml` inlines plotly.js into the page (no CDN), so a results folder stays readable
/// without a network and without a later plotly.js release changing how it looks.
module CommLab.Dsl.Plots

open System
open System.IO
open System.Net
open System.Text
open XPlot.Plotly

/// Where the npm package `plotly.js-cartesian-dist-min` (pinned in build/plotly/package.json) puts
/// plotly.js, relative to the repository root.
let plotlyJsRelativePath: string =
    Path.Combine("build", "plotly", "node_modules", "plotly.js-cartesian-dist-min", "plotly-cartesian.min.js")

let rec private findUp (dir: DirectoryInfo option) =
    match dir with
    | None -> None
    | Some d ->
        let candidate = Path.Combine(d.FullName, plotlyJsRelativePath)
        if File.Exists candidate then Some candidate else findUp (Option.ofObj d.Parent)

/// The plotly.js file: `COMMLAB_PLOTLY_JS` if set, else the npm package found by walking up from the
/// current directory and then from the application's directory. Fails with the command that installs it.
let plotlyJsPath () : string =
    match Environment.GetEnvironmentVariable "COMMLAB_PLOTLY_JS" with
    | null
    | "" ->
        let starts = [ Directory.GetCurrentDirectory(); AppContext.BaseDirectory ]
        match starts |> List.tryPick (fun s -> findUp (Some(DirectoryInfo s))) with
        | Some path -> path
        | None ->
            failwithf
                "plotly.js not found: looked for %s above %s. Run `dotnet fsi build.fsx -t Restore` in the repository root to install it (or set COMMLAB_PLOTLY_JS to the file)."
                plotlyJsRelativePath (String.concat " and " starts)
    | path when File.Exists path -> path
    | path -> failwithf "COMMLAB_PLOTLY_JS is %s, which does not exist; unset it or point it at plotly.js." path

/// The colours of a heatmap: `Min` and `Max` get the ends of the scale whatever the data, so two
/// heatmaps of one measure share their colours (0.16 in one is not the colour of 1.0 in another).
type ColourRange =
    { Min: float
      Max: float }

/// A heatmap with `z[row][column]`: rows are `ys` (bottom to top), columns are `xs`, coloured on
/// `range` (values outside it take its end colours), each cell's value printed in it with `digits`
/// decimals (an empty cell, NaN, shows nothing). Labels are kept as categories, so numeric labels such
/// as "0.1" are not re-spaced on a linear axis. 600 x 500 pixels: two side by side fit a 1280-pixel screen.
let heatmap (title: string) (xLabel: string) (yLabel: string) (range: ColourRange) (digits: int) (xs: string list) (ys: string list) (z: float[][]) : PlotlyChart =
    if z.Length <> ys.Length then
        invalidArg "z" (sprintf "heatmap '%s': z has %d rows but there are %d y labels" title z.Length ys.Length)
    z
    |> Array.iteri (fun r row ->
        if row.Length <> xs.Length then
            invalidArg "z" (sprintf "heatmap '%s': z row %d has %d values but there are %d x labels" title r row.Length xs.Length))
    if not (range.Max > range.Min) then
        invalidArg "range" (sprintf "heatmap '%s': the colour range needs Max > Min, got %g..%g" title range.Min range.Max)
    let trace = Heatmap(z = z, x = xs, y = ys, colorscale = "Viridis", zmin = range.Min, zmax = range.Max, zauto = false)
    // One annotation per cell: the value on a pale box, readable on Viridis' dark and light ends alike.
    let labels =
        [ for r in 0 .. ys.Length - 1 do
              for c in 0 .. xs.Length - 1 do
                  let v = z[r][c]
                  if not (Double.IsNaN v) then
                      // By index: plotly reads a numeric label such as "10" as a position on the axis.
                      Annotation(x = float c, y = float r, xref = "x", yref = "y", text = v.ToString("F" + string digits, Globalization.CultureInfo.InvariantCulture),
                                 showarrow = false, bgcolor = "rgba(255,255,255,0.65)", borderpad = 1.0) ]
    let layout =
        Layout(title = title, xaxis = Xaxis(title = xLabel, ``type`` = "category"), yaxis = Yaxis(title = yLabel, ``type`` = "category"),
               annotations = labels)
    Chart.Plot(trace, layout) |> Chart.WithWidth 600 |> Chart.WithHeight 500

let private linesOn (title: string) (xLabel: string) (yLabel: string) (logX: bool) (logY: bool) (series: (string * (float * float) list) list) : PlotlyChart =
    let check (axis: string) (isLog: bool) (pick: float * float -> float) =
        if isLog then
            for name, points in series do
                match points |> List.tryFind (fun p -> not (pick p > 0.0)) with
                | Some p -> invalidArg "series" (sprintf "chart '%s': series '%s' has %s = %g, which a log %s axis cannot show" title name axis (pick p) axis)
                | None -> ()
    check "x" logX fst
    check "y" logY snd
    let traces =
        series
        |> List.map (fun (name, points) -> Scatter(x = List.map fst points, y = List.map snd points, name = name, mode = "lines+markers"))
    let scale isLog = if isLog then "log" else "linear"
    let layout =
        Layout(title = title, xaxis = Xaxis(title = xLabel, ``type`` = scale logX), yaxis = Yaxis(title = yLabel, ``type`` = scale logY))
    Chart.Plot(traces, layout)

/// One line with markers per named series of (x, y) points. With `logX` the x axis is logarithmic,
/// and a non-positive x is an error (plotly would drop the point without a word).
let lines (title: string) (xLabel: string) (yLabel: string) (logX: bool) (series: (string * (float * float) list) list) : PlotlyChart =
    linesOn title xLabel yLabel logX false series

/// As `lines`, with the y axis logarithmic too (times against sizes spanning decades).
let linesLogLog (title: string) (xLabel: string) (yLabel: string) (series: (string * (float * float) list) list) : PlotlyChart =
    linesOn title xLabel yLabel true true series

/// Grouped bars: one bar series per name over shared category labels.
let bars (title: string) (xLabel: string) (yLabel: string) (series: (string * (string * float) list) list) : PlotlyChart =
    let traces =
        series |> List.map (fun (name, points) -> Bar(x = List.map fst points, y = List.map snd points, name = name) :> Trace)
    let layout =
        Layout(title = title, barmode = "group", xaxis = Xaxis(title = xLabel, ``type`` = "category"), yaxis = Yaxis(title = yLabel))
    Chart.Plot(traces, layout)

// Colours of band charts: each series' line and its translucent band share one.
let private palette =
    [| "31,119,180"; "255,127,14"; "44,160,44"; "214,39,40"; "148,103,189"; "140,86,75"; "227,119,194"; "127,127,127" |]

/// One line per named series of (x, y, lower, upper) points, with a shaded band from lower to upper
/// (a bootstrap interval, the range over agents) in the series' colour; `band` says what the band is
/// ("95% bootstrap interval over 15 runs"), under the title. With `logY` the y axis is logarithmic,
/// and a non-positive y or band edge is an error (plotly would drop it without a word).
let intervals (title: string) (xLabel: string) (yLabel: string) (band: string) (logY: bool) (series: (string * (float * float * float * float) list) list) : PlotlyChart =
    if logY then
        for name, points in series do
            match points |> List.tryFind (fun (_, y, lo, hi) -> not (y > 0.0 && lo > 0.0 && hi > 0.0)) with
            | Some (x, y, lo, hi) ->
                invalidArg "series" (sprintf "chart '%s': series '%s' has y = %g in [%g, %g] at x = %g, which a log y axis cannot show" title name y lo hi x)
            | None -> ()
    let traces =
        series
        |> List.mapi (fun i (name, points) ->
            let rgb = palette[i % palette.Length]
            let xs = points |> List.map (fun (x, _, _, _) -> x)
            let line = points |> List.map (fun (_, y, _, _) -> y)
            let lower = points |> List.map (fun (_, _, lo, _) -> lo)
            let upper = points |> List.map (fun (_, _, _, hi) -> hi)
            // Plotly fills "tonexty" down to the trace drawn just before, so each band is its upper
            // edge followed by its lower edge, both without lines.
            [ Scatter(x = xs, y = upper, mode = "lines", line = Line(width = 0.0, color = sprintf "rgba(%s,0)" rgb),
                      showlegend = false, hoverinfo = "skip", legendgroup = name) :> Trace
              Scatter(x = xs, y = lower, mode = "lines", line = Line(width = 0.0, color = sprintf "rgba(%s,0)" rgb),
                      fill = "tonexty", fillcolor = sprintf "rgba(%s,0.2)" rgb, showlegend = false, hoverinfo = "skip", legendgroup = name)
              Scatter(x = xs, y = line, mode = "lines+markers", name = name, line = Line(color = sprintf "rgb(%s)" rgb),
                      legendgroup = name) ])
        |> List.concat
    // Plotly reads titles as a little HTML: only its markup characters are escaped.
    let text (s: string) = s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;")
    let heading = sprintf "%s<br><sub>shaded: %s</sub>" (text title) (text band)
    let layout = Layout(title = heading, xaxis = Xaxis(title = xLabel), yaxis = Yaxis(title = yLabel, ``type`` = (if logY then "log" else "linear")))
    Chart.Plot(traces, layout)

/// One line per named series of (x, mean, spread) points, with a shaded band from mean - spread to
/// mean + spread in the series' colour; `band` says what the spread is ("± 1 standard deviation over
/// 3 seeds").
let bands (title: string) (xLabel: string) (yLabel: string) (band: string) (series: (string * (float * float * float) list) list) : PlotlyChart =
    intervals title xLabel yLabel band false [ for name, points in series -> name, [ for x, m, s in points -> x, m, m - s, m + s ] ]

// "</" ends a <script> element wherever it appears, even inside a JS string; "<\/" means the same
// to JavaScript (and to JSON) but not to the HTML parser.
let private scriptSafe (js: string) = js.Replace("</", "<\\/")

/// Writes one HTML page with `title` and the charts one after another, plotly.js inlined, creating
/// the folder if needed. The charts get the ids "chart-1", "chart-2", .. (XPlot's ids are random), so
/// the same charts always give the same file.
let saveHtml (path: string) (title: string) (charts: PlotlyChart list) : unit =
    let plotly = File.ReadAllText(plotlyJsPath ())
    let page = StringBuilder()
    let line (s: string) = page.Append(s).Append('\n') |> ignore
    line "<!DOCTYPE html>"
    line "<html lang=\"en\">"
    line "<head>"
    line "<meta charset=\"utf-8\">"
    line (sprintf "<title>%s</title>" (WebUtility.HtmlEncode title))
    line "<style>body { font-family: sans-serif; margin: 1em; } .chart { display: inline-block; vertical-align: top; }</style>"
    line "<script>"
    line (scriptSafe plotly)
    line "</script>"
    line "</head>"
    line "<body>"
    line (sprintf "<h1>%s</h1>" (WebUtility.HtmlEncode title))
    charts
    |> List.iteri (fun i chart ->
        chart.Id <- sprintf "chart-%d" (i + 1)
        line (sprintf "<div id=\"%s\" class=\"chart\" style=\"width: %dpx; height: %dpx;\"></div>" chart.Id chart.Width chart.Height)
        // Each chart in its own function: XPlot's script declares `var data` and `var layout`.
        line (sprintf "<script>\n(function () {\n%s\n})();\n</script>" (scriptSafe (chart.GetPlottingJS().Trim()))))
    line "</body>"
    line "</html>"
    let full = Path.GetFullPath path
    Directory.CreateDirectory(Path.GetDirectoryName full |> string) |> ignore
    File.WriteAllText(full, page.ToString())

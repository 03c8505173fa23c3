/// Opens the HTML pages the experiments write in a real browser, headless Chromium, with no network:
/// to check that every plot rendered (the tests) and to export the plots as SVG and PNG for papers
/// (`experiments/export-figures.fsx`). Debian's `chromium` package is what this was built with.
module CommLab.Dsl.Browser

open System
open System.Diagnostics
open System.IO
open System.Net
open System.Text.RegularExpressions

/// The Chromium executable: `COMMLAB_CHROMIUM` if set, else the first of chromium, chromium-browser,
/// google-chrome on PATH; None when there is none.
let find () : string option =
    match Environment.GetEnvironmentVariable "COMMLAB_CHROMIUM" with
    | null | "" ->
        let path = (Environment.GetEnvironmentVariable "PATH" |> Option.ofObj |> Option.defaultValue "").Split(Path.PathSeparator)
        [ "chromium"; "chromium-browser"; "google-chrome" ]
        |> List.tryPick (fun exe -> path |> Array.map (fun dir -> Path.Combine(dir, exe)) |> Array.tryFind File.Exists)
    | exe -> Some exe

/// How to get a browser, for messages.
let howToInstall = "install Debian's chromium (apt-get install chromium; .ci/run does it) or set COMMLAB_CHROMIUM to a Chromium or Chrome executable"

/// What the browser saw of a page.
type Loaded =
    { /// The DOM after the page's scripts ran.
      Dom: string
      /// Every message the page wrote to its console (errors included), in order.
      Console: string list }

// A headless browser with no network (an unreachable proxy, no host resolves), no profile left
// behind and no background traffic: the flags that work with Debian's chromium as root.
let private flags (profile: string) =
    [ "--headless"; "--no-sandbox"; "--disable-gpu"; "--disable-background-networking"; "--disable-component-update"
      "--disable-sync"; "--no-first-run"; sprintf "--user-data-dir=%s" profile
      "--proxy-server=127.0.0.1:9"; "--host-resolver-rules=MAP * ~NOTFOUND"
      "--enable-logging=stderr"; "--v=0"; "--window-size=1280,1000" ]

/// Loads `page` (an HTML file) in headless Chromium, lets its scripts run for up to `budgetMs`
/// milliseconds of virtual time, and returns the DOM and the console messages. Fails naming the
/// browser and the page when the browser cannot run.
let load (chromium: string) (budgetMs: int) (page: string) : Loaded =
    let profile = Path.Combine(Path.GetTempPath(), "commlab-chromium-" + Guid.NewGuid().ToString "N")
    try
        let psi = ProcessStartInfo(chromium)
        for a in flags profile @ [ sprintf "--virtual-time-budget=%d" budgetMs; "--dump-dom"; Uri(Path.GetFullPath page).AbsoluteUri ] do
            psi.ArgumentList.Add a
        psi.RedirectStandardOutput <- true
        psi.RedirectStandardError <- true
        psi.UseShellExecute <- false
        use p = Process.Start psi
        let err = p.StandardError.ReadToEndAsync()
        let dom = p.StandardOutput.ReadToEnd()
        if not (p.WaitForExit 120000) then
            p.Kill true
            failwithf "%s did not finish loading %s within 2 minutes" chromium page
        if p.ExitCode <> 0 then failwithf "%s exited with code %d loading %s:\n%s" chromium p.ExitCode page err.Result
        // Chromium logs console messages as `[...:INFO:CONSOLE:12] "message", source: file:///... (12)`.
        let console =
            [ for m in Regex.Matches(err.Result, @":CONSOLE(?:\(\d+\)|:\d+)\] ""(.*)"", source:") -> m.Groups[1].Value ]
        { Dom = dom; Console = console }
    finally
        try
            if Directory.Exists profile then Directory.Delete(profile, true)
        with _ -> ()

/// What a page of charts looks like once rendered: its chart containers (`saveHtml` numbers them
/// chart-1, chart-2, ..), how many plotly drew, and each drawn chart's axis titles.
type Rendered =
    { Charts: int
      Drawn: int
      /// Per drawn chart, its x and y axis titles (empty when missing).
      AxisTitles: (string * string) list
      /// Per drawn chart, the tick labels plotly drew on its x and y axes, in order.
      Ticks: (string list * string list) list }

/// Counts the charts of a page written by `Plots.saveHtml` and what plotly drew of them in `dom`.
let rendered (html: string) (dom: string) : Rendered =
    let charts = Regex.Matches(html, @"<div id=""chart-\d+"" class=""chart""").Count
    // Each chart plotly drew has one "plot-container"; its axis titles are <text class="xtitle"> and "ytitle".
    let parts = Regex.Split(dom, @"class=""plot-container plotly""") |> Array.skip 1
    let title (cls: string) (part: string) =
        let m = Regex.Match(part, sprintf @"<text class=""%s""[^>]*>(.*?)</text>" cls)
        if m.Success then WebUtility.HtmlDecode(Regex.Replace(m.Groups[1].Value, "<[^>]+>", "")).Trim() else ""
    let ticks (cls: string) (part: string) =
        [ for m in Regex.Matches(part, sprintf @"<g class=""%s""[^>]*>\s*<text[^>]*>(.*?)</text>" cls) ->
              WebUtility.HtmlDecode(Regex.Replace(m.Groups[1].Value, "<[^>]+>", "")).Trim() ]
    { Charts = charts; Drawn = parts.Length; AxisTitles = [ for part in parts -> title "xtitle" part, title "ytitle" part ]
      Ticks = [ for part in parts -> ticks "xtick" part, ticks "ytick" part ] }

/// `load` on a copy of `page` with `script` (JavaScript) run after the page has loaded; the script
/// may leave its findings in the DOM for the caller to read. The copy lives in a temporary folder
/// (the pages are self-contained) and is removed afterwards.
let loadWith (chromium: string) (budgetMs: int) (script: string) (page: string) : Loaded =
    let html = File.ReadAllText page
    let at = html.LastIndexOf "</body>"
    if at < 0 then failwithf "%s is not an HTML page with a </body>" page
    let folder = Path.Combine(Path.GetTempPath(), "commlab-page-" + Guid.NewGuid().ToString "N")
    Directory.CreateDirectory folder |> ignore
    try
        let copy = Path.Combine(folder, Path.GetFileName page)
        File.WriteAllText(copy, html.Insert(at, sprintf "<script>\nwindow.addEventListener('load', function () {\n%s\n});\n</script>\n" script))
        load chromium budgetMs copy
    finally
        try Directory.Delete(folder, true) with _ -> ()

// The text of the <pre id="..."> a script appended, HTML-decoded.
let private preText (id: string) (dom: string) =
    let m = Regex.Match(dom, sprintf @"<pre id=""%s"">(.*?)</pre>" id, RegexOptions.Singleline)
    if m.Success then Some(WebUtility.HtmlDecode m.Groups[1].Value) else None

// Runs `script` on a copy of `page`; the script leaves its findings in a <pre id="`id`">, one line
// per chart of space-separated fields, which come back split (`what` names the script in errors).
let private chartLines (chromium: string) (budgetMs: int) (id: string) (what: string) (script: string) (page: string) =
    let loaded = loadWith chromium budgetMs script page
    match preText id loaded.Dom with
    | None -> failwithf "%s: %s (console: %s)" page what (String.concat " | " loaded.Console)
    | Some text -> [ for line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries) -> line, line.Split ' ' ]

/// Where each chart of a page sits in a 1280-pixel-wide window: (id, left, top, width) in pixels.
let layout (chromium: string) (page: string) : (string * int * int * int) list =
    let script =
        """var out = document.createElement('pre'); out.id = 'commlab-layout';
out.textContent = Array.from(document.querySelectorAll('div.chart')).map(function (d) {
  var r = d.getBoundingClientRect(); return [d.id, Math.round(r.left), Math.round(r.top), Math.round(r.width)].join(' '); }).join('\n');
document.body.appendChild(out);"""
    [ for line, fields in chartLines chromium 10000 "commlab-layout" "the layout script left nothing" script page ->
          match fields with
          | [| id; left; top; width |] -> id, int left, int top, int width
          | _ -> failwithf "%s: unexpected layout line '%s'" page line ]

/// Every chart of a page as SVG and as PNG (twice its size on screen), made by plotly.js in the
/// browser (Plotly.toImage), offline: (chart id, svg text, png bytes).
let export (chromium: string) (page: string) : (string * string * byte[]) list =
    let script =
        """(async function () {
  var out = document.createElement('pre'); out.id = 'commlab-export';
  var lines = [];
  for (const d of document.querySelectorAll('div.chart')) {
    const svg = await Plotly.toImage(d, { format: 'svg' });
    const png = await Plotly.toImage(d, { format: 'png', scale: 2 });
    lines.push(d.id + ' ' + encodeURIComponent(svg) + ' ' + png);
  }
  out.textContent = lines.join('\n');
  document.body.appendChild(out);
})();"""
    [ for _, fields in chartLines chromium 30000 "commlab-export" "plotly.js made no images" script page ->
          match fields with
          | [| id; svg; png |] ->
              // Plotly gives "data:image/svg+xml,<url-encoded svg>" and "data:image/png;base64,<base64>".
              let svgText = Uri.UnescapeDataString(Uri.UnescapeDataString svg)
              let svgBody = svgText.Substring(svgText.IndexOf ',' + 1)
              let pngBytes = Convert.FromBase64String(png.Substring(png.IndexOf ',' + 1))
              id, svgBody, pngBytes
          | _ -> failwithf "%s: unexpected export line" page ]

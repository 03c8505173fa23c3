module CommLab.Tests.PlotsTests

open System
open System.IO
open System.Text.RegularExpressions
open Expecto
open CommLab.Dsl

let private page (dir: string) =
    let heat = Plots.heatmap "Accuracy" "vocab" "length" { Min = 0.0; Max = 1.0 } 2 [ "2"; "4"; "8" ] [ "1"; "2" ] [| [| 0.1; 0.2; 0.3 |]; [| 0.4; nan; 0.6 |] |]
    let curves =
        Plots.lines "Learning curves" "step" "accuracy" true [ "gumbel </script> run", [ 1.0, 0.1; 10.0, 0.5 ]; "reinforce", [ 1.0, 0.2; 100.0, 0.7 ] ]
    let path = Path.Combine(dir, "sub", "report.html")
    Plots.saveHtml path "Report <1>" [ heat; curves ]
    File.ReadAllText path

let tests =
    testList "Plots" [
        test "the page inlines plotly.js and loads no script from the network" {
            use tmp = new TempDir()
            let html = page tmp.Path
            let plotly = File.ReadAllText(Plots.plotlyJsPath ())
            Expect.stringContains html "plotly.js (cartesian - minified) v2.35.2" "the pinned plotly.js must be inlined"
            Expect.isGreaterThan html.Length plotly.Length "the whole library is in the page"
            Expect.isFalse (Regex.IsMatch(html, "<script[^>]*\\bsrc\\s*=", RegexOptions.IgnoreCase)) "no <script src>: the page must open offline"
        }

        test "the page holds every chart and series" {
            use tmp = new TempDir()
            let html = page tmp.Path
            for expected in [ "chart-1"; "chart-2"; "\"reinforce\""; "Learning curves"; "\"heatmap\"" ] do
                Expect.stringContains html expected "each chart and series must be on the page"
            Expect.stringContains html "gumbel <\\/script> run" "a name containing </script> must not end the script element"
            Expect.stringContains html "<title>Report &lt;1&gt;</title>" "the page title is HTML-escaped"
        }

        test "the same charts give the same file" {
            use tmp = new TempDir()
            Expect.equal (page tmp.Path) (page tmp.Path) "reports are committed, so their HTML must be deterministic"
        }

        test "a heatmap whose z does not match its labels is an error" {
            Expect.throwsC (fun () -> Plots.heatmap "t" "x" "y" { Min = 0.0; Max = 1.0 } 2 [ "a"; "b" ] [ "r" ] [| [| 1.0 |] |] |> ignore) (fun ex ->
                Expect.stringContains ex.Message "2 x labels" "the message gives both sizes")
        }

        test "a heatmap colours a fixed range, prints each value and names its band's meaning nowhere else" {
            let heat = Plots.heatmap "t" "x" "y" { Min = 0.0; Max = 1000.0 } 0 [ "a"; "b" ] [ "r" ] [| [| 12.0; nan |] |]
            heat.Id <- "chart"
            let js = heat.GetPlottingJS()
            Expect.stringContains js "\"zmin\":0.0" "the range's minimum"
            Expect.stringContains js "\"zmax\":1000.0" "the range's maximum, whatever the data"
            Expect.stringContains js "\"zauto\":false" "not fitted to the data"
            Expect.stringContains js "\"text\":\"12\"" "the value in its cell"
            Expect.equal (System.Text.RegularExpressions.Regex.Matches(js, "\"showarrow\":false").Count) 1 "no label on the empty cell"
            Expect.throwsC (fun () -> Plots.heatmap "t" "x" "y" { Min = 1.0; Max = 1.0 } 0 [ "a" ] [ "r" ] [| [| 1.0 |] |] |> ignore) (fun ex ->
                Expect.stringContains ex.Message "Max > Min" "an empty range is refused")
        }

        test "a band chart says what its band is" {
            let c = Plots.bands "Accuracy" "epoch" "accuracy" "± 1 standard deviation over 3 seeds" [ "L=1", [ 1.0, 0.5, 0.1 ] ]
            c.Id <- "chart"
            Expect.stringContains (c.GetPlottingJS()) "Accuracy<br><sub>shaded: ± 1 standard deviation over 3 seeds</sub>" "under the title"
        }

        test "a log x axis rejects non-positive x" {
            Expect.throwsC (fun () -> Plots.lines "t" "x" "y" true [ "s", [ 0.0, 1.0 ] ] |> ignore) (fun ex ->
                Expect.stringContains ex.Message "'s'" "the message names the series")
        }

        test "a log y axis rejects a non-positive band edge" {
            Expect.throwsC (fun () -> Plots.intervals "t" "x" "y" "band" true [ "s", [ 1.0, 1.0, 0.5, 2.0; 2.0, 1.0, 0.0, 2.0 ] ] |> ignore) (fun ex ->
                Expect.stringContains ex.Message "series 's' has y = 1 in [0, 2] at x = 2" "the series, the point and its band")
        }

        test "bands are intervals of mean - spread to mean + spread" {
            // XPlot gives each chart a random id; saveHtml numbers them, so compare under one id.
            let js (c: XPlot.Plotly.PlotlyChart) =
                c.Id <- "chart"
                c.GetPlottingJS()
            Expect.equal (js (Plots.bands "t" "x" "y" "± 1 std" [ "s", [ 1.0, 3.0, 0.5 ] ])) (js (Plots.intervals "t" "x" "y" "± 1 std" false [ "s", [ 1.0, 3.0, 2.5, 3.5 ] ]))
                "one band chart, two ways to give its edges"
        }
    ]

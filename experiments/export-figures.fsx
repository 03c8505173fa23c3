// Static figures for papers: every chart of an experiment's HTML pages as SVG and PNG, made offline
// by plotly.js in headless Chromium (Debian's chromium; the same browser the tests open the pages in).
//
//   dotnet fsi experiments/export-figures.fsx --experiment quantized-heatmap --profile quick
//   dotnet fsi build.fsx -t Figures -- --experiment sms-message-length --profile paper
//
// Writes <out>/<experiment>/<profile>/figures/<page>-<n>.svg and .png (PNG at twice the on-screen size).
#load "Load.fsx"

open System.IO
open Argu
open CommLab.Dsl

type Arguments =
    | [<Mandatory>] Experiment of name: string
    | Profile of name: string
    | Out of dir: string

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Experiment _ -> "the experiment whose pages to export: a folder under --out, e.g. quantized-heatmap."
            | Profile _ -> "the profile folder whose pages to export, e.g. quick, paper or paper-only-Inst (default: quick)."
            | Out _ -> "results root folder (default: results)."

let args = Cli.parseOwn<Arguments> "dotnet fsi experiments/export-figures.fsx" (fsi.CommandLineArgs |> Array.skip 1)

let out = args.GetResult(Out, defaultValue = "results")
let experiment = args.GetResult Experiment
let profile = args.GetResult(Profile, defaultValue = "quick")
let dir = Path.Combine(out, experiment, profile)
let pages = if Directory.Exists dir then Directory.GetFiles(dir, "*.html") |> Array.sort |> List.ofArray else []
if pages.IsEmpty then
    let profiles =
        let e = Path.Combine(out, experiment)
        if Directory.Exists e then
            Directory.GetDirectories e |> Array.map Path.GetFileName |> Array.filter (fun d -> d <> "runs") |> Array.sort |> String.concat ", "
        else "none (no such experiment folder)"
    Cli.fail [ sprintf "no HTML pages in %s (run the experiment's %s profile first); the profile folders of %s are: %s" dir profile experiment profiles ]
let chromium =
    match Browser.find () with
    | Some c -> c
    | None -> Cli.fail [ sprintf "export-figures needs a browser: %s" Browser.howToInstall ]

let figures = Path.Combine(dir, "figures")
try
    Directory.CreateDirectory figures |> ignore
with :? System.IO.IOException | :? System.UnauthorizedAccessException as e ->
    Cli.fail [ sprintf "cannot write the figures to %s: %s" figures e.Message ]
for page in pages do
    let name = Path.GetFileNameWithoutExtension page
    for id, svg, png in Browser.export chromium page do
        let stem = Path.Combine(figures, sprintf "%s-%s" name (id.Replace("chart-", "")))
        CommLab.Files.AtomicFile.Write(stem + ".svg", fun s -> let b = System.Text.Encoding.UTF8.GetBytes svg in s.Write(b, 0, b.Length))
        CommLab.Files.AtomicFile.Write(stem + ".png", fun s -> s.Write(png, 0, png.Length))
        printfn "wrote %s.svg and .png" stem

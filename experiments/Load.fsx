// References the built framework for experiment scripts. Build first:
// `dotnet fsi build.fsx -t Build` (any experiment target builds too).
#r "../artifacts/bin/CommLab.Dsl/release/TorchSharp.dll"
#r "../artifacts/bin/CommLab.Dsl/release/CommLab.Core.dll"
#r "../artifacts/bin/CommLab.Dsl/release/Argu.dll"
#r "../artifacts/bin/CommLab.Dsl/release/Deedle.dll"
#r "../artifacts/bin/CommLab.Dsl/release/Newtonsoft.Json.dll"
#r "../artifacts/bin/CommLab.Dsl/release/XPlot.Plotly.dll"
#r "../artifacts/bin/CommLab.Dsl/release/CommLab.Dsl.dll"

// Before any tensor work: MKL accepts its reproducible mode only before its first computation, and
// libtorch must be loaded by path before TorchSharp looks for it by name (CommLab.Devices.TorchNatives;
// otherwise TorchSharp copies ~480 MB of natives beside TorchSharp.dll). Missing natives end the
// script with the reason, not a stack trace.
try
    CommLab.Training.Reproducibility.Ensure() |> ignore
with :? System.DllNotFoundException as e ->
    CommLab.Dsl.Cli.fail [ e.Message ]

// References the built framework for experiment scripts. Build first:
// `dotnet fsi build.fsx -t Build` (any experiment target builds too).
#r "../artifacts/bin/CommLab.Dsl/release/TorchSharp.dll"
#r "../artifacts/bin/CommLab.Dsl/release/CommLab.Core.dll"
#r "../artifacts/bin/CommLab.Dsl/release/Argu.dll"
#r "../artifacts/bin/CommLab.Dsl/release/Deedle.dll"
#r "../artifacts/bin/CommLab.Dsl/release/Newtonsoft.Json.dll"
#r "../artifacts/bin/CommLab.Dsl/release/XPlot.Plotly.dll"
#r "../artifacts/bin/CommLab.Dsl/release/CommLab.Dsl.dll"

// Before any tensor work: MKL accepts its reproducible mode only before its first computation.
CommLab.Training.Reproducibility.Ensure() |> ignore

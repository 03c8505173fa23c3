/// Runs a console program's `run` function in-process, or `dotnet` as a child process, capturing
/// what it prints.
module CommLab.Tests.CommandRun

open System.Diagnostics
open System.IO

/// Exit code, standard output and standard error of `run args`.
let capture (run: string[] -> TextWriter -> TextWriter -> int) (args: string list) =
    use out = new StringWriter()
    use err = new StringWriter()
    let code = run (Array.ofList args) out err
    code, out.ToString(), err.ToString()

/// Runs `dotnet <args>` in the repository root with `environment` added to this process's variables;
/// returns (exit code, stdout and stderr).
let dotnetWith (environment: (string * string) list) (args: string list) =
    let psi = ProcessStartInfo("dotnet", args)
    psi.WorkingDirectory <- Approval.repoRoot ()
    psi.RedirectStandardOutput <- true
    psi.RedirectStandardError <- true
    for name, value in environment do
        psi.Environment[name] <- value
    use p = Process.Start psi
    let err = p.StandardError.ReadToEndAsync()
    let out = p.StandardOutput.ReadToEnd()
    p.WaitForExit()
    p.ExitCode, out + err.Result

/// Runs `dotnet <args>` in the repository root; returns (exit code, stdout and stderr).
let dotnet (args: string list) = dotnetWith [] args

/// Runs a console program's `run` function in-process, capturing what it prints.
module CommLab.Tests.CommandRun

open System.IO

/// Exit code, standard output and standard error of `run args`.
let capture (run: string[] -> TextWriter -> TextWriter -> int) (args: string list) =
    use out = new StringWriter()
    use err = new StringWriter()
    let code = run (Array.ofList args) out err
    code, out.ToString(), err.ToString()

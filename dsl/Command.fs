/// What the console programs (`sms`, `envs`) share: parse the arguments with Argu, run, and turn bad
/// input into exit code 2 with a one-line reason.
module CommLab.Dsl.Command

open System.IO
open Argu

/// Parses `argv` as `'Args` and runs `body`; `--help` prints usage (exit 0). Bad arguments, missing
/// files, refused input (ArgumentException, InvalidDataException, InvalidOperationException) and
/// file-system errors (IOException, UnauthorizedAccessException) print `program: reason` to `err` and
/// return 2.
let run<'Args when 'Args :> IArgParserTemplate> (program: string) (argv: string[]) (out: TextWriter) (err: TextWriter)
                                                (body: ParseResults<'Args> -> int) : int =
    let parser = ArgumentParser.Create<'Args>(programName = program)
    try
        body (parser.ParseCommandLine(argv, raiseOnUsage = true))
    with
    | :? ArguParseException as e when e.ErrorCode = ErrorCode.HelpText ->
        out.WriteLine e.Message
        0
    | :? ArguParseException as e ->
        err.WriteLine e.Message
        2
    | :? InvalidDataException
    | :? FileNotFoundException
    | :? System.ArgumentException
    | :? System.InvalidOperationException as e ->
        err.WriteLine(sprintf "%s: %s" program e.Message)
        2
    // Any other file-system error (a file read-only, a disk full): .NET's message names the path.
    | :? IOException
    | :? System.UnauthorizedAccessException as e ->
        err.WriteLine(sprintf "%s: %s" program e.Message)
        2

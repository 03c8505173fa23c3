/// Where runs live on disk. Each run has its own folder named by a hash of its config:
///
///     <outDir>/<experiment>/runs/<runId>/config.json   written when the run starts
///     <outDir>/<experiment>/runs/<runId>/metrics.json  written only when the run finished
///
/// A folder with a config but no metrics is an unfinished run (killed or failed) and is run again.
module CommLab.Dsl.RunStore

open System
open System.IO
open System.Security.Cryptography
open System.Text

/// The run id of a config: the first 12 hex characters of the SHA-256 of its JSON (`Json.serialize`).
/// Equal configs get equal ids in every process and on every machine; renaming or adding a config
/// field changes every id, so such runs are not mistaken for old ones.
let runId (cfg: 'cfg) : string =
    let hash = SHA256.HashData(Encoding.UTF8.GetBytes(Json.serialize cfg))
    Convert.ToHexString(hash).Substring(0, 12).ToLowerInvariant()

/// The folder of one experiment: `<outDir>/<experiment>`. The other functions take this folder.
let experimentDir (outDir: string) (experiment: string) : string = Path.Combine(outDir, experiment)

/// The folder of one run: `<experimentDir>/runs/<runId>`.
let runDir (dir: string) (runId: string) : string = Path.Combine(dir, "runs", runId)

/// The resolved config of a run, written when it starts.
let configPath (dir: string) (runId: string) : string = Path.Combine(runDir dir runId, "config.json")

/// The result of a run; its presence marks the run as finished.
let metricsPath (dir: string) (runId: string) : string = Path.Combine(runDir dir runId, "metrics.json")

// Writes a temporary file in the same folder, flushes it to disk, then renames it over the target.
// The rename is atomic on one file system, so a reader (or a run killed half-way) sees either no
// file or the whole file, never a truncated one.
let private writeAtomically (path: string) (text: string) =
    let folder = Path.GetDirectoryName(Path.GetFullPath path) |> string
    Directory.CreateDirectory folder |> ignore
    let temp = Path.Combine(folder, sprintf ".%s.%s.tmp" (Path.GetFileName path) (Guid.NewGuid().ToString("N")))
    try
        do
            use stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write)
            let bytes = Encoding.UTF8.GetBytes text
            stream.Write(bytes, 0, bytes.Length)
            stream.Flush(true)
        File.Move(temp, path, true)
    finally
        if File.Exists temp then File.Delete temp

/// Writes `config.json` of a run (creating its folder), replacing any left by an unfinished attempt.
let writeConfig (dir: string) (runId: string) (cfg: 'cfg) : unit =
    writeAtomically (configPath dir runId) (Json.serialize cfg + "\n")

/// Writes `metrics.json` of a finished run atomically (see the module docs).
let writeResult (dir: string) (runId: string) (result: 'result) : unit =
    writeAtomically (metricsPath dir runId) (Json.serialize result + "\n")

/// The result of a finished run, or None when the run has no `metrics.json`.
/// A `metrics.json` that does not parse as `'result` is an error naming the file, not an unfinished
/// run: writes are atomic, so such a file means the result type changed or the file was edited, and
/// silently re-running (or ignoring) it would hide that.
let tryLoadFinished<'result> (dir: string) (runId: string) : 'result option =
    let path = metricsPath dir runId
    if not (File.Exists path) then
        None
    else
        try
            Some(Json.deserialize<'result> (File.ReadAllText path))
        with ex ->
            raise (
                InvalidDataException(
                    sprintf "%s is not a valid %s result: %s\nDelete that file (or its run folder) to run it again." path typeof<'result>.Name ex.Message,
                    ex
                )
            )

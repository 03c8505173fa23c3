/// Where runs live on disk. Each run has its own folder named by a hash of its config:
///
///     <outDir>/<experiment>/runs/<runId>/config.json    the config and its provenance, written when the run starts
///     <outDir>/<experiment>/runs/<runId>/metrics.json   written only when the run finished
///     <outDir>/<experiment>/runs/<runId>/diverged.json  written instead when the run diverged (where, what, the value)
///     <outDir>/<experiment>/runs/<runId>/log.txt        the run's progress lines (the runner appends them)
///     <outDir>/<experiment>/runs/<runId>/slurm.json     the Slurm array task it was given to, if any (SlurmArray)
///
/// A folder with a config and neither of the others is an unfinished run (killed or failed) and is
/// run again. A diverged run is not: the same config and seed would diverge the same way; delete its
/// folder to try again.
module CommLab.Dsl.RunStore

open System
open System.IO
open System.Security.Cryptography
open System.Text
open CommLab.Training

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

/// The resolved config of a run and its provenance, written when it starts.
let configPath (dir: string) (runId: string) : string = Path.Combine(runDir dir runId, "config.json")

/// The result of a run; its presence marks the run as finished.
let metricsPath (dir: string) (runId: string) : string = Path.Combine(runDir dir runId, "metrics.json")

/// Where and how a run diverged; its presence marks the run as diverged.
let divergedPath (dir: string) (runId: string) : string = Path.Combine(runDir dir runId, "diverged.json")

// Whole or not at all (the core's AtomicFile): a reader, or a run killed half-way, sees either no file
// or the whole file, never a truncated one.
let private writeAtomically (path: string) (text: string) =
    CommLab.Files.AtomicFile.Write(path, fun stream ->
        let bytes = Encoding.UTF8.GetBytes text
        stream.Write(bytes, 0, bytes.Length))

/// Writes `config.json` of a run (creating its folder), replacing any left by an unfinished attempt:
/// the config's fields, then a "Provenance" field. Read back as the config, the file hashes to its
/// folder's name (the provenance is not part of the run's identity).
let writeConfig (dir: string) (runId: string) (cfg: 'cfg) (provenance: Provenance.Provenance) : unit =
    writeAtomically (configPath dir runId) (Json.serializeWith cfg [ "Provenance", (provenance :> obj) ] + "\n")

/// Writes how a run ended, atomically: `metrics.json` for a finished run, `diverged.json` for a diverged one.
let writeOutcome (dir: string) (runId: string) (outcome: Outcome<'result>) : unit =
    match outcome with
    | Finished result -> writeAtomically (metricsPath dir runId) (Json.serialize result + "\n")
    | Diverged divergence -> writeAtomically (divergedPath dir runId) (Json.serialize divergence + "\n")

// A stored file that does not parse is an error naming it, not an unfinished run: writes are atomic,
// so such a file means the stored type changed or the file was edited, and silently re-running (or
// ignoring) it would hide that.
let private read<'t> (path: string) : 't =
    try
        Json.deserialize<'t> (File.ReadAllText path)
    with ex ->
        raise (
            InvalidDataException(
                sprintf "%s is not a valid %s: %s\nDelete that file (or its run folder) to run it again." path typeof<'t>.Name ex.Message,
                ex
            )
        )

/// Whether a run has ended: it has `metrics.json` or `diverged.json` (read neither).
let hasEnded (dir: string) (runId: string) : bool =
    File.Exists(metricsPath dir runId) || File.Exists(divergedPath dir runId)

/// How a run ended, or None when it has not (no `metrics.json`, no `diverged.json`).
let tryLoad<'result> (dir: string) (runId: string) : Outcome<'result> option =
    if File.Exists(metricsPath dir runId) then Some(Finished(read<'result> (metricsPath dir runId)))
    elif File.Exists(divergedPath dir runId) then Some(Diverged(read<Divergence> (divergedPath dir runId)))
    else None

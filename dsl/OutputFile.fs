/// Where a program or script writes, checked before the work that fills it: a path that is a folder,
/// a folder that is missing or read-only, answered with the option, the path and why, as an
/// `ArgumentException` (exit code 2 in every program), not a stack trace after minutes of work.
module CommLab.Dsl.OutputFile

open System
open System.IO

// Whether `folder` takes a new file: write and delete an empty one.
let private writable (folder: string) =
    let probe = Path.Combine(folder, sprintf ".commlab-write-check-%s" (Guid.NewGuid().ToString "N"))
    try
        File.WriteAllBytes(probe, [||])
        File.Delete probe
        None
    with
    | :? UnauthorizedAccessException
    | :? IOException as e -> Some e.Message

/// Checks that `path` (given by `option`) can be written as a file: not a folder, in a folder that
/// exists and takes files.
let check (option: string) (path: string) : unit =
    if String.IsNullOrWhiteSpace path then raise (ArgumentException(sprintf "%s needs a file path" option))
    let full = Path.GetFullPath path
    if Directory.Exists full then
        raise (ArgumentException(sprintf "%s %s is a folder; give a file path, e.g. %s" option path (Path.Combine(path, "games.txt"))))
    let folder = Path.GetDirectoryName full |> string
    if not (Directory.Exists folder) then
        raise (ArgumentException(sprintf "%s %s: the folder %s does not exist" option path folder))
    match writable folder with
    | Some why -> raise (ArgumentException(sprintf "%s %s: cannot write in %s (%s)" option path folder why))
    | None -> ()

/// Checks that `dir` (given by `option`) can hold outputs: a folder, made if missing, that takes files.
let checkFolder (option: string) (dir: string) : unit =
    if String.IsNullOrWhiteSpace dir then raise (ArgumentException(sprintf "%s needs a folder path" option))
    if File.Exists dir then raise (ArgumentException(sprintf "%s %s is a file; give a folder for the results" option dir))
    try
        Directory.CreateDirectory dir |> ignore
    with
    | :? UnauthorizedAccessException
    | :? IOException as e -> raise (ArgumentException(sprintf "%s %s: cannot create the folder (%s)" option dir e.Message))
    match writable dir with
    | Some why -> raise (ArgumentException(sprintf "%s %s: cannot write in it (%s)" option dir why))
    | None -> ()

/// Runs `write`, which writes `path` whole or not at all (`AtomicFile`); a file-system error becomes
/// an `ArgumentException` naming the option and the path.
let write (option: string) (path: string) (write: unit -> unit) : unit =
    try
        write ()
    with
    | :? UnauthorizedAccessException
    | :? IOException as e -> raise (ArgumentException(sprintf "%s %s: could not be written (%s); nothing was left there" option path e.Message))

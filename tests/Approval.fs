/// Snapshot ("approval") tests: text produced by the code is compared with an approved copy kept in
/// tests/snapshots. A snapshot named "object-table.md" is approved in `object-table.verified.md`;
/// a mismatch writes the new text to `object-table.received.md` (git-ignored) and fails with a
/// focused diff and the command that approves it. A name without an extension gets ".txt".
module CommLab.Tests.Approval

open System
open System.IO
open Expecto

/// Where snapshots live and whether mismatches are approved on the spot.
type Settings =
    { Dir: string
      /// Overwrite the verified file instead of failing (set by COMMLAB_APPROVE=1).
      AutoApprove: bool }

/// The repository root: the first folder holding `paket.dependencies` above the current directory
/// or, failing that, above the test assembly.
let repoRoot () : string =
    let rec up (dir: DirectoryInfo option) =
        match dir with
        | None -> None
        | Some d when File.Exists(Path.Combine(d.FullName, "paket.dependencies")) -> Some d.FullName
        | Some d -> up (Option.ofObj d.Parent)
    match [ Directory.GetCurrentDirectory(); AppContext.BaseDirectory ] |> List.tryPick (fun s -> up (Some(DirectoryInfo s))) with
    | Some root -> root
    | None -> failwithf "no paket.dependencies above %s or %s: run the tests from the repository" (Directory.GetCurrentDirectory()) AppContext.BaseDirectory

/// tests/snapshots of the repository, auto-approving when COMMLAB_APPROVE=1.
let defaults () : Settings =
    { Dir = Path.Combine(repoRoot (), "tests", "snapshots")
      AutoApprove = Environment.GetEnvironmentVariable "COMMLAB_APPROVE" = "1" }

/// The verified and received file of a snapshot name: "a.md" -> (a.verified.md, a.received.md).
let files (dir: string) (name: string) : string * string =
    if String.IsNullOrWhiteSpace name || name.IndexOfAny [| '/'; '\\' |] >= 0 then
        invalidArg "name" (sprintf "snapshot name must be a plain file name, got %A" name)
    let ext = match Path.GetExtension name |> string with "" -> ".txt" | e -> e
    let stem = Path.GetFileNameWithoutExtension name |> string
    Path.Combine(dir, stem + ".verified" + ext), Path.Combine(dir, stem + ".received" + ext)

// Paths in messages are relative to the repository when they are inside it, so the approve command
// can be pasted from the repository root.
let private shown (path: string) =
    try
        let relative = Path.GetRelativePath(repoRoot (), path)
        if relative.StartsWith ".." || Path.IsPathRooted relative then path else relative.Replace('\\', '/')
    with _ -> path

let private normalize (text: string) = text.Replace("\r\n", "\n")

/// The first `limit` differing lines of two texts, numbered from 1.
let diff (limit: int) (verified: string) (received: string) : string =
    let a = verified.Split '\n'
    let b = received.Split '\n'
    let at (lines: string[]) i = if i < lines.Length then lines[i] else "<no line>"
    let differing = [ 0 .. max a.Length b.Length - 1 ] |> List.filter (fun i -> at a i <> at b i)
    let shownLines =
        differing
        |> List.truncate limit
        |> List.map (fun i -> sprintf "  line %d\n    verified: %s\n    received: %s" (i + 1) (at a i) (at b i))
    let more = if differing.Length > limit then [ sprintf "  ... and %d more differing lines" (differing.Length - limit) ] else []
    String.concat "\n" (shownLines @ more)

let private numberPattern = System.Text.RegularExpressions.Regex(@"-?\d+(\.\d+)?")

/// True when the two texts are the same once every number is masked, and each pair of numbers
/// differs by at most `tolerance` x max(1, |a|, |b|): accuracies within `tolerance`, counts within
/// that fraction. Used for tables of trained results, where another CPU may round one target differently.
let closeNumbers (tolerance: float) (a: string) (b: string) =
    let skeleton (t: string) = numberPattern.Replace(t, "#")
    let numbers (t: string) = [ for m in numberPattern.Matches t -> float m.Value ]
    skeleton a = skeleton b
    && List.forall2 (fun (x: float) y -> abs (x - y) <= tolerance * max 1.0 (max (abs x) (abs y))) (numbers a) (numbers b)

let private check (equivalent: string -> string -> bool) (settings: Settings) (name: string) (text: string) : unit =
    let verified, received = files settings.Dir name
    let text = normalize text
    let existing = if File.Exists verified then Some(normalize (File.ReadAllText verified)) else None
    if existing |> Option.exists (fun old -> old = text || equivalent old text) then
        if File.Exists received then File.Delete received
    elif settings.AutoApprove then
        Directory.CreateDirectory settings.Dir |> ignore
        File.WriteAllText(verified, text)
        if File.Exists received then File.Delete received
        eprintfn "Approval: auto-approved %s" (shown verified)
    else
        Directory.CreateDirectory settings.Dir |> ignore
        File.WriteAllText(received, text)
        let problem =
            match existing with
            | None -> sprintf "Snapshot '%s' has no approved file %s yet; the text is in %s." name (shown verified) (shown received)
            | Some old -> sprintf "Snapshot '%s' differs from %s:\n%s" name (shown verified) (diff 5 old text)
        failtestf
            "%s\nIf the new text is right, approve it:\n  mv %s %s\n(or run the tests with COMMLAB_APPROVE=1). Otherwise fix the code."
            problem (shown received) (shown verified)

/// Checks `text` against the snapshot `name` in `settings.Dir` (see the module docs).
let verifyWith (settings: Settings) (name: string) (text: string) : unit = check (fun _ _ -> false) settings name text

/// Checks `text` against tests/snapshots/<name> (see the module docs).
let verify (name: string) (text: string) : unit = verifyWith (defaults ()) name text

/// Like `verify`, accepting numbers that moved by at most `tolerance` (see `closeNumbers`).
let verifyNumbers (tolerance: float) (name: string) (text: string) : unit = check (closeNumbers tolerance) (defaults ()) name text

// Column padding follows the widest number of a column, and separator rows follow the padding.
let private padding = System.Text.RegularExpressions.Regex(@" {2,}")
let private rule = System.Text.RegularExpressions.Regex(@"-{3,}")

/// Checks only the layout of `text` against the snapshot `name`: every number becomes `#`, and runs
/// of spaces and of dashes that pad table columns to their widest cell shrink to one space and three
/// dashes. For tables of timings, whose numbers (and so widths) differ on every machine and every run.
let verifyLayout (name: string) (text: string) : unit =
    let masked = numberPattern.Replace(normalize text, "#")
    verify name (rule.Replace(padding.Replace(masked, " "), "---"))

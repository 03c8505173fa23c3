/// Where CommLab keeps what it can make again: synthetic stand-in data sets and Sent-Ref's frozen
/// sentence vectors. `COMMLAB_CACHE` if set, else `$XDG_CACHE_HOME/commlab`, else `~/.cache/commlab`;
/// on a cluster, a home or scratch folder every node sees.
module CommLab.Dsl.DataCache

open System
open System.IO

/// The cache's root folder (not created here).
let root () =
    match Environment.GetEnvironmentVariable "COMMLAB_CACHE", Environment.GetEnvironmentVariable "XDG_CACHE_HOME" with
    | own, _ when not (String.IsNullOrWhiteSpace own) -> own
    | _, xdg when not (String.IsNullOrWhiteSpace xdg) -> Path.Combine(xdg, "commlab")
    | _ -> Path.Combine(Environment.GetFolderPath Environment.SpecialFolder.UserProfile, ".cache", "commlab")

/// A folder of the cache, e.g. `folder [ "sentence-vectors" ]`.
let folder (parts: string list) = Path.Combine(Array.ofList (root () :: parts))

/// The folder `parts` filled by `write` once: written into a fresh folder beside it and renamed into
/// place, so a reader never sees half of it and two processes writing at once leave one whole copy.
let ensure (parts: string list) (write: string -> unit) : string =
    let target = folder parts
    if not (Directory.Exists target) then
        let parent = Path.GetDirectoryName target
        Directory.CreateDirectory parent |> ignore
        let scratch = Path.Combine(parent, sprintf ".%s.%s" (Path.GetFileName target) (Guid.NewGuid().ToString "N"))
        try
            write scratch
            try Directory.Move(scratch, target)
            with :? IOException when Directory.Exists target -> () // another process put its copy first
        finally
            if Directory.Exists scratch then Directory.Delete(scratch, true)
    target

namespace CommLab.Tests

open System
open System.IO

/// A fresh folder under the system temp folder, deleted with its contents when disposed, so file
/// tests neither see each other's files (they run in parallel) nor leave any behind.
type TempDir() =
    let path = Path.Combine(Path.GetTempPath(), "commlab-tests-" + Guid.NewGuid().ToString("N"))
    do Directory.CreateDirectory path |> ignore

    /// The folder's full path.
    member _.Path = path

    interface IDisposable with
        member _.Dispose() =
            if Directory.Exists path then
                Directory.Delete(path, true)

/// The exception a refusal throws, for tests that check what its message says.
module CommLab.Tests.Thrown

open Expecto

/// The message of the `'E` that `f` throws; fails the test (saying `why` it should throw) when `f`
/// returns, or throws something else.
let message<'E when 'E :> exn> (f: unit -> unit) (why: string) : string =
    try
        f ()
        failtestf "%s: expected %s, but nothing was thrown" why typeof<'E>.Name
    with
    | :? 'E as e -> e.Message
    | :? AssertException -> reraise ()
    | e -> failtestf "%s: expected %s, got %s: %s" why typeof<'E>.Name (e.GetType().Name) e.Message

/// Building Level-Based Foraging situations for the tests: actions, tasks, JSON states, readers.
module CommLab.Tests.ForagingScenarios

open System
open Expecto
open CommLab.Envs
open CommLab.Envs.Foraging

// The reference's action names.
let NONE = ForagingEnv.None
let NORTH = ForagingEnv.North
let SOUTH = ForagingEnv.South
let WEST = ForagingEnv.West
let EAST = ForagingEnv.East
let LOAD = ForagingEnv.Load

let parse name = EnvTask.Parse name :?> ForagingTask

/// An 8x8 task with the given players, food slots and sight (registered defaults otherwise).
let grid8 players maxFood sight = ForagingTask(Rows = 8, Cols = 8, Players = players, MaxFood = maxFood, Sight = sight)

/// A state in the documented JSON form from (row, col, level) triples; step, foodSpawned and rng left to their defaults.
let stateJson (players: (int * int * int) list) (food: (int * int * int) list) =
    let items xs = xs |> List.map (fun (r, c, l) -> sprintf """{"row":%d,"col":%d,"level":%d}""" r c l) |> String.concat ","
    sprintf """{"players":[%s],"food":[%s]}""" (items players) (items food)

/// One environment of the task, reset (as the reference's fixtures do) and then set to the JSON state.
let envAt (task: ForagingTask) (json: string) =
    let env = new ForagingEnv(task, 1)
    env.Reset 0UL
    env.RestoreState(0, json)
    env

/// The reference's simple2p1f fixture, written out in full: two level-2 players either side of a level-2 food.
let simple2p1fJson =
    """{"step":0,"foodSpawned":2,"players":[{"row":4,"col":3,"level":2},{"row":4,"col":5,"level":2}],"food":[{"row":4,"col":4,"level":2}]}"""

/// simple2p1f on Foraging-8x8-2p-1f with the given sight (8 = the registered full sight).
let simple2p1f sight = envAt (grid8 2 1 sight) simple2p1fJson

let obs (env: ForagingEnv) e a = env.Observation(e, a).ToArray()
let rewards (env: ForagingEnv) = Array.copy env.Rewards
let positions (env: ForagingEnv) e = (env.GetState e).Players |> Seq.map (fun p -> p.Row, p.Col) |> List.ofSeq
let foodLeft (env: ForagingEnv) e = (env.GetState e).Food |> Seq.map (fun f -> f.Row, f.Col, f.Level) |> List.ofSeq

/// Players and food of a state, without the step counter and generator: what a reset laid out.
let layout (s: ForagingState) =
    (s.Players |> Seq.map (fun p -> p.Row, p.Col, p.Level) |> List.ofSeq), (s.Food |> Seq.map (fun f -> f.Row, f.Col, f.Level) |> List.ofSeq)

let allStates (env: ForagingEnv) = List.init env.BatchSize env.SaveState

/// Runs `f`, which must throw ArgumentException whose message contains `part`.
let expectRefused (part: string) (f: unit -> unit) why =
    let message =
        try f (); None
        with :? ArgumentException as ex -> Some ex.Message
    match message with
    | None -> failtestf "%s: expected an ArgumentException, nothing was thrown" why
    | Some m -> Expect.stringContains m part (sprintf "%s: the message names the problem" why)

/// Joint random actions, LOAD a third of the time so that food does get eaten in random play.
let randomActions (rng: Random) n =
    Array.init n (fun _ -> if rng.Next 3 = 0 then LOAD else rng.Next 5)

let close = { absolute = 1e-5; relative = 0.0 }

/// Building and stepping Multi-Robot Warehouse situations for the tests: robots, shelf moves, requests.
module CommLab.Tests.WarehouseScenarios

open System
open System.Collections.Generic
open Expecto
open CommLab.Envs
open CommLab.Envs.Warehouse

// Actions, numbered as the reference's Action enum.
let stay, forward, turnLeft, turnRight, toggle =
    WarehouseEnv.Noop, WarehouseEnv.Forward, WarehouseEnv.Left, WarehouseEnv.Right, WarehouseEnv.ToggleLoad

/// The reference tests' `Warehouse(3, 8, 3, n, 0, 1, 5, None, None, reward)`: 29 rows x 10 columns, 5 requests.
let testTask agents reward =
    WarehouseTask(ShelfColumns = 3, ColumnHeight = 8, ShelfRows = 3, AgentCount = agents, RequestQueueSize = 5,
                  MaxSteps = 0, Reward = reward)

let parse name = EnvTask.Parse name :?> WarehouseTask

let xy (struct (x: int, y: int)) = (x, y)
let robot x y dir = WarehouseAgent(x, y, dir)
let loaded (shelf: int) x y dir = WarehouseAgent(x, y, dir, Nullable shelf)
let pos (s: WarehouseState) i = s.Agents[i].X, s.Agents[i].Y
/// Every shelf's cell, as GetState always lists them.
let shelvesOf (s: WarehouseState) : IReadOnlyList<WarehouseShelf> = nonNull s.Shelves
let shelfAt (s: WarehouseState) k = let sh = (shelvesOf s).[k] in sh.X, sh.Y
let carried (s: WarehouseState) i = Option.ofNullable s.Agents[i].Carrying
let homeOf (layout: WarehouseLayout) x y = layout.ShelfHomes |> Seq.findIndex (fun h -> xy h = (x, y))
let randomActions (rng: Random) count = Array.init count (fun _ -> rng.Next 5)

/// The message of the ArgumentException that `f` must throw.
let errorOf why (f: unit -> unit) =
    Expect.throwsC f (fun e ->
        match e with
        | :? ArgumentException as a -> a.Message
        | other -> failtestf "%s: expected an ArgumentException, got %s: %s" why (other.GetType().Name) other.Message)

/// One environment (seeded with `seed`) set to a hand-built state: the robots as listed; every shelf at
/// home except those in `moves` (shelf, x, y) and carried ones, which stand at their robots; the given queue.
let setUpSeeded seed (task: WarehouseTask) (robots: WarehouseAgent list) (moves: (int * int * int) list) (requests: int list) =
    let env = new WarehouseEnv(task, 1)
    env.Reset seed
    let state (shelves: IReadOnlyList<WarehouseShelf> | null) = WarehouseState(0, 0, Array.ofList robots, shelves, Array.ofList requests, null)
    if List.isEmpty moves then env.SetState(0, state null)
    else
        let cells = env.Layout.ShelfHomes |> Seq.map (fun h -> let x, y = xy h in WarehouseShelf(x, y)) |> Array.ofSeq
        for r in robots do
            if r.Carrying.HasValue then cells[r.Carrying.Value] <- WarehouseShelf(r.X, r.Y)
        for k, x, y in moves do cells[k] <- WarehouseShelf(x, y)
        env.SetState(0, state cells)
    env

let setUp task robots moves requests = setUpSeeded 0UL task robots moves requests

/// One joint step of environment 0, returning its state afterwards.
let step (env: WarehouseEnv) (actions: int list) =
    env.Step(Array.ofList actions)
    env.GetState 0

// Shelves 10..14 are far from the goals and from every movement scenario.
let farRequests = [ 10 .. 14 ]

/// A test_movement.py case: robots as placed, one joint action, where each robot must end.
let moveCase name why (robots: WarehouseAgent list) (actions: int list) (expected: (int * int) list) =
    test name {
        use env = setUp (testTask robots.Length WarehouseReward.Global) robots [] farRequests
        let s = step env actions
        expected |> List.iteri (fun i want -> Expect.equal (pos s i) want (sprintf "robot %d: %s" i why))
    }

/// The Multi-Robot Warehouse port against rware at commit 8fb9805: test_env.py rebuilt from explicit
/// states (test_movement.py and test_goals.py have their own files); task names; collision rules beyond
/// the reference tests; invariants over random play; the state round trip; threading.
module CommLab.Tests.WarehouseTests

open System
open System.Collections.Generic
open Expecto
open CommLab.Envs
open CommLab.Envs.Warehouse
open CommLab.Tests.WarehouseScenarios

/// The reference's dictionary observation flattened as gym's `spaces.flatten` does (test_fast_obs),
/// written from the state alone: self [x, y, carrying, heading one-hot, on_highway], then per sensor cell
/// [has_agent, heading one-hot (heading 0 when empty or off the map), has_shelf, requested].
let private dictObservation (task: WarehouseTask) (layout: WarehouseLayout) (s: WarehouseState) i =
    let r = task.SensorRange
    let me = s.Agents[i]
    let bit b = if b then 1f else 0f
    let oneHot k = [ for j in 0 .. 3 -> bit (j = k) ]
    [| yield float32 me.X; yield float32 me.Y; yield bit me.Carrying.HasValue
       yield! oneHot (int me.Direction)
       yield bit (layout.IsHighway(me.X, me.Y))
       for y in me.Y - r .. me.Y + r do
           for x in me.X - r .. me.X + r do
               let inside = x >= 0 && y >= 0 && x < layout.Columns && y < layout.Rows
               let agent = if inside then s.Agents |> Seq.tryFind (fun a -> a.X = x && a.Y = y) else None
               let shelf = if inside then shelvesOf s |> Seq.tryFindIndex (fun sh -> sh.X = x && sh.Y = y) else None
               yield bit agent.IsSome
               yield! oneHot (match agent with Some a -> int a.Direction | None -> 0)
               match shelf with
               | Some k -> yield! [ 1f; bit (Seq.contains k s.Requests) ]
               | None -> yield! [ 0f; 0f ] |]

/// test_env.py's inactivity fixture (limit 10, no time limit): test_goals.py's robot one step above a goal.
let private inactivityFixture () =
    let task = WarehouseTask(ShelfColumns = 3, ColumnHeight = 8, ShelfRows = 3, AgentCount = 1, RequestQueueSize = 5,
                             MaxSteps = 0, MaxInactivitySteps = 10, Reward = WarehouseReward.Global)
    let env = new WarehouseEnv(task, 1)
    env.Reset 0UL
    env.RestoreState(0, """{"agents":[{"x":4,"y":27,"direction":"down","carrying":0}],"requests":[0,1,2,3,4]}""")
    env

/// `n` NOOP steps of a one-robot environment with inactivity limit 10: done exactly at the tenth.
let private idle (env: WarehouseEnv) n context =
    for t in 1 .. n do
        env.Step [| stay |]
        Expect.equal (env.Done[0]) (t = 10) (sprintf "%s: %d steps without a delivery" context t)

let private envTests =
    testList "environment (test_env.py)" [
        test "grid sizes follow (ColumnHeight + 1) * ShelfRows + 2 by 3 * ShelfColumns + 1" {
            for columns, want in [ 1, (14, 4); 3, (14, 10) ] do
                let t = WarehouseTask(ShelfColumns = columns, ColumnHeight = 3, ShelfRows = 3, AgentCount = 1, RequestQueueSize = 5)
                let layout = WarehouseLayout.For t
                Expect.equal (t.GridRows, t.GridColumns) want "the reference's test_grid_size"
                Expect.equal (layout.Rows, layout.Columns) want "the layout has the task's size"
            for name, size, shelves in [ "tiny", (11, 10), 32; "small", (20, 10), 80; "medium", (20, 16), 144; "large", (29, 16), 224 ] do
                let t = parse (sprintf "rware-%s-2ag" name)
                Expect.equal (t.GridRows, t.GridColumns) size (sprintf "%s: 9 * shelf rows + 2 by 3 * shelf columns + 1" name)
                Expect.equal ((WarehouseLayout.For t).ShelfCount) shelves (sprintf "%s: every non-highway cell holds a shelf" name)
            let tiny = WarehouseLayout.For(parse "rware-tiny-2ag")
            let expected = [ for y in 1 .. 8 do for x in [ 1; 2; 7; 8 ] -> (x, y) ]
            Expect.equal (tiny.ShelfHomes |> Seq.map xy |> List.ofSeq) expected "tiny: shelves at x in {1, 2, 7, 8}, y = 1..8, numbered row by row"
        }

        test "five actions; actions outside 0..4 are refused naming the agent" {
            let task = parse "rware-tiny-2ag"
            use env = new WarehouseEnv(task, 2)
            Expect.equal (task.ActionCount, env.ActionCount) (5, 5) "NOOP, FORWARD, LEFT, RIGHT, TOGGLE_LOAD"
            env.Reset 0UL
            for bad in [ 5; -1 ] do
                let msg = errorOf "an action outside 0..4" (fun () -> env.Step [| 0; 0; 0; bad |])
                Expect.stringContains msg "environment 1, agent 1" "the message names the offending environment and agent"
            Expect.equal env.EpisodeSteps [| 0; 0 |] "a refused step moves no environment"
        }

        test "observation length: 8 + 7 per sensor cell informative, padded to gym 0.21's flatdim as trained" {
            let tiny = parse "rware-tiny-2ag"
            Expect.equal tiny.InformativeLength 71 "sensor range 1: 8 + 7 * 9"
            Expect.equal tiny.ObservationLength 91 "as the MADDPG authors' networks saw it: W + H + 70 = 10 + 11 + 70"
            Expect.equal (WarehouseTask(Observation = WarehouseObservation.Informative).ObservationLength) 71 "the informative layout"
            Expect.equal (WarehouseTask(SensorRange = 2).InformativeLength) (8 + 7 * 25) "sensor range 2: 8 + 7 * 25"
            Expect.equal (WarehouseTask(SensorRange = 2).ObservationLength) (10 + 11 + 7 + 7 * 25) "W + H + 2 + 4 + 1, then 7 per cell"
            Expect.equal ((parse "rware-small-4ag").ObservationLength) (10 + 20 + 70) "small: 10 columns, 20 rows"
            use env = new WarehouseEnv(parse "rware-tiny-4ag", 3)
            Expect.equal env.Observations.Length (3 * 4 * 91) "[env, agent, feature]"
            Expect.isTrue (env.Bounds.High[71..] |> Array.forall ((=) 0f)) "the padding is bounded to 0"
        }

        test "a scenario chooses the observation layout by name, and a wrong one is refused naming the field" {
            let settings (json: string) = System.Text.Json.JsonDocument.Parse(json).RootElement
            let informative = TaskSettings.Apply(parse "rware-tiny-2ag", settings """{"observation": "informative"}""")
            Expect.equal informative.ObservationLength 71 "informative: 71 values"
            Expect.equal (TaskSettings.Apply(informative, settings """{"observation": "astrained"}""")).ObservationLength 91 "as trained: 91"
            let msg = errorOf "a wrong layout" (fun () -> TaskSettings.Apply(parse "rware-tiny-2ag", settings """{"observation": "flat"}""") |> ignore)
            Expect.stringContains msg "settings.observation must be one of astrained" "names the field and the choices"
            Expect.stringContains msg "got 'flat'" "and the value"
        }

        test "a hand-checked observation of each robot" {
            use env = new WarehouseEnv(parse "rware-tiny-2ag", 1)
            env.Reset 0UL
            env.RestoreState(0, """{"agents":[{"x":1,"y":0,"direction":"right"},{"x":0,"y":1,"direction":"down","carrying":5}],"requests":[0,5]}""")
            let off = [ 0f; 1f; 0f; 0f; 0f; 0f; 0f ] // empty or off-map: the first heading bit is set all the same
            let robot0 = [ 1f; 0f; 0f; 0f; 1f; 0f; 0f ]          // robot 0, heading right, no shelf
            let robot1 = [ 1f; 0f; 1f; 0f; 0f; 1f; 1f ]          // robot 1, heading down, under its carried shelf 5 (requested)
            let shelf0 = [ 0f; 1f; 0f; 0f; 0f; 1f; 1f ]          // shelf 0, requested
            let unrequested = [ 0f; 1f; 0f; 0f; 0f; 1f; 0f ]     // shelves 1 and 4
            let padding = List.replicate 20 0f // gym 0.21's flatdim: x and y as 10 + 11 values, carrying as 2
            let want0 = [ 1f; 0f; 0f; 0f; 0f; 0f; 1f; 1f ] @ off @ off @ off @ off @ robot0 @ off @ robot1 @ shelf0 @ unrequested @ padding
            let want1 = [ 0f; 1f; 1f; 0f; 1f; 0f; 0f; 1f ] @ off @ off @ robot0 @ off @ robot1 @ shelf0 @ off @ off @ unrequested @ padding
            Expect.equal (List.ofArray (env.Observation(0, 0).ToArray())) want0 "robot 0 at (1, 0) sees rows y = -1..1, x = 0..2"
            Expect.equal (List.ofArray (env.Observation(0, 1).ToArray())) want1 "robot 1 at (0, 1) sees rows y = 0..2, x = -1..1"
        }

        test "observations equal the reference's dictionary observation, flattened" {
            let bigTask = WarehouseTask(ShelfColumns = 3, ColumnHeight = 8, ShelfRows = 3, AgentCount = 3, RequestQueueSize = 5)
            for task in [ parse "rware-tiny-4ag"; bigTask; WarehouseTask(AgentCount = 4, RequestQueueSize = 4, SensorRange = 2) ] do
                use env = new WarehouseEnv(task, 4)
                env.Reset 9UL
                let rng = Random 4
                for t in 0 .. 100 do
                    if t > 0 then env.Step(randomActions rng (4 * task.AgentCount))
                    for e in 0 .. 3 do
                        let s = env.GetState e
                        for a in 0 .. task.AgentCount - 1 do
                            let want = dictObservation task env.Layout s a
                            let all = env.Observation(e, a).ToArray()
                            let got = all[.. task.InformativeLength - 1]
                            if got <> want then failtestf "%s, step %d, env %d, robot %d: fast %A, dictionary %A" task.Name t e a got want
                            if all[task.InformativeLength ..] |> Array.exists ((<>) 0f) then failtestf "%s: the padding must stay zero" task.Name
        }

        test "Done comes exactly at MaxSteps; a finished environment must be reset first" {
            use env = new WarehouseEnv(WarehouseTask(MaxSteps = 10), 2)
            env.Reset 1UL
            let rng = Random 1
            for t in 1 .. 10 do
                env.Step(randomActions rng 4)
                Expect.equal env.Done [| t = 10; t = 10 |] (sprintf "step %d of 10" t)
            Expect.equal env.EpisodeSteps [| 10; 10 |] "ten steps were taken"
            let msg = errorOf "stepping a finished episode" (fun () -> env.Step(randomActions rng 4))
            Expect.stringContains msg "ResetDone" "the message says what to do"
            env.ResetDone()
            Expect.equal (env.Done, env.EpisodeSteps) ([| false; false |], [| 0; 0 |]) "ResetDone starts new episodes"
        }

        test "the reference's time limits 1, 100 and 200 with ten robots" {
            for limit in [ 1; 100; 200 ] do
                let task = WarehouseTask(ShelfColumns = 1, ColumnHeight = 3, ShelfRows = 3, AgentCount = 10, RequestQueueSize = 5,
                                         MaxSteps = limit, Reward = WarehouseReward.Global)
                use env = new WarehouseEnv(task, 1)
                env.Reset 2UL
                let rng = Random limit
                for t in 1 .. limit do
                    env.Step(randomActions rng 10)
                    Expect.equal (env.Done[0]) (t = limit) (sprintf "limit %d, step %d: done exactly at the limit" limit t)
        }

        test "inactivity 0 and 2: done after ten idle steps, again after the reset" {
            use env = inactivityFixture ()
            idle env 10 "inactivity 0"
            env.ResetDone()
            idle env 10 "inactivity 2, after the reset"
        }

        test "inactivity 1: a delivery restarts the count" {
            use env = inactivityFixture ()
            idle env 4 "inactivity 1"
            env.Step [| forward |]
            Expect.equal (env.Rewards[0], env.Done[0]) (1f, false) "the delivery pays and restarts the count"
            idle env 10 "inactivity 1, after the delivery"
        }

        test "MaxInactivitySteps = 5 on rware-tiny-2ag ends the episode after five idle steps" {
            use env = new WarehouseEnv(WarehouseTask(MaxInactivitySteps = 5), 1)
            env.Reset 3UL
            for t in 1 .. 5 do
                env.Step [| stay; stay |]
                Expect.equal (env.Done[0]) (t = 5) (sprintf "step %d of 5 without a delivery" t)
        }
    ]

let private nameTests =
    testList "task names" [
        for name, shelfRows, shelfColumns, agents, queue in
            [ "rware-tiny-2ag", 1, 3, 2, 2; "rware-tiny-4ag", 1, 3, 4, 4; "rware-small-4ag-easy", 2, 3, 4, 8
              "rware-medium-6ag-hard", 2, 5, 6, 3; "rware-large-3ag-hard", 3, 5, 3, 1; "rware-tiny-19ag", 1, 3, 19, 19 ] do
            test name {
                let t = parse name
                Expect.equal (t.ShelfRows, t.ShelfColumns, t.AgentCount, t.RequestQueueSize) (shelfRows, shelfColumns, agents, queue)
                    "size, agents, and the queue N (easy 2N, hard N/2 truncated) as registered"
                Expect.equal (t.ColumnHeight, t.SensorRange, t.MaxSteps, t.MaxInactivitySteps, t.Reward) (8, 1, 500, 0, WarehouseReward.Individual)
                    "the registered fixed settings"
                Expect.equal (parse (name + "-v1")) t "the -v1 suffix is optional"
                Expect.equal t.Name name "the name round-trips"
            }
        test "unknown names are refused with the valid forms" {
            for bad in [ "rware-huge-2ag"; "rware-tiny-0ag"; "rware-tiny-20ag"; "rware-tiny-2ag-v2" ] do
                let msg = errorOf bad (fun () -> EnvTask.Parse bad |> ignore)
                Expect.stringContains msg "Valid forms" (sprintf "%s: the message lists what is accepted" bad)
        }
    ]

let private collisionTests =
    testList "collision resolution (networkx rule)" [
        moveCase "two robots facing one free cell: robot 0 enters (A)" "equal chains: the cell that entered the graph first wins"
            [ robot 3 25 Heading.Right; robot 5 25 Heading.Left ] [ forward; forward ] [ 4, 25; 5, 25 ]
        moveCase "two robots facing one free cell: robot 0 enters (B)" "equal chains: the cell that entered the graph first wins"
            [ robot 5 25 Heading.Left; robot 3 25 Heading.Right ] [ forward; forward ] [ 4, 25; 3, 25 ]
        moveCase "a longer chain beats a shorter one into a free cell" "dag_longest_path: the two-robot chain wins over robot 0"
            [ robot 5 25 Heading.Left; robot 2 25 Heading.Right; robot 3 25 Heading.Right ] [ forward; forward; forward ] [ 5, 25; 3, 25; 4, 25 ]
        // Moves on a grid cannot form an odd cycle (the grid is bipartite), so the smallest proper cycle
        // is the four of circle chain 0; this is a six-cycle.
        moveCase "a six-cycle moves round" "every robot on a cycle other than a swap moves"
            [ robot 3 24 Heading.Right; robot 4 24 Heading.Right; robot 5 24 Heading.Down; robot 5 25 Heading.Left
              robot 4 25 Heading.Left; robot 3 25 Heading.Up ]
            (List.replicate 6 forward) [ 4, 24; 5, 24; 5, 25; 4, 25; 3, 25; 3, 24 ]
        moveCase "a robot does not enter the cell of a robot that turns" "a turning robot is a one-cycle: only it is committed"
            [ robot 3 25 Heading.Right; robot 4 25 Heading.Up ] [ forward; turnLeft ] [ 3, 25; 4, 25 ]
        moveCase "a loaded robot follows a loaded robot that moves away" "the carried shelf ahead moves with its robot"
            [ loaded 0 3 25 Heading.Right; loaded 1 4 25 Heading.Right ] [ forward; forward ] [ 4, 25; 5, 25 ]
        moveCase "a loaded robot does not follow a loaded robot that stays" "the robot ahead stays, so its cell stays taken"
            [ loaded 0 3 25 Heading.Right; loaded 1 4 25 Heading.Up ] [ forward; stay ] [ 3, 25; 4, 25 ]
        moveCase "a loaded robot does not follow an unloaded robot out from under a standing shelf"
            "the target holds a standing shelf when the moves are asked for, so the loaded robot's move is cancelled"
            [ loaded 0 0 25 Heading.Right; robot 1 25 Heading.Right ] [ forward; forward ] [ 0, 25; 2, 25 ]
        test "a moved standing shelf blocks a loaded robot where it now stands" {
            // Shelf 0 was carried off (1, 1) to shelf 1's home, and shelf 1 put down on (1, 1).
            use env = setUp (testTask 1 WarehouseReward.Global) [ loaded 0 2 1 Heading.Left ] [ 1, 1, 1 ] farRequests
            let s = step env [ forward ]
            Expect.equal (pos s 0) (2, 1) "shelf 1 now stands at (1, 1), so the loaded robot cannot enter it"
            Expect.equal (shelfAt s 1) (1, 1) "the moved shelf stays"
        }
    ]

/// Rules every state must keep: no shared cells, carried shelves at their robots, standing shelves off
/// the highway, a distinct queue of the right size.
let private checkState (env: WarehouseEnv) (s: WarehouseState) context =
    let distinct (cells: seq<int * int>) = Seq.length (Seq.distinct cells) = Seq.length cells
    if not (distinct (s.Agents |> Seq.map (fun a -> a.X, a.Y))) then failtestf "%s: two robots share a cell" context
    if not (distinct (shelvesOf s |> Seq.map (fun sh -> sh.X, sh.Y))) then failtestf "%s: two shelves share a cell" context
    for k in 0 .. (shelvesOf s).Count - 1 do
        match s.Agents |> Seq.tryFind (fun a -> a.Carrying = Nullable k) with
        | Some a -> if shelfAt s k <> (a.X, a.Y) then failtestf "%s: shelf %d is not at its carrier's cell" context k
        | None -> if (let x, y = shelfAt s k in env.Layout.IsHighway(x, y)) then failtestf "%s: standing shelf %d is on the highway" context k
    if s.Requests.Count <> env.Spec.RequestQueueSize || not (Seq.length (Seq.distinct s.Requests) = s.Requests.Count) then
        failtestf "%s: the queue %A must be %d distinct shelves" context (List.ofSeq s.Requests) env.Spec.RequestQueueSize

/// What one step must pay (INDIVIDUAL): +1 to the robot on each goal whose shelf was requested before the
/// step; those requests are replaced in place by shelves not requested before, the others kept.
let private checkDeliveries (env: WarehouseEnv) e (before: WarehouseState) (after: WarehouseState) context =
    let rewards = Array.zeroCreate<float32> after.Agents.Count
    let delivered = ResizeArray()
    for g in env.Layout.Goals do
        let gx, gy = xy g
        match shelvesOf after |> Seq.tryFindIndex (fun sh -> sh.X = gx && sh.Y = gy) with
        | Some k when Seq.contains k before.Requests ->
            delivered.Add k
            let i = after.Agents |> Seq.findIndex (fun a -> a.X = gx && a.Y = gy)
            rewards[i] <- rewards[i] + 1f
        | _ -> ()
    let got = env.Rewards[e * after.Agents.Count .. (e + 1) * after.Agents.Count - 1]
    if got <> rewards then failtestf "%s: rewards %A, but the deliveries pay %A" context got rewards
    if got |> Array.exists (fun r -> r <> 0f && r <> 1f) || Array.sum got > 2f then failtestf "%s: rewards %A are not 0/1 with at most two deliveries" context got
    for q in 0 .. before.Requests.Count - 1 do
        let was, now = before.Requests[q], after.Requests[q]
        if delivered.Contains was then
            if Seq.contains now before.Requests then failtestf "%s: request %d was replaced by the already requested shelf %d" context q now
        elif now <> was then failtestf "%s: request %d changed from %d to %d without a delivery" context q was now
    delivered.Count

let private randomPlay name =
    test (sprintf "random play on %s keeps every rule for a whole episode" name) {
        let task = parse name
        let batch = 32
        use env = new WarehouseEnv(task, batch)
        env.Reset 7UL
        let rng = Random 11
        let mutable deliveries = 0
        for t in 1 .. 500 do
            let before = Array.init batch env.GetState
            env.Step(randomActions rng (batch * task.AgentCount))
            for e in 0 .. batch - 1 do
                let context = sprintf "%s, env %d, step %d" name e t
                let after = env.GetState e
                checkState env after context
                deliveries <- deliveries + checkDeliveries env e before[e] after context
                for a in 0 .. task.AgentCount - 1 do
                    if not (env.Bounds.Contains(env.Observation(e, a))) then failtestf "%s, robot %d: observation outside Bounds" context a
                if env.Done[e] <> (t = 500) then failtestf "%s: Done is %b; episodes end exactly at step 500" context env.Done[e]
        Expect.equal env.EpisodeSteps (Array.create batch 500) "every environment ran the full 500 steps"
        Expect.isGreaterThan deliveries 0 "these seeds give some deliveries, so the reward check above was exercised"
    }

let private propertyTests =
    testList "random play" [ for name in [ "rware-tiny-2ag"; "rware-tiny-4ag"; "rware-small-4ag" ] -> randomPlay name ]

let private stateTests =
    let task = parse "rware-tiny-4ag"
    testList "state round trip and determinism" [
        test "the same seed gives the same episodes, another seed others" {
            use a = new WarehouseEnv(task, 4)
            use b = new WarehouseEnv(task, 4)
            use c = new WarehouseEnv(task, 4)
            a.Reset 5UL; b.Reset 5UL; c.Reset 6UL
            let rng = Random 3
            for t in 0 .. 100 do
                if t > 0 then
                    let actions = randomActions rng 16
                    a.Step actions; b.Step actions; c.Step actions
                Expect.equal [ for e in 0 .. 3 -> b.SaveState e ] [ for e in 0 .. 3 -> a.SaveState e ] (sprintf "step %d: same seed, same actions, same states" t)
                Expect.equal b.Observations a.Observations (sprintf "step %d: and the same observations" t)
            Expect.notEqual [ for e in 0 .. 3 -> c.SaveState e ] [ for e in 0 .. 3 -> a.SaveState e ] "another seed gives other episodes"
        }

        test "a state restored into another environment has the same future" {
            use a = new WarehouseEnv(task, 2)
            use b = new WarehouseEnv(task, 3)
            a.Reset 1UL; b.Reset 99UL
            let rng = Random 8
            for _ in 1 .. 37 do a.Step(randomActions rng 8)
            let json = a.SaveState 1
            b.RestoreState(2, json)
            Expect.equal (b.SaveState 2) json "restoring then saving gives the same text"
            Expect.equal (b.EpisodeSteps[2]) 37 "the step count comes with the state"
            for t in 1 .. 200 do
                let actions = randomActions rng 8
                let mine = actions[4..7]
                a.Step actions
                b.Step(Array.append (randomActions rng 8) mine)
                Expect.equal (b.SaveState 2) (a.SaveState 1) (sprintf "step %d after the restore" t)
                Expect.equal (b.Rewards[8..11]) (a.Rewards[4..7]) (sprintf "step %d: same rewards" t)
                let length = a.ObservationLength
                Expect.equal (b.Observations[2 * 4 * length ..]) (a.Observations[4 * length ..]) (sprintf "step %d: same observations" t)
        }

        test "requests after a restore are drawn by the saved generator" {
            let deliver seed rng =
                let env = new WarehouseEnv(parse "rware-tiny-2ag", 1)
                env.Reset seed
                env.SetState(0, WarehouseState(3, 0, [| loaded 9 4 9 Heading.Down; robot 0 0 Heading.Up |], null, [| 9; 20 |], rng))
                env
            use a = deliver 1UL null
            let saved = a.GetState 0
            use b = deliver 2UL saved.Rng
            use c = deliver 2UL null
            for env in [ a; b; c ] do env.Step [| forward; stay |]
            let replacement (env: WarehouseEnv) = (env.GetState 0).Requests[0]
            Expect.equal (a.Rewards[0]) 1f "shelf 9 was delivered"
            Expect.equal (replacement b) (replacement a) "the saved generator draws the same replacement"
            Expect.notEqual (replacement c) (replacement a) "another generator draws another (so the check above means something)"
            Expect.equal (b.SaveState 0) (a.SaveState 0) "and the whole states agree"
        }

        test "the documented JSON with optional fields left out" {
            use env = new WarehouseEnv(testTask 1 WarehouseReward.Global, 1)
            env.Reset 0UL
            env.RestoreState(0, """{"agents":[{"x":4,"y":25,"direction":"down","carrying":0}],"requests":[1,2,3,4,5]}""")
            let s = env.GetState 0
            Expect.equal (s.Step, s.InactiveSteps, env.Done[0]) (0, 0, false) "step and inactiveSteps default to 0"
            Expect.equal (pos s 0, s.Agents[0].Direction, carried s 0, s.Agents[0].HasDelivered) ((4, 25), Heading.Down, Some 0, false) "the robot as written"
            Expect.equal (shelfAt s 0, shelfAt s 1) ((4, 25), (2, 1)) "shelves default to home, a carried one to its robot"
            env.RestoreState(0, env.SaveState 0)
            Expect.equal (List.ofSeq (shelvesOf (env.GetState 0))) (List.ofSeq (shelvesOf s)) "the saved form reads back the same"
        }

        test "states that break the rules are refused naming the field; the environment is unchanged" {
            use env = new WarehouseEnv(parse "rware-tiny-2ag", 1)
            env.Reset 4UL
            env.Step [| forward; turnRight |]
            let agents (second: string) = sprintf """{"agents":[{"x":4,"y":9,"direction":"down","carrying":0},%s],"requests":[0,1]}""" second
            let homes = env.Layout.ShelfHomes |> Seq.map (fun h -> let x, y = xy h in WarehouseShelf(x, y)) |> Array.ofSeq
            homes[3] <- WarehouseShelf(0, 5)
            let ok = [| robot 4 9 Heading.Down; robot 0 0 Heading.Up |]
            let cases: (string * (unit -> unit) * string list) list =
                [ "two robots on one cell", (fun () -> env.RestoreState(0, agents """{"x":4,"y":9,"direction":"up"}""")), [ "agents[1]"; "share" ]
                  "carrying out of range", (fun () -> env.RestoreState(0, agents """{"x":0,"y":0,"direction":"up","carrying":32}""")), [ "agents[1].carrying" ]
                  "robot off the grid", (fun () -> env.RestoreState(0, agents """{"x":10,"y":0,"direction":"up"}""")), [ "agents[1]"; "outside" ]
                  "a shelf standing on the highway", (fun () -> env.SetState(0, WarehouseState(0, 0, ok, homes, [| 0; 1 |], null))), [ "shelves[3]"; "highway" ]
                  "wrong requests count", (fun () -> env.RestoreState(0, """{"agents":[{"x":1,"y":0,"direction":"up"},{"x":0,"y":0,"direction":"up"}],"requests":[0,1,2]}""")), [ "requests" ]
                  "repeated request", (fun () -> env.RestoreState(0, """{"agents":[{"x":1,"y":0,"direction":"up"},{"x":0,"y":0,"direction":"up"}],"requests":[4,4]}""")), [ "requests[1]"; "repeats" ]
                  "unknown JSON field", (fun () -> env.RestoreState(0, """{"agents":[],"requests":[0,1],"colour":"red"}""")), [ "unknown field"; "colour" ]
                  "unknown direction", (fun () -> env.RestoreState(0, agents """{"x":0,"y":0,"direction":"north"}""")), [ "direction"; "up, down, left, right" ]
                  "step past the limit", (fun () -> env.RestoreState(0, """{"step":501,"agents":[{"x":1,"y":0,"direction":"up"},{"x":0,"y":0,"direction":"up"}],"requests":[0,1]}""")), [ "step" ] ]
            let before = env.SaveState 0
            let observations = Array.copy env.Observations
            for name, attempt, words in cases do
                let msg = errorOf name attempt
                for w in words do Expect.stringContains msg w (sprintf "%s: the message names the field" name)
                Expect.equal (env.SaveState 0) before (sprintf "%s: a refused state leaves the environment as it was" name)
                Expect.equal env.Observations observations (sprintf "%s: and its observations" name)
        }
    ]

let private threadTests =
    test "64 environments stepped by 2 threads match 1 thread, across episode ends" {
        let task = WarehouseTask(AgentCount = 4, RequestQueueSize = 4, MaxSteps = 50)
        use one = new WarehouseEnv(task, 64, 1)
        use two = new WarehouseEnv(task, 64, 2)
        Expect.equal two.Threads 2 "the second batch really uses two threads"
        one.Reset 21UL; two.Reset 21UL
        let rng = Random 5
        for t in 1 .. 130 do
            let actions = randomActions rng (64 * 4)
            one.Step actions; two.Step actions
            Expect.equal two.Observations one.Observations (sprintf "step %d: observations" t)
            Expect.equal two.Rewards one.Rewards (sprintf "step %d: rewards" t)
            Expect.equal two.Done one.Done (sprintf "step %d: done flags" t)
            if Array.exists id one.Done then
                one.ResetDone()
                two.ResetDone()
        Expect.equal [ for e in 0 .. 63 -> two.SaveState e ] [ for e in 0 .. 63 -> one.SaveState e ] "the final states agree"
    }

let tests =
    testList "Multi-Robot Warehouse" [
        WarehouseMovementTests.movementTests
        WarehouseGoalTests.goalTests
        WarehouseLayoutTests.tests
        envTests
        nameTests
        collisionTests
        propertyTests
        stateTests
        threadTests
    ]

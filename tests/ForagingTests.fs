/// Level-Based Foraging against the rules of lbforaging at commit a409b67 (gym "v2"): the reference's
/// own tests (tests/test_env.py, with HEAD's test_reward_2 and test_reproducibility) ported as scenarios
/// built from saved states, plus the rules the reference leaves untested, properties over random play,
/// the state round trip and the refusals.
module CommLab.Tests.ForagingTests

open System
open Expecto
open CommLab.Envs
open CommLab.Envs.Foraging

// The reference's action names.
let private NONE = ForagingEnv.None
let private NORTH = ForagingEnv.North
let private SOUTH = ForagingEnv.South
let private WEST = ForagingEnv.West
let private EAST = ForagingEnv.East
let private LOAD = ForagingEnv.Load

let private parse name = EnvTask.Parse name :?> ForagingTask

/// An 8x8 task with the given players, food slots and sight (registered defaults otherwise).
let private grid8 players maxFood sight = ForagingTask(Rows = 8, Cols = 8, Players = players, MaxFood = maxFood, Sight = sight)

/// A state in the documented JSON form from (row, col, level) triples; step, foodSpawned and rng left to their defaults.
let private stateJson (players: (int * int * int) list) (food: (int * int * int) list) =
    let items xs = xs |> List.map (fun (r, c, l) -> sprintf """{"row":%d,"col":%d,"level":%d}""" r c l) |> String.concat ","
    sprintf """{"players":[%s],"food":[%s]}""" (items players) (items food)

/// One environment of the task, reset (as the reference's fixtures do) and then set to the JSON state.
let private envAt (task: ForagingTask) (json: string) =
    let env = new ForagingEnv(task, 1)
    env.Reset 0UL
    env.RestoreState(0, json)
    env

/// The reference's simple2p1f fixture, written out in full: two level-2 players either side of a level-2 food.
let private simple2p1fJson =
    """{"step":0,"foodSpawned":2,"players":[{"row":4,"col":3,"level":2},{"row":4,"col":5,"level":2}],"food":[{"row":4,"col":4,"level":2}]}"""

/// simple2p1f on Foraging-8x8-2p-1f with the given sight (8 = the registered full sight).
let private simple2p1f sight = envAt (grid8 2 1 sight) simple2p1fJson

let private obs (env: ForagingEnv) e a = env.Observation(e, a).ToArray()
let private rewards (env: ForagingEnv) = Array.copy env.Rewards
let private positions (env: ForagingEnv) e = (env.GetState e).Players |> Seq.map (fun p -> p.Row, p.Col) |> List.ofSeq
let private foodLeft (env: ForagingEnv) e = (env.GetState e).Food |> Seq.map (fun f -> f.Row, f.Col, f.Level) |> List.ofSeq

/// Players and food of a state, without the step counter and generator: what a reset laid out.
let private layout (s: ForagingState) =
    (s.Players |> Seq.map (fun p -> p.Row, p.Col, p.Level) |> List.ofSeq), (s.Food |> Seq.map (fun f -> f.Row, f.Col, f.Level) |> List.ofSeq)

let private allStates (env: ForagingEnv) = List.init env.BatchSize env.SaveState

/// Runs `f`, which must throw ArgumentException whose message contains `part`.
let private expectRefused (part: string) (f: unit -> unit) why =
    let message =
        try f (); None
        with :? ArgumentException as ex -> Some ex.Message
    match message with
    | None -> failtestf "%s: expected an ArgumentException, nothing was thrown" why
    | Some m -> Expect.stringContains m part (sprintf "%s: the message names the problem" why)

/// Joint random actions, LOAD a third of the time so that food does get eaten in random play.
let private randomActions (rng: Random) n =
    Array.init n (fun _ -> if rng.Next 3 = 0 then LOAD else rng.Next 5)

let private close = { absolute = 1e-5; relative = 0.0 }

let private parsing =
    testList "task names" [
        test "the reference's names give the registered settings" {
            let expect name rows players food sight coop =
                let t = parse name
                Expect.equal (t.Rows, t.Cols, t.Players, t.MaxFood, t.Sight, t.Coop) (rows, rows, players, food, sight, coop) name
                Expect.equal (t.MaxPlayerLevel, t.MaxEpisodeSteps, t.NormalizeReward, t.Penalty) (3, 50, true, 0.0)
                    (name + ": the registered defaults")
            // test_make's names, the coop and partial (-2s) forms and the gym suffix.
            expect "Foraging-8x8-2p-1f" 8 2 1 8 false
            expect "Foraging-5x5-2p-1f" 5 2 1 5 false
            expect "Foraging-8x8-3p-1f" 8 3 1 8 false
            expect "Foraging-8x8-3p-1f-coop" 8 3 1 8 true
            expect "Foraging-2s-8x8-2p-2f-coop" 8 2 2 2 true
            expect "Foraging-2s-10x10-3p-3f" 10 3 3 2 false
            expect "Foraging-15x15-4p-5f-v2" 15 4 5 15 false
            expect "Foraging-2s-8x8-3p-1f-coop-v2" 8 3 1 2 true
        }

        test "the gym version suffix is optional and the name drops it" {
            Expect.equal (parse "Foraging-8x8-2p-1f-v2") (parse "Foraging-8x8-2p-1f") "-v2 names the same task"
            let suffixed = parse "Foraging-2s-8x8-2p-2f-coop-v2"
            Expect.equal suffixed.Name "Foraging-2s-8x8-2p-2f-coop" "Name is the registered name without the suffix"
            Expect.equal (ForagingTask(Rows = 8, Cols = 8, Players = 2, MaxFood = 1, Sight = 8)) (parse "Foraging-8x8-2p-1f")
                "a task built by hand equals the parsed one"
        }

        test "names outside the registered forms are refused with the valid forms" {
            for bad in [ "Foraging-4x4-2p-1f"; "Foraging-20x20-2p-1f"; "Foraging-8x9-2p-1f"; "Foraging-8x8-1p-1f"
                         "Foraging-8x8-2p-10f"; "Foraging-8x8-2p-0f"; "Foraging-3s-8x8-2p-1f"; "Foraging-8x8-2p-1f-v3"; "CartPole-v1"; "" ] do
                expectRefused "Valid forms" (fun () -> EnvTask.Parse bad |> ignore) (sprintf "task name '%s'" bad)
        }

        test "all nine paper tasks parse, the foraging ones to their own name" {
            Expect.equal EnvTask.PaperTasks.Count 9 "Table 1 has nine tasks"
            let foraging = EnvTask.PaperTasks |> Seq.filter (fun n -> n.StartsWith "Foraging") |> List.ofSeq
            Expect.equal foraging.Length 7 "seven of them are LBF"
            for name in EnvTask.PaperTasks do
                let t = EnvTask.Parse name
                if name.StartsWith "Foraging" then Expect.equal t.Name name (name + " round-trips through Name")
        }
    ]

let private seeding =
    testList "seeding" [
        test "the same seed gives the same ten consecutive episodes (test_seed, test_reproducibility)" {
            // Episodes of one step, so each ResetDone is the next reset of the same environment.
            let task = ForagingTask(Rows = 8, Cols = 8, Players = 2, MaxFood = 2, Sight = 8, MaxEpisodeSteps = 1)
            for seed in 0UL .. 4UL do
                let episodes (env: ForagingEnv) =
                    env.Reset seed
                    [ for _ in 1 .. 10 do
                        yield allStates env, Array.copy env.Observations
                        env.Step(Array.create (env.BatchSize * env.Agents) NONE)
                        Expect.isTrue (Array.forall id env.Done) "a one-step episode ends after its step"
                        env.ResetDone() ]
                use a = new ForagingEnv(task, 8)
                use b = new ForagingEnv(task, 8)
                let first = episodes a
                Expect.equal (episodes b) first (sprintf "seed %d: another batch replays the same episodes" seed)
                Expect.equal (episodes a) first (sprintf "seed %d: re-seeding the same batch replays them too" seed)
                let saved = first |> List.collect fst |> List.distinct
                Expect.equal saved.Length 80 "80 distinct saved states: each holds its own generator"
        }

        test "different seeds and different environments of a batch lay out different episodes" {
            let task = parse "Foraging-8x8-2p-2f"
            use env = new ForagingEnv(task, 16)
            let layouts seed =
                env.Reset seed
                List.init 16 (fun e -> layout (env.GetState e))
            let zero, one = layouts 0UL, layouts 1UL
            Expect.isGreaterThan (List.zip zero one |> List.filter (fun (x, y) -> x <> y) |> List.length) 12
                "seeds 0 and 1 lay out (nearly) every environment differently"
            let distinct = List.distinct zero
            Expect.isGreaterThan distinct.Length 12 "each environment of a batch has its own stream"
        }
    ]

/// Checks the reference's spawn rules over 1,000 resets (one batch of 1,000 environments).
let private checkSpawns name =
    let task = parse name
    use env = new ForagingEnv(task, 1000)
    env.Reset 2024UL
    let playerLevels = Collections.Generic.HashSet<int>()
    let mutable topLevelSeen = false
    for e in 0 .. env.BatchSize - 1 do
        let s = env.GetState e
        let ps = s.Players |> List.ofSeq
        let food = s.Food |> List.ofSeq
        let where = sprintf "%s, environment %d: %s" name e (env.SaveState e)
        Expect.equal food.Length task.MaxFood (where + ": every food is placed")
        Expect.equal (ps |> List.distinctBy (fun p -> p.Row, p.Col)).Length task.Players (where + ": players on distinct cells")
        for p in ps do
            playerLevels.Add p.Level |> ignore
            Expect.isTrue (p.Level >= 1 && p.Level <= 2) (where + ": player levels are randint(1, 3), i.e. 1 or 2")
        let threeLowest = ps |> List.map (fun p -> p.Level) |> List.sort |> List.truncate 3 |> List.sum
        for f in food do
            Expect.isTrue (f.Row >= 1 && f.Row <= task.Rows - 2 && f.Col >= 1 && f.Col <= task.Cols - 2) (where + ": food never on the border")
            Expect.isFalse (ps |> List.exists (fun p -> p.Row = f.Row && p.Col = f.Col)) (where + ": food never on a player")
            if task.Coop then
                Expect.equal f.Level threeLowest (where + ": coop food has the sum of the three lowest player levels")
            else
                // randint(1, sum) excludes sum, except that a sum of 1 or 2 gives level 1.
                Expect.isTrue (f.Level >= 1 && f.Level <= max 1 (threeLowest - 1)) (where + ": food level in 1..sum-1")
                if threeLowest > 2 && f.Level = threeLowest - 1 then topLevelSeen <- true
        for i, f in List.indexed food do
            for g in List.skip (i + 1) food do
                let dr, dc = abs (f.Row - g.Row), abs (f.Col - g.Col)
                Expect.isGreaterThan (dr + dc) 2 (where + ": foods more than two steps apart (test_food_spawning)")
                Expect.isFalse (dr <= 1 && dc <= 1) (where + ": no food in another's 3x3 block")
                Expect.isFalse ((dr = 0 && dc <= 2) || (dc = 0 && dr <= 2)) (where + ": no food within two cells on a row or column")
        Expect.equal s.FoodSpawned (food |> List.sumBy (fun f -> f.Level)) (where + ": foodSpawned is the level placed")
    Expect.equal (Set.ofSeq playerLevels) (set [ 1; 2 ]) (name + ": both player levels occur")
    if not task.Coop then Expect.isTrue topLevelSeen (name + ": the top level, sum - 1, does occur")

let private spawning =
    testList "food spawning" [
        for name in [ "Foraging-6x6-2p-2f"; "Foraging-8x8-2p-3f"; "Foraging-8x8-2p-2f-coop"; "Foraging-10x10-3p-3f"
                      "Foraging-15x15-4p-3f"; "Foraging-15x15-4p-3f-coop" ] ->
            test (sprintf "%s: 1,000 resets follow the spawn rules" name) { checkSpawns name }
    ]

let private loading =
    testList "loading and rewards" [
        test "both loaders share the food by level (test_reward_0)" {
            use env = simple2p1f 8
            env.Step [| LOAD; LOAD |]
            Expect.equal (rewards env) [| 0.5f; 0.5f |] "level * food / (sum of levels * food spawned) = 2*2/(4*2)"
            Expect.equal (foodLeft env 0) [] "the food is removed"
            Expect.isTrue env.Done[0] "an empty field ends the episode"
            Expect.stringStarts (env.SaveState 0)
                ("""{"step":1,"foodSpawned":2,"players":[{"row":4,"col":3,"level":2},{"row":4,"col":5,"level":2}],"food":[],"rng":""" + "\"")
                "the saved state in the documented form"
        }

        test "a lone loader of enough level takes it all (test_reward_1, test_reward_2)" {
            for actions, expected in [ [| NONE; LOAD |], [| 0f; 1f |]; [| LOAD; NONE |], [| 1f; 0f |] ] do
                use env = simple2p1f 8
                env.Step actions
                Expect.equal (rewards env) expected (sprintf "actions %A: the loader gets 2*2/(2*2)" actions)
                Expect.equal (foodLeft env 0) [] "the food is removed"
                Expect.isTrue env.Done[0] "the field is empty"
        }

        test "loaders short of the food's level get nothing, or the penalty, and the food stays" {
            let json = stateJson [ 4, 3, 1; 4, 5, 1 ] [ 4, 4, 3 ]
            for penalty in [ 0.0; 0.5 ] do
                use env = envAt (ForagingTask(Rows = 8, Cols = 8, Players = 2, MaxFood = 1, Sight = 8, Penalty = penalty)) json
                env.Step [| LOAD; LOAD |]
                Expect.equal (rewards env) [| float32 -penalty; float32 -penalty |] (sprintf "penalty %g: levels 1 + 1 < 3 fails" penalty)
                Expect.equal (foodLeft env 0) [ 4, 4, 3 ] "the food stays"
                Expect.isFalse env.Done[0] "food is left, the episode goes on"
        }

        test "an invalid LOAD (no adjacent food) is NONE: it moves nothing and draws no penalty" {
            use env = envAt (ForagingTask(Rows = 8, Cols = 8, Players = 2, MaxFood = 1, Sight = 8, Penalty = 0.5)) (stateJson [ 1, 1, 1; 6, 6, 1 ] [ 4, 4, 3 ])
            env.Step [| LOAD; LOAD |]
            Expect.equal (rewards env) [| 0f; 0f |] "only a valid LOAD can be penalised"
            Expect.equal (positions env 0) [ 1, 1; 6, 6 ] "nobody moved"
        }

        test "unnormalised rewards are level * food" {
            use env = envAt (ForagingTask(Rows = 8, Cols = 8, Players = 2, MaxFood = 1, Sight = 8, NormalizeReward = false)) simple2p1fJson
            env.Step [| LOAD; LOAD |]
            Expect.equal (rewards env) [| 4f; 4f |] "2 * 2 each, undivided"
        }

        test "only loading players next to the food count, each paid by level" {
            // Food of level 3 with a level-2 loader above, a level-1 loader right and a level-2 idler below.
            let json = stateJson [ 2, 3, 2; 3, 4, 1; 4, 3, 2 ] [ 3, 3, 3 ]
            use env = envAt (grid8 3 1 8) json
            env.Step [| LOAD; LOAD; NONE |]
            Expect.floatClose close (float env.Rewards[0]) (2.0 / 3.0) "2*3/(3*3)"
            Expect.floatClose close (float env.Rewards[1]) (1.0 / 3.0) "1*3/(3*3)"
            Expect.equal env.Rewards[2] 0f "the idler next to the food gets nothing"
            use alone = envAt (grid8 3 1 8) json
            alone.Step [| LOAD; NONE; NONE |]
            Expect.equal (rewards alone) [| 0f; 0f; 0f |] "the idlers' levels do not help: 2 < 3"
            Expect.equal (foodLeft alone 0) [ 3, 3, 3 ] "the food stays"
        }

        test "a loader takes its first adjacent food (up, down, left, right), one per step" {
            use env = envAt (grid8 2 2 8) (stateJson [ 3, 3, 1; 6, 6, 1 ] [ 4, 3, 1; 2, 3, 1 ])
            env.Step [| LOAD; NONE |]
            Expect.equal (foodLeft env 0) [ 4, 3, 1 ] "the food above goes first; the one below stays"
            Expect.equal (rewards env) [| 0.5f; 0f |] "1*1/(1*2)"
            use left = envAt (grid8 2 2 8) (stateJson [ 3, 3, 1; 6, 6, 1 ] [ 3, 4, 1; 3, 2, 1 ])
            left.Step [| LOAD; NONE |]
            Expect.equal (foodLeft left 0) [ 3, 4, 1 ] "left before right"
        }

        test "loaders are taken in agent order, and each brings every loader next to its food (documented choice)" {
            // X at (3,3) has food above and below; Y at (5,3) has only the food below X.
            let foods = [ 2, 3, 1; 4, 3, 1 ]
            use xFirst = envAt (grid8 2 2 8) (stateJson [ 3, 3, 1; 5, 3, 1 ] foods)
            xFirst.Step [| LOAD; LOAD |]
            Expect.equal (rewards xFirst) [| 0.5f; 0.5f |] "X takes the food above alone, Y the one below alone"
            Expect.equal (foodLeft xFirst 0) [] "both foods eaten"
            Expect.isTrue xFirst.Done[0] "field empty"
            use yFirst = envAt (grid8 2 2 8) (stateJson [ 5, 3, 1; 3, 3, 1 ] foods)
            yFirst.Step [| LOAD; LOAD |]
            Expect.equal (rewards yFirst) [| 0.25f; 0.25f |] "Y takes the food below together with X: 1*1/(2*2) each"
            Expect.equal (foodLeft yFirst 0) [ 2, 3, 1 ] "X was used up by Y's group; the food above stays"
        }
    ]

let private partialObservation =
    // obs[-2] is the x of the last player slot: the other player in these two-player fixtures.
    let otherX (env: ForagingEnv) a = (obs env 0 a)[env.ObservationLength - 2]
    testList "partial observation" [
        test "sight 1 does not see the player two columns away (test_partial_obs_1)" {
            use env = simple2p1f 1
            Expect.equal (otherX env 0, otherX env 1) (-1f, -1f) "neither sees the other"
        }

        test "sight 2 sees it until one steps away (test_partial_obs_2)" {
            use env = simple2p1f 2
            Expect.isGreaterThan (otherX env 0) -1f "agent 0 sees agent 1"
            Expect.isGreaterThan (otherX env 1) -1f "agent 1 sees agent 0"
            env.Step [| WEST; NONE |]
            Expect.equal (positions env 0) [ 4, 2; 4, 5 ] "agent 0 stepped west"
            Expect.equal (otherX env 0, otherX env 1) (-1f, -1f) "three columns apart, neither sees the other"
        }

        test "full sight always sees (test_partial_obs_3)" {
            use env = simple2p1f 8
            Expect.isGreaterThan (otherX env 0) -1f "agent 0 sees agent 1"
            Expect.isGreaterThan (otherX env 1) -1f "agent 1 sees agent 0"
            env.Step [| WEST; NONE |]
            Expect.isGreaterThan (otherX env 0) -1f "agent 0 still sees agent 1"
            Expect.isGreaterThan (otherX env 1) -1f "agent 1 still sees agent 0"
        }

        test "coordinates: relative to the clipped window with sight 2, absolute with full sight, food row-major" {
            // Food listed out of order on purpose; observations list it row-major.
            let json = stateJson [ 1, 1, 1; 3, 4, 2 ] [ 4, 5, 2; 1, 3, 1 ]
            use partial = envAt (grid8 2 2 2) json
            // Agent 0 at (1,1): the window is clipped at the top and left, so its origin is (0,0). Agent 1 at
            // (3,4) lies outside its food window (column 4 > 1 + 2) but passes the reference's test
            // 0 <= y, x <= 2 * sight, so it is listed: the documented quirk.
            Expect.equal (obs partial 0 0) [| 1f; 3f; 1f; -1f; -1f; 0f; 1f; 1f; 1f; 3f; 4f; 2f |] "agent 0: food (1,3) only; self; agent 1"
            // Agent 1 at (3,4): window origin (1,2), so a cell's coordinates are pos - (3,4) + (2,2).
            Expect.equal (obs partial 0 1) [| 0f; 1f; 1f; 3f; 3f; 2f; 2f; 2f; 2f; -1f; -1f; 0f |] "agent 1: both foods, self at the centre, agent 0 unseen"
            use full = envAt (grid8 2 2 8) json
            Expect.equal (obs full 0 0) [| 1f; 3f; 1f; 4f; 5f; 2f; 1f; 1f; 1f; 3f; 4f; 2f |] "agent 0: absolute coordinates"
            Expect.equal (obs full 0 1) [| 1f; 3f; 1f; 4f; 5f; 2f; 3f; 4f; 2f; 1f; 1f; 1f |] "agent 1: self first, then agent 0"
        }

        test "unseen slots of a three-player field are (-1, -1, 0) after the seen players, packed in index order" {
            // Agent 0 at (5,5) with sight 1 sees agent 2 at (6,6) but not agent 1 at (1,1).
            use env = envAt (grid8 3 1 1) (stateJson [ 5, 5, 1; 1, 1, 2; 6, 6, 2 ] [ 2, 2, 3 ])
            Expect.equal (obs env 0 0) [| -1f; -1f; 0f; 1f; 1f; 1f; 2f; 2f; 2f; -1f; -1f; 0f |] "no food in sight; self; agent 2 packed into the first slot"
        }
    ]

let private movement =
    // Three players on an 8x8 field with one food far from the action at (6,6).
    let scene players = envAt (grid8 3 1 8) (stateJson players [ 6, 6, 1 ])
    let after players (actions: int[]) =
        use env = scene players
        env.Step actions
        positions env 0
    testList "movement" [
        test "a move into a wall or onto food is NONE" {
            Expect.equal (after [ 0, 0, 1; 7, 7, 1; 6, 5, 1 ] [| NORTH; SOUTH; EAST |]) [ 0, 0; 7, 7; 6, 5 ] "north/south walls, food east"
            Expect.equal (after [ 0, 0, 1; 7, 7, 1; 5, 6, 1 ] [| WEST; EAST; SOUTH |]) [ 0, 0; 7, 7; 5, 6 ] "west/east walls, food south"
            Expect.equal (after [ 0, 0, 1; 7, 7, 1; 5, 6, 1 ] [| SOUTH; NORTH; WEST |]) [ 1, 0; 6, 7; 5, 5 ] "the same players move where it is free"
        }

        test "two players aiming at one cell both stay" {
            Expect.equal (after [ 2, 2, 1; 2, 4, 1; 0, 7, 1 ] [| EAST; WEST; NONE |]) [ 2, 2; 2, 4; 0, 7 ] "both target (2,3)"
        }

        test "a player moving into a stationary player's cell stays" {
            for still in [ NONE; LOAD ] do
                Expect.equal (after [ 2, 2, 1; 2, 3, 1; 0, 7, 1 ] [| EAST; still; NONE |]) [ 2, 2; 2, 3; 0, 7 ] (sprintf "B holds its cell (action %d)" still)
        }

        test "a swap and a chain go through" {
            Expect.equal (after [ 2, 2, 1; 2, 3, 1; 0, 7, 1 ] [| EAST; WEST; NONE |]) [ 2, 3; 2, 2; 0, 7 ] "head-on exchange"
            Expect.equal (after [ 2, 2, 1; 2, 3, 1; 0, 7, 1 ] [| EAST; EAST; NONE |]) [ 2, 3; 2, 4; 0, 7 ] "A follows B"
        }

        test "overlap quirk: A enters B's cell while B is blocked by a third player, so both share it" {
            // B (2,3) and C (2,5) both aim at (2,4) and stay; A's target (2,3) has only A's claim, so A moves.
            Expect.equal (after [ 2, 2, 1; 2, 3, 1; 2, 5, 1 ] [| EAST; EAST; WEST |]) [ 2, 3; 2, 3; 2, 5 ] "A and B end on (2,3), as the reference does"
        }
    ]

let private episodes =
    testList "episodes and refusals" [
        test "an episode ends after exactly MaxEpisodeSteps; a done environment refuses steps until ResetDone" {
            use env = new ForagingEnv(ForagingTask(Rows = 8, Cols = 8, Players = 2, MaxFood = 2, Sight = 8, MaxEpisodeSteps = 5), 1)
            env.Reset 3UL
            for step in 1 .. 5 do
                Expect.isFalse env.Done[0] (sprintf "not done before step %d" step)
                env.Step [| NONE; NONE |]
                Expect.equal env.EpisodeSteps[0] step "steps are counted"
            Expect.isTrue env.Done[0] "done after the fifth step"
            let final = env.SaveState 0
            expectRefused "environment 0 finished" (fun () -> env.Step [| NONE; NONE |]) "stepping a finished episode"
            Expect.equal (env.SaveState 0) final "the refused step changed nothing"
            env.ResetDone()
            Expect.isFalse env.Done[0] "a new episode"
            Expect.equal env.EpisodeSteps[0] 0 "its step counter starts at 0"
            Expect.equal (rewards env) [| 0f; 0f |] "no reward after a reset"
            Expect.notEqual (layout (env.GetState 0)) (layout (ForagingStateJson.Read final)) "the field was laid out again"
        }

        test "actions outside 0..5 and a wrong action count are refused before anything moves" {
            use env = new ForagingEnv(parse "Foraging-8x8-2p-2f", 2)
            env.Reset 5UL
            let before = allStates env, Array.copy env.Observations
            for bad in [ 6; -1 ] do
                expectRefused (sprintf "action of environment 1, agent 1 must be in 0..5 (0 NONE, 1 NORTH, 2 SOUTH, 3 WEST, 4 EAST, 5 LOAD), got %d" bad)
                    (fun () -> env.Step [| EAST; SOUTH; WEST; bad |]) (sprintf "action %d" bad)
                Expect.equal (allStates env, Array.copy env.Observations) before (sprintf "action %d: no environment moved" bad)
                Expect.equal env.EpisodeSteps [| 0; 0 |] "no step was counted"
            expectRefused "BatchSize * Agents = 4" (fun () -> env.Step [| NONE; NONE |]) "two actions for a batch of 2 x 2"
        }

        test "states breaking the rules are refused naming the field, and the environment is unchanged" {
            use env = simple2p1f 8
            let before = env.SaveState 0, obs env 0 0, obs env 0 1
            let p2 = """{"row":4,"col":3,"level":2},{"row":4,"col":5,"level":2}"""
            for json, part, why in
                [ stateJson [ 4, 3, 2 ] [ 4, 4, 2 ], "players must list 2 players", "one player for a two-player task"
                  stateJson [ 4, 3, 2; 8, 5, 2 ] [ 4, 4, 2 ], "players[1] at (8, 5) is outside", "a player below the grid"
                  stateJson [ 4, 3, 2; 4, 5, 4 ] [ 4, 4, 2 ], "players[1].level", "a player above the maximum level"
                  stateJson [ 4, 3, 2; 4, 5, 2 ] [ 0, 4, 2 ], "food[0] at (0, 4) must be inside the border", "food on the border"
                  stateJson [ 4, 3, 2; 4, 5, 2 ] [ 4, 4, 0 ], "food[0].level", "food of level 0"
                  stateJson [ 4, 3, 2; 4, 5, 2 ] [ 4, 3, 2 ], "share the cell", "food under a player"
                  stateJson [ 4, 3, 2; 4, 5, 2 ] [ 4, 4, 2; 2, 2, 1 ], "at most 1 items", "more food than MaxFood"
                  sprintf """{"players":[%s],"food":[{"row":4,"col":4,"level":2}],"colour":"red"}""" p2, "unknown field 'colour'", "an unknown field"
                  sprintf """{"players":[{"row":4,"col":3,"level":2,"lvl":2},{"row":4,"col":5,"level":2}],"food":[]}""", "state.players[0]: unknown field 'lvl'", "an unknown player field"
                  sprintf """{"players":[%s],"food":[{"row":4,"col":4,"level":2}],"foodSpawned":1}""" p2, "foodSpawned", "less food spawned than left"
                  sprintf """{"players":[%s],"food":[],"step":51}""" p2, "step must be in 0..50", "a step past the limit"
                  sprintf """{"players":[%s],"food":[],"rng":"xyz"}""" p2, "rng must be 64 hex digits", "a malformed generator"
                  sprintf """{"players":[%s],"food":[{"row":"4","col":4,"level":2}]}""" p2, "state.food[0].row must be an integer", "a string coordinate"
                  """{"players":[{"row":4,"col":3,"level":2}""", "not valid JSON", "truncated JSON" ] do
                expectRefused part (fun () -> env.RestoreState(0, json)) why
                Expect.equal (env.SaveState 0, obs env 0 0, obs env 0 1) before (why + ": the environment is unchanged")
        }
    ]

/// Random play in a batch of 64 for three episode lengths, checking after every step and reset that
/// observations stay in bounds, rewards are non-negative, an episode's reward (summed over agents) is
/// exactly the share of the spawned food eaten so far, and episodes end at the limit or an empty field,
/// never later. Returns (episodes ended with an empty field, episodes ended at the limit).
let private randomPlay name seed =
    let task = parse name
    let batch = 64
    use env = new ForagingEnv(task, batch)
    let rng = Random(seed)
    env.Reset(uint64 seed)
    let eaten = Array.zeroCreate<float> batch
    let mutable emptied, limited = 0, 0
    let checkBounds when' =
        for e in 0 .. batch - 1 do
            for a in 0 .. env.Agents - 1 do
                if not (env.Bounds.Contains(env.Observation(e, a))) then
                    failtestf "%s %s: environment %d agent %d's observation %A is outside the bounds" name when' e a (obs env e a)
    checkBounds "after the reset"
    for step in 1 .. 3 * task.MaxEpisodeSteps do
        env.Step(randomActions rng (batch * env.Agents))
        checkBounds (sprintf "after step %d" step)
        for e in 0 .. batch - 1 do
            for a in 0 .. env.Agents - 1 do
                let r = env.Rewards[e * env.Agents + a]
                if r < 0f then failtestf "%s: reward %g < 0 with no penalty" name r
                eaten[e] <- eaten[e] + float r
            let s = env.GetState e
            let left = s.Food |> Seq.sumBy (fun f -> f.Level)
            // Messages are built only on failure: this runs some 100,000 times.
            let fail why = failtestf "%s step %d environment %d: %s (state %s)" name step e why (env.SaveState e)
            let share = float (s.FoodSpawned - left) / float s.FoodSpawned
            if abs (eaten[e] - share) > 1e-5 then
                fail (sprintf "the episode's rewards add up to %g, not the share of food eaten %g" eaten[e] share)
            let limit = env.EpisodeSteps[e] = task.MaxEpisodeSteps
            if env.EpisodeSteps[e] > task.MaxEpisodeSteps then fail "past the episode limit"
            if env.Done[e] <> (limit || left = 0) then
                fail (sprintf "Done = %b, but it must be set exactly at the limit or when the field is empty" env.Done[e])
            if env.Done[e] then
                if left = 0 then
                    if abs (eaten[e] - 1.0) > 1e-5 then fail (sprintf "an emptied field paid out %g, not 1" eaten[e])
                    emptied <- emptied + 1
                else limited <- limited + 1
                eaten[e] <- 0.0
        env.ResetDone()
        Expect.isFalse (Array.exists id env.Done) "ResetDone restarts every finished episode"
        checkBounds (sprintf "after the resets of step %d" step)
    emptied, limited

let private properties =
    let smallTasks = [ "Foraging-5x5-2p-1f"; "Foraging-8x8-2p-1f" ]
    let paperTasks = EnvTask.PaperTasks |> Seq.filter (fun n -> n.StartsWith "Foraging") |> List.ofSeq
    testList "random play" [
        for name in smallTasks @ paperTasks @ [ "Foraging-8x8-3p-1f-coop"; "Foraging-2s-6x6-2p-2f" ] ->
            test (sprintf "%s: bounds, reward sums and episode ends hold" name) {
                let emptied, limited = randomPlay name 11
                Expect.isGreaterThan limited 0 "some episodes ran to the limit"
                if List.contains name smallTasks then Expect.isGreaterThan emptied 0 "some episodes emptied the field"
            }
    ]

let private stateAndThreads =
    testList "state round trip and threads" [
        test "a restored batch matches the saved one now and in every future step" {
            let task = parse "Foraging-2s-8x8-2p-2f-coop"
            use a = new ForagingEnv(task, 4)
            use b = new ForagingEnv(task, 4)
            a.Reset 9UL
            b.Reset 10UL
            let rng = Random 9
            for _ in 1 .. 7 do
                a.Step(randomActions rng 8)
                a.ResetDone()
            for e in 0 .. 3 do b.RestoreState(e, a.SaveState e)
            Expect.equal (allStates b) (allStates a) "the same saved states"
            Expect.equal b.Observations a.Observations "the same observations"
            Expect.equal b.EpisodeSteps a.EpisodeSteps "the same step counters"
            // 120 steps cross at least two episode ends, so the generator in the state decides the next episodes.
            for step in 1 .. 120 do
                let actions = randomActions rng 8
                a.Step actions
                b.Step actions
                Expect.equal (b.Observations, b.Rewards, b.Done) (a.Observations, a.Rewards, a.Done) (sprintf "step %d: the same transition" step)
                a.ResetDone()
                b.ResetDone()
                Expect.equal (allStates b) (allStates a) (sprintf "step %d: the same states after ResetDone" step)
        }

        test "SetState takes the record; a null generator keeps the environment's own" {
            use env = new ForagingEnv(grid8 2 1 8, 1)
            env.Reset 1UL
            let rng = (env.GetState 0).Rng
            let players = [| ForagingPlayer(4, 3, 2); ForagingPlayer(4, 5, 2) |] :> Collections.Generic.IReadOnlyList<_>
            let food = [| ForagingFood(4, 4, 2) |] :> Collections.Generic.IReadOnlyList<_>
            env.SetState(0, ForagingState(0, 2, players, food, null))
            let restored = env.GetState 0
            Expect.equal (layout restored) ([ 4, 3, 2; 4, 5, 2 ], [ 4, 4, 2 ]) "players and food as given"
            Expect.equal restored.Rng rng "the generator is kept"
            Expect.equal (env.SaveState 0) (ForagingStateJson.Write restored) "SaveState writes GetState's JSON"
        }

        test "threads do not change a seeded batch's episodes" {
            let task = parse "Foraging-10x10-3p-3f"
            let play threads =
                use env = new ForagingEnv(task, 16, threads)
                env.Reset 77UL
                let rng = Random 77
                [ for _ in 1 .. 120 do
                    env.Step(randomActions rng (16 * 3))
                    yield Array.copy env.Observations, Array.copy env.Rewards, Array.copy env.Done
                    env.ResetDone()
                    yield Array.copy env.Observations, Array.copy env.Rewards, Array.copy env.Done ]
            let one = play 1
            Expect.equal (play 2) one "two threads: the same observations, rewards and ends"
            Expect.equal (play 5) one "five threads: the same again"
        }
    ]

/// The observation buffer is meant to be wrapped once as a tensor over the same memory.
let tensorView =
    test "a tensor made once with torch.from_array over Observations shows every later step without copying" {
        use env = (EnvTask.Parse "Foraging-8x8-2p-2f").Create 4
        env.Reset 3UL
        let view = TorchSharp.torch.from_array(env.Observations).view(4L, 2L, 12L)
        let rng = Random 5
        for _ in 1..10 do
            env.Step(Array.init 8 (fun _ -> rng.Next 6))
            env.ResetDone()
            let fromTensor = view.data<float32>().ToArray()
            Expect.equal fromTensor env.Observations "the view reads the buffer the environments just wrote"
    }

let tests =
    testList "Level-Based Foraging" [
        tensorView
        parsing
        seeding
        spawning
        loading
        partialObservation
        movement
        episodes
        properties
        stateAndThreads
    ]

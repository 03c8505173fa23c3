/// The rules of lbforaging at commit a409b67 as scenarios: loading and rewards (test_reward_*), what sight 1 and 2
/// see (test_partial_obs_*), movement conflicts, episode ends and refused input.
module CommLab.Tests.ForagingRuleTests

open System
open Expecto
open CommLab.Envs
open CommLab.Envs.Foraging
open CommLab.Tests.ForagingScenarios

let loading =
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

let partialObservation =
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

let movement =
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

let episodes =
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

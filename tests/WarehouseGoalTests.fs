/// rware's test_goals.py (commit 8fb9805): goal cells, deliveries under each reward type, request replacement.
module CommLab.Tests.WarehouseGoalTests

open System
open Expecto
open CommLab.Envs
open CommLab.Envs.Warehouse
open CommLab.Tests.WarehouseScenarios

/// test_goals.py's fixture, loaded from JSON: robot 0 at (4, 27) facing down, carrying shelf 0, which is
/// first in the queue; with two robots, robot 1 parked at (3, 3).
let deliveryFixture agents reward =
    let env = new WarehouseEnv(testTask agents reward, 1)
    env.Reset 0UL
    let second = if agents = 2 then """,{"x":3,"y":3,"direction":"up"}""" else ""
    env.RestoreState(0, sprintf """{"agents":[{"x":4,"y":27,"direction":"down","carrying":0}%s],"requests":[0,1,2,3,4]}""" second)
    env

let goalTests =
    testList "goals (test_goals.py)" [
        test "goal locations are the two middle cells of the last row" {
            let goals (t: WarehouseTask) = WarehouseLayout.For(t).Goals |> Seq.map xy |> List.ofSeq
            Expect.equal (goals (testTask 1 WarehouseReward.Global)) [ (4, 28); (5, 28) ] "the reference's test_goal_location"
            for name, want in [ "tiny", [ (4, 10); (5, 10) ]; "small", [ (4, 19); (5, 19) ]
                                "medium", [ (7, 19); (8, 19) ]; "large", [ (7, 28); (8, 28) ] ] do
                Expect.equal (goals (parse (sprintf "rware-%s-2ag" name))) want (sprintf "%s: (columns / 2 - 1, rows - 1) and (columns / 2, rows - 1)" name)
        }

        for agents, reward, want in [ 1, WarehouseReward.Global, [ 1f ]; 2, WarehouseReward.Global, [ 1f; 1f ]
                                      2, WarehouseReward.Individual, [ 1f; 0f ]; 2, WarehouseReward.TwoStage, [ 0.5f; 0f ] ] do
            test (sprintf "delivery with %d robot(s), %A reward" agents reward) {
                use env = deliveryFixture agents reward
                let s = step env (forward :: List.replicate (agents - 1) stay)
                Expect.equal (pos s 0) (4, 28) "robot 0 drives onto the goal"
                Expect.notEqual (s.Requests[0]) 0 "the delivered shelf leaves the queue"
                Expect.equal (List.ofArray env.Rewards) want "GLOBAL pays everyone, INDIVIDUAL the deliverer, TWO_STAGE half to the deliverer"
                Expect.equal s.InactiveSteps 0 "a delivery restarts the inactivity count"
            }

        test "driving away from the goal delivers nothing" {
            use env = deliveryFixture 1 WarehouseReward.Global
            for act in [ turnLeft; turnLeft; forward ] do
                let s = step env [ act ]
                Expect.equal (env.Rewards[0]) 0f "no shelf reached a goal"
                Expect.equal (s.Requests[0]) 0 "the queue is untouched"
            Expect.equal (pos (env.GetState 0) 0) (4, 26) "two left turns face the robot up"
        }

        test "TWO_STAGE pays the second half when the deliverer puts the shelf down off the highway" {
            use env = deliveryFixture 2 WarehouseReward.TwoStage
            let s = step env [ forward; stay ]
            Expect.equal (List.ofArray env.Rewards) [ 0.5f; 0f ] "half on delivery"
            Expect.isTrue (s.Agents[0].HasDelivered) "the deliverer is marked"
            // As the reference test does: carry the shelf to (1, 1), shelf 0's home, by editing the state.
            let shelves = shelvesOf s |> Seq.mapi (fun k sh -> if k = 0 then WarehouseShelf(1, 1) else sh) |> Array.ofSeq
            let agents = [| WarehouseAgent(1, 1, s.Agents[0].Direction, Nullable 0, true); s.Agents[1] |]
            env.SetState(0, WarehouseState(s.Step, s.InactiveSteps, agents, shelves, s.Requests, s.Rng))
            let s = step env [ toggle; stay ]
            Expect.equal (List.ofArray env.Rewards) [ 0.5f; 0f ] "the other half when the shelf is put down"
            Expect.equal (carried s 0, s.Agents[0].HasDelivered) (None, false) "the shelf is down and the mark cleared"
            let s = step env [ toggle; stay ]
            Expect.equal (List.ofArray env.Rewards) [ 0f; 0f ] "picking the shelf up again pays nothing"
            Expect.equal (carried s 0) (Some 0) "the shelf is picked up again"
            step env [ toggle; stay ] |> ignore
            Expect.equal (List.ofArray env.Rewards) [ 0f; 0f ] "putting it down again pays nothing: the mark was cleared"
        }

        test "delivering a shelf that is not requested pays nothing" {
            use env = setUp (testTask 2 WarehouseReward.Global) [ loaded 0 4 27 Heading.Down; robot 3 3 Heading.Up ] [] [ 1 .. 5 ]
            let s = step env [ forward; stay ]
            Expect.equal (pos s 0) (4, 28) "the robot reaches the goal"
            Expect.equal (List.ofArray env.Rewards) [ 0f; 0f ] "shelf 0 was not requested"
            Expect.equal (List.ofSeq s.Requests) [ 1 .. 5 ] "the queue is untouched"
            Expect.equal s.InactiveSteps 1 "no delivery: the inactivity count grows"
        }

        test "two deliveries in one step are paid separately" {
            for reward, want in [ WarehouseReward.Individual, [ 1f; 1f ]; WarehouseReward.Global, [ 2f; 2f ] ] do
                use env = setUp (testTask 2 reward) [ loaded 0 4 27 Heading.Down; loaded 1 5 27 Heading.Down ] [] [ 0 .. 4 ]
                let s = step env [ forward; forward ]
                Expect.equal (List.ofArray env.Rewards) want (sprintf "%A: one payment per delivered shelf" reward)
                Expect.isFalse (Seq.contains 0 s.Requests || Seq.contains 1 s.Requests) "both delivered shelves leave the queue"
                Expect.equal (List.ofSeq s.Requests |> List.skip 2) [ 2; 3; 4 ] "the other requests keep their places"
        }

        test "a delivered shelf is replaced in place by one not requested before, and pays once" {
            let replacements =
                [ for seed in 0UL .. 19UL do
                    use env = setUpSeeded seed (testTask 1 WarehouseReward.Global) [ loaded 0 4 27 Heading.Down ] [] [ 0 .. 4 ]
                    let s = step env [ forward ]
                    let queue = List.ofSeq s.Requests
                    Expect.equal queue.Length 5 "the queue keeps its size"
                    Expect.equal (List.distinct queue) queue "the queue stays distinct"
                    Expect.equal queue.Tail [ 1; 2; 3; 4 ] "only the delivered shelf's place changes"
                    Expect.isFalse (List.contains queue.Head [ 0 .. 4 ]) "the replacement was not requested before"
                    let s = step env [ stay ]
                    Expect.equal (shelfAt s 0) (4, 28) "shelf 0 still stands on the goal"
                    Expect.equal (env.Rewards[0]) 0f "the same shelf on the goal a second step pays nothing"
                    Expect.equal (List.ofSeq s.Requests) queue "and changes no request"
                    queue.Head ]
            Expect.isGreaterThan (List.distinct replacements |> List.length) 1 "the replacement is drawn at random"
        }
    ]

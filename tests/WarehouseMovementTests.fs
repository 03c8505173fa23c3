/// Every case of rware's test_movement.py (commit 8fb9805), rebuilt from explicit states.
module CommLab.Tests.WarehouseMovementTests

open Expecto
open CommLab.Envs
open CommLab.Envs.Warehouse
open CommLab.Tests.WarehouseScenarios

let movementTests =
    let all n = List.replicate n forward
    testList "movement (test_movement.py)" [
        for dir, want in [ Heading.Down, (4, 26); Heading.Up, (4, 24); Heading.Left, (3, 25); Heading.Right, (5, 25) ] do
            moveCase (sprintf "simple move %A" dir) "a free cell ahead is entered" [ robot 4 25 dir ] [ forward ] [ want ]

        test "an unloaded robot drives under the shelves of a row and stops at the wall" {
            use env = setUp (testTask 1 WarehouseReward.Global) [ robot 0 25 Heading.Right ] [] farRequests
            for i in 0 .. 9 do
                let s = step env [ forward ]
                Expect.equal (pos s 0) (min (i + 1) 9, 25) (sprintf "step %d: shelves do not block an unloaded robot; x clamps at 9" (i + 1))
        }

        for x, y, dir in [ 4, 0, Heading.Up; 4, 28, Heading.Down; 9, 25, Heading.Right; 0, 25, Heading.Left ] do
            moveCase (sprintf "wall collision %A" dir) "a step into the wall clamps to the current cell" [ robot x y dir ] [ forward ] [ x, y ]

        moveCase "head collision 0" "robots facing each other would swap: a two-cycle moves nobody"
            [ robot 4 25 Heading.Right; robot 5 25 Heading.Left ] (all 2) [ 4, 25; 5, 25 ]
        moveCase "head collision 1 (one loaded)" "a head-on swap moves nobody, loaded or not"
            [ loaded 0 4 25 Heading.Right; robot 5 25 Heading.Left ] (all 2) [ 4, 25; 5, 25 ]
        moveCase "head collision 2 (both loaded)" "a head-on swap of loaded robots moves nobody"
            [ loaded 0 4 25 Heading.Right; loaded 1 5 25 Heading.Left ] (all 2) [ 4, 25; 5, 25 ]
        moveCase "head collision 3 (loaded robot facing a standing shelf)"
            "robot 0 is loaded and faces a standing shelf, so it stays; robot 1 faces robot 0, which stays"
            [ loaded 0 3 25 Heading.Left; robot 2 25 Heading.Right ] (all 2) [ 3, 25; 2, 25 ]
        moveCase "chain movement 1" "a robot follows the robot ahead as it moves on"
            [ robot 3 25 Heading.Right; robot 4 25 Heading.Right ] (all 2) [ 4, 25; 5, 25 ]
        moveCase "chain movement 2" "the front robot is at the wall, so the robot behind it cannot move either"
            [ robot 8 25 Heading.Right; robot 9 25 Heading.Right ] (all 2) [ 8, 25; 9, 25 ]
        moveCase "chain movement 3" "the two-robot chain beats the single robot into (5, 25)"
            [ robot 3 25 Heading.Right; robot 4 25 Heading.Right; robot 5 26 Heading.Up ] (all 3) [ 4, 25; 5, 25; 5, 26 ]
        moveCase "circle chain movement 0" "four robots on a cycle all move round it"
            [ robot 3 25 Heading.Right; robot 4 25 Heading.Up; robot 4 24 Heading.Left; robot 3 24 Heading.Down ]
            (all 4) [ 4, 25; 4, 24; 3, 24; 3, 25 ]
        moveCase "circle chain movement 1" "the cycle moves; robot 4, feeding into it from outside, stays"
            [ robot 3 25 Heading.Right; robot 4 25 Heading.Up; robot 4 24 Heading.Left; robot 3 24 Heading.Down; robot 5 24 Heading.Left ]
            (all 5) [ 4, 25; 4, 24; 3, 24; 3, 25; 5, 24 ]

        for from, act, want in
            [ Heading.Up, turnRight, Heading.Right; Heading.Right, turnRight, Heading.Down; Heading.Down, turnRight, Heading.Left
              Heading.Left, turnRight, Heading.Up; Heading.Up, turnLeft, Heading.Left; Heading.Right, turnLeft, Heading.Up
              Heading.Down, turnLeft, Heading.Right; Heading.Left, turnLeft, Heading.Down ] do
            test (sprintf "turn %s from %A" (if act = turnRight then "right" else "left") from) {
                use env = setUp (testTask 1 WarehouseReward.Global) [ robot 4 25 from ] [] farRequests
                let s = step env [ act ]
                Expect.equal (pos s 0) (4, 25) "turning does not move the robot"
                Expect.equal (s.Agents[0].Direction) want "turns follow the cycle up, right, down, left"
            }

        test "simple carrying" {
            use env = setUp (testTask 1 WarehouseReward.Global) [ loaded 0 4 25 Heading.Down ] [] farRequests
            let s = step env [ forward ]
            Expect.equal (pos s 0) (4, 26) "a loaded robot moves into a free cell"
            Expect.equal (shelfAt s 0) (4, 26) "the carried shelf moves with its robot"
        }

        test "simple carrying collision" {
            use env = setUp (testTask 1 WarehouseReward.Global) [ loaded 0 3 25 Heading.Left ] [] farRequests
            let s = step env [ forward ]
            Expect.equal (pos s 0) (3, 25) "a loaded robot cannot enter a cell with a standing shelf"
            Expect.equal (shelfAt s 0) (3, 25) "its shelf stays with it"
        }

        test "simple carrying chain" {
            use env = setUp (testTask 2 WarehouseReward.Global) [ loaded 0 3 25 Heading.Right; loaded 1 4 25 Heading.Right ] [] farRequests
            let s = step env (all 2)
            Expect.equal [ pos s 0; pos s 1 ] [ (4, 25); (5, 25) ] "a loaded robot follows a loaded robot that moves on"
            Expect.equal [ shelfAt s 0; shelfAt s 1 ] [ (4, 25); (5, 25) ] "both shelves travel with their robots"
        }

        for canUnload in [ false; true ] do
            test (sprintf "pickup and carry %d" (if canUnload then 1 else 0)) {
                use env = setUp (testTask 1 WarehouseReward.Global) [ robot 3 25 Heading.Left ] [] farRequests
                let shelf = homeOf env.Layout 2 25
                step env [ forward ] |> ignore
                let s = step env [ toggle ]
                Expect.equal (carried s 0) (Some shelf) "TOGGLE_LOAD under a shelf picks it up"
                Expect.equal (shelfAt s shelf) (2, 25) "picking up does not move the shelf"
                step env [ turnLeft ] |> ignore
                step env [ turnLeft ] |> ignore
                if canUnload then
                    step env [ toggle ] |> ignore
                    let s = step env [ forward ]
                    Expect.equal (pos s 0) (3, 25) "the unloaded robot drives on"
                    Expect.equal (carried s 0) None "a shelf can be put down on a shelf cell"
                    Expect.equal (shelfAt s shelf) (2, 25) "the shelf stays where it was put down"
                else
                    let s = step env [ forward ]
                    Expect.equal (pos s 0, shelfAt s shelf) ((3, 25), (3, 25)) "the shelf travels onto the highway"
                    let s = step env [ forward ]
                    Expect.equal (pos s 0, shelfAt s shelf) ((4, 25), (4, 25)) "and along it"
                    let s = step env [ toggle ]
                    Expect.equal (carried s 0) (Some shelf) "a shelf cannot be put down on the highway"
                    let s = step env [ forward ]
                    Expect.equal (pos s 0, shelfAt s shelf) ((5, 25), (5, 25)) "so it is still carried"
            }
    ]

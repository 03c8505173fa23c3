/// Custom warehouse floor plans (the reference's `layout` argument): parsing, agreement with the block
/// layouts, refusals that name the line, and a delivery on a drawn goal.
module CommLab.Tests.WarehouseLayoutTests

open System
open Expecto
open CommLab.Envs
open CommLab.Envs.Warehouse
open CommLab.Tests.WarehouseScenarios

/// Two shelf columns around a corridor, goals in the bottom row (lower case and spaces as the reference allows).
let private plan = "x.x\nx.x\n. . .\nG.g"

let tests =
    testList "custom warehouse layouts" [
        test "a drawn plan gives its size, highways, goals in row-major order and shelf homes" {
            let layout = WarehouseLayout.Parse plan
            Expect.equal (layout.Rows, layout.Columns) (4, 3) "four lines of three cells (spaces ignored)"
            Expect.equal (List.ofSeq layout.Goals |> List.map xy) [ (0, 3); (2, 3) ] "both g's, upper or lower case, row by row"
            Expect.equal (List.ofSeq layout.ShelfHomes |> List.map xy) [ (0, 0); (2, 0); (0, 1); (2, 1) ] "every x is a shelf home, row-major"
            Expect.isTrue (layout.IsHighway(1, 0) && layout.IsHighway(0, 3)) "corridors and goals are highway"
            Expect.isFalse (layout.IsHighway(0, 0)) "a shelf home is not"
        }

        test "every registered size drawn as text parses back to the same plan" {
            for size in [ "tiny"; "small"; "medium"; "large" ] do
                let task = parse (sprintf "rware-%s-2ag" size)
                let blocks = WarehouseLayout.For task
                let drawn = WarehouseLayout.For(WarehouseTask(Layout = blocks.ToText(), AgentCount = 2, RequestQueueSize = 2))
                Expect.equal drawn.Highway blocks.Highway (sprintf "%s: same highways" size)
                Expect.equal (List.ofSeq drawn.Goals) (List.ofSeq blocks.Goals) (sprintf "%s: same goals in the same order" size)
                Expect.equal (List.ofSeq drawn.ShelfHomes) (List.ofSeq blocks.ShelfHomes) (sprintf "%s: same shelves, same numbering" size)
        }

        test "malformed plans are refused with the line at fault" {
            let cases =
                [ "x.x\nx.\n..g", "layout line 2 has 2 cells, but line 1 has 3"
                  "x.x\nxox\n..g", "layout line 2, column 2: 'o' is not a cell"
                  "x.x\n...", "layout has no goal"
                  "  \n ", "layout is empty" ]
            for text, expected in cases do
                let message = errorOf text (fun () -> WarehouseLayout.Parse text |> ignore)
                Expect.stringContains message expected (sprintf "%A names the problem" text)
            let task = WarehouseTask(Layout = plan, AgentCount = 1, RequestQueueSize = 4)
            let message = errorOf "queue" task.Validate
            Expect.stringContains message "RequestQueueSize must be in 0..3" "a plan with 4 shelves allows at most 3 requests"
        }

        test "a robot bringing a requested shelf onto a drawn goal is paid, through a scenario's settings" {
            let task = EnvTask.Parse "rware-tiny-1ag"
            let json =
                """{"settings": {"layout": ["x.x", "x.x", "...", "g.g"], "requestQueueSize": 2},
                    "state": {"agents": [{"x": 0, "y": 2, "direction": "down", "carrying": 2}], "requests": [2, 3]},
                    "actions": [[1], [0]]}"""
            let scenario = Scenario.Parse(task, json)
            Expect.equal ((scenario.Task :?> WarehouseTask).GridRows) 4 "the plan replaces the tiny layout"
            use out = new IO.StringWriter()
            scenario.Replay out
            let lines = out.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            Expect.equal lines.Length 3 "start and two steps"
            Expect.stringContains lines[1] "\"rewards\":[1]" "shelf 2 (home (0, 1)) carried onto the goal at (0, 3) is a delivery"
            Expect.stringContains lines[2] "\"rewards\":[0]" "its replacement request is another shelf"
        }
    ]

/// Text and SVG pictures of the grid worlds: every thing in a state appears once, in its cell, and the
/// SVG is well-formed XML whose shapes can be counted by class.
module CommLab.Tests.RenderTests

open System
open System.Collections.Generic
open System.Globalization
open System.Xml.Linq
open Expecto
open CommLab.Envs.Foraging
open CommLab.Envs.Warehouse

let private ro (xs: 'a array) = xs :> IReadOnlyList<'a>

/// The grid lines of a text picture: everything between the header line and the legend line.
let private gridLines (text: string) =
    let lines = text.Split('\n')
    Expect.equal lines[lines.Length - 1] "" "the picture ends with a newline"
    lines[1 .. lines.Length - 3]

/// The trimmed content of cell (row, col) in a picture whose cells are three characters wide.
let private cell (grid: string array) row col = grid[row].Substring(3 * col, 3).Trim()

let private svgns = XNamespace.Get "http://www.w3.org/2000/svg"

let private hasClass (cls: string) (e: XElement) =
    match e.Attribute(XName.Get "class") with
    | null -> false
    | a -> a.Value.Split(' ') |> Array.contains cls

let private withClass cls (root: XElement) = root.DescendantsAndSelf() |> Seq.filter (hasClass cls) |> List.ofSeq

let private attr (name: string) (e: XElement) =
    match e.Attribute(XName.Get name) with
    | null -> failtestf "<%s> has no %s attribute" e.Name.LocalName name
    | a -> a.Value

let private svgRoot (svg: string) =
    match XDocument.Parse(svg).Root with
    | null -> failtest "the SVG has no root element"
    | root -> root

let private title (root: XElement) =
    match root.Element(svgns + "title") with
    | null -> failtest "the SVG has no <title>"
    | t -> t.Value

let private foraging = ForagingTask()

let private meeting =
    ForagingState(0, 2, ro [| ForagingPlayer(4, 3, 2); ForagingPlayer(4, 5, 1) |], ro [| ForagingFood(4, 4, 2) |], null)

/// Both text pictures: a header, then `rows` lines of `cols` 3-character cells, then the legend.
let private expectTextFrame (text: string) header legend rows cols =
    let lines = text.Split('\n')
    Expect.equal lines[0] header "the header gives step/limit and what else the world needs"
    Expect.equal lines[lines.Length - 2] legend "the legend follows the grid"
    let grid = gridLines text
    Expect.equal grid.Length rows "one line per grid row"
    for line in grid do
        Expect.equal line.Length (3 * cols) (sprintf "each row is %d cells of 3 characters: '%s'" cols line)

let private foragingTests =
    testList "Foraging" [
        test "text shows a header, one line of 3-character cells per row, and the legend" {
            expectTextFrame (ForagingPicture.Text(foraging, meeting)) "step 0/50, food spawned 2" ForagingPicture.Legend 8 8
        }

        test "text puts each player and food in its row and column, with its level" {
            let grid = gridLines (ForagingPicture.Text(foraging, meeting))
            Expect.equal (cell grid 4 3) "a2" "agent 0 (a) at row 4, col 3, level 2"
            Expect.equal (cell grid 4 4) "*2" "the level-2 food at row 4, col 4"
            Expect.equal (cell grid 4 5) "b1" "agent 1 (b) at row 4, col 5, level 1"
            let empty = [ for r in 0..7 do for c in 0..7 do if cell grid r c = "." then 1 ] |> List.length
            Expect.equal empty 61 "every other cell is shown empty"
        }

        test "two players on one cell show the overlap marker instead of either player" {
            let state = ForagingState(1, 2, ro [| ForagingPlayer(2, 6, 1); ForagingPlayer(2, 6, 2) |], ro [| ForagingFood(5, 5, 3) |], null)
            let grid = gridLines (ForagingPicture.Text(foraging, state))
            Expect.equal (cell grid 2 6) "@2" "two players share row 2, col 6"
            let all = String.Join("\n", grid)
            Expect.isFalse (all.Contains "a1" || all.Contains "b2") "neither stacked player is drawn as if it were alone"
            Expect.equal (cell grid 5 5) "*3" "the food is unaffected"
        }

        test "a player outside the grid is refused, naming the player" {
            let state = ForagingState(0, 2, ro [| ForagingPlayer(0, 0, 1); ForagingPlayer(8, 0, 1) |], ro [||], null)
            Expect.throwsC (fun () -> ForagingPicture.Text(foraging, state) |> ignore) (fun e ->
                Expect.isTrue (e :? ArgumentException && e.Message.Contains "player 1") (sprintf "the message names player 1: %s" e.Message))
        }

        test "SVG is XML sized 32 px per cell, titled with the task, with one shape per food and player" {
            let task = ForagingTask(Rows = 6, Cols = 9, Sight = 9)
            let root = svgRoot (ForagingPicture.Svg(task, meeting))
            Expect.equal root.Name (svgns + "svg") "the root is an SVG element in the SVG namespace"
            Expect.equal (attr "width" root) "288" "width = 32 * Cols"
            Expect.equal (attr "height" root) "192" "height = 32 * Rows"
            Expect.equal (attr "viewBox" root) "0 0 288 192" "the viewBox matches the size"
            Expect.equal (title root) task.Name "the title is the task name"
            Expect.equal (withClass "food" root).Length 1 "one food circle"
            let players = withClass "player" root
            Expect.equal players.Length 2 "one shape per player"
            Expect.notEqual (attr "fill" players[0]) (attr "fill" players[1]) "each agent has its own colour"
            Expect.isEmpty (withClass "sight" root) "full sight (9 on a 6x9 grid) draws no sight windows"
        }

        test "SVG draws each player's sight window clipped to the grid, with invariant numbers" {
            let task = ForagingTask(Sight = 2)
            let state = ForagingState(0, 2, ro [| ForagingPlayer(0, 0, 1); ForagingPlayer(4, 4, 2) |], ro [||], null)
            let saved = CultureInfo.CurrentCulture
            // A comma-decimal culture would turn 0.12 into "0,12" if any number went through it.
            CultureInfo.CurrentCulture <- CultureInfo.GetCultureInfo "de-DE"
            let svg = try ForagingPicture.Svg(task, state) finally CultureInfo.CurrentCulture <- saved
            let windows = withClass "sight" (svgRoot svg)
            Expect.equal windows.Length 2 "one window per player"
            let corner = windows |> List.find (fun w -> attr "fill" w = "#1f77b4")
            Expect.equal (attr "x" corner, attr "width" corner) ("1", "94") "agent 0's window at the corner spans 3 columns (inset 1 px)"
            Expect.equal (attr "width" windows[1]) "158" "agent 1's window in the middle spans 5 columns"
            Expect.equal (attr "fill-opacity" corner) "0.12" "numbers use a decimal point whatever the culture"
        }
    ]

let private warehouse = WarehouseTask()
let private layout = WarehouseLayout.For warehouse

/// Shelf i's home as an F# tuple (the layout holds C# value tuples).
let private home i = let struct (x, y) = layout.ShelfHomes[i] in x, y

/// Agent 0 faces right on the top-left highway; agent 1 faces down carrying requested shelf 9; agent 2
/// faces up under shelf 0 at its home; shelves 5 and 9 are requested.
let private busy =
    WarehouseState(
        12, 3,
        ro [|
            WarehouseAgent(0, 0, Heading.Right)
            WarehouseAgent(3, 5, Heading.Down, Nullable 9)
            WarehouseAgent(fst (home 0), snd (home 0), Heading.Up)
        |],
        null, ro [| 5; 9 |], null)

let private warehouseTests =
    testList "Warehouse" [
        test "text of the tiny task: header, 11 lines of 10 cells, legend" {
            expectTextFrame (WarehousePicture.Text(warehouse, busy)) "step 12/500, requests: 5, 9" WarehousePicture.Legend 11 10
        }

        test "text marks goals, shelves, requested shelves, and robots with heading and load" {
            let grid = gridLines (WarehousePicture.Text(warehouse, busy))
            Expect.equal (cell grid 10 4, cell grid 10 5) ("G", "G") "goals at (4,10) and (5,10)"
            let x5, y5 = home 5
            Expect.equal (cell grid y5 x5) "[*]" "requested shelf 5 stands at home, marked requested"
            let x7, y7 = home 7
            Expect.equal (cell grid y7 x7) "[ ]" "shelf 7 is not requested"
            let x9, y9 = home 9
            Expect.equal (cell grid y9 x9) "_" "shelf 9's home is empty while it is carried"
            Expect.equal (cell grid 0 0) ">a" "agent 0 faces right, empty-handed"
            Expect.equal (cell grid 5 3) "vB*" "agent 1 faces down, carrying (uppercase) a requested shelf (*)"
            let x0, y0 = home 0
            Expect.equal (cell grid y0 x0) "^c]" "agent 2 faces up under a standing, unrequested shelf"
            Expect.equal (cell grid 0 1) "." "an empty highway cell"
            let showsShelf (s: string) = s.StartsWith "[" || s.EndsWith "]" || s.EndsWith "*"
            let shelves = [ for r in 0..10 do for c in 0..9 do if showsShelf (cell grid r c) then 1 ] |> List.length
            Expect.equal shelves layout.ShelfCount "every shelf appears once"
        }

        test "text draws shelves where the state puts them" {
            let moved = Array.init layout.ShelfCount (fun i -> WarehouseShelf(fst (home i), snd (home i)))
            moved[3] <- WarehouseShelf(6, 9)
            let state = WarehouseState(0, 0, ro [| WarehouseAgent(0, 10, Heading.Left) |], ro moved, ro [| 3 |], null)
            let grid = gridLines (WarehousePicture.Text(warehouse, state))
            Expect.equal (cell grid 9 6) "[*]" "requested shelf 3 was left on the cross aisle"
            let x3, y3 = home 3
            Expect.equal (cell grid y3 x3) "_" "its home slot is empty"
            Expect.equal (cell grid 10 0) "<a" "agent 0 faces left"
        }

        test "a bad shelf list or request is refused, naming what is wrong" {
            let short = WarehouseState(0, 0, ro [| WarehouseAgent(0, 0, Heading.Up) |], ro [| WarehouseShelf(1, 1) |], ro [||], null)
            Expect.throwsT<ArgumentException> (fun () -> WarehousePicture.Text(warehouse, short) |> ignore) "one shelf listed, 32 expected"
            let badRequest = WarehouseState(0, 0, ro [| WarehouseAgent(0, 0, Heading.Up) |], null, ro [| 32 |], null)
            Expect.throwsC (fun () -> WarehousePicture.Svg(warehouse, badRequest) |> ignore) (fun e ->
                Expect.stringContains e.Message "requested shelf 32" "the message names the request")
        }

        test "SVG counts: every shelf, robot and goal once; requested and carried shelves marked" {
            let root = svgRoot (WarehousePicture.Svg(warehouse, busy))
            Expect.equal (attr "width" root, attr "height" root) ("320", "352") "32 px per cell of the 11x10 grid"
            Expect.equal (title root) warehouse.Name "the title is the task name"
            let shelves = withClass "shelf" root
            Expect.equal shelves.Length layout.ShelfCount "one shape per shelf"
            Expect.equal (withClass "robot" root).Length 3 "one robot per agent"
            Expect.equal (withClass "goal" root).Length 2 "two goals"
            Expect.equal (withClass "heading" root).Length 3 "a heading pointer per robot"
            let requested = withClass "requested" root
            Expect.equal (requested |> List.map (attr "data-shelf") |> List.sort) [ "5"; "9" ] "shelves 5 and 9 are marked requested"
            let plain = shelves |> List.find (hasClass "requested" >> not)
            Expect.notEqual (attr "fill" requested[0]) (attr "fill" plain) "requested shelves have their own colour"
            let carried = withClass "carried" root
            Expect.equal (carried |> List.map (attr "data-shelf")) [ "9" ] "only shelf 9 is carried"
            Expect.equal (attr "x" carried[0], attr "y" carried[0]) ("100", "164") "drawn at its carrier's cell (3, 5)"
            let shapes = root.Elements() |> List.ofSeq
            let robotGroup = shapes |> List.findIndex (fun e -> e.Descendants() |> Seq.exists (hasClass "robot"))
            Expect.isGreaterThan robotGroup (shapes |> List.findIndex (hasClass "carried")) "robots are drawn above the shelf they carry"
        }

        test "SVG heading pointer points the robot's way" {
            let root = svgRoot (WarehousePicture.Svg(warehouse, busy))
            let tips =
                withClass "heading" root
                |> List.map (fun p -> (attr "points" p).Split(' ')[0])
            // Cell centres: agent 0 at (16, 16), agent 1 at (112, 176), agent 2 at its shelf's centre; tips lie 15 px out.
            Expect.equal tips[0] "31,16" "agent 0 points right"
            Expect.equal tips[1] "112,191" "agent 1 points down"
        }
    ]

let tests = testList "Rendering" [ foragingTests; warehouseTests ]

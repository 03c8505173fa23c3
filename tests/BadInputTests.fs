/// Bad input, as a hostile user would try it, answered with a message naming what is wrong and exit
/// code 2, never a stack trace or a half-written file: one table of inputs and expected messages per
/// program. (The experiment scripts' cases run a script each, so they live with the smoke tests.)
module CommLab.Tests.BadInputTests

open System.IO
open Expecto
open CommLab.Dsl

let private sms = CommandRun.capture SmsCommand.run

/// (what is tried, arguments with {dir} for a fresh folder, texts the message must contain).
let private smsCases =
    [ "a min(|M|) below 1", [ "generate"; "--min"; "0"; "--games"; "10"; "--out"; "{dir}/g.txt" ], [ "min symbols must be in 1..20 (the attribute count), got 0" ]
      "a min(|M|) never seen for the shape", [ "generate"; "--min"; "12"; "--games"; "100"; "--out"; "{dir}/g.txt" ],
      [ "--min 12: no game of this shape (|A| = 20, |V| = 4, 64 objects) had min(|M|) = 12 in a pilot of"; "Ask for a min(|M|) it saw" ]
      // About 5 games in 10^4 of this shape need 3 symbols: a million would take 2 x 10^9 draws.
      "a min(|M|) too rare to collect", [ "generate"; "--min"; "3"; "--games"; "1000000"; "--values"; "2"; "--candidates"; "8"; "--out"; "{dir}/g.txt" ],
      [ "--min 3: min(|M|) = 3 is rare for this shape"; "draws one call may make" ]
      "--out a folder", [ "generate"; "--min"; "2"; "--games"; "10"; "--out"; "{dir}" ], [ "--out {dir} is a folder; give a file path" ]
      "--out in a missing folder", [ "generate"; "--min"; "2"; "--games"; "10"; "--out"; "{dir}/none/g.txt" ], [ "the folder {dir}/none does not exist" ]
      "--out where nothing can be written", [ "generate"; "--min"; "2"; "--games"; "10"; "--out"; "/proc/commlab-games.txt" ], [ "--out /proc/commlab-games.txt: cannot write in /proc" ]
      "more games than memory holds", [ "generate"; "--min"; "2"; "--games"; "100000000"; "--out"; "{dir}/g.txt" ],
      [ "--games 100000000 of 64 objects x 20 attributes would hold 1.3e+11 bytes" ]
      "no games to draw", [ "histogram"; "--games"; "0" ], [ "--games must be >= 1, got 0" ]
      "a negative seed", [ "histogram"; "--seed"; "-3" ], [ "--seed must be >= 0, got -3" ] ]

let private envs = CommandRun.capture EnvsCommand.run

/// (what is tried, task, scenario JSON, texts the message must contain).
let private envsCases =
    [ "a sensor range beyond the grid", "rware-tiny-2ag", """{"settings": {"sensorRange": 1000}, "actions": []}""",
      [ "SensorRange must be in 1..10 (from 10 on the window covers the whole 11x10 grid from every cell), got 1000" ]
      "a sensor range that would overflow", "rware-tiny-2ag", """{"settings": {"sensorRange": 100000}, "actions": []}""", [ "SensorRange must be in 1..10" ]
      "a seed that is not a number", "rware-tiny-2ag", """{"seed": "abc", "actions": []}""", [ "scenario.seed must be a non-negative integer, got \"abc\"" ]
      "a negative seed", "Foraging-8x8-2p-1f", """{"seed": -1, "actions": []}""", [ "scenario.seed must be a non-negative integer, got -1" ]
      "a layout without shelves", "rware-tiny-2ag", """{"settings": {"layout": ["...", "...", "g.g"]}, "actions": []}""",
      [ "the 3x3 layout has no shelves (no 'x' cell): a warehouse needs at least one shelf to request" ] ]

let tests =
    testList "bad input" [
        testList "envs" [
            for what, task, json, expected in envsCases ->
                test what {
                    use dir = new TempDir()
                    let path = Path.Combine(dir.Path, "scenario.json")
                    File.WriteAllText(path, json)
                    let code, out, err = envs [ "replay"; "--task"; task; "--scenario"; path ]
                    Expect.equal code 2 (sprintf "exit code 2:\n%s" err)
                    for e in expected do
                        Expect.stringContains err e "the message names the field, the value and what is allowed"
                    Expect.isFalse (err.Contains "   at ") "no stack trace"
                    Expect.equal out "" "nothing replayed"
                }
        ]
        testList "sms" [
            for what, args, expected in smsCases ->
                test what {
                    use dir = new TempDir()
                    let fill (s: string) = s.Replace("{dir}", dir.Path)
                    let code, _, err = sms (args |> List.map fill)
                    Expect.equal code 2 (sprintf "exit code 2:\n%s" err)
                    for e in expected do
                        Expect.stringContains err (fill e) "the message names what is wrong"
                    Expect.isFalse (err.Contains "   at ") "no stack trace"
                    Expect.isEmpty (Directory.GetFiles(dir.Path, "*", SearchOption.AllDirectories)) "no file left behind"
                }
        ]
    ]

/// The `envs` command line: replaying the documented scenarios prints what the environments do,
/// `render` and `tasks` print what they say, and bad input exits with code 2 naming the field.
module CommLab.Tests.EnvsCommandTests

open System
open System.IO
open System.Text.Json
open Expecto
open CommLab.Dsl
open CommLab.Envs

let private envs = CommandRun.capture EnvsCommand.run

let private scenario name = Path.Combine(Approval.repoRoot (), "tests", "scenarios", name)

let private lines (text: string) = text.Split('\n', StringSplitOptions.RemoveEmptyEntries)

/// One replay line, parsed: step, observations per agent, rewards, done.
let private parse (line: string) =
    use doc = JsonDocument.Parse line
    let root = doc.RootElement
    let floats (e: JsonElement) = [| for v in e.EnumerateArray() -> v.GetSingle() |]
    root.GetProperty("step").GetInt32(),
    [| for o in root.GetProperty("observations").EnumerateArray() -> floats o |],
    floats (root.GetProperty "rewards"),
    root.GetProperty("done").GetBoolean()

let private withScenario (json: string) (f: string -> unit) =
    use dir = new TempDir()
    let path = Path.Combine(dir.Path, "scenario.json")
    File.WriteAllText(path, json)
    f path

let tests =
    testList "envs command" [
        test "replaying the LBF scenario of docs/envs.md: a lone level-2 loader fails, the pair shares the level-3 food 0.5/0.5" {
            let code, out, err = envs [ "replay"; "--task"; "Foraging-8x8-2p-1f"; "--scenario"; scenario "lbf-shared-load.json" ]
            Expect.equal code 0 (sprintf "replay succeeds: %s" err)
            let steps = lines out |> Array.map parse
            Expect.equal steps.Length 3 "a line for the start and one per joint action"
            let s0, obs0, r0, d0 = steps[0]
            Expect.equal (s0, r0, d0) (0, [| 0f; 0f |], false) "the start: no reward, not done"
            // sight 2 from (4, 3): the window's top-left is (2, 1), so the food (4, 4) is at (2, 3), self at (2, 2).
            Expect.equal (obs0[0]) [| 2f; 3f; 3f; 2f; 2f; 2f; 2f; 4f; 2f |] "agent 0 sees the food and the other player in window coordinates"
            let _, _, r1, d1 = steps[1]
            Expect.equal (r1, d1) ([| 0f; 0f |], false) "level 2 < 3: the lone loader gets nothing and the food stays"
            let s2, obs2, r2, d2 = steps[2]
            Expect.equal (s2, r2, d2) (2, [| 0.5f; 0.5f |], true) "together (2 + 2 >= 3) they split it by level, and the field is empty"
            Expect.equal (obs2[0][0..2]) [| -1f; -1f; 0f |] "the food slot is empty afterwards"
        }

        test "replaying the RWARE delivery scenario: the carrier reaches the goal with a requested shelf and gets +1" {
            let code, out, err = envs [ "replay"; "--task"; "rware-tiny-2ag"; "--scenario"; scenario "rware-delivery.json" ]
            Expect.equal code 0 (sprintf "replay succeeds: %s" err)
            let steps = lines out |> Array.map parse
            Expect.equal steps.Length 3 "start + two actions"
            let _, obs1, r1, _ = steps[1]
            Expect.equal r1 [| 1f; 0f |] "individual reward: only the robot on the goal"
            Expect.equal (obs1[0][0..2]) [| 4f; 10f; 1f |] "agent 0 is at x = 4, y = 10 (a goal), carrying"
            Expect.equal (obs1[1][3..6]) [| 0f; 1f; 0f; 0f |] "agent 1 turned left from left: now heading down (one-hot index 1 = DOWN)"
            Expect.equal obs1[0].Length 91 "the tiny observation has 91 values as trained (71 informative, 20 zeros)"
            let _, _, r2, _ = steps[2]
            Expect.equal r2 [| 0f; 0f |] "the delivered shelf is no longer requested: standing on the goal again pays nothing"
        }

        test "replay without a state starts from reset with the scenario's seed, as the environment does" {
            withScenario """{"seed": 5, "actions": [[1, 4], [2, 1]]}""" (fun path ->
                let code, out, err = envs [ "replay"; "--task"; "rware-tiny-2ag"; "--scenario"; path ]
                Expect.equal code 0 (sprintf "replay succeeds: %s" err)
                use env = (EnvTask.Parse "rware-tiny-2ag").Create 1
                env.Reset 5UL
                let _, obs0, _, _ = parse ((lines out)[0])
                Expect.equal (obs0[1]) (env.Observations[91..181]) "same start as Reset(5)"
                env.Step [| 1; 4 |]
                env.Step [| 2; 1 |]
                let _, obs2, _, _ = parse ((lines out)[2])
                Expect.equal (obs2[0]) (env.Observations[0..90]) "same observation after the same actions")
        }

        test "an action after the episode ended exits with 2 and keeps the lines already printed" {
            withScenario """{"settings": {"maxEpisodeSteps": 1}, "seed": 1, "actions": [[0, 0], [0, 0]]}""" (fun path ->
                let code, out, err = envs [ "replay"; "--task"; "Foraging-8x8-2p-2f"; "--scenario"; path ]
                Expect.equal code 2 "refused"
                Expect.equal (lines out).Length 2 "the start and the one step that happened are printed"
                Expect.stringContains err "scenario.actions[1]" "names the action at fault"
                Expect.stringContains err "ended at step 1" "says why")
        }

        test "bad scenarios name the field: unknown keys, wrong action counts, out-of-range actions, bad settings and states" {
            let cases =
                [ """{"actions": [[0, 0]], "action": []}""", "unknown field 'action'"
                  """{"actions": [[0, 0, 0]]}""", "scenario.actions[0] must hold 2 actions"
                  """{"actions": [[0, 6]]}""", "scenario.actions[0][1] must be in 0..5"
                  """{"settings": {"sight": 0}, "actions": []}""", "Sight must be >= 1"
                  """{"settings": {"vision": 2}, "actions": []}""", "unknown field 'vision'"
                  """{"state": {"players": [{"row": 1, "col": 1, "level": 1}], "food": []}, "actions": []}""", "players must list 2 players"
                  """{"state": {"players": [{"row": 1, "col": 1, "level": 1}, {"row": 2, "col": 2, "level": 1}], "food": [{"row": 0, "col": 3, "level": 1}]}, "actions": []}""", "food[0] at (0, 3) must be inside the border"
                  """{"actions": [[0, 0]""", "not valid JSON" ]
            for json, expected in cases do
                withScenario json (fun path ->
                    let code, out, err = envs [ "replay"; "--task"; "Foraging-8x8-2p-1f"; "--scenario"; path ]
                    Expect.equal code 2 (sprintf "%s is refused" json)
                    Expect.stringContains err expected (sprintf "the message for %s names the problem" json)
                    Expect.equal out "" "nothing is replayed from a bad scenario")
        }

        test "unknown tasks and missing files exit with 2 and say what is valid" {
            let code, _, err = envs [ "replay"; "--task"; "Foraging-8x9-2p-1f"; "--scenario"; scenario "lbf-shared-load.json" ]
            Expect.equal code 2 "refused"
            Expect.stringContains err "Valid forms" "lists the valid task names"
            let code, _, err = envs [ "replay"; "--task"; "rware-tiny-2ag"; "--scenario"; "/no/such/file.json" ]
            Expect.equal code 2 "refused"
            Expect.stringContains err "scenario file not found" "says which file is missing"
        }

        test "render prints the warehouse with its 11 rows and writes an SVG with 32 shelves" {
            use dir = new TempDir()
            let svg = Path.Combine(dir.Path, "tiny.svg")
            let code, out, err = envs [ "render"; "--task"; "rware-tiny-4ag"; "--seed"; "3"; "--svg"; svg ]
            Expect.equal code 0 (sprintf "render succeeds: %s" err)
            let grid = lines out |> Array.filter (fun l -> l.Length = 30)
            Expect.equal grid.Length 11 "eleven rows of ten 3-character cells"
            let doc = System.Xml.Linq.XDocument.Load svg
            let shelves =
                doc.Descendants()
                |> Seq.filter (fun e -> e.Attribute(System.Xml.Linq.XName.Get "class") |> isNull |> not)
                |> Seq.filter (fun e -> e.Attribute(System.Xml.Linq.XName.Get "class").Value.Split(' ') |> Array.contains "shelf")
                |> Seq.length
            Expect.equal shelves 32 "every shelf of the tiny layout is drawn"
        }

        test "tasks lists the nine tasks of Table 1 with agents, actions and observation length" {
            let code, out, _ = envs [ "tasks" ]
            Expect.equal code 0 "succeeds"
            let rows = lines out |> Array.tail |> Array.map (fun l -> l.Split '\t')
            Expect.equal (rows |> Array.map (fun r -> r[0])) (Array.ofSeq EnvTask.PaperTasks) "the nine tasks in Table 1's order"
            let tiny4 = rows |> Array.find (fun r -> r[0] = "rware-tiny-4ag")
            Expect.equal (tiny4[1..]) [| "4"; "5"; "91" |] "4 agents, 5 actions, 91 observation values (as the MADDPG authors trained)"
            let lbf = rows |> Array.find (fun r -> r[0] = "Foraging-15x15-4p-5f")
            Expect.equal (lbf[1..]) [| "4"; "6"; "27" |] "3 * (5 foods + 4 players) = 27"
        }
    ]

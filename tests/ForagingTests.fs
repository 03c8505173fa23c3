/// Level-Based Foraging against lbforaging at commit a409b67 (gym "v2"): task names, seeded resets
/// (test_seed, HEAD's test_reproducibility), food spawning (test_food_spawning_*), properties over random
/// play, the state round trip and threads. The rule scenarios (test_reward_*, test_partial_obs_*) are in
/// ForagingRuleTests.
module CommLab.Tests.ForagingTests

open System
open Expecto
open CommLab.Envs
open CommLab.Envs.Foraging
open CommLab.Tests.ForagingScenarios

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
        ForagingRuleTests.loading
        ForagingRuleTests.partialObservation
        ForagingRuleTests.movement
        ForagingRuleTests.episodes
        properties
        stateAndThreads
    ]

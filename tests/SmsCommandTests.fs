/// The `sms` command line and the Lewis game's DSL record: solve agrees with brute force, generate
/// writes what it says, and bad input is refused with the field and the allowed values.
module CommLab.Tests.SmsCommandTests

open System
open System.IO
open Expecto
open CommLab.Symbolic
open CommLab.Dsl

let private sms = CommandRun.capture SmsCommand.run

let tests =
    testList "sms command and Lewis game config" [
        test "sms solve prints the brute-force min(|M|) of every game, in order" {
            use dir = new TempDir()
            let rng = Random 17
            let n = 200
            let objects = Array.init (n * 9 * 6) (fun _ -> byte (rng.Next 3))
            let targets = Array.init n (fun _ -> rng.Next 9)
            let set = SymbolicGames(9, 6, 3, objects, targets)
            let path = Path.Combine(dir.Path, "games.txt")
            GameFile.Write(path, set)
            let code, out, err = sms [ "solve"; "--input"; path ]
            Expect.equal code 0 (sprintf "solve succeeds: %s" err)
            let printed = out.Split('\n', StringSplitOptions.RemoveEmptyEntries) |> Array.map int
            let expected = Array.init n (fun g -> SymbolicTests.bruteForce (set.Game(g).ToArray()) 9 6 targets[g])
            Expect.equal printed expected "one line per game, the enumeration's answer"
            Expect.isTrue (expected |> Array.distinct |> Array.length > 1) "the games cover several min(|M|)"
        }

        test "sms generate writes games that all have the asked min(|M|); the same seed gives the same file" {
            use dir = new TempDir()
            let a, b = Path.Combine(dir.Path, "a.txt"), Path.Combine(dir.Path, "b.txt")
            for path in [ a; b ] do
                let code, _, err = sms [ "generate"; "--min"; "3"; "--games"; "50"; "--seed"; "4"; "--out"; path; "--attributes"; "10" ]
                Expect.equal code 0 (sprintf "generate succeeds: %s" err)
            Expect.equal (File.ReadAllText a) (File.ReadAllText b) "deterministic"
            let games = GameFile.Read a
            Expect.equal (games.Count, games.Attributes, games.Values, games.Candidates) (50, 10, 4, 64) "the asked shape"
            let _, out, _ = sms [ "solve"; "--input"; a ]
            Expect.isTrue (out.Split('\n', StringSplitOptions.RemoveEmptyEntries) |> Array.forall ((=) "3")) "every game needs 3 symbols"
        }

        test "sms histogram prints the shares of each min(|M|)" {
            let code, out, _ = sms [ "histogram"; "--games"; "4000"; "--seed"; "1" ]
            Expect.equal code 0 "histogram succeeds"
            let lines = out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            Expect.equal lines[0] "min_symbols\tgames\tshare" "a header"
            let counts = lines[1..] |> Array.map (fun l -> l.Split('\t')) |> Array.map (fun f -> int f[0], int f[1])
            Expect.equal (counts |> Array.sumBy snd) 4000 "every game counted"
            Expect.equal (counts |> Array.map fst) [| 2; 3 |] "the paper's shape gives 2 and 3"
        }

        test "bad input exits 2 with the reason and writes no file" {
            use dir = new TempDir()
            let out = Path.Combine(dir.Path, "x.txt")
            let code, _, err = sms [ "generate"; "--min"; "30"; "--games"; "5"; "--out"; out ]
            Expect.equal code 2 "refused"
            Expect.stringContains err "min symbols must be in 1..20 (the attribute count), got 30" "names the field and range"
            Expect.isFalse (File.Exists out) "no file written"
            let code, _, err = sms [ "solve"; "--input"; Path.Combine(dir.Path, "missing.txt") ]
            Expect.equal code 2 "missing file"
            Expect.stringContains err "games file not found" "says so"
            let bad = Path.Combine(dir.Path, "bad.txt")
            File.WriteAllText(bad, "0 01 10\n9 01 10\n")
            let code, _, err = sms [ "solve"; "--input"; bad ]
            Expect.equal code 2 "malformed file"
            Expect.stringContains err "line 2: target index must be in 0..1" "names the line"
            let code, _, err = sms [ "generate"; "--games"; "5" ]
            Expect.equal code 2 "missing mandatory options"
            Expect.stringContains err "--min" "names the missing option"
        }

        test "the Lewis game config reports every impossible field" {
            let r = { LewisGame.defaults with MaxLength = 0; BatchSize = 0; Data = { LewisGame.paperData with MinSymbols = 0; Games = 100; TrainGames = 100 } }
            let problems = LewisGame.validate r
            Expect.containsAll problems
                [ "min symbols must be in 1..20 (the attribute count), got 0"; "games must be > train games (100), so some games validate; got 100"
                  "max length L must be >= 1, got 0"; "batch size must be >= 1, got 0" ]
                "every bad field"
            let missing = LewisGame.validate { LewisGame.defaults with Data = { LewisGame.paperData with File = Some "/no/such.txt" } }
            Expect.equal missing [ "data file not found: /no/such.txt" ] "a missing data file"
            Expect.isEmpty (LewisGame.validate LewisGame.defaults) "the defaults are valid"
            Expect.equal (LewisGame.vocabulary LewisGame.defaults) 80 "|A| x |V|"
        }

        test "a run can read its games from a file: the first TrainGames train, the rest validate" {
            use dir = new TempDir()
            let path = Path.Combine(dir.Path, "games.txt")
            let sampled = ControlledSampler.Sample(GameShape(3, 4, 4), 1, 40, 2UL)
            GameFile.Write(path, sampled.Games)
            let data = { LewisGame.paperData with Attributes = 3; Values = 4; Candidates = 4; Games = 40; TrainGames = 30; File = Some path }
            let train, validation = LewisGame.split data
            Expect.equal (train.Count, validation.Count) (30, 10) "30 / 10"
            Expect.equal (validation.Game(0).ToArray()) (sampled.Games.Game(30).ToArray()) "validation starts at game 30"
            Expect.equal (LewisGame.games data).Histogram[1] 40L "the file's games solved: all need one symbol"
            let tooMany = { data with Games = 41; TrainGames = 30 }
            Expect.throwsT<InvalidDataException> (fun () -> LewisGame.games tooMany |> ignore) "asking for more games than the file holds"
        }
    ]

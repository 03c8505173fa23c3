/// Banking77's CSV files: RFC 4180 quoting, the last-comma rule for unquoted lines, rows that cannot be
/// read (reported, never dropped), the header check, the writer, and the synthetic stand-in.
module CommLab.Tests.Banking77Tests

open System.IO
open Expecto
open CommLab.Data

let private file (dir: TempDir) (name: string) (text: string) =
    let path = Path.Combine(dir.Path, name)
    File.WriteAllText(path, text)
    path

let private row text category = Banking77.Row(text, category)

let private errorOf (f: unit -> 'a) =
    try
        f () |> ignore
        "no error"
    with
    | :? InvalidDataException as e -> e.Message
    | :? FileNotFoundException as e -> "missing: " + e.Message

let tests =
    testList "Banking77 CSV" [
        test "quoted commas, doubled quotes and newlines are read per RFC 4180; unquoted lines split at their last comma" {
            use dir = new TempDir()
            let path =
                file dir "train.csv"
                    (String.concat "\r\n"
                        [ "text,category"
                          "How do I know if I will get my card, or if it is lost?,card_arrival"
                          "\"I said \"\"stop\"\", twice\",cancel_transfer"
                          "\"first line"
                          "second line\",\"card_linking\""
                          "plain text,Refund_not_showing_up"
                          "" ])
            let contents = Banking77.Read path
            Expect.sequenceEqual contents.Rows
                [| row "How do I know if I will get my card, or if it is lost?" "card_arrival"
                   row "I said \"stop\", twice" "cancel_transfer"
                   row "first line\nsecond line" "card_linking"
                   row "plain text" "Refund_not_showing_up" |]
                "four rows, CRLF line ends, a final line break"
            Expect.isEmpty contents.Unreadable "nothing unreadable"
        }

        test "rows that cannot be read are reported with their line, text and reason, and the rows after them are read" {
            use dir = new TempDir()
            let path =
                file dir "test.csv"
                    (String.concat "\n"
                        [ "text,category"
                          "no comma here"
                          ",card_arrival"
                          "a text,"
                          "\"closed\" too early,card_arrival"
                          ""
                          "\"never closed,card_arrival"
                          "last good row,top_up_failed" ])
            let contents = Banking77.Read path
            Expect.sequenceEqual contents.Rows [| row "last good row" "top_up_failed" |] "the good row after the bad ones"
            let unreadable = contents.Unreadable |> Array.map (fun u -> u.Line, u.Raw, u.Reason)
            Expect.sequenceEqual unreadable
                [| 2, "no comma here", "no comma: expected text,category"
                   3, ",card_arrival", "empty text"
                   4, "a text,", "empty category"
                   5, "\"closed\" too early,card_arrival", "' too early,card_arrival' after the closing quote; expected a comma and the category"
                   6, "", "blank line"
                   7, "\"never closed,card_arrival", "a quoted field opened here is never closed" |]
                "each with its line number (the header is line 1)"
        }

        test "a wrong header or a missing file names the file, what was expected and where the data is" {
            use dir = new TempDir()
            let wrong = errorOf (fun () -> Banking77.Read(file dir "other.csv" "sentence,label\nhi,greeting\n"))
            for part in [ Path.Combine(dir.Path, "other.csv"); "line 1 is 'sentence,label'"; "expected the header 'text,category'"; "PolyAI-LDN/task-specific-datasets" ] do
                Expect.stringContains wrong part "header message"
            let missing = errorOf (fun () -> Banking77.Read(Path.Combine(dir.Path, "train.csv")))
            Expect.stringStarts missing "missing: " "FileNotFoundException"
            Expect.stringContains missing "PolyAI/banking77" "where to get it"
        }

        test "what the writer writes, the reader reads back whole" {
            use dir = new TempDir()
            let rows = [| row "a, b and \"c\"" "x_y"; row "two\nlines" "z"; row "plain" "w"; row "ends with comma," "v" |]
            let path = Path.Combine(dir.Path, "w.csv")
            Banking77.Write(path, rows)
            let contents = Banking77.Read path
            Expect.sequenceEqual contents.Rows rows "round trip"
            Expect.isEmpty contents.Unreadable "nothing unreadable"
            Expect.stringStarts (File.ReadAllText path) "text,category\n\"a, b and \"\"c\"\"\",x_y\n" "quoted as RFC 4180 writes it"
        }

        test "the stand-in CSV reads with no unreadable row, the classes and sentences asked for, some quoted" {
            use dir = new TempDir()
            let path = Path.Combine(dir.Path, "standin.csv")
            StandIns.WriteBankingCsv(path, 12, 20, 5)
            let contents = Banking77.Read path
            Expect.isEmpty contents.Unreadable "every row reads"
            Expect.equal contents.Rows.Length 240 "12 x 20 rows"
            let perClass = contents.Rows |> Array.countBy (fun r -> r.Category)
            Expect.equal perClass.Length 12 "12 classes"
            Expect.isTrue (perClass |> Array.forall (fun (_, n) -> n = 20)) "20 sentences each"
            Expect.equal (contents.Rows |> Array.distinctBy (fun r -> r.Text) |> Array.length) 240 "texts are unique"
            Expect.isTrue (contents.Rows |> Array.exists (fun r -> r.Text.Contains ',')) "some texts hold commas"
            Expect.isTrue (contents.Rows |> Array.exists (fun r -> r.Text.Contains '"')) "some texts hold quotes"
            for r in contents.Rows do
                let keywords = r.Category.Split('_')
                Expect.isTrue (r.Text.Contains(keywords[keywords.Length - 1])) (sprintf "'%s' names its class's trouble" r.Text)
            let again = Path.Combine(dir.Path, "again.csv")
            StandIns.WriteBankingCsv(again, 12, 20, 5)
            Expect.equal (File.ReadAllText again) (File.ReadAllText path) "the same seed writes the same file"
        }
    ]

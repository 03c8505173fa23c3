module CommLab.Tests.MarkdownTests

open System
open System.Globalization
open System.Threading
open Expecto
open CommLab.Dsl

let tests =
    testList "Markdown" [
        test "a table pads every column to its widest cell" {
            let got = Markdown.table [ "game"; "accuracy" ] [ [ "reconstruction"; "0.91" ]; [ "a|b"; "n/a" ] ]
            let expected =
                "| game           | accuracy |\n"
                + "| -------------- | -------- |\n"
                + "| reconstruction | 0.91     |\n"
                + "| a\\|b           | n/a      |\n"
            Expect.equal got expected "columns line up in the raw text, and a pipe in a cell is escaped"
        }

        test "number columns are right-aligned and marked for renderers" {
            let got = Markdown.tableAligned [ "task", Markdown.Left; "steps/s", Markdown.Right ] [ [ "lbf"; "1.7e+07" ]; [ "rware-tiny"; "9e+06" ] ]
            let expected =
                "| task       | steps/s |\n"
                + "| ---------- | ------: |\n"
                + "| lbf        | 1.7e+07 |\n"
                + "| rware-tiny |   9e+06 |\n"
            Expect.equal got expected "numbers line up on their last digit"
        }

        test "a report table matches its snapshot" {
            let rows =
                [ for vocab, acc, std in [ 2, 0.5123, 0.01; 16, 0.9871, 0.002; 64, nan, nan ] ->
                      [ string vocab; Markdown.decimals 3 acc; Markdown.meanStd 2 acc std ] ]
            Approval.verify "markdown-table.md" (Markdown.table [ "vocab"; "accuracy"; "mean ± std" ] rows)
        }

        test "a row with the wrong number of cells is an error" {
            Expect.throwsC (fun () -> Markdown.table [ "a"; "b" ] [ [ "1" ] ] |> ignore) (fun ex ->
                Expect.stringContains ex.Message "row 1 has 1 cells but there are 2 headers" "the message locates the row")
        }

        test "numbers use a fixed number of decimals in every culture" {
            let saved = Thread.CurrentThread.CurrentCulture
            Thread.CurrentThread.CurrentCulture <- CultureInfo "de-DE"
            try
                Expect.equal (Markdown.decimals 3 0.81234) "0.812" "a German machine must not write 0,812"
            finally
                Thread.CurrentThread.CurrentCulture <- saved
            Expect.equal (Markdown.decimals 0 2.7) "3" "no decimals rounds to an integer"
        }

        test "missing, infinite and negative-zero numbers" {
            Expect.equal (Markdown.decimals 3 nan) Markdown.missing "a diverged run shows as missing, not as a number"
            Expect.equal (Markdown.decimalsOpt 3 None) Markdown.missing "an absent value shows as missing"
            Expect.equal (Markdown.decimals 2 infinity) "inf" "infinity is spelled out"
            Expect.equal (Markdown.decimals 3 -0.0001) "0.000" "a value that rounds to zero has no minus sign"
            Expect.equal (Markdown.decimals 3 -0.5) "-0.500" "real negatives keep their sign"
            Expect.equal (Markdown.meanStd 2 nan nan) Markdown.missing "no mean, nothing to show"
            Expect.equal (Markdown.meanStd 2 0.5 nan) "0.50 ± n/a" "a single seed has a mean but no spread"
        }

        test "scientific notation keeps its digits and a two-digit exponent" {
            Expect.equal (Markdown.scientific 2 1.856e-7) "1.86e-07" "gradient variances: rounded mantissa, exponent -7"
            Expect.equal (Markdown.scientific 1 12345.0) "1.2e+04" "a positive exponent has its sign"
            Expect.equal (Markdown.scientific 0 -0.0042) "-4e-03" "no decimals, negative value"
            Expect.equal (Markdown.scientific 2 9.999e-7) "1.00e-06" "rounding carries into the exponent"
            Expect.equal (Markdown.scientific 2 nan) Markdown.missing "NaN is missing"
            Expect.equal (Markdown.scientific 2 -infinity) "-inf" "infinities are spelled out"
        }
    ]

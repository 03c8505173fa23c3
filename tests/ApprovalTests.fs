module CommLab.Tests.ApprovalTests

open System.IO
open Expecto

// Every test uses its own temp folder and never auto-approves, whatever COMMLAB_APPROVE says.
let private settings dir : Approval.Settings = { Dir = dir; AutoApprove = false }

let tests =
    testList "Approval" [
        test "file names keep the extension of the snapshot name" {
            let verified, received = Approval.files "d" "object-table.md"
            Expect.equal (Path.GetFileName verified) "object-table.verified.md" "<stem>.verified.<ext>"
            Expect.equal (Path.GetFileName received) "object-table.received.md" "<stem>.received.<ext>"
            Expect.equal (Path.GetFileName(fst (Approval.files "d" "log"))) "log.verified.txt" "no extension means .txt"
        }

        test "a mismatch writes the received file and fails with a diff and the approve command" {
            use tmp = new TempDir()
            let verified, received = Approval.files tmp.Path "t.md"
            File.WriteAllText(verified, "a\nb\nc\n")
            Expect.throwsC (fun () -> Approval.verifyWith (settings tmp.Path) "t.md" "a\nB\nc\n") (fun ex ->
                Expect.stringContains ex.Message "line 2" "the diff points at the first differing line"
                Expect.stringContains ex.Message "verified: b" "and shows the approved text"
                Expect.stringContains ex.Message "received: B" "and the new text"
                Expect.stringContains ex.Message (sprintf "mv %s %s" received verified) "and says how to approve")
            Expect.equal (File.ReadAllText received) "a\nB\nc\n" "the new text is kept for approval"
            Expect.equal (File.ReadAllText verified) "a\nb\nc\n" "the approved text is untouched"
        }

        test "a missing verified file fails and writes the received file" {
            use tmp = new TempDir()
            let verified, received = Approval.files tmp.Path "new.txt"
            Expect.throwsC (fun () -> Approval.verifyWith (settings tmp.Path) "new.txt" "hello") (fun ex ->
                Expect.stringContains ex.Message "no approved file" "the message says why it failed"
                Expect.stringContains ex.Message (sprintf "mv %s %s" received verified) "and how to approve")
            Expect.isTrue (File.Exists received) "the text to approve is written"
        }

        test "a match passes, ignores line endings and deletes a stale received file" {
            use tmp = new TempDir()
            let verified, received = Approval.files tmp.Path "ok.md"
            File.WriteAllText(verified, "x\r\ny\r\n")
            File.WriteAllText(received, "old")
            Approval.verifyWith (settings tmp.Path) "ok.md" "x\ny\n"
            Expect.isFalse (File.Exists received) "a received file from an earlier failure is stale once the text matches"
        }

        test "auto-approve writes the verified file" {
            use tmp = new TempDir()
            let verified, _ = Approval.files tmp.Path "auto.md"
            Approval.verifyWith { Dir = tmp.Path; AutoApprove = true } "auto.md" "new"
            Expect.equal (File.ReadAllText verified) "new" "COMMLAB_APPROVE=1 accepts the received text"
        }
    
        test "numbers within tolerance pass, beyond it or with another layout fail" {
            let table = "| seeds | 2 | 10000 |\n| 1 | 1.000 | 0.406 (388) |"
            Expect.isTrue (Approval.closeNumbers 0.02 table "| seeds | 2 | 10000 |\n| 1 | 0.995 | 0.401 (392) |") "small moves are accepted"
            Expect.isFalse (Approval.closeNumbers 0.02 table "| seeds | 2 | 10000 |\n| 1 | 1.000 | 0.350 (388) |") "an accuracy 0.056 away is not"
            Expect.isFalse (Approval.closeNumbers 0.02 table "| seeds | 2 | 10000 |\n| 1 | 1.000 | 0.406 (300) |") "a count 23% away is not"
            Expect.isFalse (Approval.closeNumbers 0.02 table "| seed | 2 | 10000 |\n| 1 | 1.000 | 0.406 (388) |") "a changed word is not"
        }
    ]

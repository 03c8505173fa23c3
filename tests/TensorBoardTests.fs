/// Event files written by TorchSharp's SummaryWriter (what training runs log) read back with our own
/// reader: the framing, both CRCs and the scalars; a corrupted byte is caught.
module CommLab.Tests.TensorBoardTests

open System
open System.IO
open System.Text
open Expecto
open TorchSharp

let tests =
    testList "TensorBoard event files" [
        test "CRC-32C matches the standard check value" {
            // The CRC-32C catalogue's check value: the CRC of the ASCII digits "123456789".
            Expect.equal (TensorBoardReader.crc32c (ReadOnlySpan(Encoding.ASCII.GetBytes "123456789"))) 0xE3069283u "Castagnoli check value"
        }

        test "scalars logged by SummaryWriter read back with their tags, steps and values" {
            use dir = new TempDir()
            let writer = torch.utils.tensorboard.SummaryWriter(dir.Path)
            writer.add_scalar("return/eval", 1.5f, 10)
            writer.add_scalar("loss/critic", -0.25f, 10)
            writer.add_scalar("return/eval", 2.5f, 20)
            let file = Directory.GetFiles(dir.Path, "events.out.tfevents.*", SearchOption.AllDirectories) |> Array.exactlyOne
            let version, scalars = TensorBoardReader.read file
            Expect.equal version (Some "brain.Event:2") "the first record names the format version"
            Expect.equal [ for s in scalars -> s.Tag, s.Step, s.Value ] [ "return/eval", 10L, 1.5f; "loss/critic", 10L, -0.25f; "return/eval", 20L, 2.5f ] "every scalar, in order"
            Expect.isTrue (scalars |> List.forall (fun s -> s.WallTime > 1.6e9)) "with a wall time (seconds since 1970)"
        }

        test "a corrupted byte is caught by the CRC, naming the record" {
            use dir = new TempDir()
            let writer = torch.utils.tensorboard.SummaryWriter(dir.Path)
            writer.add_scalar("return/eval", 1.5f, 10)
            let file = Directory.GetFiles(dir.Path, "events.out.tfevents.*", SearchOption.AllDirectories) |> Array.exactlyOne
            let bytes = File.ReadAllBytes file
            let records = TensorBoardReader.records bytes
            Expect.equal records.Length 2 "the version record and one scalar"
            bytes[bytes.Length - 6] <- bytes[bytes.Length - 6] ^^^ 0x01uy // inside the last payload
            Expect.throwsC (fun () -> TensorBoardReader.records bytes |> ignore) (fun e ->
                Expect.stringContains e.Message "record 1" "which record"
                Expect.stringContains e.Message "payload CRC mismatch" "and why")
        }
    ]

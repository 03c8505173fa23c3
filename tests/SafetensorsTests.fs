/// Safetensors files: what we write reads back bit for bit in every dtype, a file assembled by hand
/// from the format's description reads as the description says, our writer lays files out as the
/// reference writer does, and corrupt headers are refused with the file and the tensor named.
module CommLab.Tests.SafetensorsTests

open System
open System.IO
open System.Text
open Expecto
open TorchSharp
open CommLab.Files

/// A safetensors file from its parts: the 8-byte little-endian header length, the header, the data.
let private assemble (header: string) (data: byte[]) =
    let h = Encoding.UTF8.GetBytes header
    Array.concat [ BitConverter.GetBytes(uint64 h.Length); h; data ]

let private bytesOf (values: float32[]) = values |> Array.collect BitConverter.GetBytes

/// Writes `bytes` to a file in `dir` and reads it back, returning the refusal's message.
let private refusal (dir: TempDir) (bytes: byte[]) =
    let path = Path.Combine(dir.Path, "bad.safetensors")
    File.WriteAllBytes(path, bytes)
    let e = Thrown.message<InvalidDataException> (fun () -> Safetensors.Read path |> ignore) "a corrupt file is refused"
    Expect.stringContains e path "the message names the file"
    e

/// Every element of `t` as float (bool as 0/1), row-major.
let private values (t: torch.Tensor) : float[] =
    use _ = torch.NewDisposeScope()
    // TorchSharp's accessor throws on a tensor without elements instead of giving an empty array.
    if t.numel() = 0L then [||] else t.to_type(torch.float64).contiguous().data<float>().ToArray()

let private roundTrip =
    testList "round trip" [
        for dtype in [ torch.float64; torch.float32; torch.float16; torch.bfloat16; torch.int64; torch.int32; torch.int16; torch.int8; torch.uint8; torch.bool ] do
            test (sprintf "%A keeps its dtype, shape and every value" dtype) {
                use dir = new TempDir()
                let path = Path.Combine(dir.Path, "t.safetensors")
                // Values each dtype holds exactly: small integers, and halves for the float types.
                let matrix = torch.tensor([| 0.0; 1.0; -2.0; 3.5; 100.0; -7.5 |]).reshape(2L, 3L)
                let matrix = if dtype = torch.uint8 || dtype = torch.bool then matrix.abs() else matrix
                let written =
                    readOnlyDict [ "matrix", matrix.to_type(dtype)
                                   "scalar", torch.tensor(1.0).to_type(dtype)
                                   "empty", torch.zeros([| 0L; 4L |], dtype = dtype)
                                   "column", matrix.to_type(dtype).t() ]
                Safetensors.Write(path, written, readOnlyDict [ "format", "pt"; "note", "ü and \"quotes\"" ])
                let read = Safetensors.Read path
                Expect.equal (read.Keys |> Seq.sort |> List.ofSeq) [ "column"; "empty"; "matrix"; "scalar" ] "every tensor back"
                for KeyValue (name, t) in written do
                    Expect.equal read[name].dtype dtype (sprintf "%s keeps its dtype" name)
                    Expect.sequenceEqual read[name].shape t.shape (sprintf "%s keeps its shape" name)
                    Expect.sequenceEqual (values read[name]) (values t) (sprintf "%s keeps its values (a transposed view is written in its own order)" name)
                Expect.equal (Safetensors.ReadMetadata path |> Seq.map (fun kv -> kv.Key, kv.Value) |> List.ofSeq |> List.sort)
                    [ "format", "pt"; "note", "ü and \"quotes\"" ] "the metadata too"
            }

        test "half types become float32 only when asked" {
            use dir = new TempDir()
            let path = Path.Combine(dir.Path, "h.safetensors")
            let v = torch.tensor([| 0.5f; -1.25f; 3.0f |])
            Safetensors.Write(path, readOnlyDict [ "h", v.to_type(torch.float16); "b", v.to_type(torch.bfloat16); "f", v ])
            let kept = Safetensors.Read path
            Expect.equal (kept["h"].dtype, kept["b"].dtype) (torch.float16, torch.bfloat16) "kept by default"
            let wide = Safetensors.Read(path, halfToFloat32 = true)
            for name in [ "h"; "b"; "f" ] do
                Expect.equal wide[name].dtype torch.float32 (sprintf "%s is float32" name)
                Expect.sequenceEqual (values wide[name]) [| 0.5; -1.25; 3.0 |] (sprintf "%s keeps its values" name)
        }
    ]

let private layout =
    testList "layout" [
        test "a file assembled by hand from the format's description reads as described" {
            use dir = new TempDir()
            let path = Path.Combine(dir.Path, "hand.safetensors")
            // Header entries deliberately out of offset order, with whitespace and padding: offsets decide.
            let header =
                """{"b": {"dtype":"I32","shape":[2],"data_offsets":[8,16]}, "__metadata__":{"format":"pt"},"""
                + """ "a": {"data_offsets":[0,8],"shape":[1,2],"dtype":"F32"}, "s": {"dtype":"U8","shape":[],"data_offsets":[16,17]}}   """
            let data = Array.concat [ bytesOf [| 1.5f; -2.0f |]; BitConverter.GetBytes 7; BitConverter.GetBytes -9; [| 200uy |] ]
            File.WriteAllBytes(path, assemble header data)
            let read = Safetensors.Read path
            Expect.equal read["a"].dtype torch.float32 "F32"
            Expect.sequenceEqual read["a"].shape [| 1L; 2L |] "shape [1, 2]"
            Expect.sequenceEqual (values read["a"]) [| 1.5; -2.0 |] "little-endian float32"
            Expect.equal read["b"].dtype torch.int32 "I32"
            Expect.sequenceEqual (values read["b"]) [| 7.0; -9.0 |] "little-endian int32 from byte 8 of the data section"
            Expect.equal read["s"].dtype torch.uint8 "U8"
            Expect.equal read["s"].shape.Length 0 "a scalar"
            Expect.equal (values read["s"]) [| 200.0 |] "its byte"
            Expect.equal (Safetensors.ReadMetadata path |> Seq.map (fun kv -> kv.Key, kv.Value) |> List.ofSeq) [ "format", "pt" ] "metadata"
        }

        test "our writer's bytes are the reference writer's: compact header, metadata first, 8-byte padding, larger elements first, then by name" {
            use dir = new TempDir()
            let path = Path.Combine(dir.Path, "w.safetensors")
            Safetensors.Write(path, readOnlyDict [ "b", torch.tensor([| 1.0f; 2.0f |]); "a", torch.tensor([| 3.0f |]); "c", torch.tensor([| 5uy |]); "d", torch.tensor([| 4L |]) ],
                              readOnlyDict [ "format", "pt" ])
            let header =
                """{"__metadata__":{"format":"pt"},"d":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},"""
                + """"b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]},"c":{"dtype":"U8","shape":[1],"data_offsets":[20,21]}}"""
            let padded = header + String(' ', (8 - header.Length % 8) % 8)
            let expected = assemble padded (Array.concat [ BitConverter.GetBytes 4L; bytesOf [| 3.0f; 1.0f; 2.0f |]; [| 5uy |] ])
            Expect.equal (File.ReadAllBytes path) expected "byte for byte"
            Expect.equal (padded.Length % 8) 0 "the header length is a multiple of 8"
        }
    ]

let private corrupt =
    let f32 name (b: int) (e: int) shape = sprintf "\"%s\":{\"dtype\":\"F32\",\"shape\":[%s],\"data_offsets\":[%d,%d]}" name shape b e
    testList "corrupt files" [
        test "a header length beyond the file" {
            use dir = new TempDir()
            let bytes = assemble ("{" + f32 "w" 0 8 "2" + "}") (Array.zeroCreate 8)
            BitConverter.GetBytes(uint64 5000).CopyTo(bytes, 0)
            Expect.stringContains (refusal dir bytes) "the header length is 5000 bytes" "says the length and what follows"
        }
        test "a file shorter than the length field" {
            use dir = new TempDir()
            Expect.stringContains (refusal dir [| 1uy; 2uy; 3uy |]) "found a 3-byte file" "says what it found"
        }
        test "offsets past the data section" {
            use dir = new TempDir()
            Expect.stringContains (refusal dir (assemble ("{" + f32 "w" 0 16 "4" + "}") (Array.zeroCreate 8))) "tensor 'w' ends at byte 16 of the data section, which has only 8 bytes" "names the tensor"
        }
        test "overlapping tensors" {
            use dir = new TempDir()
            let message = refusal dir (assemble ("{" + f32 "a" 0 8 "2" + "," + f32 "b" 4 12 "2" + "}") (Array.zeroCreate 12))
            Expect.stringContains message "tensor 'b' starts at byte 4 of the data section, inside tensor 'a'" "names both"
        }
        test "a gap between tensors" {
            use dir = new TempDir()
            let message = refusal dir (assemble ("{" + f32 "a" 0 4 "1" + "," + f32 "b" 8 12 "1" + "}") (Array.zeroCreate 12))
            Expect.stringContains message "tensor 'b' starts at byte 8" "names the tensor after the gap"
            Expect.stringContains message "a gap of 4 bytes" "and the gap"
        }
        test "bytes no tensor covers" {
            use dir = new TempDir()
            Expect.stringContains (refusal dir (assemble ("{" + f32 "a" 0 4 "1" + "}") (Array.zeroCreate 10))) "6 bytes belong to no tensor" "counts them"
        }
        test "offsets that disagree with shape and dtype" {
            use dir = new TempDir()
            Expect.stringContains (refusal dir (assemble ("{" + f32 "w" 0 8 "3" + "}") (Array.zeroCreate 8)))
                "tensor 'w' (F32, shape [3]) needs 12 bytes, but its data_offsets [0, 8] span 8" "names the tensor, the need and the span"
        }
        test "an unknown dtype, a repeated name, a non-JSON header" {
            use dir = new TempDir()
            let fp8 = assemble """{"q":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}""" [| 0uy |]
            Expect.stringContains (refusal dir fp8) "tensor 'q' has dtype \"F8_E4M3\"; supported:" "names the tensor and the dtype"
            let twice = assemble ("{" + f32 "w" 0 4 "1" + "," + f32 "w" 4 8 "1" + "}") (Array.zeroCreate 8)
            Expect.stringContains (refusal dir twice) "the header names 'w' twice" "names the tensor"
            Expect.stringContains (refusal dir (assemble "{\"w\": [1, 2" [||])) "the header is not valid JSON" "says what is wrong"
            Expect.stringContains (refusal dir (assemble ("{" + f32 "w" 0 4 "-1" + "}") (Array.zeroCreate 4))) "tensor 'w': shape must hold non-negative integers, found -1" "a negative dimension"
        }
        test "a missing file" {
            use dir = new TempDir()
            let path = Path.Combine(dir.Path, "none.safetensors")
            let e = Thrown.message<FileNotFoundException> (fun () -> Safetensors.Read path |> ignore) "missing"
            Expect.stringContains e path "names the path"
        }
    ]

let tests = testList "safetensors" [ roundTrip; layout; corrupt ]

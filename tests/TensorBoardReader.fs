/// A reader of TensorBoard event files, written from the format's definition, so tests can check that
/// what a run logs is readable (not merely that a file exists). An event file is a sequence of
/// TFRecords: a little-endian uint64 length, the masked CRC-32C of those 8 bytes, the payload, the
/// masked CRC-32C of the payload. Each payload is a serialized `Event` protocol buffer; this reader
/// decodes the fields scalar logging uses and skips the rest by their wire type.
module CommLab.Tests.TensorBoardReader

open System
open System.Buffers.Binary
open System.IO
open System.Text

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum TFRecords use.
let private crcTable =
    Array.init 256 (fun n ->
        let mutable c = uint32 n
        for _ in 1..8 do
            c <- if c &&& 1u <> 0u then (c >>> 1) ^^^ 0x82F63B78u else c >>> 1
        c)

/// CRC-32C of `bytes`.
let crc32c (bytes: ReadOnlySpan<byte>) : uint32 =
    let mutable c = 0xFFFFFFFFu
    for b in bytes do
        c <- crcTable[int ((c ^^^ uint32 b) &&& 0xFFu)] ^^^ (c >>> 8)
    c ^^^ 0xFFFFFFFFu

/// TFRecord's masking of a CRC: rotate right by 15, add a constant (so a CRC of data that itself
/// contains CRCs is not trivially related to them).
let maskedCrc (bytes: ReadOnlySpan<byte>) : uint32 =
    let c = crc32c bytes
    ((c >>> 15) ||| (c <<< 17)) + 0xA282EAD8u

/// The payloads of a TFRecord file, each checked against both its CRCs; a bad length, a bad CRC or a
/// truncated record is an InvalidDataException naming the record and its byte offset.
let records (bytes: byte[]) : byte[] list =
    let rec read offset acc =
        if offset = bytes.Length then List.rev acc
        else
            let fail what = raise (InvalidDataException(sprintf "record %d at byte %d: %s" (List.length acc) offset what))
            if bytes.Length - offset < 12 then fail "truncated header"
            let header = ReadOnlySpan(bytes, offset, 8)
            if BinaryPrimitives.ReadUInt32LittleEndian(ReadOnlySpan(bytes, offset + 8, 4)) <> maskedCrc header then fail "length CRC mismatch"
            let length = BinaryPrimitives.ReadUInt64LittleEndian header
            if length > uint64 (bytes.Length - offset - 16) then fail (sprintf "length %d runs past the end" length)
            let payload = ReadOnlySpan(bytes, offset + 12, int length)
            if BinaryPrimitives.ReadUInt32LittleEndian(ReadOnlySpan(bytes, offset + 12 + int length, 4)) <> maskedCrc payload then fail "payload CRC mismatch"
            read (offset + 16 + int length) (payload.ToArray() :: acc)
    read 0 []

// Protocol buffer wire format: each field is a varint key (number << 3 | wire type), then a varint
// (type 0), 8 bytes (1), a length-delimited run (2) or 4 bytes (5).
type private Field =
    | Varint of uint64
    | Fixed64 of uint64
    | Bytes of byte[]
    | Fixed32 of uint32

let private fields (message: byte[]) : (int * Field) list =
    let mutable i = 0
    let varint () =
        let mutable value = 0UL
        let mutable shift = 0
        let mutable more = true
        while more do
            if i >= message.Length then raise (InvalidDataException "protocol buffer: truncated varint")
            let b = message[i]
            i <- i + 1
            value <- value ||| (uint64 (b &&& 0x7Fuy) <<< shift)
            shift <- shift + 7
            more <- b &&& 0x80uy <> 0uy
        value
    [ while i < message.Length do
          let key = varint ()
          let number = int (key >>> 3)
          match int (key &&& 7UL) with
          | 0 -> yield number, Varint(varint ())
          | 1 ->
              yield number, Fixed64(BinaryPrimitives.ReadUInt64LittleEndian(ReadOnlySpan(message, i, 8)))
              i <- i + 8
          | 2 ->
              let length = int (varint ())
              yield number, Bytes(message[i .. i + length - 1])
              i <- i + length
          | 5 ->
              yield number, Fixed32(BinaryPrimitives.ReadUInt32LittleEndian(ReadOnlySpan(message, i, 4)))
              i <- i + 4
          | other -> raise (InvalidDataException(sprintf "protocol buffer: unsupported wire type %d in field %d" other number)) ]

/// One scalar a run logged.
type Scalar =
    { Tag: string
      Step: int64
      Value: float32
      WallTime: float }

/// The scalars of an event file, in file order, and its file version (the first record's, e.g. "brain.Event:2").
let read (path: string) : string option * Scalar list =
    let events = records (File.ReadAllBytes path) |> List.map fields
    let version =
        events |> List.tryPick (List.tryPick (function 3, Bytes b -> Some(Encoding.UTF8.GetString b) | _ -> None))
    let scalars =
        [ for event in events do
              let wallTime = event |> List.tryPick (function 1, Fixed64 v -> Some(BitConverter.Int64BitsToDouble(int64 v)) | _ -> None)
              let step = event |> List.tryPick (function 2, Varint v -> Some(int64 v) | _ -> None)
              for summary in event |> List.choose (function 5, Bytes b -> Some b | _ -> None) do
                  for value in fields summary |> List.choose (function 1, Bytes b -> Some(fields b) | _ -> None) do
                      let tag = value |> List.tryPick (function 1, Bytes b -> Some(Encoding.UTF8.GetString b) | _ -> None)
                      let simple = value |> List.tryPick (function 2, Fixed32 v -> Some(BitConverter.UInt32BitsToSingle v) | _ -> None)
                      match tag, simple with
                      | Some tag, Some v ->
                          yield { Tag = tag; Step = defaultArg step 0L; Value = v; WallTime = defaultArg wallTime nan }
                      | _ -> () ]
    version, scalars

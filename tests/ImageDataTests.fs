/// The Image game's files: pickled numpy label arrays (read and written), HDF5 feature matrices, and
/// one folder of EGG's signal-game data, on fixtures assembled from the pickle opcodes, on bytes numpy
/// itself wrote, and on synthetic stand-ins.
module CommLab.Tests.ImageDataTests

open System
open System.IO
open System.Text
open Expecto
open CommLab.Data
open CommLab.Files

let private ascii (s: string) = Encoding.Latin1.GetBytes s
let private b (xs: int list) = xs |> List.map byte |> Array.ofList

// Opcodes as pickletools documents them.
let private global' (m: string) (n: string) = Array.append [| byte 'c' |] (ascii (m + "\n" + n + "\n"))  // GLOBAL
let private put i = b [ int 'q'; i ]                                                                    // BINPUT
let private int1 i = b [ int 'K'; i ]                                                                   // BININT1
let private shortBinString (s: byte[]) = Array.concat [ b [ int 'U'; s.Length ]; s ]                    // SHORT_BINSTRING (a Python 2 str)
let private mark, tuple, tuple1, tuple3 = b [ int '(' ], b [ int 't' ], b [ 0x85 ], b [ 0x87 ]
let private reduce, build, none, newFalse, stop = b [ int 'R' ], b [ int 'b' ], b [ int 'N' ], b [ 0x89 ], b [ int '.' ]

/// Python 2's pickle (protocol 2) of numpy.array(['dog', 'café']), dtype '|S5': ndarray.__reduce__ gives
/// _reconstruct(ndarray, (0,), 'b') and the state (1, shape, dtype, is_fortran, data); the dtype is
/// dtype('S5', 0, 1) with state (3, '|', None, None, None, elsize 5, alignment 1, flags 0); the data is
/// the labels' bytes, each padded with zeros to 5.
let private python2Labels =
    Array.concat [
        b [ 0x80; 2 ]                                                         // PROTO 2
        global' "numpy.core.multiarray" "_reconstruct"; put 0
        global' "numpy" "ndarray"; put 1
        int1 0; tuple1; put 2                                                 // (0,)
        shortBinString (ascii "b"); put 3                                     // the dummy dtype code 'b'
        tuple3; put 4; reduce; put 5                                          // the empty array
        mark; int1 1                                                          // state: version 1
        int1 2; tuple1; put 6                                                 // shape (2,)
        global' "numpy" "dtype"; put 7
        shortBinString (ascii "S5"); put 8; int1 0; int1 1; tuple3; put 9; reduce; put 10
        mark; int1 3; shortBinString (ascii "|"); put 11; none; none; none; int1 5; int1 1; int1 0; tuple; put 12
        build                                                                 // the dtype's state
        newFalse                                                              // not Fortran order
        shortBinString (Array.append (ascii "dog\000\000") (Encoding.UTF8.GetBytes "café")); put 13
        tuple; put 14; build; stop ]

// Bytes written by numpy 1.24.2 on Python 3.11 (Debian 12), as pickle.dumps(array, protocol).
let private numpyBytes (hex: string) = Convert.FromHexString hex
/// numpy.array(['dog', 'café', 'dog'], dtype=object), protocol 2 (three distinct str objects).
let private numpyObjects = numpyBytes "8002636e756d70792e636f72652e6d756c746961727261790a5f7265636f6e7374727563740a7100636e756d70790a6e6461727261790a71014b00857102635f636f646563730a656e636f64650a7103580100000062710458060000006c6174696e317105867106527107877108527109284b014b0385710a636e756d70790a64747970650a710b58020000004f38710c898887710d52710e284b0358010000007c710f4e4e4e4affffffff4affffffff4b3f74711062895d7111285803000000646f6771125805000000636166c3a971135803000000646f67711465747115622e"
/// numpy.array(['dog', 'café', '日本']), dtype '<U4', protocol 2.
let private numpyUnicode = numpyBytes "8002636e756d70792e636f72652e6d756c746961727261790a5f7265636f6e7374727563740a7100636e756d70790a6e6461727261790a71014b00857102635f636f646563730a656e636f64650a7103580100000062710458060000006c6174696e317105867106527107877108527109284b014b0385710a636e756d70790a64747970650a710b58020000005534710c898887710d52710e284b0358010000003c710f4e4e4e4b104b044b08747110628968035832000000640000006f0000006700000000000000630000006100000066000000c3a9000000c3a56500002c670000000000000000000071116805867112527113747114622e"
/// numpy.array(['ab', 'c']), protocol 4 (framed, STACK_GLOBAL, MEMOIZE) and protocol 5 (_frombuffer over a BYTEARRAY8).
let private numpyProtocol4 = numpyBytes "80049592000000000000008c156e756d70792e636f72652e6d756c74696172726179948c0c5f7265636f6e7374727563749493948c056e756d7079948c076e6461727261799493944b0085944301629487945294284b014b02859468038c0564747970659493948c02553294898887945294284b038c013c944e4e4e4b084b044b0874946289431061000000620000006300000000000000947494622e"
let private numpyProtocol5 = numpyBytes "8005957d000000000000008c126e756d70792e636f72652e6e756d65726963948c0b5f66726f6d6275666665729493942896100000000000000061000000620000006300000000000000948c056e756d7079948c0564747970659493948c02553294898887945294284b038c013c944e4e4e4b084b044b087494624b0285948c014394749452942e"
/// numpy.array([3, -1, 70000]), dtype '<i8', protocol 2.
let private numpyIntegers = numpyBytes "8002636e756d70792e636f72652e6d756c746961727261790a5f7265636f6e7374727563740a7100636e756d70790a6e6461727261790a71014b00857102635f636f646563730a656e636f64650a7103580100000062710458060000006c6174696e317105867106527107877108527109284b014b0385710a636e756d70790a64747970650a710b58020000006938710c898887710d52710e284b0358010000003c710f4e4e4e4affffffff4affffffff4b007471106289680358200000000300000000000000c3bfc3bfc3bfc3bfc3bfc3bfc3bfc3bf701101000000000071116805867112527113747114622e"
/// numpy.array([1.5]), dtype '<f8', protocol 2.
let private numpyFloats = numpyBytes "8002636e756d70792e636f72652e6d756c746961727261790a5f7265636f6e7374727563740a7100636e756d70790a6e6461727261790a71014b00857102635f636f646563730a656e636f64650a7103580100000062710458060000006c6174696e317105867106527107877108527109284b014b0185710a636e756d70790a64747970650a710b58020000006638710c898887710d52710e284b0358010000003c710f4e4e4e4affffffff4affffffff4b00747110628968035809000000000000000000c3b83f71116805867112527113747114622e"
/// numpy.array([[0, 'a/b.jpg'], [1, 'c/d.jpg']], dtype=object), protocol 2: the [index, path] pairs of the published paths file.
let private numpyPathTable = numpyBytes "8002636e756d70792e636f72652e6d756c746961727261790a5f7265636f6e7374727563740a7100636e756d70790a6e6461727261790a71014b00857102635f636f646563730a656e636f64650a7103580100000062710458060000006c6174696e317105867106527107877108527109284b014b024b0286710a636e756d70790a64747970650a710b58020000004f38710c898887710d52710e284b0358010000007c710f4e4e4e4affffffff4affffffff4b3f74711062895d7111284b005807000000612f622e6a706771124b015807000000632f642e6a7067711365747114622e"

let private save (dir: TempDir) name (bytes: byte[]) =
    let path = Path.Combine(dir.Path, name)
    File.WriteAllBytes(path, bytes)
    path

let private written (dir: TempDir) name values layout =
    let path = Path.Combine(dir.Path, name)
    NumpyPickle.Write(path, values, layout)
    path

/// The message of the InvalidDataException (or FileNotFoundException) that `f` throws.
let private errorOf (f: unit -> 'a) =
    try
        f () |> ignore
        "no error"
    with
    | :? InvalidDataException as e -> e.Message
    | :? FileNotFoundException as e -> "missing: " + e.Message

let private pickleTests =
    testList "pickled labels" [
        test "a Python 2 '|S' array assembled from the pickle opcodes reads as its labels, bytes as UTF-8" {
            use dir = new TempDir()
            Expect.sequenceEqual (NumpyPickle.Read(save dir "hand.objects" python2Labels)) [| "dog"; "café" |] "padding dropped, UTF-8 decoded"
        }

        test "the writer's BytesArray layout is that hand-assembled pickle, byte for byte" {
            use dir = new TempDir()
            let path = written dir "w.objects" [| "dog"; "café" |] NumpyLabelLayout.BytesArray
            Expect.sequenceEqual (File.ReadAllBytes path) python2Labels "Python 2's pickle.py output for numpy 1.x's array"
        }

        test "numpy's own pickles read: object, '<U', protocol 4 and 5, and integer arrays" {
            use dir = new TempDir()
            let read name bytes = NumpyPickle.Read(save dir name bytes)
            Expect.sequenceEqual (read "o" numpyObjects) [| "dog"; "café"; "dog" |] "dtype object"
            Expect.sequenceEqual (read "u" numpyUnicode) [| "dog"; "café"; "日本" |] "'<U4', UCS-4 padded with zeros"
            Expect.sequenceEqual (read "p4" numpyProtocol4) [| "ab"; "c" |] "protocol 4"
            Expect.sequenceEqual (read "p5" numpyProtocol5) [| "ab"; "c" |] "protocol 5: _frombuffer"
            Expect.sequenceEqual (read "i" numpyIntegers) [| "3"; "-1"; "70000" |] "integers as decimal strings"
        }

        test "the writer's ObjectArray and UnicodeArray layouts are numpy's bytes exactly" {
            use dir = new TempDir()
            let bytesOf layout values = File.ReadAllBytes(written dir "w" values layout)
            Expect.sequenceEqual (bytesOf NumpyLabelLayout.ObjectArray [| "dog"; "café"; "dog" |]) numpyObjects "numpy 1.24, Python 3, object array"
            Expect.sequenceEqual (bytesOf NumpyLabelLayout.UnicodeArray [| "dog"; "café"; "日本" |]) numpyUnicode "numpy 1.24, Python 3, '<U4'"
        }

        test "every layout round-trips labels with commas, accents, emoji and 2,500 entries (APPENDS batches of 1000)" {
            use dir = new TempDir()
            let labels = Array.init 2500 (fun i -> match i % 4 with 0 -> sprintf "concept%03d" i | 1 -> "a, b" | 2 -> "naïve 😀" | _ -> "x")
            for layout in [ NumpyLabelLayout.ObjectArray; NumpyLabelLayout.UnicodeArray; NumpyLabelLayout.BytesArray ] do
                Expect.sequenceEqual (NumpyPickle.Read(written dir "labels" labels layout)) labels (sprintf "%A" layout)
        }

        test "plain lists and tuples of str, bytes and ints read as labels" {
            use dir = new TempDir()
            // Protocol 3: ['dog', b'caf\xc3\xa9', 7] as EMPTY_LIST, MARK, BINUNICODE, SHORT_BINBYTES, BININT1, APPENDS.
            let list = Array.concat [ b [ 0x80; 3; int ']'; int '(' ]; b [ int 'X'; 3; 0; 0; 0 ]; ascii "dog"; b [ int 'C'; 5 ]; Encoding.UTF8.GetBytes "café"; int1 7; b [ int 'e' ]; stop ]
            Expect.sequenceEqual (NumpyPickle.Read(save dir "list" list)) [| "dog"; "café"; "7" |] "str, bytes as UTF-8, int"
            // Protocol 2: ('a', 'b') as MARK, BINUNICODE x2, TUPLE.
            let tuple = Array.concat [ b [ 0x80; 2; int '(' ]; b [ int 'X'; 1; 0; 0; 0; int 'a' ]; b [ int 'X'; 1; 0; 0; 0; int 'b' ]; tuple; stop ]
            Expect.sequenceEqual (NumpyPickle.Read(save dir "tuple" tuple)) [| "a"; "b" |] "a tuple"
            // Protocol 0 (Python 2's default), text opcodes: MARK LIST PUT, STRING (a quoted repr of bytes)
            // APPEND twice, UNICODE (raw-unicode-escape: é as byte 0xe9) APPEND, STOP.
            let text = ascii "(lp0\nS'caf\\xc3\\xa9'\np1\naS\"it's\"\np2\naVcaf\xe9\np3\na."
            Expect.sequenceEqual (NumpyPickle.Read(save dir "protocol0" text)) [| "café"; "it's"; "café" |] "escaped UTF-8 bytes, double quotes, unicode"
        }

        test "a two-dimensional array is refused by Read and read row by row by ReadArray" {
            use dir = new TempDir()
            let path = save dir "paths.objects" numpyPathTable
            Expect.stringContains (errorOf (fun () -> NumpyPickle.Read path)) "found an array of shape (2, 2)" "Read wants 1-D"
            let table = NumpyPickle.ReadArray path
            Expect.sequenceEqual table.Shape [| 2; 2 |] "shape"
            Expect.sequenceEqual table.Values [| "0"; "a/b.jpg"; "1"; "c/d.jpg" |] "row-major"
        }

        test "corrupted, cut, foreign and missing files are refused with the path and what was wrong" {
            use dir = new TempDir()
            let bad = Array.copy python2Labels
            bad[2] <- 0xffuy  // the GLOBAL opcode
            let cases =
                [ "corrupt", bad, "byte 0xff at offset 2 is no pickle opcode; the pickle is corrupted"
                  "cut", python2Labels[.. python2Labels.Length - 20], "the pickle is cut short"
                  "text", ascii "text,category\n", "not a pickle"
                  "empty", [||], "the file is empty"
                  "floats", numpyFloats, "dtype '<f8'; expected object, 'U n', 'S n' or an integer type"
                  "dict", numpyBytes "80027d710058010000006171014b01732e", "found a dict of 1 entries" ]
            for name, bytes, expected in cases do
                let message = errorOf (fun () -> NumpyPickle.Read(save dir name bytes))
                Expect.stringContains message (Path.Combine(dir.Path, name)) (name + ": the path")
                Expect.stringContains message expected name
            Expect.stringStarts (errorOf (fun () -> NumpyPickle.Read(Path.Combine(dir.Path, "none")))) "missing: " "FileNotFoundException"
        }

        test "labels numpy's fixed-width arrays cannot keep are refused by the writer" {
            use dir = new TempDir()
            Expect.throwsT<ArgumentException> (fun () -> written dir "nul" [| "a\000" |] NumpyLabelLayout.UnicodeArray |> ignore) "a NUL would be dropped as padding"
        }
    ]

let private hdf5Tests =
    testList "HDF5 matrices" [
        test "a written matrix reads back whole, and chosen rows in any order with repeats" {
            use dir = new TempDir()
            let path = Path.Combine(dir.Path, "m.h5")
            let data = Array.init (50 * 3) (fun i -> float32 i * 0.5f)
            Hdf5Matrix.Write(path, "dataset_1", data, 50, 3)
            use m = Hdf5Matrix.Open path
            Expect.equal (m.DatasetName, m.Rows, m.Columns) ("dataset_1", 50, 3) "name and shape"
            Expect.sequenceEqual (m.ReadAll()) data "all rows"
            let rows = [| 49; 0; 7; 8; 7; 25 |]
            Expect.sequenceEqual (m.ReadRows rows) (rows |> Array.collect (fun r -> data[r * 3 .. r * 3 + 2])) "rows as asked"
            Expect.throwsT<ArgumentOutOfRangeException> (fun () -> m.ReadRows [| 50 |] |> ignore) "row 50 of 50"
        }

        test "a float64 dataset reads as float32" {
            use dir = new TempDir()
            let path = Path.Combine(dir.Path, "d.h5")
            let h5 = PureHDF.H5File()
            h5["x"] <- PureHDF.H5Dataset([| 0.25; 1e10; -3.0; 7.0 |], fileDims = [| 2UL; 2UL |])
            h5.Write path
            use m = Hdf5Matrix.Open path
            Expect.sequenceEqual (m.ReadRows [| 1; 0 |]) [| -3.0f; 7.0f; 0.25f; 1e10f |] "converted, rows swapped"
        }

        test "files that are not one 2-D float dataset are refused, naming the file and what is there" {
            use dir = new TempDir()
            let path name = Path.Combine(dir.Path, name)
            File.WriteAllText(path "text.h5", "not hdf5")
            let file (name: string) (items: (string * obj) list) =
                let h5 = PureHDF.H5File()
                for key, value in items do h5[key] <- value
                h5.Write(path name)
            let matrix (values: 'T[]) = PureHDF.H5Dataset(values, fileDims = [| 2UL; 2UL |]) :> obj
            file "two.h5" [ "b", matrix (Array.zeroCreate<float32> 4); "a", matrix (Array.zeroCreate<float32> 4) ]
            file "flat.h5" [ "v", [| 1f; 2f |] :> obj ]
            file "ints.h5" [ "i", matrix (Array.zeroCreate<int> 4) ]
            file "group.h5" [ "g", PureHDF.H5Group() :> obj ]
            let cases =
                [ "text.h5", "not an HDF5 file"
                  "two.h5", "its top-level datasets are"
                  "flat.h5", "dataset 'v' has 1 dimensions"
                  "ints.h5", "holds FixedPoint values of 4 bytes; expected float32 or float64"
                  "group.h5", "no top-level dataset, only 'g'" ]
            for name, expected in cases do
                let message = errorOf (fun () -> Hdf5Matrix.Open(path name))
                Expect.stringContains message (path name) (name + ": the path")
                Expect.stringContains message expected name
            let two = errorOf (fun () -> Hdf5Matrix.Open(path "two.h5"))
            Expect.isTrue (two.Contains "'a'" && two.Contains "'b'") "both datasets named"
            use chosen = Hdf5Matrix.Open(path "two.h5", "b")
            Expect.equal chosen.DatasetName "b" "a named dataset is opened"
        }
    ]

let private folderTests =
    testList "signal-game folder" [
        test "a stand-in folder opens with its counts, concepts in first-appearance order and unit-norm rows" {
            use dir = new TempDir()
            StandIns.WriteImageFolder(dir.Path, 6, 5, 12, 3)
            let folder = ImageFeatureFolder.Open dir.Path
            Expect.equal (folder.Count, folder.FeatureSize, folder.DatasetName) (30, 12, "dataset_1") "30 images of 12 features"
            Expect.sequenceEqual folder.Classes (Array.distinct folder.Labels) "first appearance"
            Expect.notEqual folder.Classes (Array.sort folder.Classes) "the stand-in's shuffled order is not name order"
            Expect.sequenceEqual (folder.ClassOf |> Array.map (fun c -> folder.Classes[c])) folder.Labels "ClassOf numbers each label"
            Expect.isTrue (folder.Labels |> Array.countBy id |> Array.forall (fun (_, n) -> n = 5)) "5 images per concept"
            Expect.isTrue (Array.forall2 (fun (p: string) (l: string) -> p.StartsWith("standin/" + l + "/img")) (nonNull folder.Paths) folder.Labels) "paths name their concept"
            let rows = [| 29; 0; 29; 11 |]
            let features = folder.Features rows
            use m = Hdf5Matrix.Open(Path.Combine(dir.Path, ImageFeatureFolder.FeaturesFile))
            let raw = m.ReadRows rows
            for i in 0..3 do
                let row, rawRow = features[i * 12 .. i * 12 + 11], raw[i * 12 .. i * 12 + 11]
                Expect.floatClose Accuracy.high (row |> Array.sumBy (fun v -> float v * float v) |> sqrt) 1.0 "unit L2 norm"
                let norm = rawRow |> Array.sumBy (fun v -> float v * float v) |> sqrt
                Expect.floatClose Accuracy.high (float row[3]) (float rawRow[3] / norm) "the raw row divided by its norm"
            Expect.isTrue (raw |> Array.forall (fun v -> v >= 0f)) "features are non-negative, like ReLU outputs"
        }

        test "concepts of the same stand-in are closer to each other than to other concepts" {
            use dir = new TempDir()
            StandIns.WriteImageFolder(dir.Path, 4, 6, 64, 11)
            let folder = ImageFeatureFolder.Open dir.Path
            let x = folder.Features [| 0 .. folder.Count - 1 |]
            let dot i j = Array.fold2 (fun s a b -> s + float a * float b) 0.0 x[i * 64 .. i * 64 + 63] x[j * 64 .. j * 64 + 63]
            let pairs = [ for i in 0 .. folder.Count - 1 do for j in i + 1 .. folder.Count - 1 -> folder.ClassOf[i] = folder.ClassOf[j], dot i j ]
            let within = pairs |> List.filter fst |> List.averageBy snd
            let across = pairs |> List.filter (fst >> not) |> List.averageBy snd
            Expect.isGreaterThan within (across + 0.1) "class structure: mean cosine within > across"
        }

        test "a zero feature row stays zero, and the published [index, path] table gives its paths" {
            use dir = new TempDir()
            Hdf5Matrix.Write(Path.Combine(dir.Path, ImageFeatureFolder.FeaturesFile), "dataset_1", [| 0f; 0f; 3f; 4f |], 2, 2)
            NumpyPickle.Write(Path.Combine(dir.Path, ImageFeatureFolder.LabelsFile), [| "dog"; "cat" |], NumpyLabelLayout.BytesArray)
            File.WriteAllBytes(Path.Combine(dir.Path, ImageFeatureFolder.PathsFile), numpyPathTable)
            let folder = ImageFeatureFolder.Open dir.Path
            Expect.sequenceEqual (nonNull folder.Paths) [| "a/b.jpg"; "c/d.jpg" |] "the last column"
            Expect.sequenceEqual (folder.Features [| 0; 1 |]) [| 0f; 0f; 0.6f; 0.8f |] "zeros stay zeros (not NaN); 3-4-5"
        }

        test "labels that do not match the features one for one, or a missing file, are refused with a message to act on" {
            use dir = new TempDir()
            StandIns.WriteImageFolder(dir.Path, 2, 3, 4, 1)
            NumpyPickle.Write(Path.Combine(dir.Path, ImageFeatureFolder.LabelsFile), [| "a"; "b" |], NumpyLabelLayout.UnicodeArray)
            let mismatch = errorOf (fun () -> ImageFeatureFolder.Open dir.Path)
            Expect.stringContains mismatch "has 2 labels but ours_images_single_sm0.h5 has 6 feature rows" "both numbers"
            File.Delete(Path.Combine(dir.Path, ImageFeatureFolder.LabelsFile))
            let missing = errorOf (fun () -> ImageFeatureFolder.Open dir.Path)
            Expect.stringStarts missing "missing: " "FileNotFoundException"
            for part in [ dir.Path; "ours_images_single_sm0.objects"; "one concept label per image"; "https://dl.fbaipublicfiles.com/signaling_game_data" ] do
                Expect.stringContains missing part "the folder, the file, what it holds and where to get it"
        }
    ]

let tests = testList "image data files" [ pickleTests; hdf5Tests; folderTests ]

/// BERT's uncased WordPiece tokenizer on a hand-made vocabulary: each step of Hugging Face's
/// BertTokenizer (cleaning, CJK, lowercasing and accents, punctuation, greedy "##" pieces, [UNK]),
/// truncation, and padded batches with their masks.
module CommLab.Tests.WordPieceTests

open System
open System.IO
open Expecto
open CommLab.Text
open CommLab.Tests.TensorValues

/// Special tokens first (as in BERT's vocab.txt, though at other ids), then whole words and pieces.
let vocabulary =
    [| "[PAD]"; "[UNK]"; "[CLS]"; "[SEP]"; "[MASK]"
       "the"; "cafe"; "naive"; "un"; "##aff"; "##able"; "card"; "##s"; "my"; "is"; "lost"; "hello"; "world"
       "!"; "?"; ","; "."; "'"; "$"; "5"; "00"; "中"; "国"; "a"; "##a"; "where"; "can"; "i"; "top"; "up"
       "##ping"; "-"; "t" |]

let private tokenizer = WordPieceTokenizer vocabulary

/// The id of `token` in `vocabulary`.
let idOf (token: string) = int64 (Array.IndexOf(vocabulary, token))

let private pieces text = tokenizer.Tokenize text |> List.ofSeq
let private basicTokens text = WordPieceTokenizer.BasicTokens text |> List.ofSeq

let private basic =
    testList "basic tokenization" [
        test "accents are stripped after lowercasing" {
            Expect.equal (pieces "Café naïve") [ "cafe"; "naive" ] "NFD, then nonspacing marks dropped"
            Expect.equal (basicTokens "ÉCOLE Ångström") [ "ecole"; "angstrom" ] "capitals too"
        }
        test "punctuation is split off, ASCII symbols included" {
            Expect.equal (pieces "Hello, world!") [ "hello"; ","; "world"; "!" ] "comma and bang"
            Expect.equal (basicTokens "isn't $5.00 top-up «a»") [ "isn"; "'"; "t"; "$"; "5"; "."; "00"; "top"; "-"; "up"; "«"; "a"; "»" ]
                "apostrophe, dollar, dot, hyphen (ASCII) and guillemets (Unicode P*)"
        }
        test "CJK ideographs become words of their own, even inside a word" {
            Expect.equal (pieces "中国card") [ "中"; "国"; "card" ] "each ideograph split out"
            // Stripping accents drops the voicing mark too (NFD splits ド into ト and U+3099, a nonspacing mark), as BERT uncased does.
            Expect.equal (basicTokens "カード") [ "カート" ] "katakana is not in the CJK blocks: one word"
        }
        test "control characters are dropped, every kind of whitespace separates" {
            Expect.equal (pieces "my\tcard\u0000s\u200b\ufffd lost") [ "my"; "card"; "##s"; "lost" ] "tab splits; NUL, zero-width space (Cf) and U+FFFD vanish"
            Expect.equal (pieces "my\u00a0card\u2028lost\r\nis") [ "my"; "card"; "lost"; "is" ] "no-break space, line separator, CR LF"
            Expect.equal (basicTokens "  \t\n ") [] "blank text has no tokens"
        }
    ]

let private wordPiece =
    testList "WordPiece" [
        test "longest match first, continuations with ##" {
            Expect.equal (pieces "unaffable cards") [ "un"; "##aff"; "##able"; "card"; "##s" ] "un ##aff ##able"
        }
        test "a word the vocabulary cannot spell is one [UNK], even when it starts well" {
            Expect.equal (pieces "xyz") [ "[UNK]" ] "no piece at all"
            Expect.equal (pieces "unx my") [ "[UNK]"; "my" ] "'un' matches, '##x' does not: the whole word is [UNK]"
        }
        test "a 101-character word is [UNK]; 100 characters are spelt" {
            Expect.equal (pieces (String('a', 101))) [ "[UNK]" ] "over the limit"
            Expect.equal (pieces (String('a', 100))) ("a" :: List.replicate 99 "##a") "at the limit"
            // Characters are code points: 100 CJK-extension-B ideographs are 200 UTF-16 units, still one character each.
            Expect.equal (basicTokens "\U00020000").Length 1 "one ideograph outside the BMP"
        }
    ]

let private encoding =
    testList "encoding" [
        test "[CLS] pieces [SEP]" {
            Expect.equal (tokenizer.Encode("The cafe is lost!", 64)) (Array.map idOf [| "[CLS]"; "the"; "cafe"; "is"; "lost"; "!"; "[SEP]" |]) "ids by line index"
            Expect.equal (tokenizer.Encode("", 64)) (Array.map idOf [| "[CLS]"; "[SEP]" |]) "an empty sentence"
        }
        test "truncation keeps [SEP] last and the whole within max length" {
            Expect.equal (tokenizer.Encode("the cafe is lost", 4)) (Array.map idOf [| "[CLS]"; "the"; "cafe"; "[SEP]" |]) "two pieces fit"
            Expect.equal (tokenizer.Encode("the cafe is lost", 2)) (Array.map idOf [| "[CLS]"; "[SEP]" |]) "none fit"
            Thrown.message<ArgumentOutOfRangeException> (fun () -> tokenizer.Encode("the", 1) |> ignore) "no room for [CLS] and [SEP]"
            |> fun message -> Expect.stringContains message "max length must be >= 2" "says why"
        }
        test "a batch is padded with [PAD] to its longest sentence, the mask marks the tokens" {
            let batch = tokenizer.EncodeBatch([| "my card"; "where can i top up my card?"; "" |], 64)
            Expect.sequenceEqual batch.Ids.shape [| 3L; 10L |] "3 sentences, the longest 10 tokens"
            Expect.equal batch.Ids.dtype TorchSharp.torch.int64 "int64 ids"
            let ids = rows batch.Ids |> Array.map (Array.map int64)
            let pad = idOf "[PAD]"
            Expect.equal ids[0] (Array.append (tokenizer.Encode("my card", 64)) (Array.create 6 pad)) "short sentence padded"
            Expect.equal ids[1] (tokenizer.Encode("where can i top up my card?", 64)) "longest unpadded"
            Expect.equal ids[2] (Array.append (tokenizer.Encode("", 64)) (Array.create 8 pad)) "empty sentence padded"
            let mask = rows batch.Mask
            Expect.equal (mask |> Array.map Array.sum) [| 4.0f; 10.0f; 2.0f |] "one 1 per token"
            Expect.equal mask[0] [| 1f; 1f; 1f; 1f; 0f; 0f; 0f; 0f; 0f; 0f |] "ones first, then zeros"
        }
    ]

let private vocabularyFiles =
    testList "vocabulary" [
        test "vocab.txt: the id of a token is its line index, whatever the line ends" {
            use dir = new TempDir()
            let path = Path.Combine(dir.Path, "vocab.txt")
            File.WriteAllText(path, String.Join("\r\n", vocabulary) + "\r\n")
            let loaded = WordPieceTokenizer.Load path
            Expect.sequenceEqual loaded.Vocabulary vocabulary "CR LF lines"
            Expect.equal (loaded.PadId, loaded.UnknownId, loaded.ClsId, loaded.SepId) (0, 1, 2, 3) "special ids"
            WordPieceTokenizer.Save(path, vocabulary)
            Expect.equal (File.ReadAllText path) (String.Join("\n", vocabulary) + "\n") "saved with LF, no BOM"
        }
        test "missing special tokens, a repeated token and a missing file are refused by name" {
            let e = Thrown.message<InvalidDataException> (fun () -> WordPieceTokenizer([| "[PAD]"; "[UNK]"; "a" |]) |> ignore) "no [CLS], [SEP]"
            Expect.stringContains e "the special tokens [CLS], [SEP] are missing" "names them"
            let e = Thrown.message<InvalidDataException> (fun () -> WordPieceTokenizer(Array.append vocabulary [| "cafe" |]) |> ignore) "cafe twice"
            Expect.stringContains e "token \"cafe\" appears on lines 7 and 39" "names the token and both lines"
            use dir = new TempDir()
            let missing = Path.Combine(dir.Path, "vocab.txt")
            let e = Thrown.message<FileNotFoundException> (fun () -> WordPieceTokenizer.Load missing |> ignore) "no file"
            Expect.stringContains e missing "names the path"
            Expect.stringContains e "https://huggingface.co/distilbert-base-uncased" "says where to get it"
        }
    ]

let tests = testList "WordPiece tokenizer" [ basic; wordPiece; encoding; vocabularyFiles ]

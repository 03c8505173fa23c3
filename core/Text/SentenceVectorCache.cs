using System.Security.Cryptography;
using System.Text;
using CommLab.Files;
using static TorchSharp.torch;

namespace CommLab.Text;

/// <summary>Sentence vectors of a frozen encoder, computed once and kept on disk: Sent-Ref never trains
/// its DistilBERT, so every run with the same checkpoint, pooling, length limit and sentences reads the
/// same vectors. A cache file is named by a hash of all four (the checkpoint by
/// <see cref="BertCheckpoint.Fingerprint"/>, the texts by their bytes in order), so another checkpoint
/// or another data set never reads a stale file; it is a safetensors file holding "vectors" [n, dim]
/// and, as metadata, what it was made from.</summary>
public static class SentenceVectorCache
{
    /// <summary>The vectors [n, dim] of <paramref name="texts"/> by the checkpoint in
    /// <paramref name="checkpointFolder"/>: read from <paramref name="cacheFolder"/> when a file for
    /// exactly these inputs is there, else encoded (<see cref="SentenceEncoder"/>) and saved there.
    /// <paramref name="log"/> hears which of the two happened.</summary>
    public static Tensor Vectors(string checkpointFolder, IReadOnlyList<string> texts, SentencePooling pooling, int maxLength,
        string cacheFolder, Action<string>? log = null)
    {
        var fingerprint = BertCheckpoint.Fingerprint(checkpointFolder);
        var path = Path.Combine(cacheFolder, Key(fingerprint, texts, pooling, maxLength) + ".safetensors");
        if (File.Exists(path))
        {
            var remedy = $"{path} is not a sentence-vector cache of {texts.Count} sentences: delete it and it is made again";
            Dictionary<string, Tensor> stored;
            // A file that is not even safetensors (cut short, overwritten) gets the same remedy.
            try { stored = Safetensors.Read(path); }
            catch (InvalidDataException e) { throw new InvalidDataException($"{remedy} ({e.Message})", e); }
            if (stored.TryGetValue("vectors", out var cached) && cached.shape.Length == 2 && cached.shape[0] == texts.Count)
            {
                log?.Invoke($"sentence vectors read from {path}");
                return cached;
            }
            foreach (var t in stored.Values) t.Dispose();
            throw new InvalidDataException(remedy);
        }
        using var checkpoint = BertCheckpoint.Load(checkpointFolder);
        log?.Invoke($"encoding {texts.Count} sentences with {checkpointFolder} (once; kept in {path})");
        var rows = SentenceEncoder.Vectors(checkpoint.Tokenizer, checkpoint.Model, texts, pooling, maxLength);
        var dim = checkpoint.Config.Dim;
        var vectors = tensor(rows.SelectMany(r => r).ToArray(), new long[] { texts.Count, dim });
        Directory.CreateDirectory(cacheFolder);
        Safetensors.Write(path, new Dictionary<string, Tensor> { ["vectors"] = vectors },
            new Dictionary<string, string>
            {
                ["checkpoint"] = fingerprint,
                ["pooling"] = pooling.ToString(),
                ["max_length"] = maxLength.ToString(),
                ["sentences"] = texts.Count.ToString(),
            });
        return vectors;
    }

    /// <summary>The cache key: SHA-256 (hex, first 32 digits) over the checkpoint's fingerprint, the
    /// pooling, the length limit and every text with its length.</summary>
    public static string Key(string fingerprint, IReadOnlyList<string> texts, SentencePooling pooling, int maxLength)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s)
        {
            var bytes = Encoding.UTF8.GetBytes(s);
            hash.AppendData(BitConverter.GetBytes(bytes.Length));
            hash.AppendData(bytes);
        }
        Add(fingerprint);
        Add(pooling.ToString());
        Add(maxLength.ToString());
        foreach (var text in texts) Add(text);
        return Convert.ToHexString(hash.GetHashAndReset())[..32].ToLowerInvariant();
    }
}

using System.Security.Cryptography;
using System.Text;
using CommLab.Files;
using CommLab.Training;
using static TorchSharp.torch;

namespace CommLab.Text;

/// <summary>A Hugging Face DistilBERT checkpoint folder, loaded: config.json, vocab.txt and
/// model.safetensors, as in https://huggingface.co/distilbert-base-uncased. Disposing it frees the model.</summary>
/// <remarks>Parameter names may be bare (a saved DistilBertModel) or under "distilbert." (a saved
/// DistilBertForMaskedLM, which distilbert-base-uncased is, or DistilBertForSequenceClassification); the
/// masked-LM and classification heads are ignored, as is "embeddings.position_ids" (a buffer older
/// transformers versions saved, always 0..max-1). Any other name, a missing parameter or a wrong shape
/// refuses the checkpoint: a model half loaded would encode silently wrong.</remarks>
public sealed class BertCheckpoint : IDisposable
{
    /// <summary>The files of a checkpoint folder.</summary>
    public const string ConfigFile = "config.json", VocabularyFile = "vocab.txt", WeightsFile = "model.safetensors";

    /// <summary>Prefix of the encoder's parameters in DistilBertFor* checkpoints (their base_model_prefix).</summary>
    public const string Prefix = "distilbert.";

    const string Source = "https://huggingface.co/distilbert-base-uncased";

    /// <summary>Heads of DistilBertForMaskedLM and DistilBertForSequenceClassification: not part of the encoder.</summary>
    static readonly string[] IgnoredHeads = ["vocab_transform.", "vocab_layer_norm.", "vocab_projector.", "pre_classifier.", "classifier."];

    const string PositionIds = "embeddings.position_ids";

    BertCheckpoint(string folder, DistilBertConfig config, WordPieceTokenizer tokenizer, DistilBert model)
    {
        Folder = folder;
        Config = config;
        Tokenizer = tokenizer;
        Model = model;
    }

    /// <summary>The folder read.</summary>
    public string Folder { get; }

    /// <summary>The encoder's shape, from config.json.</summary>
    public DistilBertConfig Config { get; }

    /// <summary>The tokenizer, from vocab.txt.</summary>
    public WordPieceTokenizer Tokenizer { get; }

    /// <summary>The encoder with the checkpoint's weights, in evaluation mode, on the CPU.</summary>
    public DistilBert Model { get; }

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();

    /// <summary>Loads the checkpoint in <paramref name="folder"/>.</summary>
    /// <exception cref="FileNotFoundException">The folder or one of its three files is missing (the
    /// message says where to get them; a folder with only pytorch_model.bin is told that file is not read).</exception>
    /// <exception cref="InvalidDataException">A file is malformed; unknown or missing parameter names
    /// (listed), a wrong shape (the tensor and both shapes), a vocabulary larger than vocab_size.</exception>
    public static BertCheckpoint Load(string folder)
    {
        var configPath = Required(folder, ConfigFile);
        var vocabularyPath = Required(folder, VocabularyFile);
        var weightsPath = Required(folder, WeightsFile);
        var config = DistilBertConfig.Read(configPath);
        var tokenizer = WordPieceTokenizer.Load(vocabularyPath);
        if (tokenizer.Vocabulary.Count > config.VocabularySize)
            throw new InvalidDataException(
                $"{vocabularyPath}: {tokenizer.Vocabulary.Count} tokens, more than the model's vocab_size ({config.VocabularySize}) in {configPath}: the files belong to different models");

        // The initial weights, about to be overwritten, are drawn without disturbing the global generator.
        var model = Reproducibility.Untouched(() => new DistilBert(config));
        try
        {
            using (var scope = NewDisposeScope())
            {
                var tensors = Safetensors.Read(weightsPath, halfToFloat32: true);
                CopyWeights(model, tensors, weightsPath);
            }
            model.eval();
            return new BertCheckpoint(folder, config, tokenizer, model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Writes <paramref name="model"/> (its config) and <paramref name="vocabulary"/> to
    /// <paramref name="folder"/> as a checkpoint <see cref="Load"/> and Hugging Face's from_pretrained read:
    /// parameter names bare (DistilBertModel), or under "distilbert." when <paramref name="prefixed"/>
    /// (DistilBertForMaskedLM's names, without its head).</summary>
    /// <exception cref="ArgumentException">The vocabulary is larger than the model's vocab_size.</exception>
    /// <exception cref="InvalidDataException">The vocabulary lacks a special token or repeats one.</exception>
    public static void Save(string folder, DistilBert model, IReadOnlyList<string> vocabulary, bool prefixed = false)
    {
        _ = new WordPieceTokenizer(vocabulary);
        if (vocabulary.Count > model.Config.VocabularySize)
            throw new ArgumentException($"the vocabulary has {vocabulary.Count} tokens, more than the model's vocab_size ({model.Config.VocabularySize})");
        Directory.CreateDirectory(folder);
        using var scope = NewDisposeScope();
        var tensors = model.state_dict().ToDictionary(kv => (prefixed ? Prefix : "") + kv.Key, kv => kv.Value);
        Safetensors.Write(Path.Combine(folder, WeightsFile), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        WordPieceTokenizer.Save(Path.Combine(folder, VocabularyFile), vocabulary);
        model.Config.Write(Path.Combine(folder, ConfigFile), prefixed ? "DistilBertForMaskedLM" : "DistilBertModel");
    }

    /// <summary>Writes a randomly initialised DistilBERT of shape <paramref name="config"/> with
    /// <paramref name="vocabulary"/>, in the layout of a real checkpoint (see <see cref="Save"/>).
    /// Weights are drawn as Hugging Face's _init_weights draws them (linear and embedding weights
    /// ~ N(0, initializer_range), biases 0, the padding row 0, layer norms 1 and 0), from a generator
    /// seeded with <paramref name="seed"/>: the same seed writes the same file.</summary>
    public static void WriteRandom(string folder, IReadOnlyList<string> vocabulary, DistilBertConfig config, int seed, bool prefixed = false)
    {
        using var model = Reproducibility.Untouched(() => new DistilBert(config));
        using var generator = new Generator((ulong)seed);
        using (no_grad())
            foreach (var (name, p) in model.named_parameters())
            {
                if (name.EndsWith(".bias", StringComparison.Ordinal)) p.zero_();
                else if (name.Contains("LayerNorm", StringComparison.Ordinal) || name.Contains("layer_norm", StringComparison.Ordinal)) p.fill_(1.0);
                else p.normal_(0.0, config.InitializerRange, generator);
                if (name == "embeddings.word_embeddings.weight") p[config.PadTokenId].zero_();
            }
        Save(folder, model, vocabulary, prefixed);
    }

    /// <summary>The identity of the checkpoint in <paramref name="folder"/>, to key caches of its sentence
    /// vectors: SHA-256 (lowercase hex) over config.json, vocab.txt and model.safetensors, each hashed
    /// after its name and byte length so no two different folders give the same stream.</summary>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    public static string Fingerprint(string folder)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var name in new[] { ConfigFile, VocabularyFile, WeightsFile })
        {
            var path = Required(folder, name);
            using var stream = File.OpenRead(path);
            hash.AppendData(Encoding.UTF8.GetBytes($"{name}\n{stream.Length}\n"));
            var buffer = new byte[1 << 20];
            int read;
            while ((read = stream.Read(buffer)) > 0) hash.AppendData(buffer, 0, read);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    static string Required(string folder, string name)
    {
        if (!Directory.Exists(folder))
            throw new FileNotFoundException(
                $"checkpoint folder not found: {folder} (it must hold {ConfigFile}, {VocabularyFile} and {WeightsFile}; get distilbert-base-uncased's from {Source})", folder);
        var path = Path.Combine(folder, name);
        if (File.Exists(path)) return path;
        if (name == WeightsFile && File.Exists(Path.Combine(folder, "pytorch_model.bin")))
            throw new FileNotFoundException(
                $"{path} not found: the folder has pytorch_model.bin, a pickled PyTorch file, which is not read here (unpickling can run code); " +
                $"download model.safetensors from {Source} into {folder}", path);
        throw new FileNotFoundException(
            $"{path} not found: a checkpoint folder holds {ConfigFile}, {VocabularyFile} and {WeightsFile}; get distilbert-base-uncased's from {Source}", path);
    }

    /// <summary>Copies <paramref name="tensors"/> into <paramref name="model"/>'s parameters by name,
    /// after checking that the names and shapes are exactly the model's.</summary>
    static void CopyWeights(DistilBert model, Dictionary<string, Tensor> tensors, string path)
    {
        var prefixed = tensors.Keys.Any(n => n.StartsWith(Prefix, StringComparison.Ordinal));
        var prefix = prefixed ? Prefix : "";
        var parameters = model.state_dict();
        var problems = new List<string>();

        var unknown = tensors.Keys
            .Where(n => !IgnoredHeads.Any(h => n.StartsWith(h, StringComparison.Ordinal)) && n != prefix + PositionIds)
            .Where(n => !n.StartsWith(prefix, StringComparison.Ordinal) || !parameters.ContainsKey(n[prefix.Length..]))
            .Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0) problems.Add($"unknown tensors {List(unknown)}");
        var missing = parameters.Keys.Where(n => !tensors.ContainsKey(prefix + n)).Select(n => prefix + n).ToList();
        if (missing.Count > 0) problems.Add($"missing parameters {List(missing)}");
        if (problems.Count > 0)
            throw new InvalidDataException(
                $"{path}: {string.Join("; ", problems)}. Expected exactly the parameters of a DistilBertModel with this config.json, " +
                $"bare or under \"{Prefix}\" (masked-LM and classification heads are ignored), as in model.safetensors of {Source}");

        foreach (var (name, parameter) in parameters)
        {
            var t = tensors[prefix + name];
            if (!t.shape.SequenceEqual(parameter.shape))
                problems.Add($"tensor '{prefix + name}' has shape [{string.Join(", ", t.shape)}], the config asks for [{string.Join(", ", parameter.shape)}]");
            else if (!t.is_floating_point())
                problems.Add($"tensor '{prefix + name}' has dtype {t.dtype}; parameters must be floating point");
        }
        if (problems.Count > 0) throw new InvalidDataException($"{path}: {string.Join("; ", problems)}");

        using (no_grad())
            foreach (var (name, parameter) in parameters)
                parameter.copy_(tensors[prefix + name]);
    }

    /// <summary>Names for a message: all of a few, the first twenty of many.</summary>
    static string List(IReadOnlyList<string> names) =>
        names.Count <= 20
            ? string.Join(", ", names)
            : $"{string.Join(", ", names.Take(20))} and {names.Count - 20} more";
}

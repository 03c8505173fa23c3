using System.Text.Json;
using CommLab.Validation;

namespace CommLab.Text;

/// <summary>The shape of a DistilBERT encoder, as Hugging Face's DistilBertConfig (config.json) states it.</summary>
/// <param name="VocabularySize">vocab_size: rows of the word embedding (distilbert-base-uncased: 30522).</param>
/// <param name="Dim">dim: size of every token state (768).</param>
/// <param name="Layers">n_layers: transformer blocks (6).</param>
/// <param name="Heads">n_heads: attention heads; must divide <paramref name="Dim"/> (12).</param>
/// <param name="HiddenDim">hidden_dim: width of each block's feed-forward layer (3072).</param>
/// <param name="MaxPositions">max_position_embeddings: the longest encoding, [CLS] and [SEP] included (512).</param>
/// <param name="Activation">activation of the feed-forward layer: "gelu" (exact, with erf) or "relu".</param>
/// <param name="PadTokenId">pad_token_id: the word-embedding row initialised to zero (0).</param>
/// <param name="Dropout">dropout after the embeddings and the feed-forward layers, in training only (0.1).</param>
/// <param name="AttentionDropout">attention_dropout on the attention weights, in training only (0.1).</param>
/// <param name="InitializerRange">initializer_range: standard deviation of fresh weights (0.02).</param>
public sealed record DistilBertConfig(
    int VocabularySize,
    int Dim,
    int Layers,
    int Heads,
    int HiddenDim,
    int MaxPositions,
    string Activation = "gelu",
    int PadTokenId = 0,
    double Dropout = 0.1,
    double AttentionDropout = 0.1,
    double InitializerRange = 0.02) : IValidatable
{
    /// <summary>Epsilon of every layer norm: modeling_distilbert.py fixes it at 1e-12 (config.json has no field for it).</summary>
    public const double LayerNormEps = 1e-12;

    /// <summary>The activations modeling_distilbert.py accepts that we implement.</summary>
    public static readonly IReadOnlyList<string> Activations = ["gelu", "relu"];

    /// <summary>distilbert-base-uncased, the encoder of the paper's sentence games.</summary>
    public static DistilBertConfig BaseUncased { get; } = new(30522, 768, 6, 12, 3072, 512);

    /// <summary>Size of one attention head's query, key and value.</summary>
    public int HeadDim => Dim / Heads;

    /// <summary>Every problem, each naming the config.json field, its value and what is allowed.</summary>
    public IReadOnlyList<string> Problems() =>
        new ProblemList()
            .AtLeast("vocab_size", 1, VocabularySize)
            .AtLeast("dim", 1, Dim)
            .AtLeast("n_layers", 1, Layers)
            .AtLeast("n_heads", 1, Heads)
            .Check(Heads < 1 || Dim % Heads == 0, $"n_heads must divide dim ({Dim}) evenly, got {Heads}")
            .AtLeast("hidden_dim", 1, HiddenDim)
            .AtLeast("max_position_embeddings", 2, MaxPositions)
            .Check(Activations.Contains(Activation), $"activation must be one of {string.Join(", ", Activations.Select(a => $"\"{a}\""))}, got \"{Activation}\"")
            .Check(PadTokenId >= 0 && PadTokenId < VocabularySize, $"pad_token_id must be in 0..{VocabularySize - 1} (below vocab_size), got {PadTokenId}")
            .Check(Dropout >= 0 && Dropout < 1, $"dropout must be in [0, 1), got {Dropout}")
            .Check(AttentionDropout >= 0 && AttentionDropout < 1, $"attention_dropout must be in [0, 1), got {AttentionDropout}")
            .Positive("initializer_range", InitializerRange);

    /// <summary>Reads a Hugging Face config.json. The architecture fields (vocab_size, dim, n_layers,
    /// n_heads, hidden_dim, max_position_embeddings) are required; the others default as in
    /// DistilBertConfig. Fields we do not use (architectures, qa_dropout, ...) are ignored.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not JSON, a field missing or of the wrong type, model_type
    /// other than "distilbert", sinusoidal_pos_embds true, or any problem of <see cref="Problems"/>;
    /// the message names the file and every problem.</exception>
    public static DistilBertConfig Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"model config not found: {path} (a Hugging Face DistilBERT config.json; distilbert-base-uncased's is at https://huggingface.co/distilbert-base-uncased)", path);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not valid JSON: {e.Message}"); }
        using var _ = doc;
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{path}: expected a JSON object of config fields, found {root.ValueKind}");

        // Missing fields and wrong types; the config's own rules are checked only without them, as a
        // missing field would also show up there as an out-of-range 0.
        var problems = new List<string>();
        int Int(string name, int? fallback)
        {
            if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                if (fallback is null) problems.Add($"{name} is required");
                return fallback ?? 0;
            }
            if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i)) return i;
            problems.Add($"{name} must be an integer, got {v.GetRawText()}");
            return 0;
        }
        double Number(string name, double fallback)
        {
            if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return fallback;
            if (v.ValueKind == JsonValueKind.Number) return v.GetDouble();
            problems.Add($"{name} must be a number, got {v.GetRawText()}");
            return fallback;
        }
        string? Text(string name)
        {
            if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind == JsonValueKind.String) return v.GetString();
            problems.Add($"{name} must be a string, got {v.GetRawText()}");
            return null;
        }

        var config = new DistilBertConfig(
            Int("vocab_size", null), Int("dim", null), Int("n_layers", null), Int("n_heads", null), Int("hidden_dim", null),
            Int("max_position_embeddings", null), Text("activation") ?? "gelu", Int("pad_token_id", 0),
            Number("dropout", 0.1), Number("attention_dropout", 0.1), Number("initializer_range", 0.02));
        if (problems.Count == 0) problems.AddRange(config.Problems());
        if (Text("model_type") is { } type && type != "distilbert")
            problems.Add($"model_type must be \"distilbert\", got \"{type}\" (only DistilBERT checkpoints are read)");
        if (root.TryGetProperty("sinusoidal_pos_embds", out var sinusoidal) && sinusoidal.ValueKind != JsonValueKind.False
            && sinusoidal.ValueKind != JsonValueKind.Null)
            problems.Add($"sinusoidal_pos_embds must be false (learned position embeddings, as distilbert-base-uncased), got {sinusoidal.GetRawText()}");
        if (problems.Count > 0) throw new InvalidDataException($"{path}: {string.Join("; ", problems)}");
        return config;
    }

    /// <summary>Writes the config as Hugging Face's config.json, so transformers can read the folder too.</summary>
    /// <param name="path">The file to write (atomically).</param>
    /// <param name="architecture">The "architectures" entry: DistilBertModel for bare parameter names,
    /// DistilBertForMaskedLM for names under "distilbert.".</param>
    public void Write(string path, string architecture = "DistilBertModel") =>
        Files.AtomicFile.Write(path, stream =>
        {
            using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            w.WriteStartObject();
            w.WriteString("activation", Activation);
            w.WriteStartArray("architectures");
            w.WriteStringValue(architecture);
            w.WriteEndArray();
            w.WriteNumber("attention_dropout", AttentionDropout);
            w.WriteNumber("dim", Dim);
            w.WriteNumber("dropout", Dropout);
            w.WriteNumber("hidden_dim", HiddenDim);
            w.WriteNumber("initializer_range", InitializerRange);
            w.WriteNumber("max_position_embeddings", MaxPositions);
            w.WriteString("model_type", "distilbert");
            w.WriteNumber("n_heads", Heads);
            w.WriteNumber("n_layers", Layers);
            w.WriteNumber("pad_token_id", PadTokenId);
            w.WriteBoolean("sinusoidal_pos_embds", false);
            w.WriteNumber("vocab_size", VocabularySize);
            w.WriteEndObject();
        });
}

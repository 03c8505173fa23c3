using CommLab.Files;
using CommLab.Text;

namespace CommLab.Data;

/// <summary>Synthetic stand-ins for the paper's data sets, in the real files' layouts, so smoke and
/// quick profiles (and tests) run the real loaders without the real data. They are made up from a
/// seed: NOT the paper's data, and no result on them says anything about it. Each is deterministic
/// from its seed (<see cref="System.Random"/> seeded with it).</summary>
public static class StandIns
{
    /// <summary>Writes a stand-in of EGG's signal-game folder to <paramref name="folder"/>: the three
    /// files <see cref="ImageFeatureFolder"/> reads. <paramref name="classes"/> made-up concepts
    /// (<c>concept017</c>) of <paramref name="imagesPerClass"/> images each, in shuffled order; each
    /// concept has a random non-negative centroid and its images are that centroid plus noise, cut at
    /// zero like ReLU fc features; paths look like <c>standin/concept017/img0003.jpg</c>. Labels and
    /// paths are pickled in <paramref name="layout"/>; features go to the dataset <c>dataset_1</c>, the
    /// name the published files' script gives it.</summary>
    public static void WriteImageFolder(string folder, int classes, int imagesPerClass, int featureSize, int seed,
                                        NumpyLabelLayout layout = NumpyLabelLayout.UnicodeArray)
    {
        if (classes < 1 || imagesPerClass < 1 || featureSize < 1)
            throw new ArgumentException($"classes, images per class and feature size must be >= 1, got {classes}, {imagesPerClass}, {featureSize}");
        var random = new Random(seed);
        var (names, centroids) = Concepts(classes, featureSize, random);
        WriteImages(folder, names, centroids, imagesPerClass, random, layout);
    }

    /// <summary>Writes a stand-in of the Image game's data to <paramref name="root"/>: folders
    /// <c>train</c>, <c>val</c> and <c>test</c> (<see cref="ImageGameData"/>), each as
    /// <see cref="WriteImageFolder"/> writes one, sharing the same <paramref name="classes"/> concepts and
    /// centroids but with images of their own: <paramref name="trainPerClass"/> per concept in train and
    /// <paramref name="evaluationPerClass"/> in val and test.</summary>
    public static void WriteImageGameData(string root, int classes, int trainPerClass, int evaluationPerClass, int featureSize, int seed)
    {
        if (classes < 1 || trainPerClass < 1 || evaluationPerClass < 1 || featureSize < 1)
            throw new ArgumentException($"classes, images per class and feature size must be >= 1, got {classes}, {trainPerClass}, {evaluationPerClass}, {featureSize}");
        var random = new Random(seed);
        var (names, centroids) = Concepts(classes, featureSize, random);
        WriteImages(Path.Combine(root, "train"), names, centroids, trainPerClass, random, NumpyLabelLayout.UnicodeArray);
        WriteImages(Path.Combine(root, "val"), names, centroids, evaluationPerClass, random, NumpyLabelLayout.UnicodeArray);
        WriteImages(Path.Combine(root, "test"), names, centroids, evaluationPerClass, random, NumpyLabelLayout.UnicodeArray);
    }

    /// <summary>Made-up concept names and their random non-negative centroids.</summary>
    static (string[] Names, float[][] Centroids) Concepts(int classes, int featureSize, Random random)
    {
        var width = Math.Max(3, (classes - 1).ToString().Length);
        var names = Enumerable.Range(0, classes).Select(c => "concept" + c.ToString().PadLeft(width, '0')).ToArray();
        var centroids = Enumerable.Range(0, classes)
            .Select(_ => Enumerable.Range(0, featureSize).Select(_ => (float)Math.Max(0, 2 * Gaussian(random))).ToArray()).ToArray();
        return (names, centroids);
    }

    /// <summary>One signal-game folder: each concept's images (its centroid plus noise, cut at zero), shuffled.</summary>
    static void WriteImages(string folder, string[] names, float[][] centroids, int imagesPerClass, Random random, NumpyLabelLayout layout)
    {
        var featureSize = centroids[0].Length;
        var images = Enumerable.Range(0, names.Length).SelectMany(c => Enumerable.Range(0, imagesPerClass).Select(i => (c, i))).ToArray();
        random.Shuffle(images);
        var features = new float[images.Length * featureSize];
        for (int n = 0; n < images.Length; n++)
            for (int d = 0; d < featureSize; d++)
                features[n * featureSize + d] = (float)Math.Max(0, centroids[images[n].c][d] + 0.5 * Gaussian(random));

        Directory.CreateDirectory(folder);
        Hdf5Matrix.Write(Path.Combine(folder, ImageFeatureFolder.FeaturesFile), "dataset_1", features, images.Length, featureSize);
        NumpyPickle.Write(Path.Combine(folder, ImageFeatureFolder.LabelsFile), images.Select(m => names[m.c]).ToArray(), layout);
        NumpyPickle.Write(Path.Combine(folder, ImageFeatureFolder.PathsFile),
            images.Select(m => $"standin/{names[m.c]}/img{m.i:D4}.jpg").ToArray(), layout);
    }

    // Words for made-up intents: an intent is a subject and a trouble, and its sentences name both.
    static readonly string[] subjects =
        ["card", "transfer", "refund", "pin", "account", "cash", "fee", "rate", "top-up", "statement", "app", "loan"];
    static readonly string[] troubles =
        ["missing", "declined", "delayed", "blocked", "duplicated", "wrong", "expired", "pending", "limited", "lost", "charged", "stolen"];
    static readonly string[] templates =
    [
        "my {0} is {1}",
        "why is my {0} {1}?",
        "what do I do when a {0} is {1}",
        "help, my {0} looks {1}",
        "the app says \"{0} {1}\", what now?",
        "is a {1} {0} normal",
        "I think my {0} got {1}, can you check",
        "my {0}, again, is {1}",
    ];

    /// <summary>Writes a stand-in of a Banking77 CSV to <paramref name="path"/>: <paramref name="classes"/>
    /// made-up intents (such as <c>card_declined</c>) of <paramref name="sentencesPerClass"/> generated
    /// sentences each, in shuffled order. Each sentence names its intent's two keywords, so a classifier
    /// can learn them; some hold commas and quotes, so the CSV's quoting is exercised; all are distinct.</summary>
    public static void WriteBankingCsv(string path, int classes, int sentencesPerClass, int seed)
    {
        if (classes < 1 || classes > subjects.Length * troubles.Length || sentencesPerClass < 1)
            throw new ArgumentException($"classes must be 1..{subjects.Length * troubles.Length} and sentences per class >= 1, got {classes}, {sentencesPerClass}");
        var random = new Random(seed);
        var pairs = subjects.SelectMany(s => troubles.Select(t => (s, t))).ToArray();
        random.Shuffle(pairs);
        var seen = new HashSet<string>();
        var rows = new List<Banking77.Row>();
        foreach (var (subject, trouble) in pairs.Take(classes))
        {
            var category = $"{subject.Replace('-', '_')}_{trouble}";
            for (int k = 0; k < sentencesPerClass; k++)
            {
                // A template and an amount; a repeat (rare) gets a reference number, which is unique.
                var text = string.Format(templates[random.Next(templates.Length)], subject, trouble);
                text = random.Next(3) == 0 ? $"{text} (about {random.Next(5, 500)} pounds)" : text;
                if (!seen.Add(text)) { text = $"{text} [ref {seen.Count}]"; seen.Add(text); }
                rows.Add(new Banking77.Row(text, category));
            }
        }
        var shuffled = rows.ToArray();
        random.Shuffle(shuffled);
        Banking77.Write(path, shuffled);
    }

    /// <summary>The shape of the stand-in encoder: 2 layers of dim 32, 4 heads, feed-forward 64, 64
    /// positions; small enough to fine-tune in seconds.</summary>
    public static readonly DistilBertConfig TinyEncoder = new(0, 32, 2, 4, 64, 64);

    /// <summary>Writes a stand-in of a DistilBERT checkpoint folder (<see cref="BertCheckpoint"/>) to
    /// <paramref name="folder"/>: a randomly initialised encoder of <paramref name="config"/>'s shape
    /// (its vocabulary size set to fit) whose vocabulary is BERT's special tokens and every word of the
    /// sentences of <paramref name="csvPath"/> and of their intent names, lowercased, so the stand-in
    /// sentences tokenize without [UNK]. Not a trained model: its sentence vectors only tell texts apart.</summary>
    public static void WriteSentenceModel(string folder, string csvPath, DistilBertConfig config, int seed)
    {
        var rows = Banking77.Read(csvPath).Rows;
        var words = rows.SelectMany(r => WordPieceTokenizer.BasicTokens(r.Text)
                .Concat(WordPieceTokenizer.BasicTokens(SentenceGameData.ClassText(r.Category))))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var vocabulary = new[] { WordPieceTokenizer.Pad, WordPieceTokenizer.Unknown, WordPieceTokenizer.Cls, WordPieceTokenizer.Sep, "[MASK]" }
            .Concat(words).ToArray();
        BertCheckpoint.WriteRandom(folder, vocabulary, config with { VocabularySize = vocabulary.Length }, seed);
    }

    /// <summary>A standard normal draw (Box-Muller).</summary>
    static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

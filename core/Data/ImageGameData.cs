using static TorchSharp.torch;

namespace CommLab.Data;

/// <summary>The Image game's data (the paper's Section 4.1, Table 1): EGG's signal-game features in
/// three folders, <c>train</c>, <c>val</c> and <c>test</c> (<see cref="ImageFeatureFolder"/> files each),
/// from which the run's targets are drawn: 8032, 1024 and 1024 in the paper. Each split's targets are
/// also its only candidates, so targets and candidates never cross splits; classes are numbered by
/// label across the three folders.</summary>
public static class ImageGameData
{
    /// <summary>Names the validation folder may have, in the order they are looked for.</summary>
    public static readonly IReadOnlyList<string> ValidationFolders = new[] { "val", "valid", "validation" };

    /// <summary>What is missing from <paramref name="folder"/> for the Image game, each problem naming
    /// the folder or file and where the data comes from; empty when the layout is whole (the files'
    /// contents are checked when they load).</summary>
    public static IReadOnlyList<string> Missing(string folder)
    {
        if (!Directory.Exists(folder))
            return new[] { $"image data folder '{folder}' does not exist: it must hold EGG's signal-game data in folders train, val and test (from {ImageFeatureFolder.Source})" };
        var problems = new List<string>();
        var validation = ValidationFolders.Select(name => Path.Combine(folder, name)).FirstOrDefault(Directory.Exists);
        foreach (var (name, path) in new[] { ("train", Path.Combine(folder, "train")), (string.Join(" or ", ValidationFolders), validation), ("test", Path.Combine(folder, "test")) })
        {
            if (path is null || !Directory.Exists(path))
                problems.Add($"image data folder '{folder}' lacks the folder {name} (EGG's signal-game data from {ImageFeatureFolder.Source})");
            else
                foreach (var file in new[] { ImageFeatureFolder.FeaturesFile, ImageFeatureFolder.LabelsFile })
                    if (!File.Exists(Path.Combine(path, file)))
                        problems.Add($"'{path}' lacks {file} (EGG's signal-game data from {ImageFeatureFolder.Source})");
        }
        return problems;
    }

    /// <summary>The three pools: <paramref name="train"/>, <paramref name="validation"/> and
    /// <paramref name="test"/> images drawn uniformly without replacement from their folders with
    /// <paramref name="seed"/>. A missing folder or file, or a folder with fewer images than asked for,
    /// is an error naming it.</summary>
    public static (ImagePool Train, ImagePool Validation, ImagePool Test) Load(string folder, int train, int validation, int test,
        int seed, Device device)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException(
                $"image data folder '{folder}' does not exist: it must hold EGG's signal-game data in folders train, val and test " +
                $"(from {ImageFeatureFolder.Source}; see docs/quantized-communication.md)");
        var validationFolder = ValidationFolders.Select(name => Path.Combine(folder, name)).FirstOrDefault(Directory.Exists);
        var missing = new[] { "train", "test" }.Where(name => !Directory.Exists(Path.Combine(folder, name)))
            .Concat(validationFolder is null ? new[] { string.Join(" or ", ValidationFolders) } : Array.Empty<string>()).ToArray();
        if (missing.Length > 0)
            throw new DirectoryNotFoundException(
                $"image data folder '{folder}' lacks the folder(s) {string.Join(", ", missing)}: the Image game needs train, val and test " +
                $"folders of EGG's signal-game files (from {ImageFeatureFolder.Source})");

        var classIds = new Dictionary<string, int>();
        var draws = new Random(seed);
        var trainPool = Pool(Path.Combine(folder, "train"), "train", train, draws, classIds, device);
        var validationPool = Pool(validationFolder!, "validation", validation, draws, classIds, device);
        var testPool = Pool(Path.Combine(folder, "test"), "test", test, draws, classIds, device);
        return (trainPool, validationPool, testPool);
    }

    static ImagePool Pool(string path, string split, int targets, Random draws, Dictionary<string, int> classIds, Device device)
    {
        var images = ImageFeatureFolder.Open(path);
        if (images.Count < targets)
            throw new InvalidDataException($"{path} holds {images.Count} images, fewer than the {targets} {split} targets asked for");
        var order = Enumerable.Range(0, images.Count).ToArray();
        draws.Shuffle(order);
        // Sorted, so the features are read in file order; the batch order is shuffled in training anyway.
        var rows = order[..targets];
        Array.Sort(rows);
        var features = images.Features(rows);
        var classes = rows.Select(r =>
        {
            var label = images.Labels[r];
            if (!classIds.TryGetValue(label, out var id)) classIds[label] = id = classIds.Count;
            return (long)id;
        }).ToArray();
        return new ImagePool(
            tensor(features, new long[] { targets, images.FeatureSize }).to(device),
            tensor(classes).to(device),
            rows);
    }
}

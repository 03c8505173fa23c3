using CommLab.Files;

namespace CommLab.Data;

/// <summary>One folder of EGG's signal-game data, the paper's Image game (EGG reads <c>&lt;root&gt;/train/</c>):
/// VGG fc features of N images in <see cref="FeaturesFile"/>, one concept label per image in
/// <see cref="LabelsFile"/> and, optionally, the images' paths in <see cref="PathsFile"/>. The files are
/// at <see cref="Source"/>. Images are numbered by their row; concepts are numbered in order of first
/// appearance, as EGG's <c>create_obj2id</c> numbers them.</summary>
public sealed class ImageFeatureFolder
{
    /// <summary>The features: an HDF5 file with one 2-D float dataset, images x features.</summary>
    public const string FeaturesFile = "ours_images_single_sm0.h5";
    /// <summary>The labels: a pickled numpy array with one concept label per image.</summary>
    public const string LabelsFile = "ours_images_single_sm0.objects";
    /// <summary>The images' paths (optional; EGG loads them and never uses them).</summary>
    public const string PathsFile = "ours_images_paths_sm0.objects";
    /// <summary>Where the real files are published.</summary>
    public const string Source = "https://dl.fbaipublicfiles.com/signaling_game_data";

    /// <summary>The folder.</summary>
    public string Folder { get; }
    /// <summary>The features' HDF5 dataset.</summary>
    public string DatasetName { get; }
    /// <summary>Number of images.</summary>
    public int Count { get; }
    /// <summary>Features per image.</summary>
    public int FeatureSize { get; }
    /// <summary>Each image's concept label.</summary>
    public string[] Labels { get; }
    /// <summary>Each image's path, or null when the folder has no <see cref="PathsFile"/>.</summary>
    public string[]? Paths { get; }
    /// <summary>The distinct labels in order of first appearance: concept c is <c>Classes[c]</c>.</summary>
    public string[] Classes { get; }
    /// <summary>Each image's concept number, an index into <see cref="Classes"/>.</summary>
    public int[] ClassOf { get; }

    ImageFeatureFolder(string folder, string dataset, int count, int featureSize, string[] labels, string[]? paths)
    {
        Folder = folder; DatasetName = dataset; Count = count; FeatureSize = featureSize; Labels = labels; Paths = paths;
        var number = new Dictionary<string, int>();
        ClassOf = labels.Select(l => number.TryGetValue(l, out var c) ? c : number[l] = number.Count).ToArray();
        Classes = number.OrderBy(p => p.Value).Select(p => p.Key).ToArray();
    }

    /// <summary>Opens <paramref name="folder"/>: reads its labels (and paths) and the features' shape,
    /// not the features. A missing file throws <see cref="FileNotFoundException"/>, a malformed one or
    /// labels that do not match the features one for one <see cref="InvalidDataException"/>; each
    /// message names the file, what was expected and where the real files are.</summary>
    public static ImageFeatureFolder Open(string folder)
    {
        string Required(string name, string holds)
        {
            var path = Path.Combine(folder, name);
            if (!File.Exists(path))
                throw new FileNotFoundException(
                    $"{folder}: no {name} ({holds}){(Directory.Exists(folder) ? "" : "; the folder does not exist")}. " +
                    $"The Image game reads EGG's signal-game data: download it from {Source} and give the folder that holds its train/ files", path);
            return path;
        }
        var featuresPath = Required(FeaturesFile, "the images' VGG fc features, an HDF5 file");
        var labelsPath = Required(LabelsFile, "one concept label per image, a pickled numpy array");
        try
        {
            string dataset; int rows, columns;
            using (var features = Hdf5Matrix.Open(featuresPath)) (dataset, rows, columns) = (features.DatasetName, features.Rows, features.Columns);
            var labels = NumpyPickle.Read(labelsPath);
            if (labels.Length != rows)
                throw new InvalidDataException($"{folder}: {LabelsFile} has {labels.Length} labels but {FeaturesFile} has {rows} feature rows; expected one label per row");
            var pathsPath = Path.Combine(folder, PathsFile);
            var paths = File.Exists(pathsPath) ? ReadPaths(pathsPath) : null;
            if (paths is not null && paths.Length != rows)
                throw new InvalidDataException($"{folder}: {PathsFile} has {paths.Length} paths but {FeaturesFile} has {rows} feature rows; expected one path per row (the file is optional: move it away to go on without paths)");
            return new ImageFeatureFolder(folder, dataset, rows, columns, labels, paths);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{e.Message}. (The signal game's files are published at {Source}.)", e);
        }
    }

    /// <summary>The paths: a 1-D array of paths, or the last column of a 2-D one. The script that made
    /// the published files pickles <c>numpy.array(img_path_idx)</c> of <c>[index, path]</c> pairs
    /// (DianeBouchacourt/SignalingGame, imagenet_data.py), a two-column array.</summary>
    static string[] ReadPaths(string path)
    {
        var array = NumpyPickle.ReadArray(path);
        if (array.Shape.Length == 1) return array.Values;
        var (rows, columns) = (array.Shape[0], array.Shape[1]);
        if (columns == 0) throw new InvalidDataException($"{path}: an array of shape ({rows}, 0); expected paths");
        return Enumerable.Range(0, rows).Select(r => array.Values[r * columns + columns - 1]).ToArray();
    }

    /// <summary>The features of images <paramref name="rows"/> (any order, repeats allowed), row-major,
    /// each row divided by its L2 norm as EGG does when it loads them. A row of zeros stays zeros (EGG
    /// would make it NaN, which would poison every batch that draws it); a row holding NaN or infinity
    /// throws <see cref="InvalidDataException"/> naming it.</summary>
    public float[] Features(int[] rows)
    {
        float[] data;
        using (var features = Hdf5Matrix.Open(Path.Combine(Folder, FeaturesFile), DatasetName)) data = features.ReadRows(rows);
        for (int i = 0; i < rows.Length; i++)
        {
            var row = data.AsSpan(i * FeatureSize, FeatureSize);
            double sum = 0;
            foreach (var v in row) sum += (double)v * v;
            if (!double.IsFinite(sum))
                throw new InvalidDataException($"{Path.Combine(Folder, FeaturesFile)}: feature row {rows[i]} holds NaN or infinity; expected finite features");
            if (sum == 0) continue;
            var norm = (float)Math.Sqrt(sum);
            for (int j = 0; j < row.Length; j++) row[j] /= norm;
        }
        return data;
    }
}

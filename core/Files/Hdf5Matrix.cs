using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace CommLab.Files;

/// <summary>A matrix kept as a two-dimensional float32 or float64 dataset at the top of an HDF5 file, as
/// EGG's signal-game features are (<c>ours_images_single_sm0.h5</c>: one dataset, images x 4096 VGG fc
/// features). Rows are read on demand with hyperslab selections, so a few thousand rows of a 1 GB file
/// cost a few thousand rows of reading, not the file.</summary>
/// <remarks>Which dataset: EGG takes <c>list(fc.keys())[0]</c>. h5py lists keys in name order, or in
/// creation order when the file tracks it, and this reader cannot see which; so the dataset is taken
/// without a name only when it is the file's one top-level dataset. A file with several is refused,
/// naming them, and the caller names the one to read.</remarks>
public sealed class Hdf5Matrix : IDisposable
{
    const int RunRows = 1024;

    readonly NativeFile file;
    readonly IH5Dataset dataset;
    readonly bool doubles;

    /// <summary>The file's path.</summary>
    public string Path { get; }
    /// <summary>The dataset's name.</summary>
    public string DatasetName { get; }
    /// <summary>Number of rows (the dataset's first dimension).</summary>
    public int Rows { get; }
    /// <summary>Number of columns (its second dimension).</summary>
    public int Columns { get; }

    Hdf5Matrix(string path, NativeFile file, IH5Dataset dataset, string name, int rows, int columns, bool doubles)
    {
        Path = path; this.file = file; this.dataset = dataset; DatasetName = name; Rows = rows; Columns = columns; this.doubles = doubles;
    }

    /// <summary>Opens <paramref name="path"/> and its dataset <paramref name="datasetName"/>, or its one
    /// top-level dataset when no name is given. A missing file throws <see cref="FileNotFoundException"/>;
    /// a file that is not HDF5, has no such dataset or several to choose from, or whose dataset is not a
    /// two-dimensional float32 or float64 matrix throws <see cref="InvalidDataException"/> naming the file
    /// and what was found.</summary>
    public static Hdf5Matrix Open(string path, string? datasetName = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file; expected an HDF5 file with a 2-D float dataset", path);
        NativeFile file;
        try { file = H5File.OpenRead(path); }
        catch (Exception e)
        {
            throw new InvalidDataException($"{path}: not an HDF5 file ({e.Message}); expected an HDF5 file with a 2-D float dataset", e);
        }
        try
        {
            var (dataset, name) = Choose(path, file, datasetName);
            if (dataset.Space.Rank != 2)
                throw new InvalidDataException($"{path}: dataset '{name}' has {dataset.Space.Rank} dimensions ({string.Join(" x ", dataset.Space.Dimensions)}); expected 2 (rows x columns)");
            var type = dataset.Type;
            if (type.Class != H5DataTypeClass.FloatingPoint || type.Size is not (4 or 8))
                throw new InvalidDataException($"{path}: dataset '{name}' holds {type.Class} values of {type.Size} bytes; expected float32 or float64");
            var dims = dataset.Space.Dimensions;
            if (dims[0] > int.MaxValue || dims[1] > int.MaxValue || dims[0] * dims[1] > (ulong)Array.MaxLength)
                throw new InvalidDataException($"{path}: dataset '{name}' is {dims[0]} x {dims[1]}, more than one array can hold");
            return new Hdf5Matrix(path, file, dataset, name, (int)dims[0], (int)dims[1], type.Size == 8);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    static (IH5Dataset, string) Choose(string path, NativeFile file, string? datasetName)
    {
        IH5Object[] children;
        try { children = file.Children().ToArray(); }
        catch (Exception e) { throw new InvalidDataException($"{path}: its groups cannot be read ({e.Message}); the file is corrupted or not HDF5", e); }
        var datasets = children.OfType<IH5Dataset>().ToArray();
        string Names() => datasets.Length == 0
            ? $"it has no top-level dataset{(children.Length == 0 ? "" : $", only {string.Join(", ", children.Select(c => $"'{c.Name}'"))}")}"
            : $"its top-level datasets are {string.Join(", ", datasets.Select(d => $"'{d.Name}'"))}";
        if (datasetName is not null)
            return (datasets.FirstOrDefault(d => d.Name == datasetName) ?? throw new InvalidDataException($"{path}: no dataset '{datasetName}'; {Names()}"), datasetName);
        return datasets.Length switch
        {
            1 => (datasets[0], datasets[0].Name),
            0 => throw new InvalidDataException($"{path}: {Names()}; expected one 2-D float dataset"),
            _ => throw new InvalidDataException($"{path}: {Names()}; expected one (EGG reads the first key h5py lists, which depends on the file's link order: name the dataset to read)"),
        };
    }

    /// <summary>Every row, row-major: <see cref="Rows"/> x <see cref="Columns"/> values.</summary>
    public float[] ReadAll() => Block(0, Rows);

    /// <summary>The rows <paramref name="rows"/>, in the order given (repeats allowed), row-major. Runs of
    /// consecutive rows are read as one hyperslab each.</summary>
    public float[] ReadRows(int[] rows)
    {
        foreach (var r in rows)
            if (r < 0 || r >= Rows) throw new ArgumentOutOfRangeException(nameof(rows), r, $"{Path}: row {r} is outside 0..{Rows - 1}");
        var result = new float[(long)rows.Length * Columns];
        var wanted = rows.Select((row, slot) => (row, slot)).OrderBy(p => p.row).ToArray();
        for (int i = 0; i < wanted.Length;)
        {
            // A run: wanted[i..j) covers consecutive rows first..last (a row asked twice appears twice),
            // at most RunRows of them, so the block read stays small whatever is asked.
            int j = i + 1;
            while (j < wanted.Length && wanted[j].row - wanted[j - 1].row <= 1 && wanted[j].row - wanted[i].row < RunRows) j++;
            var first = wanted[i].row;
            var block = Block(first, wanted[j - 1].row - first + 1);
            for (int k = i; k < j; k++)
                Array.Copy(block, (long)(wanted[k].row - first) * Columns, result, (long)wanted[k].slot * Columns, Columns);
            i = j;
        }
        return result;
    }

    float[] Block(int first, int count)
    {
        if (count == 0 || Columns == 0) return [];
        var selection = new HyperslabSelection(2, [(ulong)first, 0], [1, 1], [(ulong)count, (ulong)Columns], [1, 1]);
        var dims = new[] { (ulong)count * (ulong)Columns };
        try
        {
            return doubles
                ? Array.ConvertAll(dataset.Read<double[]>(selection, memoryDims: dims), v => (float)v)
                : dataset.Read<float[]>(selection, memoryDims: dims);
        }
        catch (Exception e)
        {
            throw new InvalidDataException($"{Path}: rows {first}..{first + count - 1} of dataset '{DatasetName}' cannot be read ({e.Message}); the file is corrupted or cut short", e);
        }
    }

    /// <summary>Writes <paramref name="data"/> (row-major, <paramref name="rows"/> x <paramref name="columns"/>)
    /// to <paramref name="path"/> as the one float32 dataset <paramref name="datasetName"/>, whole or not at all.</summary>
    public static void Write(string path, string datasetName, float[] data, int rows, int columns)
    {
        if (rows < 0 || columns < 0 || (long)rows * columns != data.LongLength)
            throw new ArgumentException($"{rows} x {columns} needs {(long)rows * columns} values, got {data.LongLength}");
        var h5 = new H5File { [datasetName] = new H5Dataset(data, fileDims: [(ulong)rows, (ulong)columns]) };
        // PureHDF writes to a stream it can also read and seek, which the atomic file's stream is not.
        using var buffer = new MemoryStream();
        h5.Write(buffer);
        AtomicFile.Write(path, stream => buffer.WriteTo(stream));
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => file.Dispose();
}

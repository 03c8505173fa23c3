using System.Text;
using System.Text.Json;
using CommLab.Files;
using static TorchSharp.torch;

namespace CommLab.Training;

/// <summary>What <see cref="EpochLoop"/> read back from its checkpoint: the epochs done (their
/// reports), the best epoch so far (and its weights when the loop keeps them) and the clocks.</summary>
sealed record LoopProgress<TEval>(
    EpochReport<TEval>[] History,
    int BestEpoch,
    double BestScore,
    Dictionary<string, Tensor>? Best,
    double Seconds,
    double TrainSeconds,
    long TrainSamples) where TEval : IScored;

/// <summary>The file a resumable <see cref="EpochLoop"/> writes after an epoch, and reads when it
/// starts again: everything the rest of the run depends on. Written whole or not at all
/// (<see cref="AtomicFile"/>); a file of another run, or of another version, is refused with its path.</summary>
static class LoopCheckpoint
{
    const string Magic = "CommLab epoch loop checkpoint 1";

    public static void Save<TEval>(LoopResume resume, TrainingSteps steps, IReadOnlyList<EpochReport<TEval>> history,
        int bestEpoch, double bestScore, Dictionary<string, Tensor>? best, double seconds, double trainSeconds, long trainSamples)
        where TEval : IScored
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(resume.Path))!);
        AtomicFile.Write(resume.Path, stream =>
        {
            using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            w.Write(Magic);
            w.Write(resume.Identity);
            // The reports as JSON: each game's validation record is plain data.
            w.Write(JsonSerializer.Serialize(history.ToArray()));
            w.Write(bestEpoch);
            w.Write(bestScore);
            w.Write(seconds);
            w.Write(trainSeconds);
            w.Write(trainSamples);
            steps.Model.save(w);
            w.Write(best is not null);
            if (best is not null)
            {
                var names = best.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
                w.Write(names.Length);
                foreach (var name in names) w.Write(name);
                CheckpointParts.WriteTensors(w, names.Select(n => (Tensor?)best[n]).ToArray());
            }
            steps.Optimizer.Save(w);
            var generators = steps.Generators ?? Array.Empty<Generator>();
            w.Write(generators.Count);
            foreach (var g in generators) CheckpointParts.WriteGenerator(w, g);
            w.Write(steps.Estimator is not null);
            if (steps.Estimator is not null) CheckpointParts.WriteEstimator(w, steps.Estimator);
        });
    }

    public static LoopProgress<TEval> Load<TEval>(LoopResume resume, TrainingSteps steps) where TEval : IScored
    {
        using var stream = new FileStream(resume.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        using var r = new BinaryReader(stream, Encoding.UTF8);
        Dictionary<string, Tensor>? best = null;
        try
        {
            if (r.ReadString() != Magic) throw new InvalidDataException("not an epoch loop checkpoint of this version");
            var identity = r.ReadString();
            if (identity != resume.Identity)
                throw new InvalidDataException($"it belongs to another run ({identity}); this run is {resume.Identity}");
            var history = JsonSerializer.Deserialize<EpochReport<TEval>[]>(r.ReadString())
                ?? throw new InvalidDataException("its epoch reports are missing");
            var bestEpoch = r.ReadInt32();
            var bestScore = r.ReadDouble();
            var seconds = r.ReadDouble();
            var trainSeconds = r.ReadDouble();
            var trainSamples = r.ReadInt64();
            steps.Model.load(r);
            if (r.ReadBoolean())
            {
                var names = Enumerable.Range(0, r.ReadInt32()).Select(_ => r.ReadString()).ToArray();
                var tensors = CheckpointParts.ReadTensors(r);
                best = names.Zip(tensors).ToDictionary(p => p.First, p => p.Second ?? throw new InvalidDataException($"best weights {p.First} are missing"));
            }
            steps.Optimizer.Load(r);
            var generators = steps.Generators ?? Array.Empty<Generator>();
            var savedGenerators = r.ReadInt32();
            if (savedGenerators != generators.Count)
                throw new InvalidDataException($"it holds {savedGenerators} generators, this run has {generators.Count}");
            foreach (var g in generators) CheckpointParts.ReadGenerator(r, g);
            if (r.ReadBoolean() != (steps.Estimator is not null))
                throw new InvalidDataException("its estimator does not match this run's");
            if (steps.Estimator is not null) CheckpointParts.ReadEstimator(r, steps.Estimator);
            return new LoopProgress<TEval>(history, bestEpoch, bestScore, best, seconds, trainSeconds, trainSamples);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or ArgumentException or JsonException)
        {
            if (best is not null) foreach (var t in best.Values) t.Dispose();
            throw new InvalidDataException($"checkpoint {resume.Path} cannot be resumed: {e.Message}. Delete it to start the run again.", e);
        }
    }
}

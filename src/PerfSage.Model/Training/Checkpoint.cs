using System.Globalization;
using PerfSage.IO;
using System.Text.Json;
using PerfSage.Model.Nn;
using TorchSharp;
using TorchSharp.Modules;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace PerfSage.Model;

/// <summary>What a checkpoint records besides the tensors.</summary>
internal sealed record CheckpointState
{
    public const string FormatName = "perfsage-checkpoint";

    public string Format { get; init; } = FormatName;
    public int FormatVersion { get; init; } = 1;

    /// <summary>Hash of the samples and options the run was started with; a resume must match it.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>The last finished epoch.</summary>
    public required int Epoch { get; init; }
    public double? BestValidationLoss { get; init; }
    public required int BestEpoch { get; init; }
    public required int EpochsSinceBest { get; init; }
    public required bool Finished { get; init; }
    public required IReadOnlyList<EpochReport> History { get; init; }
}

/// <summary>
/// One checkpoint per finished epoch, in <c>epoch-NNNN/</c> under the checkpoint directory: <c>state.json</c>,
/// <c>weights.bin</c> (the network), <c>optimizer.bin</c> (Adam's moments and step counts), <c>best.bin</c>
/// (the best weights so far, for early stopping) and <c>rng.bin</c> (libtorch's generator state). Each is
/// written into a temporary folder that is renamed into place when complete, so a run killed at any moment
/// leaves the previous checkpoint intact; older checkpoints are then deleted.
/// </summary>
internal static class Checkpoint
{
    private const string Prefix = "epoch-";
    private const string StateFile = "state.json";
    private const string WeightsFile = "weights.bin";
    private const string OptimizerFile = "optimizer.bin";
    private const string BestFile = "best.bin";
    private const string RngFile = "rng.bin";

    public static void Save(string directory, CheckpointState state, PerfSageNet net, AdamOptimizer optimizer, byte[]? bestWeights)
    {
        Directory.CreateDirectory(directory);
        string final = Path.Combine(directory, Prefix + state.Epoch.ToString("D4", CultureInfo.InvariantCulture));
        string temp = Path.Combine(directory, $".tmp-{state.Epoch}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            File.WriteAllBytes(Path.Combine(temp, WeightsFile), NetRunner.SaveWeights(net));
            using (var writer = new BinaryWriter(File.Create(Path.Combine(temp, OptimizerFile))))
            {
                optimizer.Save(writer);
            }
            if (bestWeights is not null)
            {
                File.WriteAllBytes(Path.Combine(temp, BestFile), bestWeights);
            }
            using (DisposeScope scope = NewDisposeScope())
            {
                File.WriteAllBytes(Path.Combine(temp, RngFile), torch.random.get_rng_state().data<byte>().ToArray());
            }
            File.WriteAllText(Path.Combine(temp, StateFile), JsonSerializer.Serialize(state, ManifestJson.Info<CheckpointState>()));
            if (Directory.Exists(final))
            {
                Directory.Delete(final, recursive: true);
            }
            Directory.Move(temp, final);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        foreach (string old in Directory.EnumerateDirectories(directory))
        {
            string name = Path.GetFileName(old);
            if ((name.StartsWith(Prefix, StringComparison.Ordinal) && EpochOf(name) is int e && e < state.Epoch)
                || name.StartsWith(".tmp-", StringComparison.Ordinal))
            {
                TryDelete(old);
            }
        }
    }

    /// <summary>
    /// Restores the newest checkpoint into <paramref name="net"/> and <paramref name="optimizer"/> and returns its
    /// state, or null when the directory holds none.
    /// </summary>
    /// <exception cref="CheckpointException">The checkpoint was made for other samples or options
    /// (<see cref="CheckpointProblem.OtherRun"/>), or a file of it is missing or damaged (<see cref="CheckpointProblem.Damaged"/>);
    /// the message names the file.</exception>
    public static CheckpointState? TryRestoreLatest(string directory, string fingerprint, PerfSageNet net,
        AdamOptimizer optimizer, out byte[]? bestWeights)
    {
        bestWeights = null;
        if (!Directory.Exists(directory))
        {
            return null;
        }
        string? latest = Directory.EnumerateDirectories(directory)
            .Where(d => EpochOf(Path.GetFileName(d)) is not null && File.Exists(Path.Combine(d, StateFile)))
            .OrderByDescending(d => EpochOf(Path.GetFileName(d)))
            .FirstOrDefault();
        if (latest is null)
        {
            return null;
        }
        string statePath = Path.Combine(latest, StateFile);
        CheckpointState? state = null;
        Read(latest, StateFile, path => state = JsonSerializer.Deserialize(
            InputFile.ReadAllBytes(path, Limits.MaxJsonBytes, "checkpoint state"), ManifestJson.Info<CheckpointState>()));
        if (state is null || state.Format != CheckpointState.FormatName || state.FormatVersion != 1 || state.Epoch < 0
            || state.History is null || state.Fingerprint is null)
        {
            throw new CheckpointException(CheckpointProblem.Damaged, $"{statePath}: is damaged (not the state of a PerfSage checkpoint of format version 1)");
        }
        if (state.Fingerprint != fingerprint)
        {
            throw new CheckpointException(CheckpointProblem.OtherRun,
                $"{latest}: the checkpoint was made for other training data or options; "
                + "train with the same data and options to resume, or use another checkpoint directory");
        }
        // best.bin first: loading it into the network checks it now, not after the last epoch; weights.bin then
        // puts the current weights in place.
        string best = Path.Combine(latest, BestFile);
        byte[]? bestBytes = null;
        if (File.Exists(best))
        {
            Read(latest, BestFile, path =>
            {
                bestBytes = File.ReadAllBytes(path);
                NetRunner.LoadWeights(net, bestBytes);
            });
        }
        bestWeights = bestBytes;
        Read(latest, WeightsFile, path => NetRunner.LoadWeights(net, File.ReadAllBytes(path)));
        Read(latest, OptimizerFile, path =>
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            optimizer.Load(reader);
        });
        Read(latest, RngFile, path =>
        {
            using DisposeScope scope = NewDisposeScope();
            torch.random.set_rng_state(torch.tensor(File.ReadAllBytes(path), dtype: ScalarType.Byte));
        });
        return state;
    }

    private static void Read(string folder, string file, Action<string> read)
    {
        string path = Path.Combine(folder, file);
        if (!File.Exists(path))
        {
            throw new CheckpointException(CheckpointProblem.Damaged, $"{path}: is missing from the checkpoint");
        }
        try
        {
            read(path);
        }
        catch (PerfSageException e)
        {
            throw new CheckpointException(CheckpointProblem.Damaged, $"{path}: is damaged ({e.Message})", e);
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException or InvalidDataException
                                      or FormatException or NotSupportedException or ExternalException or JsonException
                                      or EndOfStreamException or OverflowException or UnauthorizedAccessException)
        {
            throw new CheckpointException(CheckpointProblem.Damaged, $"{path}: is damaged and cannot be restored ({e.Message})", e);
        }
    }

    private static int? EpochOf(string name) =>
        name.StartsWith(Prefix, StringComparison.Ordinal)
        && int.TryParse(name.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int e) ? e : null;

    private static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover folder is ignored by the next restore; nothing to do.
        }
    }
}

using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using PerfSage.Graph.Features;
using PerfSage.IO;
using PerfSage.Model.Nn;
using TorchSharp;

namespace PerfSage.Model;

/// <summary>
/// Saves and loads a model folder: <c>manifest.json</c>, <c>weights.bin</c> (TorchSharp's state-dict format:
/// the parameters by name) and <c>metrics.json</c> (held-out accuracy, when there is some).
/// </summary>
public static class ModelFolder
{
    public const string ManifestFile = "manifest.json";
    public const string MetricsFile = "metrics.json";

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="directory"/> so that a crash or <c>kill -9</c> at any moment
    /// loses neither the old model nor the new one: everything is written (and flushed) into <c>.NAME.tmp-PID-GUID</c>
    /// beside the target, manifest last; then the old folder is renamed to <c>.NAME.old-PID-GUID</c> and the new one
    /// to NAME. A process killed between those two renames leaves no NAME but both complete folders, which the next
    /// <see cref="Save"/> or <see cref="Load"/> of NAME finds (<see cref="Recover"/>): it finishes the swap, or puts the
    /// old folder back, and removes what dead writers left.
    /// </summary>
    public static void Save(TrainedModel model, string directory)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        model.ThrowIfDisposed();
        string target = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar);
        string parent = Path.GetDirectoryName(target) ?? throw new ArgumentException($"{directory} has no parent folder", nameof(directory));
        Directory.CreateDirectory(parent);
        string name = Path.GetFileName(target);
        Recover(target);
        string token = $"{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}";
        string temp = Path.Combine(parent, $".{name}.{TempTag}{token}");
        Directory.CreateDirectory(temp);
        try
        {
            byte[] weights = NetRunner.SaveWeights(model.Net);
            WriteDurably(Path.Combine(temp, ModelManifest.DefaultWeightsFile), weights);
            ModelManifest manifest = model.Manifest with
            {
                WeightsFile = ModelManifest.DefaultWeightsFile,
                WeightsSha256 = Convert.ToHexStringLower(SHA256.HashData(weights)),
            };
            if (model.Metrics is not null)
            {
                WriteDurably(Path.Combine(temp, MetricsFile), JsonSerializer.SerializeToUtf8Bytes(model.Metrics, ManifestJson.Info<ModelMetrics>()));
            }
            // The manifest last: a folder with a manifest whose weights checksum holds is complete.
            WriteDurably(Path.Combine(temp, ManifestFile), JsonSerializer.SerializeToUtf8Bytes(manifest, ManifestJson.Info<ModelManifest>()));
            Replace(temp, target, Path.Combine(parent, $".{name}.{OldTag}{token}"));
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private const string TempTag = "tmp-";
    private const string OldTag = "old-";

    /// <summary>
    /// Puts the model folder <paramref name="directory"/> back in order after a writer was killed: when NAME is
    /// missing but a dead writer left a complete new folder (<c>.NAME.tmp-*</c>), the swap is finished; otherwise a
    /// complete old folder (<c>.NAME.old-*</c>) is put back. Then the leftovers of dead writers are removed. Folders
    /// of live writers are never touched. Save and Load call it; failures (a read-only folder) are ignored.
    /// </summary>
    /// <returns>What was done, for logs and tests: "finished", "restored" or null.</returns>
    public static string? Recover(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string target = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar);
        string? parent = Path.GetDirectoryName(target);
        if (parent is null || !Directory.Exists(parent))
        {
            return null;
        }
        try
        {
            List<Leftover> dead = Leftovers(parent, Path.GetFileName(target)).Where(l => !l.WriterAlive).ToList();
            if (dead.Count == 0)
            {
                return null;
            }
            string? done = null;
            if (!Directory.Exists(target) && !File.Exists(target))
            {
                // Newest first: of several dead writers the last one's model is what the user asked for last.
                foreach ((string tag, string outcome) in new[] { (TempTag, "finished"), (OldTag, "restored") })
                {
                    Leftover? pick = dead.Where(l => l.Tag == tag)
                        .OrderByDescending(l => Directory.GetLastWriteTimeUtc(l.Path))
                        .FirstOrDefault(l => IsComplete(l.Path));
                    if (pick is not null && TryMove(pick.Path, target))
                    {
                        done = outcome;
                        break;
                    }
                }
            }
            if (Directory.Exists(target))
            {
                foreach (Leftover l in dead)
                {
                    TryDelete(l.Path);
                }
            }
            return done;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // a folder PerfSage cannot write (a shipped model): nothing to put in order there
        }
    }

    private sealed record Leftover(string Path, string Tag, bool WriterAlive);

    /// <summary>The <c>.NAME.tmp-*</c> and <c>.NAME.old-*</c> folders beside NAME, with whether their writer (the
    /// process id in the name) still runs; names without an id are from older versions, long dead.</summary>
    private static IEnumerable<Leftover> Leftovers(string parent, string name)
    {
        string prefix = $".{name}.";
        foreach (string path in Directory.EnumerateDirectories(parent, ".*"))
        {
            string file = Path.GetFileName(path);
            if (!file.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }
            string rest = file[prefix.Length..];
            string? tag = rest.StartsWith(TempTag, StringComparison.Ordinal) ? TempTag
                : rest.StartsWith(OldTag, StringComparison.Ordinal) ? OldTag : null;
            if (tag is null)
            {
                continue;
            }
            string token = rest[tag.Length..];
            int dash = token.IndexOf('-', StringComparison.Ordinal);
            bool alive = dash > 0 && int.TryParse(token.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                && AtomicFile.IsProcessAlive(pid);
            yield return new Leftover(path, tag, alive);
        }
    }

    /// <summary>True when <paramref name="folder"/> holds a manifest that parses and names weights whose SHA-256 is
    /// the one it records: what <see cref="Save"/> writes last, so the folder was written whole.</summary>
    private static bool IsComplete(string folder)
    {
        try
        {
            string manifestPath = Path.Combine(folder, ManifestFile);
            if (!File.Exists(manifestPath))
            {
                return false;
            }
            ModelManifest? manifest = JsonSerializer.Deserialize(
                InputFile.ReadAllBytes(manifestPath, Limits.MaxJsonBytes, "model manifest"), ManifestJson.Info<ModelManifest>());
            if (manifest?.WeightsFile is not { Length: > 0 } weightsFile || manifest.WeightsSha256 is not { } sha
                || weightsFile.Contains('/', StringComparison.Ordinal) || weightsFile.Contains("..", StringComparison.Ordinal))
            {
                return false;
            }
            byte[] weights = InputFile.ReadAllBytes(Path.Combine(folder, weightsFile), Limits.MaxModelBytes, "model weights");
            return string.Equals(sha, Convert.ToHexStringLower(SHA256.HashData(weights)), StringComparison.OrdinalIgnoreCase);
        }
        catch (Exception e) when (e is PerfSageException or JsonException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool TryMove(string from, string to)
    {
        try
        {
            Directory.Move(from, to);
            return true;
        }
        catch (IOException)
        {
            return false; // another process recovered it first, or made NAME meanwhile
        }
    }

    private static void WriteDurably(string path, byte[] bytes)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Loads a model folder onto <paramref name="device"/> (<c>cpu</c> or <c>cuda</c>).</summary>
    /// <exception cref="ModelFormatException">The folder, its manifest or its weights are missing, corrupt, or made
    /// for another feature schema version; the message names the file.</exception>
    /// <exception cref="TorchRuntimeException">libtorch did not load, or CUDA was requested where there is none.</exception>
    public static TrainedModel Load(string directory, string device = Devices.Cpu)
    {
        (ModelManifest manifest, ModelMetrics? metrics, byte[] weights, string weightsPath) = ModelFolderReader.Read(directory);

        if (!TorchRuntime.IsLoaded)
        {
            TorchRuntime.EnsureLoaded(); // first use in the process: defaults; later loads leave the caller's settings alone
        }
        torch.Device dev = Devices.Resolve(device);
        var net = new PerfSageNet(manifest.Network, manifest.Heads.Select(Trainer.ToSpec).ToList());
        try
        {
            try
            {
                NetRunner.LoadWeights(net, weights);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or EndOfStreamException or IOException
                                          or FormatException or NotSupportedException or ExternalException or OverflowException)
            {
                throw new ModelFormatException($"{weightsPath}: weights do not fit the network manifest.json describes ({e.Message})", e);
            }
            foreach (var p in net.parameters())
            {
                p.requires_grad = false;
            }
            net.to(dev);
            return new TrainedModel(net, dev, manifest, metrics, []);
        }
        catch
        {
            net.Dispose();
            throw;
        }
    }

    private static void Replace(string temp, string target, string old)
    {
        if (!Directory.Exists(target))
        {
            if (File.Exists(target))
            {
                throw new IOException($"{target} is a file, not a model folder");
            }
            Directory.Move(temp, target);
            return;
        }
        Directory.Move(target, old);
        // A kill here leaves no NAME, and the complete old and new folders: Recover finishes the swap.
        try
        {
            Directory.Move(temp, target);
        }
        catch
        {
            Directory.Move(old, target);
            throw;
        }
        TryDelete(old);
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover hidden folder is harmless; the model folder itself is complete.
        }
    }
}

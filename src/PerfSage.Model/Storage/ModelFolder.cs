using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using PerfSage.Graph.Features;
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
    /// Writes <paramref name="model"/> to <paramref name="directory"/> atomically: everything is written into a
    /// temporary folder beside it, which then replaces the target by rename. An existing folder is moved aside
    /// first and deleted only once the new one is in place (and put back if the rename fails), so a crash
    /// leaves either the old model or the new one, never a mix.
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
        string temp = Path.Combine(parent, $".{name}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            byte[] weights = NetRunner.SaveWeights(model.Net);
            File.WriteAllBytes(Path.Combine(temp, ModelManifest.DefaultWeightsFile), weights);
            ModelManifest manifest = model.Manifest with
            {
                WeightsFile = ModelManifest.DefaultWeightsFile,
                WeightsSha256 = Convert.ToHexStringLower(SHA256.HashData(weights)),
            };
            File.WriteAllText(Path.Combine(temp, ManifestFile), JsonSerializer.Serialize(manifest, ManifestJson.Options));
            if (model.Metrics is not null)
            {
                File.WriteAllText(Path.Combine(temp, MetricsFile), JsonSerializer.Serialize(model.Metrics, ManifestJson.Options));
            }
            Replace(temp, target);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Loads a model folder onto <paramref name="device"/> (<c>cpu</c> or <c>cuda</c>).</summary>
    /// <exception cref="ModelFormatException">The folder, its manifest or its weights are missing, corrupt, or made
    /// for another feature schema version; the message names the file.</exception>
    /// <exception cref="TorchRuntimeException">libtorch did not load, or CUDA was requested where there is none.</exception>
    public static TrainedModel Load(string directory, string device = Devices.Cpu)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!Directory.Exists(directory))
        {
            throw new ModelFormatException($"{directory}: model folder not found");
        }
        string manifestPath = Path.Combine(directory, ManifestFile);
        ModelManifest manifest = ManifestValidator.Read(manifestPath);
        ModelMetrics? metrics = File.Exists(Path.Combine(directory, MetricsFile))
            ? ReadJson<ModelMetrics>(Path.Combine(directory, MetricsFile), "model metrics")
            : null;

        string weightsPath = Path.Combine(directory, manifest.WeightsFile);
        if (!File.Exists(weightsPath))
        {
            throw new ModelFormatException($"{weightsPath}: weights file is missing (manifest.json names it)");
        }
        byte[] weights = ReadBytes(weightsPath);
        if (manifest.WeightsSha256 is { } expected
            && !string.Equals(expected, Convert.ToHexStringLower(SHA256.HashData(weights)), StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelFormatException($"{weightsPath}: weights file is corrupt (its SHA-256 does not match manifest.json)");
        }

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

    private static T ReadJson<T>(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new ModelFormatException($"{path}: {what} is missing");
        }
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), ManifestJson.Options)
                ?? throw new ModelFormatException($"{path}: {what} is empty (null)");
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{path}: {what} is not valid ({e.Message})", e);
        }
        catch (IOException e)
        {
            throw new ModelFormatException($"{path}: {what} cannot be read ({e.Message})", e);
        }
    }

    private static byte[] ReadBytes(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            throw new ModelFormatException($"{path}: cannot be read ({e.Message})", e);
        }
    }

    private static void Replace(string temp, string target)
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
        string old = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.old-{Guid.NewGuid():N}");
        Directory.Move(target, old);
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

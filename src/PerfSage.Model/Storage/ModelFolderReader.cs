using System.Security.Cryptography;
using System.Text.Json;

namespace PerfSage.Model;

/// <summary>What a model folder holds, read and checked: the manifest, the held-out metrics (or null) and the weights'
/// bytes (TorchSharp's state-dict format), whose SHA-256 matched the manifest's.</summary>
/// <param name="Manifest">The validated manifest.</param>
/// <param name="Metrics">Held-out accuracy, or null without <c>metrics.json</c>.</param>
/// <param name="Weights">The bytes of the weights file.</param>
/// <param name="WeightsPath">The weights file's path, for messages.</param>
internal sealed record ModelFolderContents(ModelManifest Manifest, ModelMetrics? Metrics, byte[] Weights, string WeightsPath);

/// <summary>
/// Reads a model folder's files without touching TorchSharp: both engines load through it (the TorchSharp one in
/// <see cref="ModelFolder.Load"/>, the managed one in <c>ManagedNetwork</c>), so the managed prediction path never loads
/// TorchSharp or libtorch.
/// </summary>
internal static class ModelFolderReader
{
    /// <summary>Puts the folder in order after a killed writer (<see cref="ModelFolder.Recover"/>) and reads it.</summary>
    /// <exception cref="ModelFormatException">The folder, its manifest or its weights are missing, corrupt, or out of bounds;
    /// the message names the file.</exception>
    public static ModelFolderContents Read(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ModelFolder.Recover(directory);
        if (!Directory.Exists(directory))
        {
            throw new ModelFormatException($"{directory}: model folder not found");
        }
        string manifestPath = Path.Combine(directory, ModelFolder.ManifestFile);
        ModelManifest manifest = ManifestValidator.Read(manifestPath);
        string metricsPath = Path.Combine(directory, ModelFolder.MetricsFile);
        ModelMetrics? metrics = File.Exists(metricsPath) ? ReadJson<ModelMetrics>(metricsPath, "model metrics") : null;

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
        return new ModelFolderContents(manifest, metrics, weights, weightsPath);
    }

    private static T ReadJson<T>(string path, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), ManifestJson.Info<T>())
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
}

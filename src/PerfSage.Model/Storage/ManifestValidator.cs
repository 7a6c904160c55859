using System.Globalization;
using System.Text.Json;
using PerfSage.Graph.Features;
using PerfSage.IO;

namespace PerfSage.Model;

/// <summary>
/// Reads <c>manifest.json</c> and checks every field a load depends on against bounds, before libtorch allocates
/// anything: a hostile or corrupt manifest is refused with <c>PATH: FIELD: WHY</c> (a <see cref="ModelFormatException"/>)
/// instead of allocating tens of gigabytes, naming a head the weights cannot hold, or skipping the weights check.
/// <list type="bullet">
/// <item>Network sizes: the shipped model uses embedding 32, hidden 128, 3 layers, graph and head width 64; the bounds
/// (<see cref="MaxWidth"/>, <see cref="MaxLayers"/>) are 32× that and more, far beyond anything that trains on a CPU.
/// The weights file must also be large enough for the network the manifest describes (4 bytes a parameter).</item>
/// <item>Heads: 1 to <see cref="MaxHeads"/>; names by the one target-name rule (<see cref="TargetName"/>), the key
/// exactly <c>target/metric</c>, ln statistics finite and within ±<see cref="MaxLogValue"/> (e^100 of any unit is absurd).</item>
/// <item>Normalisation: finite means within ±<see cref="MaxFeatureMagnitude"/> and standard deviations from
/// <see cref="FeatureStatistics.MinStd"/> to <see cref="MaxFeatureMagnitude"/> (features are log2 sizes, small counts and one-hots).</item>
/// <item><c>weights_sha256</c> is required (64 hex digits): without it the integrity check of the weights would be skipped.</item>
/// </list>
/// </summary>
internal static class ManifestValidator
{
    /// <summary>Largest embedding, hidden, graph or head width.</summary>
    public const int MaxWidth = 4096;

    /// <summary>Most SageConv layers.</summary>
    public const int MaxLayers = 16;

    /// <summary>Most heads (the shipped model has 52: 13 targets × 4 metrics).</summary>
    public const int MaxHeads = 1000;

    /// <summary>Largest |ln| of a head's label statistics or offset.</summary>
    public const double MaxLogValue = 100;

    /// <summary>Largest |mean| and std of a normalisation column.</summary>
    public const double MaxFeatureMagnitude = 1e6;

    /// <summary>Reads and validates <paramref name="path"/> (a model folder's <c>manifest.json</c>).</summary>
    /// <exception cref="ModelFormatException">Missing, not a regular file, over <see cref="Limits.MaxJsonBytes"/>, not valid JSON
    /// of the manifest, or a field out of bounds.</exception>
    public static ModelManifest Read(string path)
    {
        if (FileProbe.Stat(path).Kind == FileKind.Missing)
        {
            throw new ModelFormatException($"{path}: model manifest is missing");
        }
        byte[] bytes;
        try
        {
            bytes = InputFile.ReadAllBytes(path, Limits.MaxJsonBytes, "model manifest");
        }
        catch (PerfSageException e) when (e is not ModelFormatException)
        {
            throw new ModelFormatException(e.Message, e); // not a regular file, too large, unreadable: one exception type for callers
        }
        ModelManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(bytes, ManifestJson.Info<ModelManifest>());
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{path}: model manifest is not valid ({e.Message})", e);
        }
        if (manifest is null)
        {
            throw new ModelFormatException($"{path}: model manifest is empty (null)");
        }
        Validate(manifest, path);
        return manifest;
    }

    /// <summary>Checks every field of <paramref name="m"/>; <paramref name="path"/> names it in messages and locates the weights file.</summary>
    /// <exception cref="ModelFormatException">The first field out of bounds: <c>PATH: FIELD: WHY</c>.</exception>
    public static void Validate(ModelManifest m, string path)
    {
        if (m.Format != ModelManifest.FormatName)
        {
            Fail(path, "format", $"'{Limits.Echo(m.Format)}' is not '{ModelManifest.FormatName}' (not a PerfSage model manifest)");
        }
        if (m.FormatVersion != ModelManifest.CurrentFormatVersion)
        {
            Fail(path, "format_version", $"{m.FormatVersion}; this build reads {ModelManifest.CurrentFormatVersion}");
        }
        if (m.FeatureSchemaVersion != FeatureSchema.Version)
        {
            Fail(path, "feature_schema_version",
                $"the model was trained on feature schema version {m.FeatureSchemaVersion}, this build computes version "
                + $"{FeatureSchema.Version}; retrain the model with this build or use the PerfSage version that made it");
        }
        if (m.NodeFeatureCount != FeatureSchema.NodeFeatureCount || m.EdgeFeatureCount != FeatureSchema.EdgeFeatureCount
            || m.GraphFeatureCount != FeatureSchema.GraphFeatureCount || m.OpVocabularySize != OpVocabulary.Size)
        {
            Fail(path, "node_feature_count", $"feature column counts do not match feature schema version {FeatureSchema.Version}");
        }
        ValidateWeightsFile(m, path);
        ValidateNetwork(m.Network, path);
        ValidateHeads(m.Heads, path);
        m.Normalisation.Validate(path);
        ValidateNormalisationRange(m.Normalisation, path);
        if (!double.IsFinite(m.Training.MeanNodeCount) || m.Training.MeanNodeCount < 0 || m.Training.MeanNodeCount > Limits.MaxOperators)
        {
            Fail(path, "training.mean_node_count", Inv($"{m.Training.MeanNodeCount} is outside 0..{Limits.MaxOperators}"));
        }
        if (m.Data.SplitRule is string rule && !SplitRule.IsKnown(rule))
        {
            Fail(path, "data.split_rule", $"'{Limits.Echo(rule)}' is not a split rule this version knows (it splits by "
                + $"'{SplitRule.Name}'), so it cannot tell the model's held-out graphs from its training graphs");
        }
        ValidateWeightsSize(m, path);
    }

    private static void ValidateWeightsFile(ModelManifest m, string path)
    {
        string name = m.WeightsFile;
        if (string.IsNullOrEmpty(name) || name is "." or ".." || name.Length > 255
            || name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal) || name.Any(char.IsControl))
        {
            Fail(path, "weights_file", $"'{Limits.Echo(name)}' must be a plain file name inside the model folder");
        }
        string? sha = m.WeightsSha256;
        if (sha is null)
        {
            Fail(path, "weights_sha256", "is missing; it is required, so that corrupt or substituted weights are detected");
        }
        if (sha.Length != 64 || !sha.All(char.IsAsciiHexDigit))
        {
            Fail(path, "weights_sha256", $"'{Limits.Echo(sha)}' is not a SHA-256 (64 hexadecimal digits)");
        }
    }

    private static void ValidateNetwork(NetworkOptions n, string path)
    {
        Width("network.embedding_size", n.EmbeddingSize);
        Width("network.hidden_size", n.HiddenSize);
        Width("network.graph_hidden_size", n.GraphHiddenSize);
        Width("network.head_hidden_size", n.HeadHiddenSize);
        if (n.LayerCount is < 0 or > MaxLayers)
        {
            Fail(path, "network.layer_count", Inv($"{n.LayerCount} is outside 0..{MaxLayers}"));
        }

        void Width(string field, int value)
        {
            if (value is < 1 or > MaxWidth)
            {
                Fail(path, field, Inv($"{value} is outside 1..{MaxWidth}"));
            }
        }
    }

    private static void ValidateHeads(IReadOnlyList<HeadManifest> heads, string path)
    {
        if (heads.Count == 0)
        {
            Fail(path, "heads", "the manifest lists no heads");
        }
        if (heads.Count > MaxHeads)
        {
            Fail(path, "heads", Inv($"{heads.Count} heads; at most {MaxHeads}"));
        }
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < heads.Count; i++)
        {
            HeadManifest h = heads[i];
            string at = Inv($"heads[{i}]");
            if (TargetName.Problem(h.Target) is string problem)
            {
                Fail(path, at + ".target", problem);
            }
            if (!MetricNames.TryParse(h.Metric, out Metric metric))
            {
                Fail(path, at + ".metric",
                    $"'{Limits.Echo(h.Metric)}' is not a metric ({string.Join(", ", MetricNames.All.Select(MetricNames.Name))})");
            }
            string key = new HeadKey(h.Target, metric).Key;
            if (h.Key != key)
            {
                Fail(path, at + ".key", $"'{Limits.Echo(h.Key)}' is not '{Limits.Echo(key)}' (target/metric)");
            }
            if (!keys.Add(key))
            {
                Fail(path, at + ".key", $"head '{Limits.Echo(key)}' is listed twice");
            }
            Log(at + ".log_mean", h.LogMean);
            Log(at + ".log_offset", h.LogOffset);
            Log(at + ".log_std", h.LogStd);
            if (h.LogStd < 0)
            {
                Fail(path, at + ".log_std", Inv($"{h.LogStd} is negative"));
            }
            if (h.TrainCount < 0)
            {
                Fail(path, at + ".train_count", Inv($"{h.TrainCount} is negative"));
            }
        }

        void Log(string field, double value)
        {
            if (!double.IsFinite(value) || Math.Abs(value) > MaxLogValue)
            {
                Fail(path, field, Inv($"{value} is outside ±{MaxLogValue} (an ln value)"));
            }
        }
    }

    private static void ValidateNormalisationRange(FeatureStatistics s, string path)
    {
        Check("normalisation.node", s.NodeMean, s.NodeStd);
        Check("normalisation.edge", s.EdgeMean, s.EdgeStd);
        Check("normalisation.graph", s.GraphMean, s.GraphStd);

        void Check(string field, IReadOnlyList<double> mean, IReadOnlyList<double> std)
        {
            for (int i = 0; i < mean.Count; i++)
            {
                if (Math.Abs(mean[i]) > MaxFeatureMagnitude)
                {
                    Fail(path, Inv($"{field}_mean[{i}]"), Inv($"{mean[i]} is outside ±{MaxFeatureMagnitude}"));
                }
                if (std[i] < FeatureStatistics.MinStd || std[i] > MaxFeatureMagnitude)
                {
                    Fail(path, Inv($"{field}_std[{i}]"), Inv($"{std[i]} is outside {FeatureStatistics.MinStd}..{MaxFeatureMagnitude}"));
                }
            }
        }
    }

    /// <summary>The weights file must hold at least 4 bytes per parameter of the network the manifest describes, so a manifest
    /// that inflates the sizes is refused before the network is allocated. A missing file is left to the caller to report.</summary>
    private static void ValidateWeightsSize(ModelManifest m, string path)
    {
        string weights = Path.Combine(Path.GetDirectoryName(path) ?? ".", m.WeightsFile);
        FileStatus status = FileProbe.Stat(weights, followLinks: true);
        if (status.Kind != FileKind.Regular)
        {
            return;
        }
        long needed = 4 * ParameterCount(m.Network, m.Heads.Count);
        if (status.SizeBytes < needed)
        {
            throw new ModelFormatException(Inv(
                $"{weights}: holds {status.SizeBytes:N0} bytes, too few for the network manifest.json describes ({needed / 4:N0} parameters need {needed:N0} bytes)"));
        }
    }

    /// <summary>Parameters of <c>PerfSageNet</c> with these sizes and <paramref name="heads"/> heads (see its constructor).</summary>
    internal static long ParameterCount(NetworkOptions n, int heads)
    {
        long h = n.HiddenSize, e = n.EmbeddingSize, g = n.GraphHiddenSize, hh = n.HeadHiddenSize;
        long embedding = OpVocabulary.Size * e;
        long encoder = ((FeatureSchema.NodeFeatureCount + e) * h) + h + (h * h) + h;
        long layer = (2 * h * h) + h + (FeatureSchema.EdgeFeatureCount * h) + (2 * h); // SageConv's two linears and edge term (lower bound), LayerNorm
        long graph = (1 * g) + g + (g * g) + g;
        long head = (h * hh) + hh + (hh * 2) + 2 + g + 1;
        return embedding + encoder + (n.LayerCount * layer) + graph + (heads * head);
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Fail(string path, string field, string why) => throw new ModelFormatException($"{path}: {field}: {why}");

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

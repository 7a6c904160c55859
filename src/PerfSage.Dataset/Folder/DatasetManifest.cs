using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using PerfSage.Tflite;

namespace PerfSage.Dataset;

/// <summary>
/// <c>dataset.json</c>: what built a dataset folder (spaces, seeds, targets, label sources, the builds and
/// imports with their arguments, schema versions) and what it holds (counts, the split). Written last and
/// atomically, so a folder with this file is complete. JSON keys are snake_case.
/// </summary>
public sealed record DatasetManifest
{
    /// <summary>The format id of this version of the folder layout.</summary>
    public const string CurrentFormat = "perfsage.dataset/1";

    /// <summary>Format id; a reader refuses another.</summary>
    public string Format { get; init; } = CurrentFormat;

    /// <summary><c>perfsage 0.1.0</c>.</summary>
    public string CreatedBy { get; init; } = DatasetJson.ToolName;

    /// <summary>The search spaces the models were drawn from (empty for imported data).</summary>
    public IReadOnlyList<string> Spaces { get; init; } = [];

    /// <summary>The sampling seeds used.</summary>
    public IReadOnlyList<ulong> Seeds { get; init; } = [];

    /// <summary>Every target that has labels, sorted.</summary>
    public IReadOnlyList<string> Targets { get; init; } = [];

    /// <summary>Every label source (<c>estimate</c>, <c>measured:nb201</c>, …), sorted.</summary>
    public IReadOnlyList<string> LabelSources { get; init; } = [];

    /// <summary>Versions of the formats the data depends on.</summary>
    public SchemaVersions SchemaVersions { get; init; } = SchemaVersions.Current;

    /// <summary>What the folder holds.</summary>
    public DatasetCounts Counts { get; init; } = new();

    /// <summary>The builds (sampled search spaces, NAS-Bench-201 imports) that made the models, with their
    /// arguments; a re-run must match them.</summary>
    public IReadOnlyList<BuildInfo> Builds { get; init; } = [];

    /// <summary>Measurement CSVs imported into the folder, in order.</summary>
    public IReadOnlyList<ImportInfo> Imports { get; init; } = [];

    /// <summary>The split settings (<c>splits.csv</c>), or null when the folder is not split.</summary>
    public SplitInfo? Split { get; init; }
}

/// <summary>Versions of the formats a dataset depends on.</summary>
/// <param name="Dataset">The folder layout (<see cref="DatasetManifest.CurrentFormat"/>'s number).</param>
/// <param name="TfliteSchema">The TFLite schema version the graphs are written in.</param>
/// <param name="FeatureSchema">The feature schema of the featurizer at build time (a feature cache must match).</param>
public sealed record SchemaVersions(int Dataset, uint TfliteSchema, int FeatureSchema)
{
    /// <summary>The versions of this build of PerfSage.</summary>
    public static SchemaVersions Current { get; } = new(1, TfliteWriter.SchemaVersion, PerfSage.Graph.Features.FeatureSchema.Version);
}

/// <summary>Counts of a dataset folder.</summary>
public sealed record DatasetCounts
{
    /// <summary>Models (graphs).</summary>
    public int Models { get; init; }

    /// <summary>Rows of <c>labels.csv</c>.</summary>
    public int Labels { get; init; }

    /// <summary>Label rows per target.</summary>
    public IReadOnlyDictionary<string, int> LabelsPerTarget { get; init; } = new Dictionary<string, int>();

    /// <summary>Models per architecture family (empty family: <c>""</c>).</summary>
    public IReadOnlyDictionary<string, int> ModelsPerFamily { get; init; } = new Dictionary<string, int>();
}

/// <summary>
/// The arguments of one build: a sampled search space (<see cref="Kind"/> <c>space</c>) or a NAS-Bench-201
/// import (<c>nb201</c>). Everything that decides the folder's content is here, so a re-run with other
/// arguments is caught; what does not (the number of jobs) is not.
/// </summary>
public sealed record BuildInfo
{
    /// <summary><c>space</c>, <c>nb201</c> or <c>fbnet</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The search space (kind <c>space</c>).</summary>
    public string? Space { get; init; }

    /// <summary>The sampling seed (kind <c>space</c>).</summary>
    public ulong? Seed { get; init; }

    /// <summary>Models in the whole build, all shards together (kind <c>space</c>).</summary>
    public int? Count { get; init; }

    /// <summary>The shards this folder holds, or null for the whole build.</summary>
    public ShardSet? Shards { get; init; }

    /// <summary>The targets labelled, sorted (catalog ids, or NB201 device columns in file order).</summary>
    public IReadOnlyList<string> Targets { get; init; } = [];

    /// <summary><c>estimate</c> or <c>measured:nb201</c>.</summary>
    public required string LabelSource { get; init; }

    /// <summary>SHA-256 of each target's catalog file (kind <c>space</c>): the estimates depend on them.</summary>
    public IReadOnlyDictionary<string, string>? TargetFiles { get; init; }

    /// <summary>The CSV's file name (kind <c>nb201</c>).</summary>
    public string? Csv { get; init; }

    /// <summary>SHA-256 of the CSV (kind <c>nb201</c>).</summary>
    public string? CsvSha256 { get; init; }

    /// <summary>Only the first rows of the CSV (kind <c>nb201</c>), or null for all.</summary>
    public int? Limit { get; init; }

    /// <summary>Element type of the NB201 graphs: <c>float32</c> or <c>int8</c> (kind <c>nb201</c>).</summary>
    public string? Dtype { get; init; }

    /// <summary><c>eager</c> when the NB201 graphs keep every edge as an eager framework runs it; null for
    /// converter-folded graphs (kind <c>nb201</c>).</summary>
    public string? Network { get; init; }

    /// <summary>The graph variants built for every architecture of a measured table (each model's knob
    /// <see cref="GraphVariants.Knob"/> names its variant; see <see cref="GraphVariants"/>), or null for one graph per
    /// architecture (<see cref="Network"/>).</summary>
    public IReadOnlyList<string>? GraphVariants { get; init; }

    /// <summary><c>none</c> when the graph files are weightless (<see cref="Tflite.TfliteModel.IsWeightless"/>); null
    /// when they carry (seeded random) weights.</summary>
    public string? Weights { get; init; }

    /// <summary>The <see cref="Weights"/> value of a weightless build.</summary>
    public const string NoWeights = "none";

    /// <summary>The FBNet input setting, <c>cifar100</c> or <c>imagenet</c> (kind <c>fbnet</c>).</summary>
    public string? Input { get; init; }

    /// <summary>Device columns of a measured table that were run at a batch other than 1, with that batch (their
    /// graphs have it as the input's first dimension; see <see cref="DeviceColumns"/>); null when every column is
    /// batch 1.</summary>
    public IReadOnlyDictionary<string, int>? TargetBatches { get; init; }

    /// <summary>The PerfSage version that built it (graph export and estimators may change between versions).</summary>
    public string Version { get; init; } = DatasetJson.Version;

    /// <summary>The canonical JSON of these arguments.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, DatasetJson.Info<BuildInfo>());

    /// <summary>The arguments that differ between <paramref name="a"/> and <paramref name="b"/>, as
    /// <c>key: a vs b</c> (empty when they are the same build).</summary>
    public static IReadOnlyList<string> Differences(BuildInfo a, BuildInfo b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        JsonObject x = JsonNode.Parse(a.ToJson())!.AsObject();
        JsonObject y = JsonNode.Parse(b.ToJson())!.AsObject();
        var keys = new SortedSet<string>(x.Select(p => p.Key), StringComparer.Ordinal);
        keys.UnionWith(y.Select(p => p.Key));
        var diffs = new List<string>();
        foreach (string key in keys)
        {
            JsonNode? u = x[key];
            JsonNode? v = y[key];
            if (!JsonNode.DeepEquals(u, v))
            {
                diffs.Add($"{key}: {Show(u)} vs {Show(v)}");
            }
        }
        return diffs;
    }

    private static string Show(JsonNode? node) => node is null ? "(none)" : node.ToJsonString(DatasetJson.Compact);
}

/// <summary>
/// Which shards of a build a folder holds: sample <c>i</c> belongs to shard <c>i mod Count</c>.
/// </summary>
/// <param name="Count">Number of shards the build is cut into.</param>
/// <param name="Indices">The shards held, sorted (one for a shard folder, several for a partial merge).</param>
public sealed record ShardSet(int Count, IReadOnlyList<int> Indices)
{
    /// <summary>True when sample <paramref name="index"/> belongs to one of <see cref="Indices"/>.</summary>
    public bool Contains(long index) => Indices.Contains((int)(index % Count));

    /// <summary>One shard, <c>i/n</c>.</summary>
    public static ShardSet One(int index, int count)
    {
        if (count < 1 || index < 0 || index >= count)
        {
            throw new DatasetException($"shard {index}/{count}: expected i/n with 0 <= i < n");
        }
        return new ShardSet(count, [index]);
    }

    /// <summary>Parses <c>i/n</c> (0-based <c>i</c>); throws <see cref="DatasetException"/> otherwise.</summary>
    public static ShardSet Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int i)
            || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n))
        {
            throw new DatasetException($"shard '{Limits.Echo(text)}': expected i/n, e.g. 0/4 (shards are numbered from 0)");
        }
        return One(i, n);
    }

    public override string ToString() => $"{string.Join(',', Indices)}/{Count}";
}

/// <summary>One measurement CSV imported into the folder.</summary>
/// <param name="Csv">The CSV's file name.</param>
/// <param name="CsvSha256">SHA-256 of the CSV.</param>
/// <param name="Rows">Data rows in the CSV.</param>
/// <param name="ModelsAdded">New models.</param>
/// <param name="LabelsAdded">New label rows.</param>
/// <param name="LabelsUpdated">Existing label rows that gained a metric.</param>
/// <param name="BadRowsSkipped">Bad rows skipped (<c>--skip-bad-rows</c>).</param>
/// <param name="Target">The <c>--target</c> given, if any.</param>
public sealed record ImportInfo(
    string Csv,
    string CsvSha256,
    int Rows,
    int ModelsAdded,
    int LabelsAdded,
    int LabelsUpdated,
    int BadRowsSkipped,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Target)
{
    /// <summary>The tool whose output was imported (<c>vela</c>, <c>benchmark-model</c>, <c>mlperf-tiny</c>); absent
    /// for a measurement CSV. For a tool import <see cref="Csv"/> is the first input's name and <see cref="CsvSha256"/>
    /// the SHA-256 of <see cref="Files"/> written as text (one <c>SHA256  NAME</c> line per file).</summary>
    public string? Tool { get; init; }

    /// <summary>Every file a tool import read, in order, with its SHA-256; absent for a measurement CSV.</summary>
    public IReadOnlyList<ImportedFile>? Files { get; init; }

    /// <summary>The clock of the measured system in MHz, where its description gave one (MLPerf Tiny's
    /// <c>systems/*.json</c>); absent otherwise.</summary>
    public double? ClockMhz { get; init; }
}

/// <summary>One file a tool import read.</summary>
/// <param name="Name">Its path as given or found.</param>
/// <param name="Sha256">SHA-256 of its bytes.</param>
public sealed record ImportedFile(string Name, string Sha256);

/// <summary>How <c>splits.csv</c> was made, and its counts.</summary>
/// <param name="By"><c>hash</c> or <c>family</c>.</param>
/// <param name="Val">Requested validation fraction.</param>
/// <param name="Test">Requested test fraction.</param>
/// <param name="Seed">The split seed.</param>
/// <param name="Counts">Models per split (<c>train</c>, <c>val</c>, <c>test</c>).</param>
/// <param name="SplitRule">The hash rule that drew the split (<see cref="PerfSage.SplitRule.Name"/>); absent in
/// folders split before the rule was recorded, which were drawn by the same rule (the only one
/// <c>dataset split</c> has used).</param>
public sealed record SplitInfo(string By, double Val, double Test, ulong Seed, IReadOnlyDictionary<string, int> Counts,
    string? SplitRule = null);

/// <summary>The JSON conventions of dataset files, and reading and writing <c>dataset.json</c>.</summary>
public static class DatasetJson
{
    /// <summary>snake_case keys, indented, nulls left out, no needless escapes.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        IndentSize = 2,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        ReadCommentHandling = JsonCommentHandling.Skip,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        TypeInfoResolver = DatasetJsonContext.Default,
    };

    internal static JsonSerializerOptions Compact { get; } = new(Options) { WriteIndented = false };

    /// <summary>The source-generated contract of <typeparamref name="T"/> under <paramref name="options"/> (default
    /// <see cref="Options"/>): no reflection, which the native build does not have.</summary>
    internal static JsonTypeInfo<T> Info<T>(JsonSerializerOptions? options = null) =>
        (JsonTypeInfo<T>)(options ?? Options).GetTypeInfo(typeof(T));

    /// <summary>The PerfSage version, <c>major.minor.patch</c>.</summary>
    public static string Version { get; } = typeof(DatasetJson).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    internal static string ToolName => "perfsage " + Version;

    /// <summary>Reads <c>dataset.json</c> of <paramref name="directory"/>; throws <see cref="DatasetException"/>
    /// when it is missing (the folder is not a complete dataset), invalid, or of another format.</summary>
    public static DatasetManifest ReadManifest(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string path = Path.Combine(directory, DatasetLayout.ManifestFile);
        if (!File.Exists(path))
        {
            throw new DatasetException(Directory.Exists(directory)
                ? $"{directory}: not a complete dataset folder (no {DatasetLayout.ManifestFile}; an unfinished build resumes when re-run with the same arguments)"
                : $"{directory}: dataset folder not found");
        }
        DatasetManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(DatasetInput.ReadAllBytes(path, Limits.MaxJsonBytes, "dataset manifest"), Info<DatasetManifest>());
        }
        catch (JsonException e)
        {
            throw new DatasetException($"{path}: invalid JSON ({Limits.Echo(e.Message)})", e);
        }
        if (manifest is null)
        {
            throw new DatasetException($"{path}: empty manifest");
        }
        if (manifest.Format != DatasetManifest.CurrentFormat)
        {
            throw new DatasetException($"{path}: format '{Limits.Echo(manifest.Format)}' is not {DatasetManifest.CurrentFormat}");
        }
        return manifest;
    }

    internal static byte[] Serialize<T>(T value)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(value, Info<T>());
        var bytes = new byte[json.Length + 1];
        json.CopyTo(bytes, 0);
        bytes[^1] = (byte)'\n';
        return bytes;
    }

    internal static void WriteManifest(string directory, DatasetManifest manifest) =>
        AtomicFile.Write(Path.Combine(directory, DatasetLayout.ManifestFile), Serialize(manifest), durable: true);
}

/// <summary>The types dataset files hold, for System.Text.Json's source generator.</summary>
[JsonSerializable(typeof(DatasetManifest))]
[JsonSerializable(typeof(BuildInfo))]
[JsonSerializable(typeof(ModelRecord))]
[JsonSerializable(typeof(SortedDictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class DatasetJsonContext : JsonSerializerContext;

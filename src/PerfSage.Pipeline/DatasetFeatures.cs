using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using PerfSage.Dataset;
using PerfSage.Graph;
using PerfSage.Graph.Features;
using PerfSage.Model;
using PerfSage.Model.Cache;
using PerfSage.Tflite;
using Serilog;

namespace PerfSage.Pipeline;

/// <summary>How the features of one dataset folder were obtained.</summary>
/// <param name="Directory">The dataset folder.</param>
/// <param name="FromCache">Graphs whose features came from the cache.</param>
/// <param name="Parsed">Graphs parsed and featurized now.</param>
/// <param name="CachePath">The cache file.</param>
/// <param name="CacheWritten">True when the cache was (re)written.</param>
public sealed record FeatureLoadStats(string Directory, int FromCache, int Parsed, string CachePath, bool CacheWritten);

/// <summary>
/// The features of every graph of a dataset folder, through a feature cache in the folder:
/// <c>cache/features-v&lt;schema&gt;.pb</c> (length-delimited protobuf records, <see cref="FeatureCache"/>) and beside it
/// <c>cache/features-v&lt;schema&gt;.index.json</c>, which records the size of the cache file and, per model, the size
/// and modification time of the <c>.tflite</c> its features came from. A graph is parsed again only when it is not in
/// the cache or its file changed; the cache is rewritten only when something was parsed or models went away. A cache
/// that cannot be read is ignored (with a warning) and rebuilt; one that cannot be written (a read-only dataset) only
/// costs the next run the parsing.
/// </summary>
public static class DatasetFeatures
{
    /// <summary>The folder of a dataset that holds the cache.</summary>
    public const string CacheFolder = "cache";

    /// <summary>The cache file of <paramref name="datasetDirectory"/> (features of the current schema).</summary>
    public static string CachePath(string datasetDirectory) =>
        Path.Combine(datasetDirectory, CacheFolder, string.Create(CultureInfo.InvariantCulture, $"features-v{FeatureSchema.Version}.pb"));

    /// <summary>The cache index of <paramref name="datasetDirectory"/>.</summary>
    public static string IndexPath(string datasetDirectory) =>
        Path.Combine(datasetDirectory, CacheFolder, string.Create(CultureInfo.InvariantCulture, $"features-v{FeatureSchema.Version}.index.json"));

    /// <summary>Features of <paramref name="data"/>'s models, in its order. A graph that does not parse fails the
    /// whole load with <see cref="UserInputException"/> naming the file (a dataset should hold only valid models).</summary>
    public static (GraphFeatures[] Features, FeatureLoadStats Stats) Load(DatasetFolder data, int jobs, ILogger log, CancellationToken cancellationToken)
    {
        IReadOnlyList<DatasetModel> models = data.Models;
        string cachePath = CachePath(data.Directory);
        string indexPath = IndexPath(data.Directory);
        var stamps = new string[models.Count];
        for (int i = 0; i < stamps.Length; i++)
        {
            stamps[i] = Stamp(models[i].GraphPath);
        }

        var features = new GraphFeatures?[models.Count];
        int fromCache = ReadCache(cachePath, indexPath, models, stamps, features, log);

        var missing = new List<int>();
        for (int i = 0; i < features.Length; i++)
        {
            if (features[i] is null)
            {
                missing.Add(i);
            }
        }
        var errors = new Exception?[models.Count];
        Parallel.ForEach(missing, new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = cancellationToken }, i =>
        {
            try
            {
                (_, OpGraph graph) = ModelLoader.Load(models[i].GraphPath);
                features[i] = Featurizer.Featurize(graph);
            }
            catch (Exception e) when (e is TfliteFormatException or UserInputException or IOException or UnauthorizedAccessException)
            {
                errors[i] = e;
            }
        });
        Exception? first = errors.FirstOrDefault(e => e is not null);
        if (first is not null)
        {
            throw new UserInputException($"dataset {data.Directory}: {first.Message}", first);
        }

        GraphFeatures[] result = features.Select(f => f!).ToArray();
        // Rewrite when something was parsed, or when the cache also holds models the folder no longer has.
        bool write = fromCache != models.Count || ReadIndex(indexPath)?.Graphs.Count != models.Count;
        bool written = write && TryWriteCache(cachePath, indexPath, models, stamps, result, log);
        return (result, new FeatureLoadStats(data.Directory, fromCache, missing.Count, cachePath, written));
    }

    /// <summary>Size and modification time of a graph file: what the cache checks before reusing its features.</summary>
    private static string Stamp(string path)
    {
        var file = new FileInfo(path);
        return file.Exists
            ? string.Create(CultureInfo.InvariantCulture, $"{file.Length}:{file.LastWriteTimeUtc.Ticks}")
            : "missing";
    }

    /// <summary>Fills <paramref name="features"/> from the cache where the graph is unchanged; returns how many.</summary>
    private static int ReadCache(string cachePath, string indexPath, IReadOnlyList<DatasetModel> models, string[] stamps,
        GraphFeatures?[] features, ILogger log)
    {
        CacheIndex? index = ReadIndex(indexPath);
        if (index is null || !File.Exists(cachePath))
        {
            return 0;
        }
        if (index.FeatureSchemaVersion != FeatureSchema.Version || new FileInfo(cachePath).Length != index.CacheBytes)
        {
            log.Information("Feature cache {Path} does not match its index; featurizing again", cachePath);
            return 0;
        }
        var position = new Dictionary<string, int>(models.Count, StringComparer.Ordinal);
        for (int i = 0; i < models.Count; i++)
        {
            if (index.Graphs.TryGetValue(models[i].Id, out string? stamp) && stamp == stamps[i])
            {
                position[models[i].Id] = i;
            }
        }
        if (position.Count == 0)
        {
            return 0;
        }
        int count = 0;
        try
        {
            foreach ((string id, GraphFeatures f) in FeatureCache.Read(cachePath))
            {
                if (position.TryGetValue(id, out int i) && features[i] is null)
                {
                    features[i] = f;
                    count++;
                }
            }
        }
        catch (Exception e) when (e is ModelFormatException or IOException or UnauthorizedAccessException)
        {
            log.Warning("Feature cache is unusable ({Reason}); featurizing again", e.Message);
            Array.Clear(features);
            return 0;
        }
        return count;
    }

    private static CacheIndex? ReadIndex(string indexPath)
    {
        if (!File.Exists(indexPath))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(indexPath), CacheIndexJson.Default.CacheIndex);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool TryWriteCache(string cachePath, string indexPath, IReadOnlyList<DatasetModel> models, string[] stamps,
        GraphFeatures[] features, ILogger log)
    {
        try
        {
            // The index goes first so that a crash between the two files leaves an index that does not match the
            // cache's size (and so is ignored), never a stale index that matches.
            TryDelete(indexPath);
            FeatureCache.Write(cachePath, models.Select((m, i) => (m.Id, features[i])));
            var graphs = new SortedDictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < models.Count; i++)
            {
                graphs[models[i].Id] = stamps[i];
            }
            var index = new CacheIndex(FeatureSchema.Version, new FileInfo(cachePath).Length, graphs);
            PerfSage.IO.AtomicFile.Write(indexPath, JsonSerializer.SerializeToUtf8Bytes(index, CacheIndexJson.Default.CacheIndex), durable: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.Warning("Cannot write the feature cache {Path} ({Reason}); the next run parses the graphs again", cachePath, e.Message);
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    /// <summary><c>features-v&lt;schema&gt;.index.json</c>.</summary>
    internal sealed record CacheIndex(
        int FeatureSchemaVersion,
        long CacheBytes,
        [property: JsonPropertyName("graphs")] IDictionary<string, string> Graphs);
}

/// <summary>The feature cache index's JSON (snake_case, indented), source-generated.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(DatasetFeatures.CacheIndex))]
internal sealed partial class CacheIndexJson : JsonSerializerContext;

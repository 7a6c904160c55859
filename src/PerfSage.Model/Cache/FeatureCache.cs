using System.Globalization;
using Google.Protobuf;
using PerfSage.IO;
using PerfSage.Graph.Features;

namespace PerfSage.Model.Cache;

/// <summary>
/// A file of precomputed features (<c>schemas/perfsage.proto</c>): length-delimited <c>CacheRecord</c>s, a
/// header (magic, format and feature schema versions, column counts), one record per graph, a trailer with
/// the graph count. Written atomically (a temporary file beside the target, then a rename); read back as a
/// stream. A file cut short (no trailer, or a record cut in the middle) is refused with the record number
/// and byte offset, and so is a cache of another feature schema version.
/// </summary>
public static class FeatureCache
{
    public const string Magic = "perfsage-feature-cache";
    public const int FormatVersion = 1;

    /// <summary>Writes the graphs to <paramref name="path"/>, replacing any file there only once all is written.</summary>
    /// <returns>The number of graphs written.</returns>
    public static long Write(string path, IEnumerable<(string ModelId, GraphFeatures Features)> graphs)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(graphs);
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        AtomicFile.RemoveLeftovers(dir); // what killed writers left
        long count = 0;
        AtomicFile.Write(full, stream =>
        {
            new CacheRecord
            {
                Header = new CacheHeader
                {
                    Magic = Magic,
                    FormatVersion = FormatVersion,
                    FeatureSchemaVersion = FeatureSchema.Version,
                    NodeFeatureCount = FeatureSchema.NodeFeatureCount,
                    EdgeFeatureCount = FeatureSchema.EdgeFeatureCount,
                    GraphFeatureCount = FeatureSchema.GraphFeatureCount,
                    OpVocabularySize = OpVocabulary.Size,
                },
            }.WriteDelimitedTo(stream);
            foreach ((string id, GraphFeatures g) in graphs)
            {
                ArgumentNullException.ThrowIfNull(id, nameof(graphs));
                ArgumentNullException.ThrowIfNull(g, nameof(graphs));
                if (g.SchemaVersion != FeatureSchema.Version)
                {
                    throw new ModelFormatException($"{id}: features of schema version {g.SchemaVersion} cannot go into a version {FeatureSchema.Version} cache");
                }
                var record = new GraphRecord { ModelId = id, NodeCount = g.NodeCount, TotalMacs = g.TotalMacs };
                record.NodeFeatures.Add(g.NodeFeatures);
                record.OpIndex.Add(g.OpIndex);
                record.EdgeSource.Add(g.EdgeSource);
                record.EdgeTarget.Add(g.EdgeTarget);
                record.EdgeFeatures.Add(g.EdgeFeatures);
                record.GraphFeatures.Add(g.GraphFeatureValues);
                new CacheRecord { Graph = record }.WriteDelimitedTo(stream);
                count++;
            }
            new CacheRecord { Trailer = new CacheTrailer { GraphCount = count } }.WriteDelimitedTo(stream);
        }, durable: true);
        return count;
    }

    /// <summary>
    /// Streams the graphs of the cache at <paramref name="path"/>. The header is checked when enumeration
    /// starts; the trailer when it ends, so a truncated file fails at the end even when the cut falls between
    /// records.
    /// </summary>
    /// <exception cref="ModelFormatException">Not a feature cache, another schema version, truncated or corrupt.</exception>
    public static IEnumerable<(string ModelId, GraphFeatures Features)> Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new ModelFormatException($"{path}: feature cache not found");
        }
        return ReadIterator(path);
    }

    /// <summary>Reads the whole cache into a list.</summary>
    public static List<(string ModelId, GraphFeatures Features)> ReadAll(string path) => [.. Read(path)];

    private static IEnumerable<(string, GraphFeatures)> ReadIterator(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        CacheRecord header = Next(stream, path, 0) ?? throw new ModelFormatException($"{path}: empty file, not a feature cache");
        CheckHeader(header, path);
        long index = 1, graphs = 0;
        while (true)
        {
            long offset = stream.Position;
            CacheRecord? record = Next(stream, path, index)
                ?? throw new ModelFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"{path}: truncated feature cache: the file ends after {graphs} graph records (byte {offset}) without its trailer"));
            switch (record.KindCase)
            {
                case CacheRecord.KindOneofCase.Graph:
                    yield return (record.Graph.ModelId, ToFeatures(record.Graph, path, index));
                    graphs++;
                    break;
                case CacheRecord.KindOneofCase.Trailer:
                    if (record.Trailer.GraphCount != graphs)
                    {
                        throw new ModelFormatException(string.Create(CultureInfo.InvariantCulture,
                            $"{path}: the trailer counts {record.Trailer.GraphCount} graphs but the file holds {graphs}"));
                    }
                    if (stream.Position != stream.Length)
                    {
                        throw new ModelFormatException(string.Create(CultureInfo.InvariantCulture,
                            $"{path}: {stream.Length - stream.Position} bytes after the trailer"));
                    }
                    yield break;
                default:
                    throw new ModelFormatException(string.Create(CultureInfo.InvariantCulture,
                        $"{path}: record {index} (byte {offset}) is a {record.KindCase} where a graph or the trailer belongs"));
            }
            index++;
        }
    }

    /// <summary>The next record, or null at a clean end of file.</summary>
    private static CacheRecord? Next(FileStream stream, string path, long index)
    {
        long offset = stream.Position;
        if (offset == stream.Length)
        {
            return null;
        }
        try
        {
            return CacheRecord.Parser.ParseDelimitedFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ModelFormatException(string.Create(CultureInfo.InvariantCulture,
                $"{path}: record {index} at byte {offset} is truncated or corrupt ({e.Message})"), e);
        }
    }

    private static void CheckHeader(CacheRecord record, string path)
    {
        if (record.KindCase != CacheRecord.KindOneofCase.Header || record.Header.Magic != Magic)
        {
            throw new ModelFormatException($"{path}: not a PerfSage feature cache (no header record)");
        }
        CacheHeader h = record.Header;
        if (h.FormatVersion != FormatVersion)
        {
            throw new ModelFormatException($"{path}: feature cache format version {h.FormatVersion}; this build reads {FormatVersion}");
        }
        if (h.FeatureSchemaVersion != FeatureSchema.Version)
        {
            throw new ModelFormatException(
                $"{path}: features of schema version {h.FeatureSchemaVersion}, this build uses feature schema version {FeatureSchema.Version}; "
                + "delete the cache to featurize the models again");
        }
        if (h.NodeFeatureCount != FeatureSchema.NodeFeatureCount || h.EdgeFeatureCount != FeatureSchema.EdgeFeatureCount
            || h.GraphFeatureCount != FeatureSchema.GraphFeatureCount || h.OpVocabularySize != OpVocabulary.Size)
        {
            throw new ModelFormatException($"{path}: column counts in the header do not match feature schema version {FeatureSchema.Version}");
        }
    }

    private static GraphFeatures ToFeatures(GraphRecord r, string path, long index)
    {
        try
        {
            return new GraphFeatures(FeatureSchema.Version, r.NodeCount, [.. r.NodeFeatures], [.. r.OpIndex],
                [.. r.EdgeSource], [.. r.EdgeTarget], [.. r.EdgeFeatures], [.. r.GraphFeatures], r.TotalMacs);
        }
        catch (Exception e) when (e is FeatureSchemaException or ArgumentException)
        {
            throw new ModelFormatException($"{path}: record {index} ({r.ModelId}): {e.Message}", e);
        }
    }
}

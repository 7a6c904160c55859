using Google.Protobuf;
using PerfSage.Graph.Features;
using PerfSage.Model.Cache;
using Xunit;

namespace PerfSage.Model.Tests;

public sealed class FeatureCacheTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("perfsage-cache-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static List<(string, GraphFeatures)> Graphs(int n) =>
        SyntheticGraphs.Samples(n, seed: 9).Select(s => (s.ModelId, s.Features)).ToList();

    [Fact]
    public void Round_trip_gives_back_equal_features()
    {
        List<(string Id, GraphFeatures G)> graphs = Graphs(20);
        string path = Path.Combine(_dir, "features.pb");
        Assert.Equal(20, FeatureCache.Write(path, graphs));

        List<(string ModelId, GraphFeatures Features)> back = FeatureCache.ReadAll(path);

        Assert.Equal(graphs.Count, back.Count);
        for (int i = 0; i < graphs.Count; i++)
        {
            GraphFeatures a = graphs[i].G, b = back[i].Features;
            Assert.Equal(graphs[i].Id, back[i].ModelId);
            Assert.Equal(a.SchemaVersion, b.SchemaVersion);
            Assert.Equal(a.NodeCount, b.NodeCount);
            Assert.Equal(a.NodeFeatures, b.NodeFeatures);
            Assert.Equal(a.OpIndex, b.OpIndex);
            Assert.Equal(a.EdgeSource, b.EdgeSource);
            Assert.Equal(a.EdgeTarget, b.EdgeTarget);
            Assert.Equal(a.EdgeFeatures, b.EdgeFeatures);
            Assert.Equal(a.GraphFeatureValues, b.GraphFeatureValues);
            Assert.Equal(a.TotalMacs, b.TotalMacs);
        }
        Assert.Equal(["features.pb"], Directory.EnumerateFiles(_dir).Select(Path.GetFileName)); // no temporary left
    }

    [Fact]
    public void A_write_removes_what_killed_writers_left_and_keeps_a_live_writers_file()
    {
        using var exited = System.Diagnostics.Process.Start("true")!;
        exited.WaitForExit();
        string dead = $".tmp-features.pb.{exited.Id}.{Guid.NewGuid():N}";
        string live = $".tmp-features.pb.{Environment.ProcessId}.{Guid.NewGuid():N}";
        File.WriteAllText(Path.Combine(_dir, dead), "half a cache");
        File.WriteAllText(Path.Combine(_dir, live), "being written");
        string path = Path.Combine(_dir, "features.pb");
        File.WriteAllText(path, "the previous cache");

        Assert.Equal(3, FeatureCache.Write(path, Graphs(3)));

        Assert.Equal(3, FeatureCache.ReadAll(path).Count);
        Assert.Equal([live, "features.pb"], Directory.EnumerateFiles(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Truncated_files_are_rejected_with_a_clear_message()
    {
        string path = Path.Combine(_dir, "full.pb");
        FeatureCache.Write(path, Graphs(5));
        byte[] bytes = File.ReadAllBytes(path);
        string cut = Path.Combine(_dir, "cut.pb");

        // Cut in the middle of a graph record.
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<ModelFormatException>(() => FeatureCache.ReadAll(cut));
        Assert.Contains(cut, e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);

        // Cut exactly before the trailer (a clean record boundary): still caught.
        int trailerLength = new CacheRecord { Trailer = new CacheTrailer { GraphCount = 5 } }.CalculateSize() + 1;
        File.WriteAllBytes(cut, bytes[..^trailerLength]);
        e = Assert.Throws<ModelFormatException>(() => FeatureCache.ReadAll(cut));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        Assert.Contains("after 5 graph records", e.Message, StringComparison.Ordinal);

        // Streaming readers see the good records first, then the error.
        int seen = 0;
        Assert.Throws<ModelFormatException>(() =>
        {
            foreach (var _ in FeatureCache.Read(cut))
            {
                seen++;
            }
        });
        Assert.Equal(5, seen);

        File.WriteAllBytes(cut, []);
        Assert.Contains("empty", Assert.Throws<ModelFormatException>(() => FeatureCache.ReadAll(cut)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cache_of_another_schema_version_is_refused()
    {
        string path = Path.Combine(_dir, "v2.pb");
        using (FileStream s = File.Create(path))
        {
            new CacheRecord
            {
                Header = new CacheHeader
                {
                    Magic = FeatureCache.Magic, FormatVersion = 1, FeatureSchemaVersion = 2,
                    NodeFeatureCount = 60, EdgeFeatureCount = 9, GraphFeatureCount = 7, OpVocabularySize = 213,
                },
            }.WriteDelimitedTo(s);
            new CacheRecord { Trailer = new CacheTrailer { GraphCount = 0 } }.WriteDelimitedTo(s);
        }
        var e = Assert.Throws<ModelFormatException>(() => FeatureCache.ReadAll(path));
        Assert.Contains("schema version 2", e.Message, StringComparison.Ordinal);

        File.WriteAllBytes(path, "not a cache at all"u8.ToArray());
        Assert.Throws<ModelFormatException>(() => FeatureCache.ReadAll(path));
        Assert.Throws<ModelFormatException>(() => FeatureCache.ReadAll(Path.Combine(_dir, "absent.pb")));
    }

    [Fact]
    public void A_failed_write_keeps_the_old_file()
    {
        string path = Path.Combine(_dir, "keep.pb");
        FeatureCache.Write(path, Graphs(3));
        byte[] before = File.ReadAllBytes(path);

        Assert.Throws<InvalidOperationException>(() => FeatureCache.Write(path, Failing()));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["keep.pb"], Directory.EnumerateFiles(_dir).Select(Path.GetFileName));

        static IEnumerable<(string, GraphFeatures)> Failing()
        {
            foreach (var g in Graphs(2))
            {
                yield return g;
            }
            throw new InvalidOperationException("featurizer failed");
        }
    }
}

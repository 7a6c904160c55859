using PerfSage.Dataset;
using PerfSage.Graph.Features;

namespace PerfSage.Pipeline.Tests;

public class DatasetFeaturesTests
{
    private static (GraphFeatures[] Features, FeatureLoadStats Stats) Load(string dir) =>
        DatasetFeatures.Load(DatasetFolder.Load(dir), 1, Serilog.Core.Logger.None, CancellationToken.None);

    [Fact]
    public void The_cache_serves_unchanged_graphs_and_parses_a_changed_one_again()
    {
        using var tmp = new ScratchFolder();
        string dir = DatasetFixtures.Built(tmp, "ds", 4);

        (GraphFeatures[] first, FeatureLoadStats s1) = Load(dir);
        Assert.Equal((0, 4, true), (s1.FromCache, s1.Parsed, s1.CacheWritten));
        Assert.Equal(DatasetFeatures.CachePath(dir), s1.CachePath);
        Assert.True(File.Exists(DatasetFeatures.CachePath(dir)));
        Assert.True(File.Exists(DatasetFeatures.IndexPath(dir)));
        Assert.All(first, f => Assert.True(f.NodeCount > 0 && f.TotalMacs > 0));

        // Nothing changed: every graph from the cache, nothing rewritten, the same features.
        (GraphFeatures[] second, FeatureLoadStats s2) = Load(dir);
        Assert.Equal((4, 0, false), (s2.FromCache, s2.Parsed, s2.CacheWritten));
        Assert.Equal(first.Select(f => (f.NodeCount, f.TotalMacs)), second.Select(f => (f.NodeCount, f.TotalMacs)));

        // One graph file touched (its modification time is part of the stamp): that one is parsed again, the cache rewritten.
        DatasetModel touched = DatasetFolder.Load(dir).Models[2];
        File.SetLastWriteTimeUtc(touched.GraphPath, File.GetLastWriteTimeUtc(touched.GraphPath).AddHours(1));
        (_, FeatureLoadStats s3) = Load(dir);
        Assert.Equal((3, 1, true), (s3.FromCache, s3.Parsed, s3.CacheWritten));
        (_, FeatureLoadStats s4) = Load(dir);
        Assert.Equal((4, 0, false), (s4.FromCache, s4.Parsed, s4.CacheWritten));

        // A cache file whose size no longer matches its index is not trusted: everything is parsed again.
        File.AppendAllText(DatasetFeatures.CachePath(dir), "x");
        (_, FeatureLoadStats s5) = Load(dir);
        Assert.Equal((0, 4, true), (s5.FromCache, s5.Parsed, s5.CacheWritten));
    }
}

using Xunit;

namespace PerfSage.Dataset.Tests.Build;

public class ShardMergeTests
{
    private static string[] Ids(string dir) => [.. ModelsCsv.Read(Path.Combine(dir, "models.csv")).Select(m => m.ModelId)];

    [Fact]
    public void Shard_i_of_n_holds_the_indices_congruent_to_i()
    {
        using var dir = new TempFolder();
        BuildResult r = Builds.Run(Builds.Kws(10, shard: ShardSet.Parse("1/3")), dir.Path);
        Assert.Equal(3, r.Models);
        Assert.Equal(["kws-s3-000001", "kws-s3-000004", "kws-s3-000007"], Ids(dir.Path));
        BuildInfo b = Assert.Single(DatasetJson.ReadManifest(dir.Path).Builds);
        Assert.Equal(new ShardSet(3, [1]).ToString(), b.Shards!.ToString());
        Assert.Equal(10, b.Count);
    }

    [Fact]
    public void Merging_every_shard_gives_the_whole_build_byte_for_byte()
    {
        using var root = new TempFolder();
        string whole = root.Sub("whole");
        Builds.Run(Builds.Kws(10), whole);
        string[] shards = [root.Sub("s0"), root.Sub("s1"), root.Sub("s2")];
        for (int i = 0; i < 3; i++)
        {
            Builds.Run(Builds.Kws(10, shard: ShardSet.One(i, 3)), shards[i], jobs: 1);
        }
        Assert.Equal(10, shards.Sum(s => Ids(s).Length));
        Assert.Empty(Ids(shards[0]).Intersect(Ids(shards[1])));

        string merged = root.Sub("merged");
        BuildResult r = DatasetBuilder.Merge(merged, [shards[2], shards[0], shards[1]], new BuildOptions { Jobs = 2 });
        Assert.Equal((10, 10, 20), (r.Models, r.Built, r.Labels));
        FolderSnapshot.AssertSame(whole, merged);

        // The merged folder is a whole build: re-running the unsharded build there finds everything done.
        Assert.Equal(0, Builds.Run(Builds.Kws(10), merged).Built);
    }

    [Fact]
    public void A_partial_merge_holds_exactly_the_union_and_records_its_shards()
    {
        using var root = new TempFolder();
        Builds.Run(Builds.Kws(7, shard: ShardSet.One(0, 3)), root.Sub("s0"));
        Builds.Run(Builds.Kws(7, shard: ShardSet.One(2, 3)), root.Sub("s2"));
        BuildResult r = DatasetBuilder.Merge(root.Sub("m"), [root.Sub("s0"), root.Sub("s2")]);
        Assert.Equal(5, r.Models); // 0, 3, 6 and 2, 5
        Assert.Equal(["kws-s3-000000", "kws-s3-000002", "kws-s3-000003", "kws-s3-000005", "kws-s3-000006"], Ids(root.Sub("m")));
        Assert.Equal("0,2/3", DatasetJson.ReadManifest(root.Sub("m")).Builds[0].Shards!.ToString());
    }

    [Fact]
    public void Shards_of_different_builds_are_refused()
    {
        using var root = new TempFolder();
        Builds.Run(Builds.Kws(6, shard: ShardSet.One(0, 2)), root.Sub("a"));
        Builds.Run(Builds.Kws(6, seed: 5, shard: ShardSet.One(1, 2)), root.Sub("b"));
        var e = Assert.Throws<DatasetException>(() => DatasetBuilder.Merge(root.Sub("m"), [root.Sub("a"), root.Sub("b")]));
        Assert.Contains("seed: 3 vs 5", e.Message);
        Assert.False(Directory.Exists(root.Sub("m")));
    }

    [Fact]
    public void The_same_shard_twice_is_refused()
    {
        using var root = new TempFolder();
        Builds.Run(Builds.Kws(6, shard: ShardSet.One(1, 2)), root.Sub("a"));
        Builds.Run(Builds.Kws(6, shard: ShardSet.One(1, 2)), root.Sub("b"));
        var e = Assert.Throws<DatasetException>(() => DatasetBuilder.Merge(root.Sub("m"), [root.Sub("a"), root.Sub("b")]));
        Assert.Contains("shard 1/2 is in both", e.Message);
    }

    [Fact]
    public void Unfinished_whole_or_tampered_shards_are_refused()
    {
        using var root = new TempFolder();
        Builds.Run(Builds.Kws(4), root.Sub("whole"));
        var whole = Assert.Throws<DatasetException>(() => DatasetBuilder.Merge(root.Sub("m"), [root.Sub("whole")]));
        Assert.Contains("not a shard", whole.Message);

        using (var cancel = new CancellationTokenSource())
        {
            cancel.Cancel();
            Assert.ThrowsAny<OperationCanceledException>(() =>
                Builds.Run(Builds.Kws(4, shard: ShardSet.One(0, 2)), root.Sub("unfinished"), cancel: cancel.Token));
        }
        var unfinished = Assert.Throws<DatasetException>(() => DatasetBuilder.Merge(root.Sub("m"), [root.Sub("unfinished")]));
        Assert.Contains("not a complete dataset folder", unfinished.Message);

        Builds.Run(Builds.Kws(4, shard: ShardSet.One(1, 2)), root.Sub("s1"));
        string models = Path.Combine(root.Sub("s1"), "models.csv");
        File.WriteAllLines(models, File.ReadAllLines(models)[..^1]); // drop the last model from the list
        var missing = Assert.Throws<DatasetException>(() => DatasetBuilder.Merge(root.Sub("m"), [root.Sub("s1")]));
        Assert.Contains("holds 1 of the 2 models", missing.Message);
    }

    [Fact]
    public void The_output_must_not_be_a_shard_folder()
    {
        using var root = new TempFolder();
        Builds.Run(Builds.Kws(4, shard: ShardSet.One(0, 2)), root.Sub("s0"));
        var e = Assert.Throws<DatasetException>(() => DatasetBuilder.Merge(root.Sub("s0"), [root.Sub("s0")]));
        Assert.Contains("must not be one of its shard folders", e.Message);
    }

    [Theory]
    [InlineData("2/2")]
    [InlineData("-1/2")]
    [InlineData("1")]
    [InlineData("a/b")]
    [InlineData("0/0")]
    public void Bad_shard_specs_are_refused(string text)
    {
        var e = Assert.Throws<DatasetException>(() => ShardSet.Parse(text));
        Assert.Contains(text, e.Message);
    }
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using PerfSage.Dataset.Tests.Build;
using Xunit;

namespace PerfSage.Dataset.Tests.Splits;

public class SplitTests
{
    private static ModelInfo Model(string id, string family = "") =>
        new(id, family, "int8", 1, "", "", new Dictionary<string, string>());

    private static List<ModelInfo> Many(int n, Func<int, string>? family = null) =>
        [.. Enumerable.Range(0, n).Select(i => Model($"m{i:D5}", family?.Invoke(i) ?? ""))];

    [Fact]
    public void Hash_split_follows_sha256_of_seed_and_id()
    {
        List<ModelInfo> models = Many(200);
        var settings = new SplitSettings { Val = 0.1, Test = 0.2, Seed = 7 };
        IReadOnlyDictionary<string, Split> splits = DatasetSplitter.Assign(models, settings);
        foreach (ModelInfo m in models)
        {
            // The documented rule, worked out independently: u = first 8 bytes of SHA-256("7:<id>") / 2^64.
            byte[] digest = SHA256.HashData(Encoding.UTF8.GetBytes("7:" + m.ModelId));
            double u = BinaryPrimitives.ReadUInt64BigEndian(digest) / Math.Pow(2, 64);
            Split expected = u < 0.2 ? Split.Test : u < 0.3 ? Split.Validation : Split.Train;
            Assert.Equal(expected, splits[m.ModelId]);
        }
    }

    [Fact]
    public void Hash_split_hits_the_fractions_and_is_stable_as_models_are_added()
    {
        List<ModelInfo> models = Many(4000);
        var settings = new SplitSettings();
        IReadOnlyDictionary<string, Split> all = DatasetSplitter.Assign(models, settings);
        // 4,000 Bernoulli draws: a fraction of 0.1 has a standard deviation of 0.0047; allow 4 of them.
        Assert.InRange(all.Values.Count(s => s == Split.Validation) / 4000.0, 0.081, 0.119);
        Assert.InRange(all.Values.Count(s => s == Split.Test) / 4000.0, 0.081, 0.119);
        IReadOnlyDictionary<string, Split> half = DatasetSplitter.Assign(models[..2000], settings);
        Assert.All(half, kv => Assert.Equal(all[kv.Key], kv.Value));
        IReadOnlyDictionary<string, Split> other = DatasetSplitter.Assign(models, settings with { Seed = 1 });
        Assert.True(models.Count(m => other[m.ModelId] != all[m.ModelId]) > 400);
    }

    [Fact]
    public void Family_split_keeps_families_whole_and_approaches_the_fractions()
    {
        List<ModelInfo> models = Many(1000, i => "f" + (i % 50)); // 50 families of 20
        IReadOnlyDictionary<string, Split> splits = DatasetSplitter.Assign(models, new SplitSettings { By = SplitBy.Family, Seed = 3 });
        foreach (IGrouping<string, ModelInfo> family in models.GroupBy(m => m.Family))
        {
            Assert.Single(family.Select(m => splits[m.ModelId]).Distinct());
        }
        // Whole families of 20: each split within one family of its share (800 / 100 / 100).
        Assert.InRange(splits.Values.Count(s => s == Split.Train), 780, 820);
        Assert.InRange(splits.Values.Count(s => s == Split.Validation), 80, 120);
        Assert.InRange(splits.Values.Count(s => s == Split.Test), 80, 120);
    }

    [Fact]
    public void Family_split_of_one_family_is_all_train_and_models_without_family_stand_alone()
    {
        IReadOnlyDictionary<string, Split> one = DatasetSplitter.Assign(Many(30, _ => "kws-dscnn"), new SplitSettings { By = SplitBy.Family });
        Assert.All(one.Values, s => Assert.Equal(Split.Train, s));
        IReadOnlyDictionary<string, Split> alone = DatasetSplitter.Assign(Many(100), new SplitSettings { By = SplitBy.Family });
        Assert.Equal(10, alone.Values.Count(s => s == Split.Test));
        Assert.Equal(10, alone.Values.Count(s => s == Split.Validation));
    }

    [Theory]
    [InlineData(0.5, 0.5)]
    [InlineData(-0.1, 0.1)]
    [InlineData(0.1, double.NaN)]
    public void Fractions_out_of_range_are_refused(double val, double test)
    {
        var e = Assert.Throws<DatasetException>(() => DatasetSplitter.Assign(Many(3), new SplitSettings { Val = val, Test = test }));
        Assert.Contains("val + test < 1", e.Message);
    }

    [Fact]
    public void Splitting_a_folder_writes_splits_csv_and_the_manifest_and_a_rebuild_keeps_it()
    {
        using var dir = new TempFolder("split");
        Builds.Run(Builds.Kws(10), dir.Path);
        SplitInfo info = DatasetSplitter.Split(dir.Path, new SplitSettings { Val = 0.2, Test = 0.2, Seed = 5 });
        Assert.Equal(10, info.Counts.Values.Sum());
        Assert.Equal("hash", info.By);

        string[] lines = File.ReadAllLines(Path.Combine(dir.Path, "splits.csv"));
        Assert.Equal("model_id,split", lines[0]);
        Assert.Equal(11, lines.Length);
        DatasetFolder folder = DatasetFolder.Load(dir.Path);
        Assert.True(folder.HasSplits);
        Assert.Equal(info, folder.Manifest.Split! with { Counts = info.Counts });
        Assert.Equal(info.Counts["train"], folder.InSplit(Split.Train).Count());
        Assert.Equal(info.Counts["test"], folder.InSplit(Split.Test).Count());
        IReadOnlyDictionary<string, Split> expected = DatasetSplitter.Assign([.. folder.Models.Select(m => m.Info)],
            new SplitSettings { Val = 0.2, Test = 0.2, Seed = 5 });
        Assert.All(folder.Models, m => Assert.Equal(expected[m.Id], m.Split));

        Builds.Run(Builds.Kws(10), dir.Path); // a re-run of the build keeps the split
        Assert.Equal(5UL, DatasetJson.ReadManifest(dir.Path).Split!.Seed);
        Assert.True(DatasetFolder.Load(dir.Path).HasSplits);
    }

    [Fact]
    public void The_split_rule_is_recorded_and_a_folder_split_by_another_rule_is_refused()
    {
        using var dir = new TempFolder("split");
        Builds.Run(Builds.Kws(6), dir.Path);
        DatasetSplitter.Split(dir.Path, new SplitSettings());
        string manifestPath = Path.Combine(dir.Path, "dataset.json");
        string json = File.ReadAllText(manifestPath);
        Assert.Contains("\"split_rule\": \"sha256-seed-id\"", json, StringComparison.Ordinal);
        Assert.Equal("sha256-seed-id", DatasetFolder.Load(dir.Path).Manifest.Split!.SplitRule);

        // A folder split before the rule was recorded (no split_rule) was split by the same rule: it loads.
        File.WriteAllText(manifestPath, json.Replace(",\n    \"split_rule\": \"sha256-seed-id\"", "", StringComparison.Ordinal));
        Assert.DoesNotContain("split_rule", File.ReadAllText(manifestPath), StringComparison.Ordinal);
        Assert.True(DatasetFolder.Load(dir.Path).HasSplits);

        // Another rule's split would put other models in test than training and evaluation expect: refused.
        File.WriteAllText(manifestPath, json.Replace("\"sha256-seed-id\"", "\"fnv-splitmix\"", StringComparison.Ordinal));
        var e = Assert.Throws<DatasetException>(() => DatasetFolder.Load(dir.Path));
        Assert.Equal($"{manifestPath}: split by rule 'fnv-splitmix', which this version does not know (it splits by 'sha256-seed-id'); "
            + $"run `perfsage dataset split {dir.Path}` again", e.Message);
    }

    [Fact]
    public void An_unfinished_folder_cannot_be_split()
    {
        using var dir = new TempFolder("split");
        var e = Assert.Throws<DatasetException>(() => DatasetSplitter.Split(dir.Path, new SplitSettings()));
        Assert.Contains("not a complete dataset folder", e.Message);
    }
}

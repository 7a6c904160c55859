using Xunit;
using System.Globalization;
using PerfSage.Dataset.Spaces;
using PerfSage.Graph;
using PerfSage.Targets;
using PerfSage.Tflite;

namespace PerfSage.Dataset.Tests.Build;

public class BuildTests
{
    [Fact]
    public void Two_builds_give_identical_bytes_whatever_the_number_of_jobs()
    {
        using var a = new TempFolder();
        using var b = new TempFolder();
        BuildResult first = Builds.Run(Builds.Kws(10), a.Path, jobs: 2);
        BuildResult second = Builds.Run(Builds.Kws(10), b.Path, jobs: 1);
        Assert.Equal((10, 0, 10, 20), (first.Models, first.Resumed, first.Built, first.Labels));
        Assert.Equal((10, 20), (second.Models, second.Labels));
        FolderSnapshot.AssertSame(a.Path, b.Path);
        Assert.Equal(10, Directory.GetFiles(Path.Combine(a.Path, "graphs"), "*.tflite").Length);
        Assert.Equal(10, Directory.GetFiles(Path.Combine(a.Path, "records"), "*.json").Length);
    }

    [Fact]
    public void Labels_are_the_estimates_of_the_graph_read_back_from_the_written_file()
    {
        using var dir = new TempFolder();
        Builds.Run(Builds.Kws(4), dir.Path);
        List<LabelRow> labels = LabelsCsv.Read(Path.Combine(dir.Path, "labels.csv"));
        // One row per model and target, models in index order, targets sorted.
        Assert.Equal(
            ["kws-s3-000000/cortex-m4", "kws-s3-000000/ethos-u55-128", "kws-s3-000001/cortex-m4", "kws-s3-000001/ethos-u55-128",
             "kws-s3-000002/cortex-m4", "kws-s3-000002/ethos-u55-128", "kws-s3-000003/cortex-m4", "kws-s3-000003/ethos-u55-128"],
            labels.Select(l => l.ModelId + "/" + l.Target));
        TargetCatalog catalog = TargetCatalog.LoadDefault();
        foreach (LabelRow label in labels)
        {
            string file = DatasetLayout.GraphPath(dir.Path, label.ModelId);
            OpGraph graph = OpGraph.FromModel(TfliteReader.ReadFile(file));
            TargetEstimate e = Estimator.For(catalog.Get(label.Target)).Estimate(graph);
            Assert.Equal(e.LatencyMs, label.LatencyMs);
            Assert.Equal(e.EnergyMj, label.EnergyMj);
            Assert.Equal(e.PeakRamKb, label.PeakRamKb);
            Assert.Equal(e.FlashKb, label.FlashKb);
            Assert.Equal("estimate", label.Source);
            Assert.True(label.LatencyMs > 0);
        }
        // The graph on disk is the space's sample: the same operators, tensors and wiring as sampling it again
        // (the quantisation scales differ: the exporter turns the builder's placeholders into real ones).
        SpaceSample sample = SearchSpaces.Get("kws").Sample(3, 2);
        OpGraph onDisk = OpGraph.FromModel(TfliteReader.ReadFile(DatasetLayout.GraphPath(dir.Path, "kws-s3-000002")));
        Assert.Equal(GraphStructure.Of(sample.Graph), GraphStructure.Of(onDisk));
        Assert.Equal(sample.Graph.TotalMacs, onDisk.TotalMacs);
    }

    [Fact]
    public void Sample_i_depends_only_on_space_seed_and_i()
    {
        using var small = new TempFolder();
        using var large = new TempFolder();
        using var other = new TempFolder();
        Builds.Run(Builds.Kws(3), small.Path);
        Builds.Run(Builds.Kws(6), large.Path);
        Builds.Run(Builds.Kws(3, seed: 4), other.Path);
        for (int i = 0; i < 3; i++)
        {
            string id = $"kws-s3-{i:D6}";
            Assert.Equal(File.ReadAllBytes(DatasetLayout.GraphPath(small.Path, id)), File.ReadAllBytes(DatasetLayout.GraphPath(large.Path, id)));
        }
        Assert.True(File.Exists(DatasetLayout.GraphPath(other.Path, "kws-s4-000000")));
        Assert.NotEqual(File.ReadAllBytes(DatasetLayout.GraphPath(small.Path, "kws-s3-000000")),
            File.ReadAllBytes(DatasetLayout.GraphPath(other.Path, "kws-s4-000000")));
    }

    [Fact]
    public void A_cancelled_build_resumes_to_the_uninterrupted_result()
    {
        using var whole = new TempFolder();
        using var cut = new TempFolder();
        Builds.Run(Builds.Kws(12), whole.Path);

        using var cancel = new CancellationTokenSource();
        var progress = new SyncProgress<BuildProgress>(p =>
        {
            if (p.Done >= 4)
            {
                cancel.Cancel();
            }
        });
        Assert.ThrowsAny<OperationCanceledException>(() => Builds.Run(Builds.Kws(12), cut.Path, 2, progress, cancel.Token));
        Assert.False(File.Exists(Path.Combine(cut.Path, "dataset.json")));
        Assert.False(File.Exists(Path.Combine(cut.Path, "labels.csv")));
        int recorded = Directory.GetFiles(Path.Combine(cut.Path, "records")).Length;
        Assert.InRange(recorded, 4, 11);

        BuildResult resumed = Builds.Run(Builds.Kws(12), cut.Path);
        Assert.Equal(recorded, resumed.Resumed);
        Assert.Equal(12 - recorded, resumed.Built);
        FolderSnapshot.AssertSame(whole.Path, cut.Path);
    }

    [Fact]
    public void Damaged_and_half_written_files_are_rebuilt_and_the_rest_kept()
    {
        using var whole = new TempFolder();
        using var damaged = new TempFolder();
        Builds.Run(Builds.Kws(8), whole.Path);
        Builds.Run(Builds.Kws(8), damaged.Path);

        string d = damaged.Path;
        // A kill between graph and record: the graph is there, the record is not.
        File.Delete(DatasetLayout.RecordPath(d, "kws-s3-000001"));
        // A graph cut short (a kill inside a non-atomic copy, or a disk error).
        string graph = DatasetLayout.GraphPath(d, "kws-s3-000003");
        File.WriteAllBytes(graph, File.ReadAllBytes(graph)[..100]);
        // A record cut short.
        string record = DatasetLayout.RecordPath(d, "kws-s3-000005");
        File.WriteAllBytes(record, File.ReadAllBytes(record)[..50]);
        // A graph missing entirely, and leftovers of killed atomic writes.
        File.Delete(DatasetLayout.GraphPath(d, "kws-s3-000006"));
        File.WriteAllText(Path.Combine(d, "graphs", ".tmp-kws-s3-000007.tflite.0123"), "partial");
        File.WriteAllText(Path.Combine(d, ".tmp-labels.csv.0456"), "partial");
        // The build was killed before its end: no compacted files yet.
        File.Delete(Path.Combine(d, "dataset.json"));
        File.Delete(Path.Combine(d, "labels.csv"));

        BuildResult r = Builds.Run(Builds.Kws(8), d);
        Assert.Equal((8, 4, 4), (r.Models, r.Built, r.Resumed));
        FolderSnapshot.AssertSame(whole.Path, d);
    }

    [Fact]
    public void A_record_that_does_not_match_the_request_is_rebuilt()
    {
        using var whole = new TempFolder();
        using var edited = new TempFolder();
        Builds.Run(Builds.Kws(3), whole.Path);
        Builds.Run(Builds.Kws(3), edited.Path);
        string record = DatasetLayout.RecordPath(edited.Path, "kws-s3-000001");
        System.Text.Json.Nodes.JsonNode json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(record))!;
        json["labels"]!.AsArray().RemoveAt(1); // a record with the cortex-m4 label only
        File.WriteAllText(record, json.ToJsonString(DatasetJson.Options) + "\n");
        BuildResult r = Builds.Run(Builds.Kws(3), edited.Path);
        Assert.Equal((1, 2), (r.Built, r.Resumed));
        FolderSnapshot.AssertSame(whole.Path, edited.Path);
    }

    [Fact]
    public void Rerunning_a_complete_build_changes_nothing()
    {
        using var dir = new TempFolder();
        Builds.Run(Builds.Kws(5), dir.Path);
        SortedDictionary<string, byte[]> before = FolderSnapshot.Of(dir.Path);
        BuildResult again = Builds.Run(Builds.Kws(5), dir.Path);
        Assert.Equal((0, 5), (again.Built, again.Resumed));
        SortedDictionary<string, byte[]> after = FolderSnapshot.Of(dir.Path);
        Assert.Equal(before.Keys, after.Keys);
        Assert.All(before, kv => Assert.Equal(kv.Value, after[kv.Key]));
    }

    [Theory]
    [InlineData(5, 4UL, "seed: 3 vs 4")]
    [InlineData(6, 3UL, "count: 5 vs 6")]
    public void Rerunning_with_other_arguments_is_refused_naming_the_difference(int count, ulong seed, string expected)
    {
        using var dir = new TempFolder();
        Builds.Run(Builds.Kws(5), dir.Path);
        var e = Assert.Throws<DatasetException>(() => Builds.Run(Builds.Kws(count, seed), dir.Path));
        Assert.Contains(expected, e.Message);
        Assert.Contains(dir.Path, e.Message);
    }

    [Fact]
    public void Other_targets_or_another_space_are_refused_too()
    {
        using var dir = new TempFolder();
        using var cancel = new CancellationTokenSource();
        cancel.Cancel(); // even an unfinished build (request.json only) owns its folder
        Assert.ThrowsAny<OperationCanceledException>(() => Builds.Run(Builds.Kws(5), dir.Path, cancel: cancel.Token));
        Assert.True(File.Exists(Path.Combine(dir.Path, "request.json")));
        var targets = Assert.Throws<DatasetException>(() =>
            Builds.Run(new BuildRequest("kws", 5, ["cortex-m7"]) { Seed = 3 }, dir.Path));
        Assert.Contains("targets", targets.Message);
        var space = Assert.Throws<DatasetException>(() =>
            Builds.Run(new BuildRequest("ad", 5, Builds.TwoTargets) { Seed = 3 }, dir.Path));
        Assert.Contains("space: \"kws\" vs \"ad\"", space.Message);
    }

    [Fact]
    public void A_folder_with_other_content_is_refused()
    {
        using var dir = new TempFolder();
        File.WriteAllText(Path.Combine(dir.Path, "notes.txt"), "mine");
        var e = Assert.Throws<DatasetException>(() => Builds.Run(Builds.Kws(2), dir.Path));
        Assert.Contains("notes.txt", e.Message);
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void A_folder_in_use_by_another_writer_is_refused()
    {
        using var dir = new TempFolder();
        using (FolderLock.Acquire(dir.Path))
        {
            var e = Assert.Throws<DatasetException>(() => Builds.Run(Builds.Kws(2), dir.Path));
            // One message, the folder named once (the lock file by its name, not its path again).
            Assert.Equal(
                $"{dir.Path}: another PerfSage process (a dataset build or import) is writing this dataset folder (lock file .lock); "
                + "wait for it to finish, or write to another folder", e.Message);
        }
        Assert.Equal(2, Builds.Run(Builds.Kws(2), dir.Path).Models);
    }

    [Theory]
    [InlineData("cifar", "cortex-m4", "unknown search space 'cifar'")]
    [InlineData("kws", "cortex-m99", "unknown target 'cortex-m99'")]
    public void Unknown_space_or_target_is_a_dataset_exception(string space, string target, string expected)
    {
        using var dir = new TempFolder();
        var e = Assert.Throws<DatasetException>(() => Builds.Run(new BuildRequest(space, 2, [target]), dir.Path));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Targets_are_canonical_sorted_and_deduplicated_in_the_request()
    {
        BuildInfo info = DatasetBuilder.Describe(new BuildRequest("KWS", 3, ["Ethos-U55-128", "cortex-m4", "cortex-m4"]) { Seed = 9 });
        Assert.Equal("kws", info.Space);
        Assert.Equal(["cortex-m4", "ethos-u55-128"], info.Targets);
        Assert.Equal(9UL, info.Seed);
        Assert.Equal(64, info.TargetFiles!["cortex-m4"].Length);
    }

    [Fact]
    public void Manifest_records_what_built_the_folder()
    {
        using var dir = new TempFolder();
        Builds.Run(Builds.Kws(3), dir.Path);
        DatasetManifest m = DatasetJson.ReadManifest(dir.Path);
        Assert.Equal("perfsage.dataset/1", m.Format);
        Assert.Equal(["kws"], m.Spaces);
        Assert.Equal([3UL], m.Seeds);
        Assert.Equal(Builds.TwoTargets, m.Targets);
        Assert.Equal(["estimate"], m.LabelSources);
        Assert.Equal((3, 6), (m.Counts.Models, m.Counts.Labels));
        Assert.Equal(3, m.Counts.LabelsPerTarget["cortex-m4"]);
        Assert.Equal(3, m.Counts.ModelsPerFamily["kws-dscnn"]);
        Assert.Equal(3u, m.SchemaVersions.TfliteSchema);
        BuildInfo b = Assert.Single(m.Builds);
        Assert.Equal(("space", "kws", 3, (ShardSet?)null), (b.Kind, b.Space, b.Count!.Value, b.Shards));
        Assert.Empty(m.Imports);
        Assert.Null(m.Split);
        string json = File.ReadAllText(Path.Combine(dir.Path, "dataset.json"));
        Assert.Contains("\"labels_per_target\"", json);
        Assert.Equal(DatasetBuilder.Describe(Builds.Kws(3)).ToJson() + "\n", File.ReadAllText(Path.Combine(dir.Path, "request.json")));
    }

    [Fact]
    public void Models_csv_lists_family_variant_size_hash_and_knobs()
    {
        using var dir = new TempFolder();
        Builds.Run(Builds.Kws(2), dir.Path);
        List<ModelInfo> models = ModelsCsv.Read(Path.Combine(dir.Path, "models.csv"));
        Assert.Equal(["kws-s3-000000", "kws-s3-000001"], models.Select(m => m.ModelId));
        SpaceSample sample = SearchSpaces.Get("kws").Sample(3, 1);
        ModelInfo m = models[1];
        byte[] bytes = File.ReadAllBytes(DatasetLayout.GraphPath(dir.Path, m.ModelId));
        Assert.Equal(bytes.Length, m.GraphBytes);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), m.GraphSha256);
        Assert.Equal("kws-dscnn", m.Family);
        Assert.Equal(sample.Variant, m.Variant);
        Assert.Equal(sample.Knobs, m.Knobs);
        Assert.Equal("kws seed 3 index 1", m.Origin);
    }

    [Fact]
    public void Labels_csv_uses_the_invariant_culture_whatever_the_current_one()
    {
        using var dir = new TempFolder();
        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            // A culture with a decimal comma (the build runs with invariant globalization, so make one).
            var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            comma.NumberFormat.NumberDecimalSeparator = ",";
            comma.NumberFormat.NumberGroupSeparator = ".";
            CultureInfo.CurrentCulture = comma;
            Assert.Equal("1,5", 1.5.ToString(CultureInfo.CurrentCulture));
            Builds.Run(Builds.Kws(1), dir.Path);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
        string[] lines = File.ReadAllLines(Path.Combine(dir.Path, "labels.csv"));
        Assert.Equal("model_id,target,latency_ms,energy_mj,peak_ram_kb,flash_kb,source", lines[0]);
        Assert.Equal(7, lines[1].Split(',').Length);
        Assert.Matches(@"^kws-s3-000000,cortex-m4,\d+(\.\d+)?(E-?\d+)?,", lines[1]);
    }
}

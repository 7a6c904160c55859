using System.Text.Json.Nodes;
using PerfSage.Graph.Features;
using PerfSage.Model.Nn;
using Xunit;

namespace PerfSage.Model.Tests;

[Collection(TorchStateGroup.Name)]
public sealed class ModelFolderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("perfsage-folder-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static List<GraphFeatures> Features() => TestModels.SmallSamples.Select(s => s.Features).ToList();

    [Fact]
    public void Save_then_load_gives_the_same_predictions_manifest_and_metrics()
    {
        TrainedModel model = TestModels.Small;
        string dir = Path.Combine(_root, "model");
        ModelFolder.Save(model, dir);

        Assert.True(File.Exists(Path.Combine(dir, "manifest.json")));
        Assert.True(File.Exists(Path.Combine(dir, "weights.bin")));
        Assert.True(File.Exists(Path.Combine(dir, "metrics.json")));
        using TrainedModel loaded = ModelFolder.Load(dir);

        float[][] before = model.PredictLog(Features(), 64);
        float[][] after = loaded.PredictLog(Features(), 64);
        Assert.Equal(before, after);
        Assert.Equal(model.Heads, loaded.Heads);
        Assert.Equal(["a", "b"], loaded.Targets);
        Assert.Equal(model.Manifest.Normalisation.NodeMean, loaded.Manifest.Normalisation.NodeMean);
        Assert.Equal(model.Manifest.Heads, loaded.Manifest.Heads);
        Assert.Equal(model.Manifest.Data.MacsMax, loaded.Manifest.Data.MacsMax);
        Assert.Equal(model.Manifest.Data.OpsSeen, loaded.Manifest.Data.OpsSeen);
        Assert.Equal(model.Manifest.Network, loaded.Manifest.Network);
        Assert.Equal(64, loaded.Manifest.WeightsSha256!.Length);
        Assert.Equal(model.Metrics!.Split, loaded.Metrics!.Split);
        Assert.Equal(model.Metrics.Heads, loaded.Metrics.Heads);

        // The manifest is plain snake_case JSON a person can read.
        JsonNode json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")))!;
        Assert.Equal(FeatureSchema.Version, (int)json["feature_schema_version"]!);
        Assert.Equal(3, (long)json["training"]!["seed"]!);
        Assert.Equal("a/latency_ms", (string)json["heads"]![0]!["key"]!);
    }

    [Fact]
    public void Saving_over_an_existing_folder_replaces_it_and_leaves_nothing_behind()
    {
        string dir = Path.Combine(_root, "replace");
        ModelFolder.Save(TestModels.Small, dir);
        File.WriteAllText(Path.Combine(dir, "stale.txt"), "from an older save");
        ModelFolder.Save(TestModels.Chains, dir);

        using TrainedModel loaded = ModelFolder.Load(dir);
        Assert.Equal(["m/latency_ms"], loaded.Heads.Select(h => h.Key));
        Assert.False(File.Exists(Path.Combine(dir, "stale.txt")));
        Assert.Equal(["replace"], Directory.EnumerateFileSystemEntries(_root).Select(Path.GetFileName));
    }

    [Fact]
    public void A_failed_save_leaves_the_previous_model_intact()
    {
        string dir = Path.Combine(_root, "keep");
        ModelFolder.Save(TestModels.Small, dir);
        byte[] weights = File.ReadAllBytes(Path.Combine(dir, "weights.bin"));
        using TrainedModel copy = ModelFolder.Load(dir);
        // metrics.json is written after the weights; a NaN cannot be written as JSON, so the save fails midway.
        copy.Metrics = copy.Metrics! with { Heads = [copy.Metrics.Heads[0] with { MapePercent = double.NaN }] };

        Assert.ThrowsAny<ArgumentException>(() => ModelFolder.Save(copy, dir));

        Assert.Equal(weights, File.ReadAllBytes(Path.Combine(dir, "weights.bin")));
        Assert.Equal(["keep"], Directory.EnumerateFileSystemEntries(_root).Select(Path.GetFileName));
        using TrainedModel disposed = ModelFolder.Load(dir);
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => ModelFolder.Save(disposed, dir));
    }

    /// <summary>The id of a process that has exited: a killed writer's.</summary>
    private static int DeadPid()
    {
        using var process = System.Diagnostics.Process.Start("true")!;
        process.WaitForExit();
        return process.Id;
    }

    /// <summary>A complete model folder of <paramref name="model"/> at <paramref name="path"/>, as Save writes it.</summary>
    private string Complete(TrainedModel model, string path)
    {
        string staging = Path.Combine(_root, "staging-" + Guid.NewGuid().ToString("N"));
        ModelFolder.Save(model, staging);
        Directory.Move(staging, path);
        return path;
    }

    private List<string> Entries() => [.. Directory.EnumerateFileSystemEntries(_root).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal)];

    [Fact]
    public void A_save_killed_between_its_renames_is_finished_by_the_next_load()
    {
        string dir = Path.Combine(_root, "m");
        string token = $"{DeadPid()}-{Guid.NewGuid():N}";
        // The state a kill -9 between "old -> .m.old-*" and ".m.tmp-* -> m" leaves: no m, both folders complete.
        Complete(TestModels.Small, Path.Combine(_root, $".m.old-{token}"));
        Complete(TestModels.Chains, Path.Combine(_root, $".m.tmp-{token}"));
        Assert.Equal([$".m.old-{token}", $".m.tmp-{token}"], Entries());

        using TrainedModel loaded = ModelFolder.Load(dir);

        Assert.Equal(["m/latency_ms"], loaded.Heads.Select(h => h.Key)); // the new model (Chains), not the old one
        Assert.Equal(["m"], Entries());
    }

    [Fact]
    public void A_save_killed_before_its_new_folder_was_complete_gets_the_old_model_back()
    {
        string dir = Path.Combine(_root, "m");
        int dead = DeadPid();
        Complete(TestModels.Small, Path.Combine(_root, $".m.old-{dead}-{Guid.NewGuid():N}"));
        // A new folder cut short (its weights do not match the manifest), and one without a manifest.
        string cut = Complete(TestModels.Chains, Path.Combine(_root, $".m.tmp-{dead}-{Guid.NewGuid():N}"));
        byte[] weights = File.ReadAllBytes(Path.Combine(cut, "weights.bin"));
        File.WriteAllBytes(Path.Combine(cut, "weights.bin"), weights[..(weights.Length / 2)]);
        string bare = Path.Combine(_root, $".m.tmp-{dead}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(bare);
        File.WriteAllBytes(Path.Combine(bare, "weights.bin"), weights);

        Assert.Equal("restored", ModelFolder.Recover(dir));

        using TrainedModel loaded = ModelFolder.Load(dir);
        Assert.Equal(["a", "b"], loaded.Targets); // the old model (Small)
        Assert.Equal(["m"], Entries());
    }

    [Fact]
    public void Leftovers_of_dead_writers_go_and_a_live_writers_folders_are_left_alone()
    {
        string dir = Path.Combine(_root, "m");
        ModelFolder.Save(TestModels.Small, dir);
        int dead = DeadPid();
        Complete(TestModels.Chains, Path.Combine(_root, $".m.old-{dead}-{Guid.NewGuid():N}"));
        Directory.CreateDirectory(Path.Combine(_root, $".m.tmp-{dead}-{Guid.NewGuid():N}"));
        Directory.CreateDirectory(Path.Combine(_root, $".m.tmp-{Guid.NewGuid():N}")); // an older version's name, without a process id
        string live = Path.Combine(_root, $".m.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(live);
        string other = Path.Combine(_root, $".mm.tmp-{dead}-{Guid.NewGuid():N}"); // another model's
        Directory.CreateDirectory(other);

        using (TrainedModel loaded = ModelFolder.Load(dir))
        {
            Assert.Equal(["a", "b"], loaded.Targets); // m was there: nothing is swapped in
        }
        Assert.Equal(["m", Path.GetFileName(live), Path.GetFileName(other)], Entries().Where(n => n != "m").Prepend("m").ToList());
        Assert.Equal(3, Entries().Count);

        // A model folder missing while a live writer's complete folder waits: not taken, the writer may still rename it.
        Directory.Delete(dir, recursive: true);
        Directory.Delete(live);
        Complete(TestModels.Chains, live);
        Assert.Null(ModelFolder.Recover(dir));
        Assert.Throws<ModelFormatException>(() => ModelFolder.Load(dir));
        Assert.True(Directory.Exists(live));
    }

    [Fact]
    public void Save_first_finishes_a_killed_swap_then_replaces_the_model_leaving_nothing_behind()
    {
        string dir = Path.Combine(_root, "m");
        string token = $"{DeadPid()}-{Guid.NewGuid():N}";
        Complete(TestModels.Small, Path.Combine(_root, $".m.old-{token}"));
        Complete(TestModels.Small, Path.Combine(_root, $".m.tmp-{token}"));

        ModelFolder.Save(TestModels.Chains, dir);

        using TrainedModel loaded = ModelFolder.Load(dir);
        Assert.Equal(["m/latency_ms"], loaded.Heads.Select(h => h.Key));
        Assert.Equal(["m"], Entries());
    }

    [Fact]
    public void Corrupt_or_missing_files_are_refused_naming_the_file()
    {
        string dir = Path.Combine(_root, "bad");
        ModelFolder.Save(TestModels.Small, dir);
        string manifest = Path.Combine(dir, "manifest.json");
        string weights = Path.Combine(dir, "weights.bin");
        string goodManifest = File.ReadAllText(manifest);
        byte[] goodWeights = File.ReadAllBytes(weights);

        // A flipped byte in the weights.
        byte[] flipped = (byte[])goodWeights.Clone();
        flipped[flipped.Length / 2] ^= 0xFF;
        File.WriteAllBytes(weights, flipped);
        var e = Assert.Throws<ModelFormatException>(() => ModelFolder.Load(dir));
        Assert.Contains(weights, e.Message, StringComparison.Ordinal);
        Assert.Contains("SHA-256", e.Message, StringComparison.Ordinal);

        // Truncated weights whose checksum was updated to match: too small for the network the manifest describes.
        byte[] truncated = goodWeights[..(goodWeights.Length / 3)];
        File.WriteAllBytes(weights, truncated);
        File.WriteAllText(manifest, SetField(goodManifest, "weights_sha256", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(truncated))));
        e = Assert.Throws<ModelFormatException>(() => ModelFolder.Load(dir));
        Assert.StartsWith($"{weights}: holds {truncated.Length:N0} bytes, too few for the network manifest.json describes", e.Message, StringComparison.Ordinal);

        // Without a checksum the weights would go unchecked: refused.
        File.WriteAllText(manifest, SetField(goodManifest, "weights_sha256", null));
        e = Assert.Throws<ModelFormatException>(() => ModelFolder.Load(dir));
        Assert.Equal($"{manifest}: weights_sha256: is missing; it is required, so that corrupt or substituted weights are detected", e.Message);
        File.WriteAllText(manifest, goodManifest);

        File.Delete(weights);
        e = Assert.Throws<ModelFormatException>(() => ModelFolder.Load(dir));
        Assert.Contains(weights, e.Message, StringComparison.Ordinal);
        Assert.Contains("missing", e.Message, StringComparison.Ordinal);
        File.WriteAllBytes(weights, goodWeights);

        File.WriteAllText(manifest, goodManifest[..(goodManifest.Length / 2)]);
        e = Assert.Throws<ModelFormatException>(() => ModelFolder.Load(dir));
        Assert.Contains(manifest, e.Message, StringComparison.Ordinal);
        Assert.Contains("not valid", e.Message, StringComparison.Ordinal);

        File.Delete(manifest);
        e = Assert.Throws<ModelFormatException>(() => ModelFolder.Load(dir));
        Assert.Contains(manifest, e.Message, StringComparison.Ordinal);
        Assert.Contains("missing", e.Message, StringComparison.Ordinal);

        Assert.Throws<ModelFormatException>(() => ModelFolder.Load(Path.Combine(_root, "nothing-here")));
    }

    [Fact]
    public void A_model_of_another_feature_schema_version_is_refused()
    {
        string dir = Path.Combine(_root, "v2");
        ModelFolder.Save(TestModels.Small, dir);
        string manifest = Path.Combine(dir, "manifest.json");
        File.WriteAllText(manifest, SetField(File.ReadAllText(manifest), "feature_schema_version", 2));

        var e = Assert.Throws<ModelFormatException>(() => ModelFolder.Load(dir));
        Assert.Contains("feature schema version 2", e.Message, StringComparison.Ordinal);
        Assert.Contains($"version {FeatureSchema.Version}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Features_of_another_schema_version_are_refused_at_prediction()
    {
        var old = new GraphFeatures(2, 1, new float[3], [3], [], [], [], new float[2], 0);
        var e = Assert.Throws<ModelFormatException>(() => TestModels.Small.PredictLog([old], 1));
        Assert.Contains("schema version 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Weights_file_is_the_parameters_by_name()
    {
        // The weights are TorchSharp's state-dict format; a fresh net of the manifest's shape loads them strictly.
        TrainedModel model = TestModels.Small;
        byte[] weights = NetRunner.SaveWeights(model.Net);
        using var net = new PerfSageNet(model.Manifest.Network, model.Manifest.Heads.Select(Trainer.ToSpec).ToList());
        NetRunner.LoadWeights(net, weights);
        Assert.Equal(weights, NetRunner.SaveWeights(net));
        Assert.Contains(net.named_parameters(), p => p.name == "heads.a/peak_ram_kb.node.0.weight");
        Assert.Contains(net.named_parameters(), p => p.name == "convs.2.lin_neighbour.weight");
    }

    private static string SetField(string json, string field, JsonNode? value)
    {
        JsonNode root = JsonNode.Parse(json)!;
        root[field] = value;
        return root.ToJsonString();
    }
}

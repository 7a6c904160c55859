using System.Reflection;
using System.Text.Json.Nodes;
using Xunit;

namespace PerfSage.Model.Tests;

/// <summary>Crafted manifests (issue #11, item 10): every field a load depends on is bounded before libtorch allocates anything.</summary>
[Collection(TorchStateGroup.Name)]
public sealed class ManifestValidatorTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("perfsage-manifest-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A saved copy of the small test model and the path of its manifest.</summary>
    private (string Dir, string Manifest, string Good) Saved(string name)
    {
        string dir = Path.Combine(_root, name);
        ModelFolder.Save(TestModels.Small, dir);
        string manifest = Path.Combine(dir, "manifest.json");
        return (dir, manifest, File.ReadAllText(manifest));
    }

    public static TheoryData<string, string, string> Hostile => new()
    {
        // name, JSON edit (path=value, value parsed as JSON; "-" removes), the message after "<manifest>: "
        { "huge-hidden", "network.hidden_size=100000", "network.hidden_size: 100000 is outside 1..4096" },
        { "zero-embedding", "network.embedding_size=0", "network.embedding_size: 0 is outside 1..4096" },
        { "many-layers", "network.layer_count=17", "network.layer_count: 17 is outside 0..16" },
        { "dot-target", "heads.0.target=\"a.x\"", "heads[0].target: target 'a.x' is not a valid target name (letters, digits, '_' and '-', starting with a letter or digit, at most 64 characters)" },
        { "slash-target", "heads.0.target=\"a/x\"", "heads[0].target: target 'a/x' is not a valid target name (letters, digits, '_' and '-', starting with a letter or digit, at most 64 characters)" },
        { "bad-metric", "heads.0.metric=\"speed\"", "heads[0].metric: 'speed' is not a metric (latency_ms, energy_mj, peak_ram_kb, flash_kb)" },
        { "key-mismatch", "heads.0.key=\"b/latency_ms\"", "heads[0].key: 'b/latency_ms' is not 'a/latency_ms' (target/metric)" },
        { "huge-offset", "heads.0.log_offset=1e300", "heads[0].log_offset: 1E+300 is outside ±100 (an ln value)" },
        { "no-heads", "heads=[]", "heads: the manifest lists no heads" },
        { "no-checksum", "weights_sha256=-", "weights_sha256: is missing; it is required, so that corrupt or substituted weights are detected" },
        { "null-checksum", "weights_sha256=null", "weights_sha256: is missing; it is required, so that corrupt or substituted weights are detected" },
        { "short-checksum", "weights_sha256=\"abc\"", "weights_sha256: 'abc' is not a SHA-256 (64 hexadecimal digits)" },
        { "escaping-weights", "weights_file=\"../weights.bin\"", "weights_file: '../weights.bin' must be a plain file name inside the model folder" },
        { "tiny-std", "normalisation.node_std.3=1e-300", "normalisation.node_std[3]: 1E-300 is outside 1E-06..1000000" },
        { "other-split-rule", "data.split_rule=\"fnv-splitmix\"", "data.split_rule: 'fnv-splitmix' is not a split rule this version knows (it splits by 'sha256-seed-id'), so it cannot tell the model's held-out graphs from its training graphs" },
        { "huge-mean", "normalisation.graph_mean.0=1e9", "normalisation.graph_mean[0]: 1000000000 is outside ±1000000" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void A_crafted_field_is_refused_naming_the_manifest_the_field_and_why(string name, string edit, string why)
    {
        (string dir, string manifest, string good) = Saved(name);
        using (ModelFolder.Load(dir))
        {
            // the unedited folder loads: the edit alone is what is refused
        }
        File.WriteAllText(manifest, Edit(good, edit));

        var e = Assert.Throws<ModelFormatException>(() => ModelFolder.Load(dir));
        Assert.Equal($"{manifest}: {why}", e.Message);
    }

    [Fact]
    public void A_network_larger_than_its_weights_file_is_refused_before_it_is_allocated()
    {
        // 4096 wide, 16 layers: hundreds of millions of parameters, against the small model's weights file.
        (string dir, string manifest, string good) = Saved("inflated");
        long weightsBytes = new FileInfo(Path.Combine(dir, "weights.bin")).Length;
        File.WriteAllText(manifest, Edit(Edit(good, "network.hidden_size=4096"), "network.layer_count=16"));

        var e = Assert.Throws<ModelFormatException>(() => ModelFolder.Load(dir));
        Assert.StartsWith($"{Path.Combine(dir, "weights.bin")}: holds {weightsBytes:N0} bytes, too few for the network manifest.json describes (",
            e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_manifest_that_is_a_fifo_is_refused_without_opening_it()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "mkfifo is Linux-only here");
        (string dir, string manifest, _) = Saved("fifo");
        File.Delete(manifest);
        using (var process = System.Diagnostics.Process.Start("mkfifo", [manifest]))
        {
            process.WaitForExit();
            Assert.Equal(0, process.ExitCode);
        }
        // Opening a FIFO for reading blocks until a writer comes; a hang here fails the test by its timeout.
        Task<ModelFormatException> load = Task.Run(() => Assert.Throws<ModelFormatException>(() => ModelFolder.Load(dir)));
        Assert.True(load.Wait(TimeSpan.FromSeconds(60)), "loading a FIFO manifest hung");
        Assert.StartsWith($"{manifest}: is ", load.Result.Message, StringComparison.Ordinal);
        Assert.Contains("not a regular file", load.Result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shipped_model_passes_every_check()
    {
        string root = typeof(ManifestValidatorTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "PerfSageRepoRoot").Value!;
        string dir = Path.Combine(root, "models", "perfsage-default");
        Assert.True(File.Exists(Path.Combine(dir, "manifest.json")), dir);
        using TrainedModel model = ModelFolder.Load(dir);
        Assert.Equal(60, model.Heads.Count); // 13 trained targets + cortex-m3 and cortex-m0plus over the frozen trunk, × 4 metrics
        Assert.Equal(64, model.Manifest.WeightsSha256!.Length);
    }

    /// <summary>Applies <c>a.b.0.c=JSON</c> (or <c>=-</c> to remove the property) to <paramref name="json"/>.</summary>
    private static string Edit(string json, string edit)
    {
        int eq = edit.IndexOf('=', StringComparison.Ordinal);
        string[] path = edit[..eq].Split('.');
        string value = edit[(eq + 1)..];
        JsonNode root = JsonNode.Parse(json)!;
        JsonNode parent = root;
        foreach (string step in path[..^1])
        {
            parent = int.TryParse(step, out int i) ? parent[i]! : parent[step]!;
        }
        string last = path[^1];
        if (value == "-")
        {
            parent.AsObject().Remove(last);
        }
        else if (int.TryParse(last, out int index))
        {
            parent[index] = JsonNode.Parse(value);
        }
        else
        {
            parent[last] = JsonNode.Parse(value);
        }
        return root.ToJsonString();
    }
}

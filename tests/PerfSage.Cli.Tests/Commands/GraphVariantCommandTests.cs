using System.Globalization;
using System.Text.Json;
using PerfSage.Dataset.Spaces;
using PerfSage.Graph;
using PerfSage.Tests.Common;
using PerfSage.Tflite;

namespace PerfSage.Cli.Tests;

/// <summary>
/// The graph a device's measurements mean is chosen from its training labels (#14 item 3). The fixture is a NAS-Bench-201
/// table made here: device <c>dev_pruned</c> costs 0.05 ms per operator of the architecture's pruned graph plus 1e-7 ms per
/// MAC, <c>dev_eager</c> the same of its eager graph; import-nb201 without --graph builds all three variants, and the
/// commands that fit a head must find the right one for each device.
/// </summary>
public class GraphVariantCommandTests
{
    private const int Architectures = 60;

    private static string DefaultModel => Path.Combine(SharedData.RepoRoot, "models", "perfsage-default");

    private static double Law(string arch, Nb201Graph graph)
    {
        OpGraph g = Nb201Space.FromArchString(arch, TensorType.Float32, graph);
        return 0.5 + (0.05 * g.Nodes.Length) + (1e-7 * g.TotalMacs);
    }

    private static string ImportFixture(ScratchFolder tmp)
    {
        var lines = new List<string> { "nb201_index,arch,dev_pruned,dev_eager" };
        for (int i = 0; i < Architectures; i++)
        {
            var arch = new Nb201Arch((i * 257) % Nb201Arch.Count);
            string s = arch.ToString();
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{arch.Index},{s},{Law(s, Nb201Graph.Pruned):R},{Law(s, Nb201Graph.Eager):R}"));
        }
        string csv = tmp.Sub("nb201_fixture.csv");
        File.WriteAllLines(csv, lines);
        string data = tmp.Sub("nb201");
        (int code, _, string stderr) = CliRunner.Run("dataset", "import-nb201", "--csv", csv, "--out", data, "--jobs", "2", "-q");
        Assert.True(code == 0, stderr);
        return data;
    }

    private static JsonElement FewShot(string data, string target, params string[] extra)
    {
        (int code, string stdout, string stderr) = CliRunner.Run(
            ["eval", "--few-shot", "20", "--repeats", "2", "--target", target, "--data", data, "--from", DefaultModel, "--format", "json",
                "--jobs", "2", "-q", .. extra]);
        Assert.True(code == 0, stderr);
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    [Fact]
    public void Few_shot_and_new_target_pick_each_devices_graph_from_its_training_labels_and_graph_forces_one()
    {
        using var tmp = new ScratchFolder();
        string data = ImportFixture(tmp);

        foreach ((string device, string graph) in new[] { ("dev_pruned", "pruned"), ("dev_eager", "eager") })
        {
            JsonElement result = FewShot(data, device).GetProperty("results")[0];
            // Both repeats chose the device's graph (5-fold cross-validation on their 20 training labels).
            JsonElement graphs = result.GetProperty("graphs");
            Assert.Equal([(graph, 2)], graphs.EnumerateObject().Select(p => (p.Name, p.Value.GetInt32())));
        }

        // --graph forces a variant: no choice is made or reported.
        JsonElement forced = FewShot(data, "dev_pruned", "--graph", "converted");
        Assert.False(forced.GetProperty("results")[0].TryGetProperty("graphs", out _));

        string model = tmp.Sub("model");
        (int code, string stdout, string stderr) = CliRunner.Run("train", "--from", DefaultModel, "--data", data,
            "--new-target", "dev_pruned", "--new-target", "dev_eager", "--out", model, "--jobs", "2", "-q");
        Assert.True(code == 0, stderr);
        Assert.Contains("dev_pruned: graph pruned (5-fold mean |ln ratio| ", stdout, StringComparison.Ordinal);
        Assert.Contains("dev_eager: graph eager (5-fold mean |ln ratio| ", stdout, StringComparison.Ordinal);
        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(model, "manifest.json")));
        var heads = manifest.RootElement.GetProperty("heads").EnumerateArray()
            .Where(h => h.GetProperty("target").GetString()!.StartsWith("dev_", StringComparison.Ordinal))
            .ToDictionary(h => h.GetProperty("target").GetString()!);
        Assert.Equal("pruned", heads["dev_pruned"].GetProperty("graph").GetString());
        Assert.Equal("eager", heads["dev_eager"].GetProperty("graph").GetString());
        // Fitted on one graph per architecture: 60 measurements, not 180 graphs (pruned folds some architectures away).
        Assert.InRange(heads["dev_pruned"].GetProperty("train_count").GetInt32(), 40, Architectures);
        Assert.Equal(Architectures, heads["dev_eager"].GetProperty("train_count").GetInt32());

        // An unknown variant, and --graph on data without variants, get one line and exit 2.
        (code, _, stderr) = CliRunner.Run("eval", "--few-shot", "20", "--target", "dev_eager", "--data", data, "--from", DefaultModel,
            "--graph", "folded", "-q");
        Assert.Equal(2, code);
        Assert.Equal($"perfsage: error: --graph folded: {data} has no such graph variant; its variants: converted, eager, pruned", stderr.TrimEnd('\n'));
    }
}

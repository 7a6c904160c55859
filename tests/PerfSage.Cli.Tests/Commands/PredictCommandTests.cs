using System.Globalization;
using System.Text.Json;
using PerfSage.Tests.Common;

namespace PerfSage.Cli.Tests;

[Collection(TinyModelGroup.Name)]
public class PredictCommandTests(TinyModelFixture tiny)
{
    private static readonly string[] Metrics = ["latency_ms", "energy_mj", "peak_ram_kb", "flash_kb"];

    private (int ExitCode, string Stdout, string Stderr) Predict(params string[] args) =>
        CliRunner.Run(["predict", .. args, "--model", tiny.Model]);

    [Fact]
    public void Json_has_every_key_positive_predictions_and_the_reference_estimate_beside_them()
    {
        string model = tiny.Graph(1);
        (int code, string stdout, string stderr) = Predict(model, "--target", "cortex-m7", "-f", "json");
        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement row = Assert.Single(doc.RootElement.EnumerateArray().ToArray());
        Assert.Equal(
            ["model", "target", .. Metrics, "reference", "warnings"],
            row.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(model, row.GetProperty("model").GetString());
        Assert.Equal("cortex-m7", row.GetProperty("target").GetString());
        foreach (string metric in Metrics)
        {
            double value = row.GetProperty(metric).GetDouble();
            Assert.True(value > 0 && double.IsFinite(value), $"{metric} = {value}");
        }
        Assert.Equal(JsonValueKind.Array, row.GetProperty("warnings").ValueKind);

        // The reference block is what `perfsage estimate` says for the same model and target.
        (int estimateCode, string estimateJson, _) = CliRunner.Run("estimate", model, "--target", "cortex-m7", "-f", "json");
        Assert.Equal(0, estimateCode);
        using JsonDocument estimate = JsonDocument.Parse(estimateJson);
        JsonElement expected = estimate.RootElement[0];
        JsonElement reference = row.GetProperty("reference");
        Assert.Equal(Metrics, reference.EnumerateObject().Select(p => p.Name).ToArray());
        foreach (string metric in Metrics)
        {
            Assert.Equal(expected.GetProperty(metric).GetDouble(), reference.GetProperty(metric).GetDouble());
        }
    }

    [Fact]
    public void A_target_the_model_has_no_head_for_exits_2_listing_the_models_targets()
    {
        (int code, string stdout, string stderr) = Predict(tiny.Graph(1), "--target", "cortex-m4");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal($"perfsage: error: target 'cortex-m4': the model {tiny.Model} has no heads for it; its targets: cortex-m7, ethos-u55-128",
            stderr.Trim());
    }

    [Fact]
    public void A_board_whose_target_the_model_has_no_head_for_exits_2_and_estimate_works()
    {
        // nucleo-l4r5zi runs on cortex-m4, which the fixture model has no head for.
        (int code, string stdout, string stderr) = Predict(tiny.Graph(1), "--board", "nucleo-l4r5zi");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("board 'nucleo-l4r5zi': the model", line, StringComparison.Ordinal);
        Assert.Contains("has no heads for its target cortex-m4", line, StringComparison.Ordinal);
        (code, _, stderr) = CliRunner.Run("estimate", tiny.Graph(1), "--board", "nucleo-l4r5zi");
        Assert.True(code == 0, stderr);
    }

    [Fact]
    public void All_targets_gives_one_row_per_model_and_target_in_every_format()
    {
        (int code, string stdout, string stderr) = Predict(tiny.Graph(1), tiny.Graph(2), "--all-targets", "-f", "csv");
        Assert.True(code == 0, stderr);
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("model,target,latency_ms,energy_mj,peak_ram_kb,flash_kb,ref_latency_ms,ref_energy_mj,ref_peak_ram_kb,ref_flash_kb,warnings,error", lines[0]);
        Assert.Equal(
            [$"{tiny.Graph(1)},cortex-m7", $"{tiny.Graph(1)},ethos-u55-128", $"{tiny.Graph(2)},cortex-m7", $"{tiny.Graph(2)},ethos-u55-128"],
            lines[1..].Select(l => string.Join(',', l.Split(',')[..2])).ToArray());
        // The same four predictions per row as the JSON output gives, in the same order.
        (code, string json, stderr) = Predict(tiny.Graph(1), tiny.Graph(2), "--all-targets", "-f", "json");
        Assert.True(code == 0, stderr);
        using (JsonDocument doc = JsonDocument.Parse(json))
        {
            JsonElement[] rows = [.. doc.RootElement.EnumerateArray()];
            Assert.Equal(4, rows.Length);
            for (int i = 0; i < rows.Length; i++)
            {
                string[] cells = lines[i + 1].Split(',');
                Assert.Equal(cells[0], rows[i].GetProperty("model").GetString());
                Assert.Equal(cells[1], rows[i].GetProperty("target").GetString());
                for (int m = 0; m < Metrics.Length; m++)
                {
                    Assert.Equal(rows[i].GetProperty(Metrics[m]).GetDouble(), double.Parse(cells[2 + m], CultureInfo.InvariantCulture));
                }
            }
        }

        (code, stdout, stderr) = Predict(tiny.Graph(1), "-t", "ethos-u55-128");
        Assert.True(code == 0, stderr);
        foreach (string label in new[] { "latency [ms]", "energy [mJ]", "peak RAM [kB]", "flash [kB]", "predicted", "reference" })
        {
            Assert.Contains(label, stdout);
        }
    }

    [SkippableFact]
    public void A_graph_unlike_the_training_data_carries_warnings_naming_the_ops_never_seen()
    {
        string resnet = SharedData.Require("models/mlperf_tiny/pretrainedResnet_quant.tflite");
        // Independent oracle: the op types the inventory lists for the file, less those the model's manifest says it saw.
        string inventory = SharedData.Require("models/inventory.csv");
        string line = File.ReadLines(inventory).Single(l => l.StartsWith("mlperf_tiny/pretrainedResnet_quant.tflite,", StringComparison.Ordinal));
        string opTypes = line.Split('"')[1];
        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(tiny.Model, "manifest.json")));
        HashSet<string> seen = manifest.RootElement.GetProperty("data").GetProperty("ops_seen").EnumerateArray().Select(e => e.GetString()!).ToHashSet();
        string[] unseen = opTypes.Split(", ").Where(op => !seen.Contains(op)).Order(StringComparer.Ordinal).ToArray();
        Assert.NotEmpty(unseen); // the KWS space has no residual ADD

        (int code, string stdout, string stderr) = Predict(resnet, "-t", "cortex-m7", "-f", "json");
        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        string[] warnings = doc.RootElement[0].GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToArray();
        Assert.Contains("ops never seen in training: " + string.Join(", ", unseen), warnings);

        (code, stdout, _) = Predict(resnet, "-t", "cortex-m7");
        Assert.Equal(0, code);
        Assert.Contains($"warning: {resnet} on cortex-m7: ops never seen in training: ", stdout);
    }

    [Fact]
    public void A_missing_model_folder_exits_2_saying_how_to_get_one()
    {
        string missing = tiny.Sub("no-model");
        (int code, _, string stderr) = CliRunner.Run("predict", tiny.Graph(1), "-t", "cortex-m7", "--model", missing);
        Assert.Equal(2, code);
        Assert.Contains($"{missing}: model folder not found; train one with 'perfsage dataset build", stderr);

        Directory.CreateDirectory(missing);
        (code, _, stderr) = CliRunner.Run("predict", tiny.Graph(1), "-t", "cortex-m7", "--model", missing);
        Assert.Equal(2, code);
        Assert.Contains("not a PerfSage model folder (it has no manifest.json)", stderr);
    }

    [Fact]
    public void A_corrupt_model_file_exits_2_naming_it()
    {
        string bad = tiny.Sub("cut.tflite");
        File.WriteAllBytes(bad, File.ReadAllBytes(tiny.Graph(1))[..600]);
        (int code, string stdout, string stderr) = Predict(bad, "-t", "cortex-m7");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith($"perfsage: error: {bad}: ", stderr);
    }
}

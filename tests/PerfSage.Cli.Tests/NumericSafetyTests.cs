using System.Text.Json;
using System.Text.Json.Nodes;
using PerfSage.Graph;
using PerfSage.Graph.Export;
using PerfSage.Tests.Common;
using PerfSage.Tflite;

namespace PerfSage.Cli.Tests;

/// <summary>
/// Issue #11, items 5, 10, 11 and 13 at the command line: absurd numbers in options, features, manifests and
/// predictions give one line on stderr and exit 2, never a non-finite number, an absurd value reported as a
/// result, or exit 3.
/// </summary>
public sealed class NumericSafetyTests : IDisposable
{
    private readonly ScratchFolder _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private static string Example => Path.Combine(SharedData.RepoRoot, "models", "examples", "kws_dscnn_int8.tflite");

    private static string ShippedModel => Path.Combine(SharedData.RepoRoot, "models", "perfsage-default");

    /// <summary>A copy of the shipped model with <paramref name="edit"/> applied to its manifest.</summary>
    private string EditedShippedModel(string name, Action<JsonNode> edit)
    {
        string dir = _scratch.Sub(name);
        Directory.CreateDirectory(dir);
        foreach (string file in Directory.GetFiles(ShippedModel))
        {
            File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        }
        string manifest = Path.Combine(dir, "manifest.json");
        JsonNode root = JsonNode.Parse(File.ReadAllText(manifest))!;
        edit(root);
        File.WriteAllText(manifest, root.ToJsonString());
        return dir;
    }

    [Theory]
    [InlineData("1e308", "1E+308")]
    [InlineData("1e-320", "1E-320")]
    [InlineData("0.5", "0.5")]
    [InlineData("10000.5", "10000.5")]
    [InlineData("NaN", "NaN")]
    [InlineData("Infinity", "Infinity")]
    public void A_clock_outside_1_to_10000_mhz_exits_2_with_one_line(string given, string echoed)
    {
        foreach (string format in new[] { "table", "json" })
        {
            (int code, string stdout, string stderr) = CliRunner.Run("estimate", Example, "-t", "cortex-m7", "--clock-mhz", given, "-f", format);
            Assert.Equal(2, code);
            Assert.Equal("", stdout);
            Assert.Equal(
                $"perfsage: error: --clock-mhz {echoed}: must be a number from 1 to 10000 MHz (the catalog's cores run at 64 to 1000 MHz)",
                stderr.Trim());
        }
    }

    [Theory]
    [InlineData("1", 216.0)]
    [InlineData("10000", 216.0 / 10000)]
    public void The_clock_bounds_themselves_are_accepted_and_scale_latency(string given, double ratio)
    {
        (int code0, string json0, string err0) = CliRunner.Run("estimate", Example, "-t", "cortex-m7", "-f", "json");
        (int code, string json, string stderr) = CliRunner.Run("estimate", Example, "-t", "cortex-m7", "--clock-mhz", given, "-f", "json");
        Assert.True(code0 == 0, err0);
        Assert.True(code == 0, stderr);
        double at216 = JsonDocument.Parse(json0).RootElement[0].GetProperty("latency_ms").GetDouble();
        double scaled = JsonDocument.Parse(json).RootElement[0].GetProperty("latency_ms").GetDouble();
        Assert.Equal(ratio, scaled / at216, 9); // Cortex-M7's default clock is 216 MHz (data/targets/cortex-m7.json)
    }

    [Theory]
    [InlineData("--lr", "1e3", "--lr 1000: must be a number above 0 and at most 1 (Adam diverges far below that; the default is 3e-3)")]
    [InlineData("--lr", "1e30", "--lr 1E+30: must be a number above 0 and at most 1 (Adam diverges far below that; the default is 3e-3)")]
    [InlineData("--lr", "NaN", "--lr NaN: must be a number above 0 and at most 1 (Adam diverges far below that; the default is 3e-3)")]
    [InlineData("--lr", "0", "--lr 0: must be a number above 0 and at most 1 (Adam diverges far below that; the default is 3e-3)")]
    [InlineData("--epochs", "0", "--epochs must be from 1 to 1000000")]
    [InlineData("--epochs", "2000000", "--epochs must be from 1 to 1000000")]
    [InlineData("--batch-size", "100000", "--batch-size must be from 1 to 65536")]
    [InlineData("--patience", "2000000", "--patience must be from 0 to 1000000")]
    public void Train_refuses_numeric_options_out_of_range_before_reading_data(string option, string value, string message)
    {
        string output = _scratch.Sub("model-" + option.Trim('-') + value);
        (int code, string stdout, string stderr) = CliRunner.Run("train", "--data", _scratch.Sub("no-data"), "--out", output, option, value);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal("perfsage: error: " + message, stderr.Trim());
        Assert.False(Directory.Exists(output));
        Assert.False(Directory.Exists(output + ".partial"));
    }

    [Fact]
    public void A_manifest_asking_for_a_huge_network_exits_2_naming_the_field()
    {
        string model = EditedShippedModel("huge", root => root["network"]!["hidden_size"] = 100000);
        (int code, string stdout, string stderr) = CliRunner.Run("predict", Example, "-t", "cortex-m7", "--model", model, "-f", "json");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal($"perfsage: error: {Path.Combine(model, "manifest.json")}: network.hidden_size: 100000 is outside 1..4096", stderr.Trim());
    }

    [Fact]
    public void A_manifest_without_its_weights_checksum_exits_2()
    {
        string model = EditedShippedModel("unchecked", root => root.AsObject().Remove("weights_sha256"));
        (int code, _, string stderr) = CliRunner.Run("predict", Example, "-t", "cortex-m7", "--model", model);
        Assert.Equal(2, code);
        Assert.Equal(
            $"perfsage: error: {Path.Combine(model, "manifest.json")}: weights_sha256: is missing; it is required, so that corrupt or substituted weights are detected",
            stderr.Trim());
    }

    [Fact]
    public void A_graph_with_absurd_dilation_and_rank_is_predicted_at_the_feature_bounds_with_a_warning()
    {
        string Write(string name, int dilation, int rank)
        {
            var b = new OpGraphBuilder(name);
            int x = b.AddInput([1, 16, 16, 4], TensorType.Int8);
            int c = b.Conv2D(x, 8, 3, 3, dilationH: dilation, dilationW: dilation);
            b.MarkOutput(b.Reshape(c, [.. Enumerable.Repeat(1, rank - 1), 16 * 16 * 8]));
            string path = _scratch.Sub(name + ".tflite");
            File.WriteAllBytes(path, GraphExporter.Write(b.Build(), seed: 1));
            return path;
        }
        string hostile = Write("hostile", int.MaxValue, 100);
        string atBounds = Write("bounds", 64, 8);

        (int code, string stdout, string stderr) = CliRunner.Run("predict", hostile, atBounds, "-t", "cortex-m7", "-f", "json");

        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement h = doc.RootElement[0], bounds = doc.RootElement[1];
        foreach (string metric in new[] { "latency_ms", "energy_mj", "peak_ram_kb", "flash_kb" })
        {
            double v = h.GetProperty(metric).GetDouble();
            Assert.True(v is >= 1e-12 and <= 1e12, $"{metric} = {v}");
            Assert.Equal(bounds.GetProperty(metric).GetDouble(), v);
        }
        Assert.Contains(
            "features outside the range the model accepts were clamped, so the prediction extrapolates: dilation_h = 2147483648 (clamped to 64), "
            + "dilation_w = 2147483648 (clamped to 64), output_rank = 100 (clamped to 8)",
            h.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()));
    }

    [Fact]
    public void A_prediction_that_is_not_plausible_is_an_error_row_in_predict_and_score()
    {
        // ln offset +90 on one head (a manifest may hold up to ±100): its latencies come out near e^90 ms.
        string model = EditedShippedModel("absurd", root =>
        {
            JsonNode head = root["heads"]!.AsArray().Single(h => (string?)h!["key"] == "cortex-m7/latency_ms")!;
            head["log_offset"] = 90.0;
        });

        (int code, string stdout, string stderr) = CliRunner.Run("predict", Example, "-t", "cortex-m7", "-t", "cortex-m4", "--model", model, "-f", "json");
        Assert.Equal(2, code);
        using (JsonDocument doc = JsonDocument.Parse(stdout))
        {
            JsonElement bad = doc.RootElement[0], good = doc.RootElement[1];
            Assert.Equal("cortex-m7", bad.GetProperty("target").GetString());
            Assert.StartsWith("prediction is not finite or not plausible (latency_ms = ", bad.GetProperty("error").GetString(), StringComparison.Ordinal);
            Assert.Equal(JsonValueKind.Null, bad.GetProperty("latency_ms").ValueKind);
            Assert.Equal(JsonValueKind.Null, bad.GetProperty("energy_mj").ValueKind);
            Assert.False(good.TryGetProperty("error", out _));
            // The other target's row is the unedited model's, to the bit.
            (int plainCode, string plain, string plainErr) = CliRunner.Run("predict", Example, "-t", "cortex-m4", "--model", ShippedModel, "-f", "json");
            Assert.True(plainCode == 0, plainErr);
            using JsonDocument unedited = JsonDocument.Parse(plain);
            Assert.Equal(unedited.RootElement[0].GetProperty("latency_ms").GetDouble(), good.GetProperty("latency_ms").GetDouble());
        }
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"perfsage: error: {Example} on cortex-m7: prediction is not finite or not plausible (latency_ms = ", line, StringComparison.Ordinal);

        (code, stdout, _) = CliRunner.Run("predict", Example, "-t", "cortex-m7", "--model", model);
        Assert.Equal(2, code);
        Assert.Contains($"error: {Example} on cortex-m7: no prediction (prediction is not finite or not plausible", stdout);
        Assert.DoesNotContain("∞", stdout);
        Assert.DoesNotContain("Infinity", stdout);

        string csv = _scratch.Sub("scores.csv");
        (code, _, stderr) = CliRunner.Run("score", Example, "-t", "cortex-m7", "-t", "cortex-m4", "--model", model, "--out", csv);
        Assert.Equal(2, code);
        string[] rows = File.ReadAllLines(csv);
        Assert.Equal(3, rows.Length);
        Assert.StartsWith($"{Example},cortex-m7,error: {Example}: prediction is not finite or not plausible", rows[1].Replace("\"", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.StartsWith($"{Example},cortex-m4,ok,", rows[2], StringComparison.Ordinal);
        Assert.Contains("perfsage: error: " + Example + ": prediction is not finite or not plausible", stderr);
    }
}

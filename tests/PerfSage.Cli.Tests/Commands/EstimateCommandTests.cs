using System.Text.Json;
using PerfSage.Tests.Common;

namespace PerfSage.Cli.Tests;

public class EstimateCommandTests
{
    private static string Example => Path.Combine(SharedData.RepoRoot, "models", "examples", "kws_dscnn_int8.tflite");

    private static readonly string[] CatalogIds =
    [
        "cortex-m0plus", "cortex-m3", "cortex-m4", "cortex-m7", "cortex-m33", "cortex-m55", "cortex-m85",
        "ethos-u55-32", "ethos-u55-64", "ethos-u55-128", "ethos-u55-256", "ethos-u65-256", "ethos-u65-512",
        "ethos-u85-128", "ethos-u85-256", "ethos-u85-512", "ethos-u85-1024", "ethos-u85-2048",
        "mali-g76", "adreno-640",
    ];

    [Fact]
    public void Json_all_targets_has_one_object_per_target_with_metrics_and_layers()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("estimate", Example, "--all-targets", "--format", "json");
        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement[] items = doc.RootElement.EnumerateArray().ToArray();
        Assert.Equal(CatalogIds.Order(StringComparer.Ordinal), items.Select(i => i.GetProperty("target").GetString()!).Order(StringComparer.Ordinal));
        foreach (JsonElement item in items)
        {
            foreach (string key in new[] { "latency_ms", "energy_mj", "peak_ram_kb", "flash_kb" })
            {
                Assert.True(item.GetProperty(key).GetDouble() > 0, $"{item.GetProperty("target")}: {key}");
            }
            // The example has 13 operators (inspect shows them); every one appears as a layer.
            Assert.Equal(13, item.GetProperty("layers").GetArrayLength());
            double sum = item.GetProperty("layers").EnumerateArray().Sum(l => l.GetProperty("latency_ms").GetDouble());
            Assert.Equal(item.GetProperty("latency_ms").GetDouble(), sum, 6);
        }
    }

    [Fact]
    public void Clock_override_scales_latency_inversely()
    {
        (int c1, string o1, string e1) = CliRunner.Run("estimate", Example, "--target", "cortex-m7", "--format", "json");
        (int c2, string o2, string e2) = CliRunner.Run("estimate", Example, "--target", "cortex-m7", "--clock-mhz", "108", "--format", "json");
        Assert.True(c1 == 0, e1);
        Assert.True(c2 == 0, e2);
        double at216 = JsonDocument.Parse(o1).RootElement[0].GetProperty("latency_ms").GetDouble();
        double at108 = JsonDocument.Parse(o2).RootElement[0].GetProperty("latency_ms").GetDouble();
        // Cortex-M costs are in cycles; halving the clock from its default 216 MHz doubles the time.
        Assert.Equal(2.0, at108 / at216, 6);
    }

    [Fact]
    public void Stack_moves_cortex_m_latency_reference_slowest_vendor_fastest()
    {
        double Latency(string stack)
        {
            (int code, string stdout, string stderr) = CliRunner.Run("estimate", Example, "-t", "cortex-m4", "--stack", stack, "--format", "json");
            Assert.True(code == 0, stderr);
            return JsonDocument.Parse(stdout).RootElement[0].GetProperty("latency_ms").GetDouble();
        }
        double reference = Latency("tflm-reference"), cmsis = Latency("cmsis-nn"), vendor = Latency("vendor");
        Assert.True(reference > cmsis && cmsis > vendor, $"{reference} {cmsis} {vendor}");
    }

    [Fact]
    public void Unknown_target_exits_2_listing_valid_ids()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("estimate", Example, "--target", "cortex-m99");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        string line = Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains("cortex-m99", line);
        Assert.Contains("ethos-u55-128", line);
    }

    [Fact]
    public void No_target_exits_2()
    {
        (int code, _, string stderr) = CliRunner.Run("estimate", Example);
        Assert.Equal(2, code);
        Assert.Contains("--target", stderr);
    }

    [Fact]
    public void Per_layer_csv_has_a_row_per_operator()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("estimate", Example, "-t", "ethos-u55-128", "--per-layer", "--format", "csv");
        Assert.True(code == 0, stderr);
        string[] lines = stdout.TrimEnd('\n').Split('\n');
        Assert.StartsWith("model,target,op_index,op_type,unit,bound,cycles,latency_ms", lines[0]);
        Assert.Equal(1 + 13, lines.Length);
        Assert.Contains(lines, l => l.Contains(",CONV_2D,npu,", StringComparison.Ordinal));
    }

    [Fact]
    public void Targets_json_lists_the_catalog()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("targets", "--format", "json");
        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        Assert.Equal(CatalogIds.Order(StringComparer.Ordinal),
            doc.RootElement.EnumerateArray().Select(t => t.GetProperty("id").GetString()!).Order(StringComparer.Ordinal));
        JsonElement m7 = doc.RootElement.EnumerateArray().Single(t => t.GetProperty("id").GetString() == "cortex-m7");
        Assert.Equal(216, m7.GetProperty("clock_mhz").GetDouble()); // STM32F746NG, TARGETS.md section 2
    }
}

using System.Text.Json;
using PerfSage.Tests.Common;

namespace PerfSage.Cli.Tests;

/// <summary>
/// <c>--target ethos-u55</c> (a family name) in every command: the same numbers as <c>--target ethos-u55-256</c>, Vela's
/// default configuration (OPTIONS.md, "Accelerator Configuration": "Default: ethos-u55-256"), one stderr line saying so,
/// and <c>target</c> = the configuration, <c>requested</c> = the family in JSON and CSV; bare families refused.
/// </summary>
public class TargetFamilyTests
{
    private const string Line = "perfsage: target ethos-u55 is ethos-u55-256 (Vela's default configuration)";

    private static string Model => Path.Combine(SharedData.RepoRoot, "models", "examples", "kws_dscnn_int8.tflite");

    private static string DefaultModel => Path.Combine(SharedData.RepoRoot, "models", "perfsage-default");

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static void RequireDefaultModel()
    {
        Skip.IfNot(File.Exists(Model), "models/examples/kws_dscnn_int8.tflite is missing");
        Skip.IfNot(File.Exists(Path.Combine(DefaultModel, "manifest.json")), "models/perfsage-default is not trained yet");
    }

    /// <summary>The JSON objects of <paramref name="json"/> (an array, or one object) without <c>requested</c>.</summary>
    private static string WithoutRequested(string json)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        JsonElement[] rows = doc.RootElement.ValueKind == JsonValueKind.Array ? [.. doc.RootElement.EnumerateArray()] : [doc.RootElement];
        return string.Join("\n", rows.Select(r => string.Join(",", r.EnumerateObject().Where(p => p.Name != "requested").Select(p => p.ToString()))));
    }

    private static void AssertTargetAndRequested(string json)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        JsonElement[] rows = doc.RootElement.ValueKind == JsonValueKind.Array ? [.. doc.RootElement.EnumerateArray()] : [doc.RootElement];
        Assert.NotEmpty(rows);
        foreach (JsonElement row in rows)
        {
            Assert.Equal("ethos-u55-256", row.GetProperty("target").GetString());
            Assert.Equal("ethos-u55", row.GetProperty("requested").GetString());
        }
    }

    [SkippableFact]
    public void Quiet_keeps_the_resolution_line_off_stderr()
    {
        Skip.IfNot(File.Exists(Model), "models/examples/kws_dscnn_int8.tflite is missing");
        (int code, string json, string stderr) = CliRunner.Run("estimate", Model, "--target", "ethos-u55", "-f", "json", "-q");
        Assert.True(code == 0, stderr);
        Assert.Equal("", stderr);
        AssertTargetAndRequested(json); // the output still says what was asked
    }

    [SkippableFact]
    public void Estimate_with_the_family_gives_the_default_configurations_numbers_and_says_so_once()
    {
        Skip.IfNot(File.Exists(Model), "models/examples/kws_dscnn_int8.tflite is missing");
        (int code, string familyJson, string stderr) = CliRunner.Run("estimate", Model, "--target", "ethos-u55", "ethos-u55", "-f", "json");
        Assert.True(code == 0, stderr);
        Assert.Equal([Line], Lines(stderr));
        AssertTargetAndRequested(familyJson);

        (code, string exactJson, stderr) = CliRunner.Run("estimate", Model, "--target", "ethos-u55-256", "-f", "json");
        Assert.True(code == 0, stderr);
        Assert.Equal("", stderr);
        Assert.DoesNotContain("requested", exactJson, StringComparison.Ordinal);
        Assert.Equal(WithoutRequested(exactJson), WithoutRequested(familyJson));

        // CSV: "requested" right after "target", only when a family was named; the other cells are the exact id's.
        (code, string familyCsv, _) = CliRunner.Run("estimate", Model, "--target", "ethos-u55", "-f", "csv");
        Assert.Equal(0, code);
        (code, string exactCsv, _) = CliRunner.Run("estimate", Model, "--target", "ethos-u55-256", "-f", "csv");
        Assert.Equal(0, code);
        string[] family = Lines(familyCsv);
        string[] exact = Lines(exactCsv);
        Assert.Equal("model,target,clock_mhz,stack,latency_ms,energy_mj,peak_ram_kb,flash_kb,cycles,unsupported_ops", exact[0]);
        Assert.Equal("model,target,requested,clock_mhz,stack,latency_ms,energy_mj,peak_ram_kb,flash_kb,cycles,unsupported_ops", family[0]);
        Assert.Equal(exact.Length, family.Length);
        for (int i = 1; i < exact.Length; i++)
        {
            List<string> cells = [.. family[i].Split(',')];
            Assert.Equal("ethos-u55", cells[2]);
            cells.RemoveAt(2);
            Assert.Equal(exact[i], string.Join(',', cells));
        }

        // The table shows the configuration's id: the same table as for the exact id.
        (code, string familyTable, _) = CliRunner.Run("estimate", Model, "--target", "ethos-u55");
        Assert.Equal(0, code);
        (code, string exactTable, _) = CliRunner.Run("estimate", Model, "--target", "ethos-u55-256");
        Assert.Equal(0, code);
        Assert.Equal(exactTable, familyTable);
    }

    [SkippableFact]
    public void Estimate_with_ethos_u65_uses_the_widest_configuration_and_says_it_is_our_assumption()
    {
        Skip.IfNot(File.Exists(Model), "models/examples/kws_dscnn_int8.tflite is missing");
        (int code, string stdout, string stderr) = CliRunner.Run("estimate", Model, "--target", "ethos-u65", "-f", "json");
        Assert.True(code == 0, stderr);
        Assert.Equal(["perfsage: target ethos-u65 is ethos-u65-512 (the widest configuration; our assumption, Vela documents no default for the U65)"],
            Lines(stderr));
        using JsonDocument doc = JsonDocument.Parse(stdout);
        Assert.Equal("ethos-u65-512", doc.RootElement[0].GetProperty("target").GetString());
        Assert.Equal("ethos-u65", doc.RootElement[0].GetProperty("requested").GetString());
    }

    [SkippableFact]
    public void Predict_with_the_family_gives_the_default_configurations_prediction()
    {
        RequireDefaultModel();
        (int code, string familyJson, string stderr) = CliRunner.Run("predict", Model, "--target", "ethos-u55", "--model", DefaultModel, "-f", "json");
        Assert.True(code == 0, stderr);
        Assert.Equal([Line], Lines(stderr));
        AssertTargetAndRequested(familyJson);
        (code, string exactJson, stderr) = CliRunner.Run("predict", Model, "--target", "ethos-u55-256", "--model", DefaultModel, "-f", "json");
        Assert.True(code == 0, stderr);
        Assert.Equal("", stderr);
        Assert.DoesNotContain("requested", exactJson, StringComparison.Ordinal);
        Assert.Equal(WithoutRequested(exactJson), WithoutRequested(familyJson));

        (code, string familyCsv, _) = CliRunner.Run("predict", Model, "--target", "ethos-u55", "--model", DefaultModel, "-f", "csv");
        Assert.Equal(0, code);
        (code, string exactCsv, _) = CliRunner.Run("predict", Model, "--target", "ethos-u55-256", "--model", DefaultModel, "-f", "csv");
        Assert.Equal(0, code);
        Assert.StartsWith("model,target,requested,latency_ms,", familyCsv, StringComparison.Ordinal);
        Assert.StartsWith("model,target,latency_ms,", exactCsv, StringComparison.Ordinal);
        Assert.Equal(Lines(exactCsv)[1], Lines(familyCsv)[1].Replace("ethos-u55-256,ethos-u55,", "ethos-u55-256,", StringComparison.Ordinal));

        (code, string familyTable, _) = CliRunner.Run("predict", Model, "--target", "ethos-u55", "--model", DefaultModel);
        Assert.Equal(0, code);
        (code, string exactTable, _) = CliRunner.Run("predict", Model, "--target", "ethos-u55-256", "--model", DefaultModel);
        Assert.Equal(0, code);
        Assert.Equal(exactTable, familyTable);
    }

    [SkippableFact]
    public void Score_with_the_family_writes_the_configuration_and_what_was_asked()
    {
        RequireDefaultModel();
        (int code, string familyCsv, string stderr) = CliRunner.Run("score", Model, "--target", "ethos-u55", "--model", DefaultModel, "--out", "-");
        Assert.True(code == 0, stderr);
        Assert.Equal(Line, Lines(stderr)[0]);
        Assert.Single(Lines(stderr), l => l == Line);
        (code, string exactCsv, stderr) = CliRunner.Run("score", Model, "--target", "ethos-u55-256", "--model", DefaultModel, "--out", "-");
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("ethos-u55 is", stderr, StringComparison.Ordinal);

        string[] family = Lines(familyCsv);
        string[] exact = Lines(exactCsv);
        Assert.Equal("model,target,requested,status,latency_ms,energy_mj,peak_ram_kb,flash_kb,"
            + "ref_latency_ms,ref_energy_mj,ref_peak_ram_kb,ref_flash_kb,sha256,warnings", family[0]);
        Assert.Equal("model,target,status,latency_ms,energy_mj,peak_ram_kb,flash_kb,"
            + "ref_latency_ms,ref_energy_mj,ref_peak_ram_kb,ref_flash_kb,sha256,warnings", exact[0]);
        Assert.Equal(2, family.Length);
        Assert.Equal(exact[1], family[1].Replace("ethos-u55-256,ethos-u55,", "ethos-u55-256,", StringComparison.Ordinal));
        Assert.Contains(",ethos-u55-256,ethos-u55,ok,", family[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Dataset_build_with_the_family_labels_for_the_default_configuration()
    {
        using var scratch = new ScratchFolder();
        (int code, _, string stderr) = CliRunner.Run("dataset", "build", "--space", "kws", "--count", "3", "--target", "ethos-u55",
            "--out", scratch.Sub("family"), "--seed", "5", "-q");
        Assert.True(code == 0, stderr);
        Assert.Equal("", stderr); // -q: the resolution line is a note, like the progress it silences
        (code, _, stderr) = CliRunner.Run("dataset", "build", "--space", "kws", "--count", "3", "--target", "ethos-u55-256",
            "--out", scratch.Sub("exact"), "--seed", "5", "-q");
        Assert.True(code == 0, stderr);
        Assert.Equal("", stderr);
        foreach (string file in new[] { "labels.csv", "models.csv", "request.json" })
        {
            Assert.Equal(File.ReadAllText(Path.Combine(scratch.Sub("exact"), file)), File.ReadAllText(Path.Combine(scratch.Sub("family"), file)));
        }
        string[] labels = Lines(File.ReadAllText(Path.Combine(scratch.Sub("family"), "labels.csv")));
        Assert.Equal(3, labels.Length - 1);
        Assert.All(labels[1..], l => Assert.Equal("ethos-u55-256", l.Split(',')[1]));
    }

    [SkippableFact]
    public void Eval_few_shot_with_the_family_fits_the_default_configuration_of_the_data()
    {
        RequireDefaultModel();
        using var scratch = new ScratchFolder();
        string data = scratch.Sub("data");
        (int code, _, string stderr) = CliRunner.Run("dataset", "build", "--space", "kws", "--count", "16", "--target", "ethos-u55-256",
            "--out", data, "--seed", "9", "-q");
        Assert.True(code == 0, stderr);

        string[] common = ["--few-shot", "8", "--repeats", "1", "--data", data, "--from", DefaultModel, "--seed", "1", "--fit-steps", "10",
            "--jobs", "1", "--format", "json"];
        (code, string familyJson, stderr) = CliRunner.Run(["eval", .. common, "--target", "ethos-u55"]);
        Assert.True(code == 0, stderr);
        Assert.Single(Lines(stderr), l => l == Line);
        AssertTargetAndRequested(familyJson);
        (code, string exactJson, stderr) = CliRunner.Run(["eval", .. common, "--target", "ethos-u55-256"]);
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("ethos-u55 is", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("requested", exactJson, StringComparison.Ordinal);
        Assert.Equal(WithoutRequested(exactJson), WithoutRequested(familyJson));
    }

    [SkippableFact]
    public void Cortex_m_is_refused_in_every_command_with_the_list_of_cores()
    {
        Skip.IfNot(File.Exists(Model), "models/examples/kws_dscnn_int8.tflite is missing");
        const string expected = "perfsage: error: target 'cortex-m' is a family, not a target: name one of cortex-m0plus, cortex-m3, cortex-m33, cortex-m4, cortex-m55, cortex-m7, cortex-m85";
        using var scratch = new ScratchFolder();
        foreach (string[] args in new[]
        {
            new[] { "estimate", Model, "--target", "cortex-m" },
            ["predict", Model, "--target", "cortex-m", "--model", DefaultModel],
            ["score", Model, "--target", "cortex-m", "--model", DefaultModel, "--out", "-"],
            ["dataset", "build", "--space", "kws", "--count", "2", "--target", "cortex-m", "--out", scratch.Sub("d")],
            ["eval", "--few-shot", "8", "--data", scratch.Sub("none"), "--target", "cortex-m"],
        })
        {
            (int code, string stdout, string stderr) = CliRunner.Run(args);
            Assert.True(code == 2, $"{args[0]}: exit {code}: {stderr}");
            Assert.Equal("", stdout);
            Assert.Equal([expected], Lines(stderr));
        }
        Assert.False(Directory.Exists(scratch.Sub("d")));
    }

    [SkippableFact]
    public void Ethos_u85_estimates_as_the_2048_configuration_and_says_so_once()
    {
        Skip.IfNot(File.Exists(Model), "models/examples/kws_dscnn_int8.tflite is missing");
        (int code, string json, string stderr) = CliRunner.Run("estimate", Model, "--target", "ethos-u85", "-f", "json");
        Assert.True(code == 0, stderr);
        Assert.Equal(["perfsage: target ethos-u85 is ethos-u85-2048 (the widest configuration; our assumption, Vela documents no default for the U85)"],
            Lines(stderr));
        (int code2, string json2, string stderr2) = CliRunner.Run("estimate", Model, "--target", "ethos-u85-2048", "-f", "json");
        Assert.True(code2 == 0, stderr2);
        Assert.Equal(WithoutRequested(json2), WithoutRequested(json));
        using JsonDocument doc = JsonDocument.Parse(json);
        JsonElement row = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement[0] : doc.RootElement;
        Assert.Equal("ethos-u85-2048", row.GetProperty("target").GetString());
        Assert.Equal("ethos-u85", row.GetProperty("requested").GetString());
    }

    [SkippableFact]
    public void Predict_with_ethos_u85_exits_2_saying_the_model_has_no_heads_for_it()
    {
        RequireDefaultModel();
        // The shipped model predates the Ethos-U85 targets: until it is retrained with heads for them, predict refuses
        // the family (and any ethos-u85-* id) in one line.
        (int code, string stdout, string stderr) = CliRunner.Run("predict", Model, "--target", "ethos-u85", "--model", DefaultModel);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        string line = Assert.Single(Lines(stderr));
        Assert.StartsWith("perfsage: error: target 'ethos-u85' (ethos-u85-2048): the model ", line);
        Assert.Contains("has no heads for it; its targets: adreno-640, ", line);
    }

    [SkippableFact]
    public void Unknown_names_get_the_same_errors_as_before()
    {
        RequireDefaultModel();
        (int code, _, string stderr) = CliRunner.Run("estimate", Model, "--target", "ethos-u56");
        Assert.Equal(2, code);
        Assert.Equal(["perfsage: error: unknown target 'ethos-u56'; valid targets: adreno-640, cortex-m0plus, cortex-m3, cortex-m33, cortex-m4, cortex-m55, cortex-m7, "
            + "cortex-m85, ethos-u55-128, ethos-u55-256, ethos-u55-32, ethos-u55-64, ethos-u65-256, ethos-u65-512, "
            + "ethos-u85-1024, ethos-u85-128, ethos-u85-2048, ethos-u85-256, ethos-u85-512, mali-g76"], Lines(stderr));

        (code, _, stderr) = CliRunner.Run("predict", Model, "--target", "ethos-u56", "--model", DefaultModel);
        Assert.Equal(2, code);
        string line = Assert.Single(Lines(stderr));
        Assert.StartsWith($"perfsage: error: target 'ethos-u56': the model {DefaultModel} has no heads for it; its targets: ", line, StringComparison.Ordinal);
    }
}

using System.Text.Json;
using PerfSage.Model;

namespace PerfSage.Cli.Tests;

[Collection(TinyModelGroup.Name)]
public class EvalCommandTests(TinyModelFixture tiny)
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public void Eval_prints_accuracy_beside_the_mac_baseline_and_writes_a_png()
    {
        using var tmp = new ScratchFolder();
        string png = Path.Combine(tmp.Path, "plots", "eval.png");
        (int code, string stdout, string stderr) = CliRunner.Run("eval", "--model", tiny.Model, "--data", tiny.Data, "--plot", png);
        Assert.True(code == 0, stderr);
        Assert.Contains($"model {tiny.Model} on the test split ({tiny.IdsIn(Split.Test).Count} graphs):", stdout);
        foreach (string column in new[] { "MAPE [%]", "within 5% [%]", "within 10% [%]", "Spearman", "Kendall tau" })
        {
            Assert.Contains(column, stdout);
        }
        Assert.Equal(8, stdout.Split('\n').Count(l => l.Contains(" perfsage ", StringComparison.Ordinal)));
        Assert.Equal(8, stdout.Split('\n').Count(l => l.Contains(" MAC baseline ", StringComparison.Ordinal)));
        Assert.Contains("MAC baseline: per target and metric: least squares of ln(y) on ln(1 + MACs) and ln(op count)", stdout);

        byte[] image = File.ReadAllBytes(png);
        Assert.Equal(PngSignature, image[..8]);
        Assert.True(image.Length > 10_000, $"{image.Length} bytes");
    }

    [Fact]
    public void Json_statistics_on_the_test_split_equal_the_held_out_metrics_the_trainer_wrote()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("eval", "--model", tiny.Model, "--data", tiny.Data, "-f", "json");
        Assert.True(code == 0, stderr);
        using JsonDocument eval = JsonDocument.Parse(stdout);
        using JsonDocument trained = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(tiny.Model, "metrics.json")));
        Dictionary<string, JsonElement> expected = trained.RootElement.GetProperty("heads").EnumerateArray()
            .ToDictionary(h => h.GetProperty("key").GetString()!);
        JsonElement[] heads = eval.RootElement.GetProperty("heads").EnumerateArray().ToArray();
        Assert.Equal(8, heads.Length);
        Assert.Equal("test", eval.RootElement.GetProperty("split").GetString());
        foreach (JsonElement head in heads)
        {
            JsonElement mine = head.GetProperty("perfsage");
            JsonElement theirs = expected[head.GetProperty("key").GetString()!];
            Assert.Equal(theirs.GetProperty("count").GetInt32(), mine.GetProperty("count").GetInt32());
            Assert.Equal(theirs.GetProperty("mape_percent").GetDouble(), mine.GetProperty("mape_percent").GetDouble(), 9);
            Assert.Equal(theirs.GetProperty("within10_pct_percent").GetDouble(), mine.GetProperty("within10_pct_percent").GetDouble(), 9);
            JsonElement baseline = head.GetProperty("mac_baseline");
            Assert.Equal(tiny.IdsIn(Split.Train).Count, baseline.GetProperty("train_count").GetInt32());
            Assert.Equal(mine.GetProperty("count").GetInt32(), baseline.GetProperty("count").GetInt32());
            Assert.True(baseline.GetProperty("mape_percent").GetDouble() >= 0);
        }
    }

    [Fact]
    public void All_splits_cover_every_graph_and_say_the_numbers_are_optimistic()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("eval", "--model", tiny.Model, "--data", tiny.Data, "--split", "all");
        Assert.True(code == 0, stderr);
        Assert.Contains("on the all split (60 graphs)", stdout);
        Assert.Contains("note: the all split includes graphs the model may have been trained on", stdout);
    }

    [Fact]
    public void Eval_without_labels_the_model_predicts_exits_2()
    {
        using var tmp = new ScratchFolder();
        string other = tmp.Sub("m4");
        Assert.Equal(0, CliRunner.Run("dataset", "build", "--space", "kws", "--count", "12", "--target", "cortex-m4", "--out", other, "-q").ExitCode);
        (int code, _, string stderr) = CliRunner.Run("eval", "--model", tiny.Model, "--data", other, "--split", "all");
        Assert.Equal(2, code);
        Assert.Contains("the data has no labels the model predicts: the data's targets are cortex-m4, the model's cortex-m7, ethos-u55-128", stderr);
    }
}

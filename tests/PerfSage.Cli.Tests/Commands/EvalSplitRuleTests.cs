namespace PerfSage.Cli.Tests;

/// <summary>A model's manifest records the split rule it was trained with; one that does not (written before the
/// rule was recorded) may have held out other graphs than the ones eval now calls held out.</summary>
[Collection(TinyModelGroup.Name)]
public class EvalSplitRuleTests(TinyModelFixture tiny)
{
    private const string Warning = "the model records no split rule (it was trained before PerfSage recorded one)";

    [Fact]
    public void A_model_trained_now_records_the_rule_and_eval_raises_no_doubt()
    {
        string manifest = File.ReadAllText(Path.Combine(tiny.Model, "manifest.json"));
        Assert.Contains("\"split_rule\": \"sha256-seed-id\"", manifest, StringComparison.Ordinal);
        (int code, _, string stderr) = CliRunner.Run("eval", "--model", tiny.Model, "--data", tiny.Data);
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain(Warning, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_without_a_recorded_rule_on_data_without_splits_gets_a_warning()
    {
        using var tmp = new ScratchFolder();
        string copy = tmp.Sub("old-model");
        Directory.CreateDirectory(copy);
        foreach (string file in Directory.GetFiles(tiny.Model))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }
        string manifestPath = Path.Combine(copy, "manifest.json");
        string manifest = File.ReadAllText(manifestPath);
        string withoutRule = manifest.Replace(",\n    \"split_rule\": \"sha256-seed-id\"", "", StringComparison.Ordinal);
        Assert.NotEqual(manifest, withoutRule);
        File.WriteAllText(manifestPath, withoutRule);

        (int code, _, string stderr) = CliRunner.Run("eval", "--model", copy, "--data", tiny.Data);
        Assert.True(code == 0, stderr);
        string line = Assert.Single(stderr.Split('\n'), l => l.Contains(Warning, StringComparison.Ordinal));
        Assert.Contains($"{tiny.Data} has no splits.csv", line, StringComparison.Ordinal);
        Assert.EndsWith("this test split may include graphs it was trained on", line.TrimEnd(), StringComparison.Ordinal);
    }
}

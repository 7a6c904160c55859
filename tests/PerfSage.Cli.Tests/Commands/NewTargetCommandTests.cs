using System.Globalization;
using System.Text.Json;
using PerfSage.Model;

namespace PerfSage.Cli.Tests;

/// <summary><c>train --new-target</c> and <c>eval --few-shot</c> on the tiny fixture model, with a made-up board whose latency is
/// exactly twice the cortex-m7 reference latency of each fixture graph.</summary>
[Collection(TinyModelGroup.Name)]
public class NewTargetCommandTests(TinyModelFixture tiny)
{
    /// <summary>A hand-made dataset folder: the first <paramref name="count"/> fixture graphs, labelled for "board" only
    /// (2 × their cortex-m7 latency). Returns the folder and the labels by model id.</summary>
    private (string Dir, Dictionary<string, double> Labels) BoardData(string name, int count)
    {
        string dir = tiny.Sub(name);
        Directory.CreateDirectory(Path.Combine(dir, "graphs"));
        File.WriteAllText(Path.Combine(dir, "dataset.json"), "{\"format\": \"perfsage.dataset/1\"}");
        var labels = new Dictionary<string, double>(StringComparer.Ordinal);
        var lines = new List<string> { "model_id,target,latency_ms,energy_mj,peak_ram_kb,flash_kb,source" };
        foreach (string line in File.ReadLines(Path.Combine(tiny.Data, "labels.csv")).Skip(1))
        {
            string[] cells = line.Split(',');
            if (cells[1] != "cortex-m7" || labels.Count >= count)
            {
                continue;
            }
            double board = 2 * double.Parse(cells[2], CultureInfo.InvariantCulture);
            labels[cells[0]] = board;
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{cells[0]},board,{board:R},,,,measured:board"));
            File.Copy(Path.Combine(tiny.Data, "graphs", cells[0] + ".tflite"), Path.Combine(dir, "graphs", cells[0] + ".tflite"), overwrite: true);
        }
        File.WriteAllLines(Path.Combine(dir, "labels.csv"), lines);
        return (dir, labels);
    }

    /// <summary>Predictions of every fixture graph by every head of <paramref name="heads"/> (the weights are compared bit for
    /// bit in PerfSage.Model.Tests; here the saved folders must predict exactly alike).</summary>
    private List<double?> Predictions(string modelDir, IEnumerable<string> heads)
    {
        using Predictor p = Predictor.Load(modelDir);
        var values = new List<double?>();
        foreach (string target in heads)
        {
            for (int i = 0; i < 20; i++)
            {
                var features = PerfSage.Graph.Features.Featurizer.Featurize(PerfSage.Graph.OpGraph.FromModel(PerfSage.Tflite.TfliteReader.ReadFile(tiny.Graph(i))));
                Prediction r = p.Predict(features, target);
                values.AddRange([r.LatencyMs, r.EnergyMj, r.PeakRamKb, r.FlashKb]);
            }
        }
        return values;
    }

    [Fact]
    public void New_target_adds_a_head_keeps_the_old_weights_bit_identical_and_predicts()
    {
        (string data, _) = BoardData("board-all", 60);
        string output = tiny.Sub("with-board");

        (int code, string stdout, string stderr) = CliRunner.Run("train", "--from", tiny.Model, "--new-target", "board", "--data", data, "--out", output, "--jobs", "2");

        Assert.True(code == 0, stderr);
        Assert.Contains("new head(s) for board", stdout, StringComparison.Ordinal);
        Assert.Equal(Predictions(tiny.Model, TinyModelFixture.Targets), Predictions(output, TinyModelFixture.Targets));
        using (TrainedModel m = ModelFolder.Load(output))
        {
            Assert.True(m.Manifest.Training.FrozenTrunk);
            Assert.Equal(["board", "cortex-m7", "ethos-u55-128"], m.Targets);
        }

        (code, stdout, stderr) = CliRunner.Run("predict", tiny.Graph(0), "--target", "board", "--model", output);
        Assert.True(code == 0, stderr);
        Assert.Contains("no reference estimate", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void New_target_refuses_too_few_labels_an_unknown_target_and_a_known_one()
    {
        (string nine, _) = BoardData("board-9", 9);
        (int code, _, string stderr) = CliRunner.Run("train", "--from", tiny.Model, "--new-target", "board", "--data", nine, "--out", tiny.Sub("x9"));
        Assert.Equal(2, code);
        Assert.Contains("9 labelled graph(s)", stderr, StringComparison.Ordinal);
        Assert.Contains("at least 10", stderr, StringComparison.Ordinal);

        (code, _, stderr) = CliRunner.Run("train", "--from", tiny.Model, "--new-target", "nope", "--data", nine, "--out", tiny.Sub("xn"));
        Assert.Equal(2, code);
        Assert.Contains("has no labels for it; its targets: board", stderr, StringComparison.Ordinal);

        (code, _, stderr) = CliRunner.Run("train", "--from", tiny.Model, "--new-target", "cortex-m7", "--data", tiny.Data, "--out", tiny.Sub("xc"));
        Assert.Equal(2, code);
        Assert.Contains("already has this target", stderr, StringComparison.Ordinal);

        (code, _, stderr) = CliRunner.Run("train", "--new-target", "board", "--data", nine, "--out", tiny.Sub("xf"));
        Assert.Equal(2, code);
        Assert.Contains("--new-target needs --from", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Few_shot_json_has_one_object_per_k_with_means_and_spreads()
    {
        (string data, _) = BoardData("board-fewshot", 60);

        (int code, string stdout, string stderr) = CliRunner.Run("eval", "--few-shot", "20,10", "--repeats", "2", "--data", data, "--target", "board",
            "--from", tiny.Model, "--seed", "3", "--format", "json", "--small-below-ms", "0.5", "--fit-steps", "60", "--jobs", "2");

        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement root = doc.RootElement;
        Assert.Equal("board", root.GetProperty("target").GetString());
        Assert.Equal(60, root.GetProperty("labelled_count").GetInt32());
        JsonElement[] results = [.. root.GetProperty("results").EnumerateArray()];
        Assert.Equal([10, 20], results.Select(r => r.GetProperty("k").GetInt32()));
        foreach (JsonElement r in results)
        {
            int k = r.GetProperty("k").GetInt32();
            Assert.Equal(60 - k, r.GetProperty("test_count").GetDouble());
            foreach (string field in new[] { "mape_pct", "acc10_pct", "spearman", "mape_pct_std", "acc10_pct_std", "spearman_std", "baseline_mape_pct", "baseline_spearman" })
            {
                Assert.Equal(JsonValueKind.Number, r.GetProperty(field).ValueKind);
            }
            Assert.InRange(r.GetProperty("acc10_pct").GetDouble(), 0, 100);
            Assert.InRange(r.GetProperty("spearman").GetDouble(), -1, 1);
            double below = r.GetProperty("below").GetProperty("test_count").GetDouble();
            double above = r.GetProperty("at_or_above").GetProperty("test_count").GetDouble();
            Assert.Equal(60 - k, below + above, 9);
        }

        (code, _, stderr) = CliRunner.Run("eval", "--few-shot", "10,60", "--data", data, "--target", "board", "--from", tiny.Model);
        Assert.Equal(2, code);
        Assert.Contains("k can be at most 59", stderr, StringComparison.Ordinal);
        (code, _, stderr) = CliRunner.Run("eval", "--few-shot", "10,x", "--data", data, "--target", "board", "--from", tiny.Model);
        Assert.Equal(2, code);
        Assert.Contains("'x' is not a positive whole number", stderr, StringComparison.Ordinal);
    }
}

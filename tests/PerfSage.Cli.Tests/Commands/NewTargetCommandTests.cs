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

    /// <summary>A hand-made dataset folder of the first <paramref name="count"/> fixture graphs labelled for two made-up boards:
    /// "board" at 2 × their cortex-m7 reference latency and "board-b" at 3 × their ethos-u55-128 one.</summary>
    private string TwoBoardData(string name, int count)
    {
        string dir = tiny.Sub(name);
        Directory.CreateDirectory(Path.Combine(dir, "graphs"));
        File.WriteAllText(Path.Combine(dir, "dataset.json"), "{\"format\": \"perfsage.dataset/1\"}");
        var lines = new List<string> { "model_id,target,latency_ms,energy_mj,peak_ram_kb,flash_kb,source" };
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(Path.Combine(tiny.Data, "labels.csv")).Skip(1))
        {
            string[] cells = line.Split(',');
            (string board, double factor) = cells[1] switch
            {
                "cortex-m7" => ("board", 2.0),
                "ethos-u55-128" => ("board-b", 3.0),
                _ => ("", 0),
            };
            if (factor == 0 || (!ids.Contains(cells[0]) && ids.Count >= count))
            {
                continue;
            }
            ids.Add(cells[0]);
            double value = factor * double.Parse(cells[2], CultureInfo.InvariantCulture);
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{cells[0]},{board},{value:R},,,,measured:{board}"));
            File.Copy(Path.Combine(tiny.Data, "graphs", cells[0] + ".tflite"), Path.Combine(dir, "graphs", cells[0] + ".tflite"), overwrite: true);
        }
        File.WriteAllLines(Path.Combine(dir, "labels.csv"), lines);
        return dir;
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
    public void Split_train_fits_the_new_head_on_the_train_split_only()
    {
        (string data, Dictionary<string, double> labels) = BoardData("board-split", 60);
        // A hand-written split: the first 36 graphs train, 12 val, 12 test.
        string[] ids = [.. labels.Keys];
        File.WriteAllLines(Path.Combine(data, "splits.csv"),
            ["model_id,split", .. ids.Select((id, i) => $"{id},{(i < 36 ? "train" : i < 48 ? "val" : "test")}")]);
        string output = tiny.Sub("with-board-train");

        (int code, string stdout, string stderr) = CliRunner.Run("train", "--from", tiny.Model, "--new-target", "board", "--data", data,
            "--split", "train", "--out", output, "--jobs", "2", "-q");

        Assert.True(code == 0, stderr);
        Assert.Contains("latency_ms from 36 graphs", stdout, StringComparison.Ordinal);
        Assert.Contains("held-out accuracy of the new heads (test split, written to metrics.json)", stdout, StringComparison.Ordinal);
        HeadAccuracy scored;
        using (TrainedModel m = ModelFolder.Load(output))
        {
            Assert.Equal(36, m.Manifest.Heads.Single(h => h.Key == "board/latency_ms").TrainCount);
            // The new head is scored on the 12 test graphs of the hand-written split, beside the base heads' numbers.
            Assert.Equal("test", m.Metrics!.Split);
            scored = m.Metrics.Heads.Single(h => h.Key == "board/latency_ms");
            Assert.Equal(12, scored.Count);
            using TrainedModel b = ModelFolder.Load(tiny.Model);
            Assert.Equal(b.Metrics!.Heads.Select(h => h.Key).Append("board/latency_ms").Order(StringComparer.Ordinal),
                m.Metrics.Heads.Select(h => h.Key));
        }
        // Its MAPE is what `predict` gives on those 12 files against their labels (2 × the cortex-m7 reference).
        string[] test = [.. ids.Skip(48)];
        (code, stdout, stderr) = CliRunner.Run(["predict", .. test.Select(id => Path.Combine(data, "graphs", id + ".tflite")),
            "--target", "board", "--model", output, "--format", "csv"]);
        Assert.True(code == 0, stderr);
        string[] header = stdout.Split('\n')[0].Split(',');
        int file = Array.IndexOf(header, "model"), latency = Array.IndexOf(header, "latency_ms");
        double mape = 100 * stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line.Split(','))
            .Average(c => Math.Abs(double.Parse(c[latency], CultureInfo.InvariantCulture) / labels[Path.GetFileNameWithoutExtension(c[file])] - 1));
        Assert.Equal(mape, scored.MapePercent, 2);
        (code, _, stderr) = CliRunner.Run("train", "--from", tiny.Model, "--data", data, "--split", "train", "--out", tiny.Sub("x-split"), "-q");
        Assert.Equal(2, code);
        Assert.Contains("--split only applies with --new-target", stderr, StringComparison.Ordinal);
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
    public void Two_new_targets_in_one_run_get_the_heads_of_two_separate_runs()
    {
        string data = TwoBoardData("two-boards", 60);
        string both = tiny.Sub("with-both");

        (int code, string stdout, string stderr) = CliRunner.Run(
            "train", "--from", tiny.Model, "--new-target", "board", "--new-target", "board-b", "--data", data, "--out", both, "--jobs", "2");

        Assert.True(code == 0, stderr);
        Assert.Contains("2 new head(s) for board (latency_ms from 60 graphs), board-b (latency_ms from 60 graphs)", stdout, StringComparison.Ordinal);
        using (TrainedModel m = ModelFolder.Load(both))
        {
            Assert.Equal(["board", "board-b", "cortex-m7", "ethos-u55-128"], m.Targets);
            Assert.True(m.Manifest.Training.FrozenTrunk);
            Assert.Equal(60, m.Manifest.Data.SamplesPerTarget["board"]);
            Assert.Equal(60, m.Manifest.Data.SamplesPerTarget["board-b"]);
        }
        // The old heads predict exactly as before.
        Assert.Equal(Predictions(tiny.Model, TinyModelFixture.Targets), Predictions(both, TinyModelFixture.Targets));

        // Each head is the one a run for its target alone fits (the trunk is shared, the donors are the base model's heads),
        // up to float rounding of the batched trunk pass.
        string onlyA = tiny.Sub("with-board-only");
        string onlyB = tiny.Sub("with-board-b-only");
        Assert.Equal(0, CliRunner.Run("train", "--from", tiny.Model, "--new-target", "board", "--data", data, "--out", onlyA, "--jobs", "2").ExitCode);
        Assert.Equal(0, CliRunner.Run("train", "--from", tiny.Model, "--new-target", "board-b", "--data", data, "--out", onlyB, "--jobs", "2").ExitCode);
        List<double?> together = Predictions(both, ["board", "board-b"]);
        List<double?> apart = [.. Predictions(onlyA, ["board"]), .. Predictions(onlyB, ["board-b"])];
        Assert.Equal(apart.Count, together.Count);
        for (int i = 0; i < apart.Count; i++)
        {
            if (apart[i] is double a)
            {
                Assert.True(together[i] is double t && Math.Abs(t - a) <= 1e-4 * a, $"value {i}: {together[i]} together, {a} apart");
            }
            else
            {
                Assert.Null(together[i]);
            }
        }

        // The new heads learned their boards, 2 × the cortex-m7 and 3 × the ethos-u55-128 reference latency: on the graphs they
        // were fitted on they come within 3 points of the MAPE of the base head of that target times the factor (the best this
        // trunk does for that board).
        var labels = File.ReadLines(Path.Combine(data, "labels.csv")).Skip(1).Select(l => l.Split(','))
            .ToDictionary(c => (c[0], c[1]), c => double.Parse(c[2], CultureInfo.InvariantCulture));
        using Predictor p = Predictor.Load(both);
        foreach ((string board, string reference, double factor) in new[] { ("board", "cortex-m7", 2.0), ("board-b", "ethos-u55-128", 3.0) })
        {
            double ape = 0;
            double ideal = 0;
            int n = 0;
            foreach (((string id, string target), double y) in labels.Where(l => l.Key.Item2 == board))
            {
                var features = PerfSage.Graph.Features.Featurizer.Featurize(PerfSage.Graph.OpGraph.FromModel(
                    PerfSage.Tflite.TfliteReader.ReadFile(Path.Combine(data, "graphs", id + ".tflite"))));
                ape += Math.Abs(p.Predict(features, board).LatencyMs!.Value - y) / y;
                ideal += Math.Abs((factor * p.Predict(features, reference).LatencyMs!.Value) - y) / y;
                n++;
            }
            Assert.Equal(60, n);
            Assert.True(ape <= ideal + (0.03 * n), $"{board}: MAPE {100 * ape / n:F1} %, {factor} × the {reference} head {100 * ideal / n:F1} %");
        }

        (code, _, stderr) = CliRunner.Run("train", "--from", tiny.Model, "--new-target", "board", "--new-target", "board", "--data", data, "--out", tiny.Sub("x2"));
        Assert.Equal(2, code);
        Assert.Contains("--new-target board: given twice", stderr, StringComparison.Ordinal);
        (code, _, stderr) = CliRunner.Run("train", "--from", tiny.Model, "--new-target", "board", "--new-target", "nope", "--data", data, "--out", tiny.Sub("x3"));
        Assert.Equal(2, code);
        Assert.Contains("--new-target nope: ", stderr, StringComparison.Ordinal);
        Assert.Contains("has no labels for it; its targets: board, board-b", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(tiny.Sub("x3")));
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

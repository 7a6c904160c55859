using System.Text.Json;
using PerfSage.Dataset;
using PerfSage.Graph;
using PerfSage.Pipeline;
using PerfSage.Model;
using PerfSage.Tflite;

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
    public void Json_statistics_equal_the_trainers_held_out_metrics_and_a_mac_baseline_fitted_here()
    {
        // The trainer scored its held-out split with TorchSharp: the same engine gives the same figures to 9 places.
        (int code, string stdout, string stderr) = CliRunner.Run("eval", "--model", tiny.Model, "--data", tiny.Data, "-f", "json", "--engine", "torch");
        Assert.True(code == 0, stderr);
        using JsonDocument eval = JsonDocument.Parse(stdout);
        // The managed engine (the default) predicts each value within δ = 1e-4 relative of TorchSharp's (ManagedParityTests).
        // Each |p/y − 1|·100 then moves by at most 100·δ·p/y = δ·(APE + 100) for p above y, less below, so MAPE moves by at
        // most δ·(MAPE + 100).
        (int managedCode, string managedOut, string managedErr) = CliRunner.Run("eval", "--model", tiny.Model, "--data", tiny.Data, "-f", "json");
        Assert.True(managedCode == 0, managedErr);
        using JsonDocument managed = JsonDocument.Parse(managedOut);
        foreach ((JsonElement t, JsonElement m) in eval.RootElement.GetProperty("heads").EnumerateArray()
            .Zip(managed.RootElement.GetProperty("heads").EnumerateArray()))
        {
            double mape = t.GetProperty("perfsage").GetProperty("mape_percent").GetDouble();
            Assert.Equal(mape, m.GetProperty("perfsage").GetProperty("mape_percent").GetDouble(), 1e-4 * (mape + 100));
        }
        using JsonDocument trained = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(tiny.Model, "metrics.json")));
        Dictionary<string, JsonElement> expected = trained.RootElement.GetProperty("heads").EnumerateArray()
            .ToDictionary(h => h.GetProperty("key").GetString()!);
        Dictionary<string, BaselineFigures> baselines = MacBaselineWorkedOutHere();
        JsonElement[] heads = eval.RootElement.GetProperty("heads").EnumerateArray().ToArray();
        Assert.Equal(8, heads.Length);
        Assert.Equal("test", eval.RootElement.GetProperty("split").GetString());
        foreach (JsonElement head in heads)
        {
            string key = head.GetProperty("key").GetString()!;
            JsonElement mine = head.GetProperty("perfsage");
            JsonElement theirs = expected[key];
            Assert.Equal(theirs.GetProperty("count").GetInt32(), mine.GetProperty("count").GetInt32());
            Assert.Equal(theirs.GetProperty("mape_percent").GetDouble(), mine.GetProperty("mape_percent").GetDouble(), 9);
            Assert.Equal(theirs.GetProperty("within10_pct_percent").GetDouble(), mine.GetProperty("within10_pct_percent").GetDouble(), 9);

            // The baseline's figures against the power law fitted in this test from the graphs and labels.csv.
            JsonElement baseline = head.GetProperty("mac_baseline");
            BaselineFigures worked = baselines[key];
            Assert.Equal(tiny.IdsIn(Split.Train).Count, worked.TrainCount); // every training graph is labelled for every head
            Assert.Equal(worked.TrainCount, baseline.GetProperty("train_count").GetInt32());
            Assert.Equal(worked.TestCount, baseline.GetProperty("count").GetInt32());
            Assert.Equal(mine.GetProperty("count").GetInt32(), baseline.GetProperty("count").GetInt32());
            Assert.True(worked.MapePercent > 0.1, $"{key}: {worked.MapePercent} % (an exact fit would not tell a wrong law apart)");
            Assert.Equal(worked.MapePercent, baseline.GetProperty("mape_percent").GetDouble(), 1e-6 * worked.MapePercent);
        }
    }

    private sealed record BaselineFigures(int TrainCount, int TestCount, double MapePercent);

    /// <summary>
    /// The MAC baseline worked out here, apart from the CLI: per target and metric of the fixture's data, ordinary least
    /// squares of ln(y) on [1, ln(1 + MACs), ln(op count)] over the graphs a hash of the id puts in the train split (labels
    /// y &gt; 0 from labels.csv; MACs and op count from the parsed graph), solved by the normal equations of the centred
    /// columns (a column constant over the training graphs is left out), then the MAPE of e^fit on the test split.
    /// </summary>
    private Dictionary<string, BaselineFigures> MacBaselineWorkedOutHere()
    {
        DatasetFolder data = DatasetFolder.Load(tiny.Data);
        var graphs = data.Models.Select(m =>
        {
            OpGraph graph = OpGraph.FromModel(TfliteReader.ReadFile(m.GraphPath));
            return (Model: m, Split: SplitRule.Assign(m.Id), X: new[] { Math.Log(1.0 + graph.TotalMacs), Math.Log(graph.Nodes.Length) });
        }).ToList();
        var figures = new Dictionary<string, BaselineFigures>();
        foreach (string target in data.Targets)
        {
            foreach (Metric metric in MetricNames.All)
            {
                var train = graphs.Where(g => g.Split == Split.Train && g.Model.Label(target, metric) is > 0)
                    .Select(g => (g.X, LnY: Math.Log(g.Model.Label(target, metric)!.Value))).ToList();
                int[] columns = [.. new[] { 0, 1 }.Where(c => train.Any(t => Math.Abs(t.X[c] - train[0].X[c]) > 1e-12))];
                double[] mean = [.. columns.Select(c => train.Average(t => t.X[c]))];
                double meanLnY = train.Average(t => t.LnY);
                // Sxx·b = Sxy over the centred columns; intercept = mean(ln y) − Σ b·mean(x).
                var sxx = new double[columns.Length, columns.Length];
                var sxy = new double[columns.Length];
                foreach ((double[] x, double lnY) in train)
                {
                    for (int i = 0; i < columns.Length; i++)
                    {
                        sxy[i] += (x[columns[i]] - mean[i]) * (lnY - meanLnY);
                        for (int j = 0; j < columns.Length; j++)
                        {
                            sxx[i, j] += (x[columns[i]] - mean[i]) * (x[columns[j]] - mean[j]);
                        }
                    }
                }
                double[] b = columns.Length switch
                {
                    0 => [],
                    1 => [sxy[0] / sxx[0, 0]],
                    _ => Solve2(sxx, sxy),
                };
                double a = meanLnY - Enumerable.Range(0, columns.Length).Sum(i => b[i] * mean[i]);

                double sumApe = 0;
                int testCount = 0;
                foreach (var g in graphs.Where(g => g.Split == Split.Test && g.Model.Label(target, metric) is > 0))
                {
                    double y = g.Model.Label(target, metric)!.Value;
                    double predicted = Math.Exp(a + Enumerable.Range(0, columns.Length).Sum(i => b[i] * g.X[columns[i]]));
                    sumApe += Math.Abs(predicted - y) / y;
                    testCount++;
                }
                figures[$"{target}/{MetricNames.Name(metric)}"] = new BaselineFigures(train.Count, testCount, 100 * sumApe / testCount);
            }
        }
        return figures;
    }

    /// <summary>Cramer's rule for a 2×2 system; the determinant must be well away from zero.</summary>
    private static double[] Solve2(double[,] m, double[] v)
    {
        double det = (m[0, 0] * m[1, 1]) - (m[0, 1] * m[1, 0]);
        Assert.True(Math.Abs(det) > 1e-9 * m[0, 0] * m[1, 1], $"the two regressors are collinear (det {det})");
        return [((v[0] * m[1, 1]) - (m[0, 1] * v[1])) / det, ((m[0, 0] * v[1]) - (v[0] * m[1, 0])) / det];
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

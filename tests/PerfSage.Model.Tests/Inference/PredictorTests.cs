using PerfSage.Graph;
using PerfSage.Graph.Features;
using PerfSage.Tflite;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace PerfSage.Model.Tests;

[Collection(TorchStateGroup.Name)]
public sealed class PredictorTests(ITestOutputHelper output)
{
    [Fact]
    public void Predictions_carry_every_head_of_the_target_and_null_for_the_rest()
    {
        using Predictor predictor = Predictor.FromModel(TestModels.Small);
        GraphFeatures g = TestModels.SmallSamples[3].Features;
        float[] log = TestModels.Small.PredictLog([g], 1)[0]; // heads a/latency, a/peak_ram, b/latency

        Prediction a = predictor.Predict(g, "a");
        Prediction b = predictor.Predict(g, "b");

        Assert.Equal("a", a.Target);
        Assert.Equal(Math.Exp(log[0]), a.LatencyMs!.Value, 9);
        Assert.Equal(Math.Exp(log[1]), a.PeakRamKb!.Value, 9);
        Assert.Null(a.EnergyMj);
        Assert.Null(a.FlashKb);
        Assert.Equal(Math.Exp(log[2]), b.LatencyMs!.Value, 9);
        Assert.Null(b.PeakRamKb);
        Assert.True(predictor.HasTarget("a"));
        var e = Assert.Throws<ArgumentException>(() => predictor.Predict(g, "cortex-m7"));
        Assert.Contains("a, b", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void One_pass_for_several_targets_gives_each_target_what_predict_gives_it()
    {
        using Predictor predictor = Predictor.FromModel(TestModels.Small);
        GraphFeatures g = TestModels.SmallSamples[5].Features;
        float[] log = TestModels.Small.PredictLog([g], 1)[0]; // heads a/latency, a/peak_ram, b/latency

        IReadOnlyList<Prediction> both = predictor.PredictTargets(g, ["b", "a"]);

        Assert.Equal(["b", "a"], both.Select(p => p.Target));
        Assert.Equal(Math.Exp(log[2]), both[0].LatencyMs!.Value, 9);
        Assert.Null(both[0].PeakRamKb);
        Assert.Equal(Math.Exp(log[0]), both[1].LatencyMs!.Value, 9);
        Assert.Equal(Math.Exp(log[1]), both[1].PeakRamKb!.Value, 9);
        Assert.Equal(predictor.Predict(g, "a").Warnings, both[1].Warnings);
        var e = Assert.Throws<ArgumentException>(() => predictor.PredictTargets(g, ["a", "cortex-m7"]));
        Assert.Contains("'cortex-m7'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Batched_predictions_equal_single_ones()
    {
        using Predictor predictor = Predictor.FromModel(TestModels.Small);
        List<GraphFeatures> graphs = TestModels.SmallSamples.Select(s => s.Features).ToList();
        IReadOnlyList<Prediction> many = predictor.PredictMany(graphs, "a", batchSize: 7);
        for (int i = 0; i < graphs.Count; i += 9)
        {
            Prediction one = predictor.Predict(graphs[i], "a");
            Assert.Equal(one.LatencyMs!.Value, many[i].LatencyMs!.Value, one.LatencyMs.Value * 1e-5);
            Assert.Equal(one.PeakRamKb!.Value, many[i].PeakRamKb!.Value, one.PeakRamKb.Value * 1e-5);
        }
    }

    [Fact]
    public void Graphs_outside_the_training_range_or_with_odd_ops_get_warnings()
    {
        using Predictor predictor = Predictor.FromModel(TestModels.Small);
        TrainingDataSummary data = predictor.Manifest.Data;
        Assert.Empty(predictor.Predict(TestModels.SmallSamples.First(s => s.Split == Split.Train).Features, "a").Warnings);

        // 40 layers: more ops and MACs than any 2‥8-layer training chain.
        GraphFeatures big = Featurizer.Featurize(SyntheticGraphs.ConvChain(new Random(1), 40));
        Assert.True(big.NodeCount > data.NodeCountMax);
        IReadOnlyList<string> warnings = predictor.Predict(big, "a").Warnings;
        Assert.Contains(warnings, w => w.Contains("40 ops", StringComparison.Ordinal) && w.Contains("extrapolates", StringComparison.Ordinal));

        var b = new OpGraphBuilder("odd");
        int x = b.AddInput([1, 8, 8, 4], TensorType.Int8);
        x = b.Conv2D(x, 8, 3, 3);
        x = b.AddCustomOperator("ethos-u", [x], [1, 8, 8, 8], TensorType.Int8);
        x = b.AddOperator((BuiltinOperator)250, [x], outputShape: [1, 8, 8, 8]);
        b.MarkOutput(x);
        IReadOnlyList<string> odd = predictor.Predict(Featurizer.Featurize(b.Build()), "a").Warnings;
        Assert.Contains(odd, w => w.StartsWith("1 op(s) with codes newer", StringComparison.Ordinal));
        Assert.Contains(odd, w => w.StartsWith("2 unsupported op(s)", StringComparison.Ordinal));
        Assert.Contains(odd, w => w == "ops never seen in training: CUSTOM:ethos-u, UNKNOWN");
    }

    [Fact]
    public void Ten_thousand_predictions_leave_no_live_tensors_behind()
    {
        using Predictor predictor = Predictor.FromModel(TestModels.Small);
        GraphFeatures g = TestModels.SmallSamples[0].Features;
        predictor.Predict(g, "a");
        ThreadDisposeScopeStatistics stats = DisposeScopeManager.Statistics;
        long baseline = stats.ThreadTotalLiveCount;

        for (int i = 0; i < 10_000; i++)
        {
            predictor.Predict(g, "a");
        }
        long after = stats.ThreadTotalLiveCount;

        // The counter does see a tensor that is not disposed (so the comparison above can fail).
        torch.Tensor leaked = zeros(1);
        long withLeak = stats.ThreadTotalLiveCount;
        leaked.Dispose();
        output.WriteLine($"live tensors: baseline {baseline}, after 10,000 predictions {after}");
        Assert.Equal(baseline, after);
        Assert.Equal(baseline + 1, withLeak);
        Assert.Equal(baseline, stats.ThreadTotalLiveCount);
    }

    [Fact]
    public void Batched_predictions_match_single_ones_for_small_and_deep_graphs()
    {
        // Speed is measured by scripts/bench-predict (warm library prediction per model); here only the values.
        using Predictor predictor = Predictor.FromModel(TestModels.Small);
        // A deeper graph: 60 layers (MobileNet-sized), outside the training range.
        GraphFeatures deep = Featurizer.Featurize(SyntheticGraphs.ConvChain(new Random(2), 60));
        List<GraphFeatures> many = TestModels.SmallSamples.Select(s => s.Features).Take(30).Append(deep).ToList();
        double[] single = many.Select(g => predictor.Predict(g, "a").LatencyMs!.Value).ToArray();
        double[] batched = predictor.PredictMany(many, "a", batchSize: 7).Select(p => p.LatencyMs!.Value).ToArray();
        Assert.Equal(single.Length, batched.Length);
        for (int i = 0; i < single.Length; i++)
        {
            Assert.True(double.IsFinite(single[i]) && single[i] > 0, $"graph {i}: {single[i]}");
            Assert.Equal(single[i], batched[i], single[i] * 1e-5);
        }
    }

    [Fact]
    public void Predictions_from_several_threads_match_sequential_ones()
    {
        using Predictor predictor = Predictor.FromModel(TestModels.Small);
        List<GraphFeatures> graphs = TestModels.SmallSamples.Select(s => s.Features).Take(20).ToList();
        double[] sequential = graphs.Select(g => predictor.Predict(g, "a").LatencyMs!.Value).ToArray();
        var parallel = new double[graphs.Count];
        Parallel.For(0, graphs.Count, new ParallelOptions { MaxDegreeOfParallelism = 4 },
            i => parallel[i] = predictor.Predict(graphs[i], "a").LatencyMs!.Value);
        Assert.Equal(sequential, parallel);
    }

    [Fact]
    public void Evaluation_scores_each_head_on_the_samples_that_carry_its_label()
    {
        using Predictor predictor = Predictor.FromModel(TestModels.Small);
        List<TrainingSample> test = TestModels.SmallSamples.Where(s => s.Split == Split.Test).ToList();
        // Drop target b's label from one sample: b is then scored on one graph fewer.
        test[0] = test[0] with { Labels = test[0].Labels.Where(l => l.Key.Target != "b").ToDictionary(l => l.Key, l => l.Value) };

        EvaluationResult result = Evaluation.Evaluate(TestModels.Small, test, "test");

        HeadAccuracy a = result.Metrics.Heads.Single(h => h.Key == "a/latency_ms");
        HeadAccuracy b = result.Metrics.Heads.Single(h => h.Key == "b/latency_ms");
        Assert.Equal(test.Count, a.Count);
        Assert.Equal(test.Count - 1, b.Count);
        double mape = 100 * test.Average(s =>
            Math.Abs(predictor.Predict(s.Features, "a").LatencyMs!.Value - s.Labels[("a", Metric.LatencyMs)]) / s.Labels[("a", Metric.LatencyMs)]);
        Assert.Equal(mape, a.MapePercent, 4);
        Assert.Equal(a.Count + b.Count + test.Count, result.Points.Count); // + a/peak_ram_kb on every sample
        Assert.Equal(TestModels.Small.Metrics!.Heads.Single(h => h.Key == "b/latency_ms").Count, test.Count);
    }
}

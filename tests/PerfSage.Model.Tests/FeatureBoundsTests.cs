using System.Reflection;
using System.Text.Json.Nodes;
using PerfSage.Graph;
using PerfSage.Graph.Features;
using PerfSage.Tflite;
using Xunit;

namespace PerfSage.Model.Tests;

/// <summary>Raw features far outside any training data (issue #11, item 5): clamped, warned about, and a prediction that is
/// still not a plausible number is an error, never a value.</summary>
[Collection(TorchStateGroup.Name)]
public sealed class FeatureBoundsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("perfsage-bounds-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string ShippedModel => Path.Combine(
        typeof(FeatureBoundsTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "PerfSageRepoRoot").Value!,
        "models", "perfsage-default");

    /// <summary>A dilated conv, then a reshape to <paramref name="rank"/> dimensions (all 1 but the last).</summary>
    internal static OpGraph Hostile(int dilation, int rank)
    {
        var b = new OpGraphBuilder("hostile");
        int x = b.AddInput([1, 16, 16, 4], TensorType.Int8);
        int c = b.Conv2D(x, 8, 3, 3, dilationH: dilation, dilationW: dilation);
        int[] shape = [.. Enumerable.Repeat(1, rank - 1), 16 * 16 * 8];
        b.MarkOutput(b.Reshape(c, shape));
        return b.Build();
    }

    [Fact]
    public void Out_of_range_features_are_listed_with_the_bound_they_are_clamped_to()
    {
        GraphFeatures hostile = Featurizer.Featurize(Hostile(int.MaxValue, 100));
        // The featurizer keeps raw values (caches and schema unchanged); float(2^31 - 1) is 2^31.
        Assert.Equal(2147483648f, hostile.NodeFeatures[FeatureSchema.NodeColumn.DilationH]);
        Assert.Equal(
            ["dilation_h = 2147483648 (clamped to 64)", "dilation_w = 2147483648 (clamped to 64)", "output_rank = 100 (clamped to 8)"],
            FeatureBounds.OutOfRange(hostile));
        Assert.Empty(FeatureBounds.OutOfRange(Featurizer.Featurize(Hostile(64, 8))));
    }

    [Fact]
    public void The_shipped_model_predicts_a_hostile_graph_as_the_graph_at_the_bounds_and_warns()
    {
        using Predictor predictor = Predictor.Load(ShippedModel);
        Prediction hostile = predictor.Predict(Featurizer.Featurize(Hostile(int.MaxValue, 100)), "cortex-m7");
        Prediction atBounds = predictor.Predict(Featurizer.Featurize(Hostile(64, 8)), "cortex-m7");

        Assert.Null(hostile.Error);
        foreach (Metric metric in MetricNames.All)
        {
            double v = hostile.Get(metric)!.Value;
            Assert.True(v is >= Prediction.MinPlausible and <= Prediction.MaxPlausible, $"{metric} = {v}");
            Assert.Equal(atBounds.Get(metric), hostile.Get(metric));
        }
        Assert.Contains(
            "features outside the range the model accepts were clamped, so the prediction extrapolates: dilation_h = 2147483648 (clamped to 64), "
            + "dilation_w = 2147483648 (clamped to 64), output_rank = 100 (clamped to 8)", hostile.Warnings);
        Assert.DoesNotContain(atBounds.Warnings, w => w.Contains("clamped", StringComparison.Ordinal));
    }

    [Fact]
    public void A_head_whose_output_is_not_plausible_gives_an_error_and_no_values()
    {
        // A manifest may carry an ln offset up to ±100; +90 puts every latency of head a/latency_ms near e^90 ms.
        string dir = Path.Combine(_root, "absurd");
        ModelFolder.Save(TestModels.Small, dir);
        string manifest = Path.Combine(dir, "manifest.json");
        JsonNode root = JsonNode.Parse(File.ReadAllText(manifest))!;
        JsonNode head = root["heads"]!.AsArray().Single(h => (string?)h!["key"] == "a/latency_ms")!;
        head["log_offset"] = 90.0;
        File.WriteAllText(manifest, root.ToJsonString());

        using Predictor predictor = Predictor.Load(dir);
        Prediction p = predictor.Predict(TestModels.SmallSamples[0].Features, "a");

        Assert.Null(p.LatencyMs);
        Assert.Null(p.PeakRamKb); // no value of the row is reported, the plausible one included
        Assert.NotNull(p.Error);
        Assert.StartsWith("prediction is not finite or not plausible (latency_ms = ", p.Error, StringComparison.Ordinal);
        Assert.EndsWith("; reported values lie in 1E-12..1E+12)", p.Error, StringComparison.Ordinal);
        // The other target's head is untouched and still predicts.
        Prediction b = predictor.Predict(TestModels.SmallSamples[0].Features, "b");
        Assert.Null(b.Error);
        Assert.True(b.LatencyMs > 0);

        // One pass for several targets (predict --all-targets) applies the same rule to each target.
        IReadOnlyList<Prediction> both = predictor.PredictTargets(TestModels.SmallSamples[0].Features, ["a", "b"]);
        Assert.Null(both[0].LatencyMs);
        Assert.Equal(p.Error, both[0].Error);
        Assert.Null(both[1].Error);
        Assert.Equal(b.LatencyMs, both[1].LatencyMs);

        // Evaluation refuses to score it rather than reporting an infinite MAPE.
        using TrainedModel model = ModelFolder.Load(dir);
        var e = Assert.Throws<ModelFormatException>(() => Evaluation.Evaluate(model, TestModels.SmallSamples, "test"));
        Assert.Contains("the model's a/latency_ms prediction is not finite or not plausible", e.Message, StringComparison.Ordinal);
    }
}

using PerfSage.Graph;
using PerfSage.Graph.Features;
using PerfSage.Tflite;

namespace PerfSage.Model.Tests;

/// <summary>Small builder graphs with labels that are known functions of the graph, for training tests.</summary>
internal static class SyntheticGraphs
{
    /// <summary>The synthetic latency law: 1e-6 ms per MAC plus 0.01 ms per op.</summary>
    public static double LatencyMs(GraphFeatures g) => (1e-6 * g.TotalMacs) + (0.01 * g.NodeCount);

    /// <summary>An int8 chain: input [1, s, s, c] then <paramref name="layers"/> CONV/DW layers of random kernel, stride and width.</summary>
    public static OpGraph ConvChain(Random rng, int layers, string name = "chain")
    {
        var b = new OpGraphBuilder(name);
        int size = rng.Next(8, 33);
        int channels = rng.Next(1, 9);
        int x = b.AddInput([1, size, size, channels], TensorType.Int8);
        for (int l = 0; l < layers; l++)
        {
            int k = rng.Next(3) switch { 0 => 1, 1 => 3, _ => 5 };
            int stride = size >= 8 && rng.Next(3) == 0 ? 2 : 1;
            var act = rng.Next(2) == 0 ? ActivationFunctionType.Relu : ActivationFunctionType.Relu6;
            if (rng.Next(3) == 0)
            {
                x = b.DepthwiseConv2D(x, k, k, stride, stride, Padding.Same, act);
            }
            else
            {
                channels = rng.Next(4, 33);
                x = b.Conv2D(x, channels, k, k, stride, stride, Padding.Same, act);
            }
            size = b.ShapeOf(x)[1];
        }
        b.MarkOutput(x);
        return b.Build();
    }

    /// <summary><paramref name="count"/> chains of 2‥8 layers with <see cref="LatencyMs"/> labels for target
    /// <c>m</c>; every 10th sample validation, every 10th (offset 5) test.</summary>
    public static List<TrainingSample> Samples(int count, int seed, int minLayers = 2, int maxLayers = 8)
    {
        var rng = new Random(seed);
        var samples = new List<TrainingSample>(count);
        for (int i = 0; i < count; i++)
        {
            GraphFeatures f = Featurizer.Featurize(ConvChain(rng, rng.Next(minLayers, maxLayers + 1), $"g{i}"));
            Split split = i % 10 == 0 ? Split.Validation : i % 10 == 5 ? Split.Test : Split.Train;
            var labels = new Dictionary<(string, Metric), double> { [("m", Metric.LatencyMs)] = LatencyMs(f) };
            samples.Add(new TrainingSample($"g{i}", f, labels, split) { Space = "chains" });
        }
        return samples;
    }
}

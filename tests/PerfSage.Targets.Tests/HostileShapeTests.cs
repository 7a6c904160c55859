using PerfSage.Graph;
using PerfSage.Tflite;
using Xunit;

namespace PerfSage.Targets.Tests;

/// <summary>Issue #11: shapes at the tensor bound (one dimension of 2^31 − 1, <see cref="Limits.MaxTensorElements"/>)
/// are costed by every estimator in 64 bits: no exception, no wrapped or non-finite number.</summary>
public sealed class HostileShapeTests
{
    private static readonly TargetCatalog Catalog = TargetCatalog.LoadDefault();

    /// <summary>A 1×1 CONV_2D from an input of depth 2^31 − 1 to one channel.</summary>
    private static OpGraph DeepConv()
    {
        var b = new OpGraphBuilder("deep");
        int x = b.AddInput([1, 1, 1, int.MaxValue], TensorType.Float32);
        b.MarkOutput(b.Conv2D(x, 1, 1, 1));
        return b.Build();
    }

    [Fact]
    public void The_gpu_rounds_a_depth_of_int_max_up_in_64_bits()
    {
        TargetEstimate e = Estimator.For(Catalog.Get("adreno-640")).Estimate(DeepConv());
        LayerEstimate layer = Assert.Single(e.Layers);
        // FP16, channels rounded up to 4: input 2^31 · 2 bytes; weights (2^31 − 1) + bias 1, unpadded, · 2;
        // output 1 channel padded to 4 · 2. A 32-bit rounding wrapped the input to a negative size.
        Assert.Equal(2L * 2_147_483_648 + 2L * 2_147_483_648 + 2 * 4, layer.DramBytes);
        Assert.True(double.IsFinite(e.LatencyMs) && e.LatencyMs > 0, $"latency {e.LatencyMs}");
    }

    /// <summary>An int8 MAX_POOL_2D of a 1×1 map with a window of (2^31 − 1)²: 2^62 taps, inside 64 bits.</summary>
    private static OpGraph HugeWindowPool()
    {
        var b = new OpGraphBuilder("window");
        int x = b.AddInput([1, 1, 1, 1], TensorType.Int8);
        b.MarkOutput(b.AddOperator(BuiltinOperator.MAX_POOL_2D, [x],
            new Pool2DOptions(Padding.Same, 1, 1, int.MaxValue, int.MaxValue, ActivationFunctionType.None)));
        return b.Build();
    }

    [Fact]
    public void Every_target_costs_a_tensor_at_the_bound_with_finite_numbers()
    {
        AssertFinite(DeepConv());
    }

    [Fact]
    public void Every_target_costs_a_huge_pooling_window_with_finite_numbers()
    {
        OpGraph graph = HugeWindowPool();
        Assert.Equal(4_611_686_014_132_420_609L, graph.Nodes[0].Cost.ElementOps); // (2^31 − 1)²
        AssertFinite(graph);
    }

    [Fact]
    public void An_implausible_estimate_is_refused_naming_the_graph_and_the_operator()
    {
        // (2^31 − 1)² pooling taps: at any Cortex-M cost per element the latency is beyond 10^8 ms, so no number
        // may come back as a result.
        var e = Assert.Throws<TargetException>(() => Estimator.For(Catalog.Get("cortex-m4")).Estimate(HugeWindowPool()));
        Assert.StartsWith("window: the cortex-m4 estimate is not plausible (", e.Message, StringComparison.Ordinal);
        Assert.Contains("most likely from operators[0] (MAX_POOL_2D)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plausible_estimate_passes_the_check_unchanged()
    {
        var b = new OpGraphBuilder("small");
        int x = b.AddInput([1, 8, 8, 4], TensorType.Int8);
        b.MarkOutput(b.Conv2D(x, 8, 3, 1));
        OpGraph graph = b.Build();
        TargetEstimate e = Estimator.For(Catalog.Get("cortex-m4")).Estimate(graph);
        Assert.Same(e, EstimatePlausibility.Check(graph, e));
    }

    private static void AssertFinite(OpGraph graph)
    {
        foreach (TargetSpec target in Catalog.Targets)
        {
            TargetEstimate e;
            try
            {
                e = Estimator.For(target).Estimate(graph);
            }
            catch (TargetException)
            {
                continue; // a documented refusal is fine; any other exception fails the test
            }
            Assert.True(double.IsFinite(e.LatencyMs) && e.LatencyMs >= 0, $"{target.Id}: latency {e.LatencyMs}");
            Assert.True(double.IsFinite(e.EnergyMj) && e.EnergyMj >= 0, $"{target.Id}: energy {e.EnergyMj}");
            Assert.True(double.IsFinite(e.PeakRamKb) && e.PeakRamKb >= 0, $"{target.Id}: RAM {e.PeakRamKb}");
            Assert.True(e.Cycles >= 0, $"{target.Id}: cycles {e.Cycles}");
            Assert.All(e.Layers, l => Assert.True(l.Cycles >= 0 && l.SramBytes >= 0 && l.DramBytes >= 0 && l.FlashBytes >= 0,
                $"{target.Id}: layer {l.OpIndex} has a negative count"));
        }
    }
}

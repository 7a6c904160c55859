using PerfSage.Graph;
using PerfSage.Tflite;
using Xunit;

namespace PerfSage.Targets.Tests;

/// <summary>Single-layer (and single-kernel) models costed by hand with the GPU formula:
/// kernel time = max(FLOPs / (η·FP16 peak), bytes / (η_mem·DRAM)) + dispatch, channels rounded up to 4,
/// FP16 activations and weights (2 bytes per element).</summary>
public sealed class MobileGpuEstimatorTests
{
    private static readonly TargetCatalog Catalog = TargetCatalog.LoadDefault();

    // Adreno 640 numbers of the catalog: 1,536 FP32 FLOP/cycle × 2 (FP16) × 585 MHz; 34.1 GB/s at 65%.
    private const double PeakFlopsPerMs = 1536 * 2 * 585 * 1e3;   // 1.797e9 FLOP per ms
    private const double BytesPerMs = 34.1 * 0.65 * 1e6;
    private const double DispatchMs = 0.020;

    [Fact]
    public void Conv_with_a_following_relu_is_one_fused_kernel()
    {
        var b = new OpGraphBuilder("conv-relu");
        int x = b.AddInput([1, 32, 32, 16], TensorType.Float32);
        int c = b.Conv2D(x, 32, 3, 3);
        b.MarkOutput(b.Relu(c));
        TargetEstimate e = Estimator.For(Catalog.Get("adreno-640")).Estimate(b.Build());

        double flops = 2.0 * (32 * 32 * 32 * 9 * 16) + 32 * 32 * 32;          // conv MACs ×2 + one op per ReLU output
        double bytes = 2.0 * (32 * 32 * 16) + 2.0 * (32 * 9 * 16 + 32) + 2.0 * (32 * 32 * 32); // input, weights+bias, ReLU output
        double compute = flops / (0.4 * PeakFlopsPerMs);
        double memory = bytes / BytesPerMs;
        double kernel = Math.Max(compute, memory) + DispatchMs;
        Assert.Equal(kernel, e.LatencyMs, 9);
        Assert.Equal(kernel, e.Layers[0].LatencyMs, 9);
        Assert.Equal(0, e.Layers[1].LatencyMs);
        Assert.Equal(e.Layers[0].Kernel, e.Layers[1].Kernel);
        Assert.Equal(LayerBound.Overhead, e.Layers[0].Bound);           // 13 µs of compute < 20 µs dispatch
        Assert.All(e.Layers, l => Assert.Equal(ExecutionUnit.Gpu, l.Unit));
        Assert.Equal(2000 * e.LatencyMs / 1000, e.EnergyMj, 12);
    }

    [Fact]
    public void Depthwise_on_three_channels_pays_for_four_and_is_memory_bound()
    {
        var b = new OpGraphBuilder("dw3");
        int x = b.AddInput([1, 256, 256, 3], TensorType.Float32);
        b.MarkOutput(b.DepthwiseConv2D(x, 3, 3));
        TargetEstimate e = Estimator.For(Catalog.Get("adreno-640")).Estimate(b.Build());

        double flops = 2.0 * (256 * 256 * 3 * 9) * 4 / 3;                // PHWC4: 3 channels cost as 4
        double bytes = 2.0 * (256 * 256 * 4) * 2 + 2.0 * (27 + 3);     // input and output padded to 4 channels, weights
        double compute = flops / (0.15 * PeakFlopsPerMs);
        double memory = bytes / BytesPerMs;
        Assert.True(memory > compute);
        LayerEstimate layer = Assert.Single(e.Layers);
        Assert.Equal(memory + DispatchMs, layer.LatencyMs, 9);
        Assert.Equal(LayerBound.Dram, layer.Bound);
        Assert.Equal((long)bytes, layer.DramBytes);
    }

    [Fact]
    public void Unsupported_op_splits_the_graph_and_pays_two_synchronisations()
    {
        var b = new OpGraphBuilder("split");
        int x = b.AddInput([1, 16, 16, 16], TensorType.Float32);
        int c1 = b.Conv2D(x, 16, 1, 1);
        int cpu = b.AddCustomOperator("Cpu", [c1], [1, 16, 16, 16], TensorType.Float32);
        b.MarkOutput(b.Conv2D(cpu, 16, 1, 1));
        TargetEstimate e = Estimator.For(Catalog.Get("mali-g76")).Estimate(b.Build());

        UnsupportedOp op = Assert.Single(e.UnsupportedOps);
        Assert.Equal((1, "CUSTOM:Cpu"), (op.OpIndex, op.OpType));
        Assert.Equal([ExecutionUnit.Gpu, ExecutionUnit.Cpu, ExecutionUnit.Gpu], e.Layers.Select(l => l.Unit).ToArray());
        // CPU op: no FLOPs, 5 µs per op, + 250 µs to switch from the GPU; the next conv pays 250 µs to switch back.
        Assert.Equal(0.005 + 0.250, e.Layers[1].LatencyMs, 9);
        Assert.Equal(e.Layers[0].LatencyMs + 0.250, e.Layers[2].LatencyMs, 9);
        Assert.Equal(e.Layers.Sum(l => l.LatencyMs), e.LatencyMs, 9);
    }

    [Fact]
    public void Pad_merges_into_its_convolution_and_constant_dequantize_is_folded()
    {
        var b = new OpGraphBuilder("pad");
        int x = b.AddInput([1, 16, 16, 8], TensorType.Float32);
        int p = b.Pad(x, [0, 0, 1, 1, 1, 1, 0, 0]);
        int c = b.Conv2D(p, 8, 3, 3, padding: Padding.Valid);
        int w = b.AddConstant([1, 16, 16, 8], TensorType.Float16);
        int d = b.Dequantize(w);
        b.MarkOutput(b.Add(c, d));
        TargetEstimate e = Estimator.For(Catalog.Get("adreno-640")).Estimate(b.Build());

        Assert.Equal(e.Layers[0].Kernel, e.Layers[1].Kernel);           // PAD joins the convolution
        Assert.Equal(-1, e.Layers[2].Kernel);                           // DEQUANTIZE of a constant: folded
        Assert.Equal(e.Layers[1].Kernel, e.Layers[3].Kernel);           // ADD fused into the conv kernel
        Assert.Contains(e.Notes, n => n.Contains("DEQUANTIZE", StringComparison.Ordinal));
        Assert.Equal(1, e.Layers.Count(l => l.LatencyMs > 0));
    }

    [Fact]
    public void A_stack_option_is_rejected_on_a_gpu()
    {
        var b = new OpGraphBuilder("g");
        int x = b.AddInput([1, 4], TensorType.Float32);
        b.MarkOutput(b.Relu(x));
        Assert.Throws<TargetException>(() => Estimator.For(Catalog.Get("adreno-640"))
            .Estimate(b.Build(), new EstimateOptions { Stack = CortexMStack.CmsisNn }));
    }
}

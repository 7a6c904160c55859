using PerfSage.Graph;
using PerfSage.Tflite;
using Xunit;

namespace PerfSage.Targets.Tests;

/// <summary>
/// The cores without the DSP extension (<c>cortex-m0plus</c>, <c>cortex-m3</c>): single-layer models costed by hand
/// with numbers typed from their catalog files' derivation (Cortex-M4 <c>tflm-reference</c> fit 6.6713 c/MAC conv,
/// 26.3187 depthwise, 4.527 FC, × the core factor 1.6 (M0+) or 1.1 (M3), × 0.85 for CMSIS-NN's plain C path), not
/// read back from the files.
/// </summary>
public sealed class SmallCoreTests
{
    private static readonly TargetCatalog Catalog = TargetCatalog.LoadDefault();

    [Fact]
    public void Conv_on_cortex_m0plus_cmsis_nn_by_hand()
    {
        var b = new OpGraphBuilder("conv");
        int x = b.AddInput([1, 16, 16, 8], TensorType.Int8);
        b.MarkOutput(b.Conv2D(x, filters: 16, kernelH: 3, kernelW: 3));
        OpGraph g = b.Build();

        TargetEstimate e = Estimator.For(Catalog.Get("cortex-m0plus")).Estimate(g);

        // MACs = 16·16·16·(3·3·8) = 294,912; conv 6.6713 × 1.6 × 0.85 = 9.073 c/MAC (rounded to 4 places in the
        // file); overhead 1000 × 1.6 = 1,600 cycles. Flash stream: 1,216 B / 2.67 B/cycle = 455 cycles, below compute.
        double cycles = 9.073 * 294_912 + 1600;                        // 2,677,336.6
        Assert.Equal("cmsis-nn", e.Stack);
        Assert.Equal(2_677_337L, e.Cycles);
        Assert.Equal(cycles / 64_000.0, e.LatencyMs, 9);               // 64 MHz: 41.83 ms
        Assert.Equal(LayerBound.Compute, Assert.Single(e.Layers).Bound);
        // Energy: 18.4 mW (87 µA/MHz × 64 MHz × 3.3 V) × 41.83 ms.
        Assert.Equal(18.4 * (cycles / 64_000.0) / 1000, e.EnergyMj, 12);
    }

    [Fact]
    public void Depthwise_and_fc_on_cortex_m3_by_hand()
    {
        var b = new OpGraphBuilder("dw-fc");
        int x = b.AddInput([1, 8, 8, 16], TensorType.Int8);
        int d = b.DepthwiseConv2D(x, 3, 3);
        int r = b.Reshape(d, [1, 1024]);
        b.MarkOutput(b.FullyConnected(r, 10));
        OpGraph g = b.Build();

        TargetEstimate e = Estimator.For(Catalog.Get("cortex-m3")).Estimate(g, new EstimateOptions { Stack = CortexMStack.TflmReference });

        // Depthwise: 8·8·16·9 = 9,216 MACs × 26.3187 × 1.1 = 28.9506 c/MAC, + 1,100 overhead = 267,908.7.
        // Weights 144 B + bias 64 B stream in 78 cycles: compute-bound.
        Assert.Equal((long)Math.Round(9_216 * 28.9506 + 1100), e.Layers[0].Cycles);
        // FC: 10,240 MACs × 4.527 × 1.1 = 4.9797 c/MAC, + 1,100 = 52,092.1; weights 10,240 B + bias 40 B at
        // 2.67 B/cycle = 3,850 cycles, below compute.
        LayerEstimate fc = e.Layers[^1];
        Assert.Equal("FULLY_CONNECTED", fc.OpType);
        Assert.Equal((long)Math.Round(10_240 * 4.9797 + 1100), fc.Cycles);
        Assert.Equal(LayerBound.Compute, fc.Bound);
        Assert.Equal(e.Cycles / 72_000.0, e.LatencyMs, 4);            // 72 MHz (cycles rounded to whole)
    }

    [Fact]
    public void Without_simd_int16_costs_what_int8_does_and_float_runs_in_software()
    {
        foreach (string id in new[] { "cortex-m0plus", "cortex-m3" })
        {
            var spec = (CortexMSpec)Catalog.Get(id);
            Assert.Equal(1.0, spec.Int16Factor.Value);
            Assert.Equal(12.0, spec.Float32Factor.Value);
            Assert.True(spec.Float32Factor.IsAssumption);
            // Every cost number of these cores is an assumption (no MLPerf Tiny row measures them).
            Assert.All(spec.Numbers.Where(kv => kv.Key.Contains(".costs.", StringComparison.Ordinal)),
                kv => Assert.True(kv.Value.IsAssumption, kv.Key));
        }
    }

    [Fact]
    public void The_small_cores_are_slower_per_cycle_than_the_m4_on_every_stack()
    {
        var m4 = (CortexMSpec)Catalog.Get("cortex-m4");
        var m3 = (CortexMSpec)Catalog.Get("cortex-m3");
        var m0 = (CortexMSpec)Catalog.Get("cortex-m0plus");
        foreach (CortexMStack stack in CortexMStacks.All)
        {
            foreach (CortexMOpClass c in new[] { CortexMOpClass.Conv, CortexMOpClass.Depthwise, CortexMOpClass.FullyConnected })
            {
                double a4 = m4.Stack(stack)[c].CyclesPerMac;
                double a3 = m3.Stack(stack)[c].CyclesPerMac;
                double a0 = m0.Stack(stack)[c].CyclesPerMac;
                Assert.True(a0 > a3, $"{stack} {c}: M0+ {a0} <= M3 {a3}");
                // No DSP: even CMSIS-NN and vendor code cost at least 0.85 × the M4 reference kernels.
                Assert.True(a3 >= 0.85 * 1.1 * m4.Stack(CortexMStack.TflmReference)[c].CyclesPerMac - 1e-3, $"{stack} {c}");
                Assert.True(stack == CortexMStack.TflmReference || a3 > a4, $"{stack} {c}: M3 {a3} <= M4 {a4}");
            }
        }
    }
}

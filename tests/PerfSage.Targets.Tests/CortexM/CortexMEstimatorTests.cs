using PerfSage.Graph;
using PerfSage.Tflite;
using Xunit;

namespace PerfSage.Targets.Tests;

/// <summary>Single-layer models costed by hand with the formula of <c>CortexMCostModel</c>:
/// cycles = a_mac·MACs + a_el·element ops + a_out·outputs + a_byte·activation bytes + overhead, max'd with
/// the flash stream (weight + bias bytes / flash B/cycle).</summary>
public sealed class CortexMEstimatorTests
{
    private static readonly TargetCatalog Catalog = TargetCatalog.LoadDefault();

    private static CortexMSpec Spec(string id) => (CortexMSpec)Catalog.Get(id);

    [Fact]
    public void Conv_on_cortex_m4_cmsis_nn_by_hand()
    {
        var b = new OpGraphBuilder("conv");
        int x = b.AddInput([1, 16, 16, 8], TensorType.Int8);
        b.MarkOutput(b.Conv2D(x, filters: 16, kernelH: 3, kernelW: 3));
        OpGraph g = b.Build();

        CortexMSpec m4 = Spec("cortex-m4");
        CortexMStackCosts s = m4.Stack(CortexMStack.CmsisNn);
        TargetEstimate e = Estimator.For(m4).Estimate(g);

        long macs = 16 * 16 * 16 * (3 * 3 * 8);                       // 294,912
        double cycles = s[CortexMOpClass.Conv].CyclesPerMac * macs + s.PerOpOverheadCycles.Value;
        double flashCycles = (16 * 3 * 3 * 8 + 16 * 4) / m4.FlashBytesPerCycle.Value; // 1,216 B of weights and bias
        Assert.True(flashCycles < cycles);
        Assert.Equal("cmsis-nn", e.Stack);
        Assert.Equal((long)Math.Round(cycles), e.Cycles);
        Assert.Equal(cycles / (120 * 1000.0), e.LatencyMs, 9);
        LayerEstimate layer = Assert.Single(e.Layers);
        Assert.Equal((0, "CONV_2D", LayerBound.Compute, ExecutionUnit.Cpu, 1216L), (layer.OpIndex, layer.OpType, layer.Bound, layer.Unit, layer.FlashBytes));

        // Arena: input 2,048 B + output 4,096 B + CMSIS-NN im2col scratch 4 B × 9 taps × 8 channels = 288 B, all live
        // at op 0. Tail: 4 tensors × 24 B + 1 op × 56 B + OpData 32 B + 16 channels × 8 B.
        double head = 2048 + 4096 + 288;
        double tail = 4 * 24 + 56 + 32 + 16 * 8;
        Assert.Equal((head + tail) / 1024, e.PeakRamKb, 9);
        // Flash: the builder graph has no file, so its constants (1,216 B) plus the CMSIS-NN runtime.
        Assert.Equal(1216 / 1024.0 + s.RuntimeFlashKb.Value, e.FlashKb, 9);
        Assert.Equal(s.ActivePowerMw.Value * e.LatencyMs / 1000, e.EnergyMj, 12);
        Assert.Empty(e.UnsupportedOps);
    }

    [Fact]
    public void Strided_depthwise_on_cortex_m7_vendor_by_hand()
    {
        var b = new OpGraphBuilder("dw");
        int x = b.AddInput([1, 10, 10, 32], TensorType.Int8);
        b.MarkOutput(b.DepthwiseConv2D(x, 3, 3, strideH: 2, strideW: 2, activation: ActivationFunctionType.Relu));
        OpGraph g = b.Build();

        CortexMSpec m7 = Spec("cortex-m7");
        CortexMStackCosts s = m7.Stack(CortexMStack.Vendor);
        TargetEstimate e = Estimator.For(m7).Estimate(g, new EstimateOptions { Stack = CortexMStack.Vendor });

        long macs = 5 * 5 * 32 * 9;                                   // SAME padding, stride 2: 5×5 output
        double cycles = s[CortexMOpClass.Depthwise].CyclesPerMac * macs + s.PerOpOverheadCycles.Value;
        Assert.Equal((long)Math.Round(cycles), e.Cycles);
        Assert.Equal(cycles / 216_000.0, e.LatencyMs, 9);
        // Vendor stack: no CMSIS-NN scratch; input 3,200 B and output 800 B live together.
        double tail = 4 * 24 + 56 + 32 + 32 * 8;
        Assert.Equal((3200 + 800 + tail) / 1024, e.PeakRamKb, 9);
    }

    [Fact]
    public void Fully_connected_on_cortex_m85_reference_and_flash_bound_with_a_slow_flash()
    {
        var b = new OpGraphBuilder("fc");
        int x = b.AddInput([1, 512], TensorType.Int8);
        b.MarkOutput(b.FullyConnected(x, 256));
        OpGraph g = b.Build();

        CortexMSpec m85 = Spec("cortex-m85");
        CortexMStackCosts s = m85.Stack(CortexMStack.TflmReference);
        var options = new EstimateOptions { Stack = CortexMStack.TflmReference };
        TargetEstimate e = Estimator.For(m85).Estimate(g, options);
        long macs = 512 * 256;
        long flashBytes = 512 * 256 + 256 * 4;                         // int8 weights + int32 bias
        double compute = s[CortexMOpClass.FullyConnected].CyclesPerMac * macs + s.PerOpOverheadCycles.Value;
        Assert.True(flashBytes / m85.FlashBytesPerCycle.Value < compute);
        Assert.Equal((long)Math.Round(compute), e.Cycles);
        Assert.Equal(LayerBound.Compute, e.Layers[0].Bound);

        // The same layer on a board whose flash streams 0.1 B/cycle is bound by flash.
        using var dir = new TempCatalog();
        dir.CopyFromDefault("cortex-m85", edit: j => j["memory"]!["flash_bytes_per_cycle"]!["value"] = 0.1);
        var slow = (CortexMSpec)TargetCatalog.Load(dir.Path).Get("cortex-m85");
        TargetEstimate f = Estimator.For(slow).Estimate(g, options);
        Assert.Equal((long)Math.Round(flashBytes / 0.1), f.Cycles);
        Assert.Equal(LayerBound.Flash, f.Layers[0].Bound);
    }

    [Fact]
    public void Add_reshape_and_softmax_on_cortex_m4_reference_by_hand()
    {
        var b = new OpGraphBuilder("eltwise");
        int x = b.AddInput([1, 8, 8, 16], TensorType.Int8);
        int y = b.AddInput([1, 8, 8, 16], TensorType.Int8);
        int sum = b.Add(x, y);
        int flat = b.Reshape(sum, [1, 1024]);
        b.MarkOutput(b.Softmax(flat));
        OpGraph g = b.Build();

        CortexMSpec m4 = Spec("cortex-m4");
        CortexMStackCosts s = m4.Stack(CortexMStack.TflmReference);
        TargetEstimate e = Estimator.For(m4).Estimate(g, new EstimateOptions { Stack = CortexMStack.TflmReference });
        double overhead = s.PerOpOverheadCycles.Value;
        double add = s[CortexMOpClass.Binary].CyclesPerElementOp * 1024 + overhead;           // one op per output element
        double reshape = s[CortexMOpClass.Reshape].CyclesPerByte * (1024 + 1024) + overhead;   // bytes read + written
        double softmax = s[CortexMOpClass.Softmax].CyclesPerElementOp * 1024 + overhead;       // one op per input element
        Assert.Equal((long)Math.Round(add), e.Layers[0].Cycles);
        Assert.Equal((long)Math.Round(reshape), e.Layers[1].Cycles);
        Assert.Equal((long)Math.Round(softmax), e.Layers[2].Cycles);
        Assert.Equal((long)Math.Round(add + reshape + softmax), e.Cycles);
    }

    [Fact]
    public void Custom_operator_is_listed_and_costed_by_the_fallback_never_zero()
    {
        var b = new OpGraphBuilder("custom");
        int x = b.AddInput([1, 64], TensorType.Int8);
        b.MarkOutput(b.AddCustomOperator("MyOp", [x], [1, 32], TensorType.Int8));
        OpGraph g = b.Build();

        CortexMSpec m4 = Spec("cortex-m4");
        CortexMStackCosts s = m4.Stack(CortexMStack.CmsisNn);
        TargetEstimate e = Estimator.For(m4).Estimate(g);
        UnsupportedOp u = Assert.Single(e.UnsupportedOps);
        Assert.Equal((0, "CUSTOM:MyOp"), (u.OpIndex, u.OpType));
        Assert.Contains("custom operator", u.Reason);
        Assert.Contains("generic", u.CostedAs);
        // The catalog's generic cost: 4 cycles per activation byte (64 B read, 32 B written) + 1,000 cycles of
        // per-op overhead = 1,384 cycles.
        Assert.Equal(1384, e.Cycles);
        Assert.Equal(s[CortexMOpClass.Other].CyclesPerByte * (64 + 32) + s.PerOpOverheadCycles.Value, e.Cycles);
    }

    [Fact]
    public void Float_and_int16_models_use_the_documented_factors()
    {
        CortexMSpec m4 = Spec("cortex-m4");
        long macs = 8 * 8 * 16 * 9 * 8;
        foreach ((TensorType type, CortexMStack coefficients, double factor) in new[]
        {
            (TensorType.Float32, CortexMStack.TflmReference, m4.Float32Factor.Value),
            (TensorType.Int16, CortexMStack.CmsisNn, m4.Int16Factor.Value),
        })
        {
            var b = new OpGraphBuilder("dtype");
            int x = b.AddInput([1, 8, 8, 8], type);
            b.MarkOutput(b.Conv2D(x, 16, 3, 3));
            TargetEstimate e = Estimator.For(m4).Estimate(b.Build());
            CortexMStackCosts s = m4.Stack(coefficients);
            double expected = s[CortexMOpClass.Conv].CyclesPerMac * factor * macs + m4.Stack(CortexMStack.CmsisNn).PerOpOverheadCycles.Value;
            Assert.Equal((long)Math.Round(expected), e.Cycles);
        }
    }

    [Fact]
    public void Clock_override_changes_time_not_cycles_or_energy()
    {
        var b = new OpGraphBuilder("clock");
        int x = b.AddInput([1, 16, 16, 8], TensorType.Int8);
        b.MarkOutput(b.Conv2D(x, 16, 3, 3));
        OpGraph g = b.Build();
        IEstimator est = Estimator.For(Catalog.Get("cortex-m4"));
        TargetEstimate slow = est.Estimate(g);
        TargetEstimate fast = est.Estimate(g, new EstimateOptions { ClockMhz = 240 });
        Assert.Equal(slow.Cycles, fast.Cycles);
        Assert.Equal(240, fast.ClockMhz);
        Assert.Equal(slow.LatencyMs / 2, fast.LatencyMs, 9);
        Assert.Equal(slow.EnergyMj, fast.EnergyMj, 12);
        Assert.Throws<TargetException>(() => est.Estimate(g, new EstimateOptions { ClockMhz = 0 }));
        Assert.Throws<TargetException>(() => est.Estimate(g, new EstimateOptions { ClockMhz = double.NaN }));
    }

    [Fact]
    public void The_stack_moves_cost_per_mac_by_several_times_on_one_core()
    {
        var b = new OpGraphBuilder("stacks");
        int x = b.AddInput([1, 16, 16, 32], TensorType.Int8);
        b.MarkOutput(b.Conv2D(x, 32, 3, 3));
        OpGraph g = b.Build();
        IEstimator est = Estimator.For(Catalog.Get("cortex-m4"));
        double reference = est.Estimate(g, new EstimateOptions { Stack = CortexMStack.TflmReference }).LatencyMs;
        double cmsis = est.Estimate(g, new EstimateOptions { Stack = CortexMStack.CmsisNn }).LatencyMs;
        double vendor = est.Estimate(g, new EstimateOptions { Stack = CortexMStack.Vendor }).LatencyMs;
        Assert.True(reference > cmsis && cmsis > vendor);
        Assert.InRange(reference / vendor, 3, 6); // MLPerf Tiny L4R5ZI: 8.2 → 1.4-1.95 c/MAC depending on the model
    }

    [Fact]
    public void Arena_larger_than_sram_is_noted()
    {
        var b = new OpGraphBuilder("big");
        int x = b.AddInput([1, 256, 256, 8], TensorType.Int8);
        b.MarkOutput(b.Conv2D(x, 16, 1, 1));
        TargetEstimate e = Estimator.For(Catalog.Get("cortex-m7")).Estimate(b.Build());
        Assert.True(e.PeakRamKb > 320);
        Assert.Contains(e.Notes, n => n.Contains("exceeds the 320 KB SRAM", StringComparison.Ordinal));
    }
}

using PerfSage.Graph;
using PerfSage.Tflite;
using Xunit;

namespace PerfSage.Targets.Tests;

/// <summary>
/// Single-layer models whose Ethos-U cycles are worked out by hand from the Vela formulas (TARGETS.md §1.3-1.5).
/// Each test states the block the search must pick and why, then the DPU, output-stage, command-floor, traffic
/// and weight-DMA arithmetic.
/// </summary>
public sealed class EthosUEstimatorTests
{
    private static readonly TargetCatalog Catalog = TargetCatalog.LoadDefault();

    private static EthosUSpec Spec(string id) => (EthosUSpec)Catalog.Get(id);

    [Fact]
    public void Pointwise_conv_on_u55_256_by_hand()
    {
        var b = new OpGraphBuilder("pw");
        int x = b.AddInput([1, 8, 8, 32], TensorType.Int8);
        b.MarkOutput(b.Conv2D(x, filters: 32, kernelH: 1, kernelW: 1));
        OpGraph g = b.Build();
        EthosUSpec u = Spec("ethos-u55-256");
        TargetEstimate e = Estimator.For(u).Estimate(g);

        // Vela's heuristic picks the whole 8×8×32 OFM: it fits SHRAM (IFM 8·8·32 B = 2 banks ×2, accumulators
        // 8·8·32·4 B = 8 banks ×2: 20 of 46 banks) and has the least fetch, (IFM 2048 + weights 1024) / 2048 OFM
        // elements = 1.5, halved because the whole IFM fits in both buffers. Depth-first (C=32: 1 vs 0.25).
        NpuOp op = EthosUSupport.Lower(g, g.Nodes[0], new bool[1]);
        EthosUBlockConfig vela = EthosUBlockConfig.Find(u, op, BlockRanking.VelaFetch);
        Assert.Equal(new Shape3(8, 8, 32), vela.OfmBlock);
        Assert.Equal(0.75, EthosUBlockConfig.RelativeCost(op, vela.OfmBlock, vela.IfmBlock));

        double encoded = 1024 * 1.052 + 32 * 10;                   // encoded weights + 10 B scale/bias per channel
        double full = encoded / 1 + 64;                            // whole stream from flash at 1 B/cycle, latency 64
        double first = encoded * 16 / 32 + 64;                     // first 16-channel slice

        // Cycles with Vela's block: µblock 2×2×8 → 4×4 µblocks in XY, 4 in depth; one kernel step of max(32, 4·16).
        double dpu = 64 * 1 * 4;                                   // 256
        double output = 0.25 * 2048;                               // 512 (bias fetch 10·32·64/256 = 80 is less)
        double command = ((32 + 2048 / 8.0) + (32 + 2048 / 8.0) + output + dpu) / 4;             // 336
        double computeVela = Math.Max(output, Math.Max(dpu, command)) + Math.Min(output, Math.Max(dpu, command)); // 848
        // NPU: 848 + first slice (1397.248 / 2 + 64 = 762.624) = 1610.624 > whole stream 1461.248 > SRAM
        // (2048 + 2048 + 2 · 1397.248) / 8 = 861.312.
        double cyclesVela = Math.Max(Math.Max(computeVela + first, full), (2048 + 2048 + 2 * encoded) / 8.0);
        NpuOpCost withVela = EthosUPerformance.Evaluate(u, op, vela, FeatureMapMemory.Sram, slackCycles: 0);
        Assert.Equal(1610.624, withVela.Cycles, 6);
        Assert.Equal(cyclesVela, withVela.Cycles, 6);

        // The estimator ranks blocks by the cycles they lead to. Two 8×8×16 blocks pipeline one block's output stage
        // with the other's DPU (per block: DPU 64·2 = 128, output 0.25·1024 = 256, command (288 + 160 + 256 + 128)/4
        // = 208): 256·2 + 208 = 720, then 720 + first slice = 1482.624. Two 4×8×32 blocks do better:
        // per block 4×2 µblocks in XY, 4 in depth: DPU max(32, 4·8)·4 = 128; output 0.25·1024 = 256;
        // command ((32 + 1024/8) + (32 + 1024/8) + 256 + 128)/4 = 176.
        double compute16 = 256 * 2 + Math.Max(64 * 2, ((32 + 2048 / 8.0) + (32 + 1024 / 8.0) + 256 + 128) / 4);
        var depth16 = new Shape3(8, 8, 16);
        var block16 = new EthosUBlockConfig(depth16, EthosUBlockConfig.IfmBlockFor(u, op, depth16, partKernel: false), false, true);
        Assert.Equal(1482.624, EthosUPerformance.Evaluate(u, op, block16, FeatureMapMemory.Sram, slackCycles: 0).Cycles, 6);
        Assert.Equal(Math.Max(compute16 + first, full), EthosUPerformance.Evaluate(u, op, block16, FeatureMapMemory.Sram, 0).Cycles, 6);
        double dpuHalf = Math.Max(32 * 4, ((32 + 1024 / 8.0) + (32 + 1024 / 8.0) + 256 + 128) / 4);   // 176
        double computeHalf = 256 * 2 + dpuHalf;                                                        // 688
        double npu = Math.Max(computeHalf + first, full);          // 1450.624 < 1461.248: the whole stream bounds it
        // SRAM: IFM and OFM once (full-width, full-depth blocks: no burst loss), weights read per spatial block (2)
        // and written once by the DMA.
        double sram = (2048 + 2048 + 3 * encoded) / 8.0;
        double cycles = Math.Max(npu, Math.Max(sram, encoded / 1));
        NpuOpCost chosen = EthosUPerformance.Estimate(u, op, FeatureMapMemory.Sram, slackCycles: 0);
        Assert.Equal(new Shape3(4, 8, 32), chosen.Block.OfmBlock);
        Assert.Equal(688, EthosUPerformance.ConvCycles(u, op, chosen.Block, FeatureMapMemory.Sram));
        Assert.Equal(1461.248, chosen.NpuCycles, 6);
        Assert.Equal(1461.248, chosen.Cycles, 6);
        Assert.Equal(cycles, chosen.Cycles, 6);

        LayerEstimate layer = Assert.Single(e.Layers);
        Assert.Equal((long)Math.Round(cycles), layer.Cycles);
        Assert.Equal(cycles / 500_000.0, e.LatencyMs, 9);
        Assert.Equal(ExecutionUnit.Npu, layer.Unit);
        Assert.Equal(LayerBound.Flash, layer.Bound);               // waiting for the weights (773) exceeds the compute (688)
        Assert.Equal((long)Math.Round(encoded), layer.FlashBytes);
        Assert.Equal((long)Math.Round(sram * 8), layer.SramBytes);

        // RAM: input and output (2 KB each) + the weight double buffer (2 slices) + 2 KB of TFLM internals.
        Assert.Equal((4096 + 2 * (encoded / 2) + 2048) / 1024, e.PeakRamKb, 9);
        // Flash: the constants (1,024 B weights + 128 B bias) replaced by the encoded stream, + 48 B of commands + runtime.
        Assert.Equal((1152 - 1152 + encoded + 48) / 1024 + 40, e.FlashKb, 9);
        Assert.Equal(u.ActivePowerMw.Value * e.LatencyMs / 1000 + encoded * 100 * 1e-9, e.EnergyMj, 12);
    }

    [Fact]
    public void Depthwise_3x3_on_u55_128_by_hand()
    {
        var b = new OpGraphBuilder("dw");
        int x = b.AddInput([1, 4, 4, 16], TensorType.Int8);
        b.MarkOutput(b.DepthwiseConv2D(x, 3, 3));
        OpGraph g = b.Build();
        TargetEstimate e = Estimator.For(Spec("ethos-u55-128")).Estimate(g);

        // Block 4×4×16 (the whole OFM): IFM block 6×6×16, fetch (576 + 144 weights)/256 halved = 1.41, the minimum.
        // DPU: µblock 2×1×8 → 2×4 = 8 µblocks in XY, 2 in depth; 9 taps take ceil(9/4) = 3 steps of max(32, 4·8) cycles.
        double dpu = Math.Max(32, 4 * 8) * 3 * 2;                  // 192
        double output = 0.5 * 256;                                 // 128 (bias fetch 10·16·64/256 = 40 is less)
        double command = ((32 + 256 / 8.0) + (32 + 256 / 8.0) + output + dpu) / 4;   // 112
        double compute = Math.Max(Math.Max(dpu, command), Math.Max(output, command)) + Math.Min(Math.Max(dpu, command), Math.Max(output, command));
        // One block: DPU max(192, 112) = 192 and output max(128, 112) = 128 pipeline as 192 · 1 + 128 = 320.
        NpuOp op = EthosUSupport.Lower(g, g.Nodes[0], new bool[1]);
        EthosUBlockConfig block = EthosUBlockConfig.Find(Spec("ethos-u55-128"), op, BlockRanking.Cycles);
        Assert.Equal(new Shape3(4, 4, 16), block.OfmBlock);
        Assert.Equal(320, EthosUPerformance.ConvCycles(Spec("ethos-u55-128"), op, block, FeatureMapMemory.Sram));
        Assert.Equal(compute, EthosUPerformance.ConvCycles(Spec("ethos-u55-128"), op, block, FeatureMapMemory.Sram));
        double encoded = 144 * 1.052 + 16 * 10;                    // 3·3·16 weights + scale/bias
        double dma = encoded + 64;
        double npu = compute + dma;
        double sram = (256 + 256 + 2 * encoded) / 8.0;
        double cycles = Math.Max(npu, Math.Max(sram, encoded));
        // compute 320 + weight stream (144 · 1.052 + 160 = 311.488 B at 1 B/cycle + 64 latency = 375.488)
        // = 695.488 > SRAM (512 + 2 · 311.488) / 8 = 141.872 > flash 311.488.
        LayerEstimate layer = Assert.Single(e.Layers);
        Assert.Equal(695, layer.Cycles);
        Assert.Equal((long)Math.Round(cycles), layer.Cycles);
        Assert.Equal(695.488, EthosUPerformance.Evaluate(Spec("ethos-u55-128"), op, block, FeatureMapMemory.Sram, 0).Cycles, 6);
        Assert.Equal(LayerBound.Flash, layer.Bound);
    }

    [Fact]
    public void Elementwise_add_on_u55_256_by_hand()
    {
        var b = new OpGraphBuilder("add");
        int x = b.AddInput([1, 8, 8, 16], TensorType.Int8);
        int y = b.AddInput([1, 8, 8, 16], TensorType.Int8);
        b.MarkOutput(b.Add(x, y));
        TargetEstimate e = Estimator.For(Spec("ethos-u55-256")).Estimate(b.Build());

        // ADD: 0.75 cycles/element on U55-256; the per-block command floor ((160 + 160 + 0.75·1024)/4 / 1024 = 0.27)
        // is below it. Traffic: two IFMs and one OFM of 1,024 B in SRAM at 8 B/cycle = 384 cycles < 768.
        // 1,024 elements × 0.75 = 768 cycles.
        LayerEstimate layer = Assert.Single(e.Layers);
        Assert.Equal(768, layer.Cycles);
        Assert.Equal(LayerBound.Compute, layer.Bound);
        Assert.Equal(3072, layer.SramBytes);
        Assert.Equal(0, layer.FlashBytes);
    }

    [Fact]
    public void Batch_1_fully_connected_is_flash_bound_at_about_one_mac_per_cycle()
    {
        // TARGETS.md §6: batch-1 FC streams every weight once from flash at 1 B/cycle, so ≈ 1 MAC/cycle.
        var b = new OpGraphBuilder("fc");
        int x = b.AddInput([1, 1024], TensorType.Int8);
        b.MarkOutput(b.FullyConnected(x, 512));
        TargetEstimate e = Estimator.For(Spec("ethos-u55-128")).Estimate(b.Build());
        LayerEstimate layer = Assert.Single(e.Layers);
        double encoded = 1024 * 512 * 1.052 + 512 * 10;
        Assert.Equal(LayerBound.Flash, layer.Bound);
        Assert.Equal((long)Math.Round(encoded), layer.FlashBytes);
        Assert.InRange(layer.Cycles, (long)encoded, (long)(encoded + 64 + 1));
    }

    [Fact]
    public void Unsupported_operators_run_on_the_host_cpu_with_the_cortex_m55_model()
    {
        var b = new OpGraphBuilder("cpu");
        int x = b.AddInput([1, 32, 32, 8], TensorType.Int8);
        int c = b.Conv2D(x, 8, 4, 4, strideH: 4, strideW: 4);     // stride 4: outside Vela's 1-3
        b.MarkOutput(b.AddCustomOperator("Post", [c], [1, 8, 8, 8], TensorType.Int8));
        OpGraph g = b.Build();
        EthosUSpec u = Spec("ethos-u55-128");
        TargetEstimate e = Estimator.For(u).Estimate(g);

        Assert.Equal(2, e.UnsupportedOps.Count);
        Assert.Contains("stride 4x4", e.UnsupportedOps[0].Reason);
        Assert.Contains("custom operator", e.UnsupportedOps[1].Reason);
        Assert.All(e.UnsupportedOps, op => Assert.Contains("cortex-m55", op.CostedAs));
        Assert.All(e.Layers, l => Assert.Equal(ExecutionUnit.Cpu, l.Unit));

        CortexMSpec host = u.Host;
        CortexMStackCosts s = host.Stack(CortexMStack.CmsisNn);
        long macs = 8 * 8 * 8 * (4 * 4 * 8);
        double conv = s[CortexMOpClass.Conv].CyclesPerMac * macs + s.PerOpOverheadCycles.Value;
        Assert.Equal((long)Math.Round(conv), e.Layers[0].Cycles);
        Assert.Equal(conv / (u.HostClockMhz.Value * 1000), e.Layers[0].LatencyMs, 9);
        // The custom op has no cost rule: Cortex-M55's generic 4 cycles per activation byte (512 B in, 512 B out)
        // + 1,000 cycles of per-op overhead = 5,096 host cycles.
        Assert.Equal(5096, e.Layers[1].Cycles);
    }

    [Fact]
    public void Float_models_fall_back_with_the_dtype_rule()
    {
        var b = new OpGraphBuilder("float");
        int x = b.AddInput([1, 8, 8, 8], TensorType.Float32);
        b.MarkOutput(b.Conv2D(x, 8, 3, 3));
        TargetEstimate e = Estimator.For(Spec("ethos-u55-64")).Estimate(b.Build());
        UnsupportedOp op = Assert.Single(e.UnsupportedOps);
        Assert.Contains("float32", op.Reason);
    }

    [Fact]
    public void Reshape_is_elided_on_the_npu()
    {
        var b = new OpGraphBuilder("reshape");
        int x = b.AddInput([1, 4, 4, 16], TensorType.Int8);
        b.MarkOutput(b.Reshape(x, [1, 256]));
        TargetEstimate e = Estimator.For(Spec("ethos-u55-128")).Estimate(b.Build());
        LayerEstimate layer = Assert.Single(e.Layers);
        Assert.Equal((ExecutionUnit.Npu, 0L), (layer.Unit, layer.Cycles));
        Assert.Empty(e.UnsupportedOps);
    }

    [Fact]
    public void U65_keeps_feature_maps_in_the_sram_cache_when_they_fit()
    {
        var small = new OpGraphBuilder("small");
        int x = small.AddInput([1, 16, 16, 16], TensorType.Int8);
        small.MarkOutput(small.Conv2D(x, 16, 3, 3));
        TargetEstimate e = Estimator.For(Spec("ethos-u65-256")).Estimate(small.Build());
        LayerEstimate layer = Assert.Single(e.Layers);
        double encoded = 16 * 9 * 16 * 1.052 + 16 * 10;
        Assert.Equal((long)Math.Round(encoded), layer.DramBytes); // weights only
        Assert.Equal(0, layer.FlashBytes);

        var large = new OpGraphBuilder("large");
        int y = large.AddInput([1, 256, 256, 8], TensorType.Int8);  // 512 KB in + 512 KB out > 384 KB cache
        large.MarkOutput(large.Conv2D(y, 8, 1, 1));
        LayerEstimate big = Assert.Single(Estimator.For(Spec("ethos-u65-256")).Estimate(large.Build()).Layers);
        Assert.True(big.DramBytes > 2 * 256 * 256 * 8);
    }
}

using PerfSage.Graph;
using PerfSage.Tflite;
using Xunit;

namespace PerfSage.Targets.Tests;

/// <summary>
/// Single-layer models whose Ethos-U85 cycles are worked out by hand from Vela 4.x/5.x's regor model
/// (<c>ethos_u85.cpp</c>: µblocks, IFM/accumulator RAMs, <c>FindBlockConfig</c>, <c>TryBlockConfig</c>;
/// <c>ethos_u85_performance.cpp</c>: <c>EstimateConvCycles</c>, <c>EstimateElementwiseCycles</c>,
/// <c>WeightDecodeCycles</c>) and the numbers in data/targets/ethos-u85-*.json.
/// The system is Vela's U85 default, Ethos_U85_SYS_DRAM_Mid at 1 GHz: SRAM 32 B/cycle (latency 32), DRAM 12 B/cycle
/// (read latency 500) holding the weights (Dedicated_Sram). U85-256: µblocks 1×2×16 (depthwise, pooling), 1×4×8 and
/// 2×2×8 (convolution) as H×W×D, IFM RAM 16 KB, accumulator RAM 16 KB, 0.25 output cycles per element.
/// </summary>
public sealed class EthosU85EstimatorTests
{
    private static readonly TargetCatalog Catalog = TargetCatalog.LoadDefault();

    private static EthosUSpec Spec(string id) => (EthosUSpec)Catalog.Get(id);

    [Fact]
    public void Pointwise_conv_on_u85_256_by_hand()
    {
        var b = new OpGraphBuilder("pw");
        int x = b.AddInput([1, 8, 8, 64], TensorType.Int8);
        b.MarkOutput(b.Conv2D(x, filters: 64, kernelH: 1, kernelW: 1));
        OpGraph g = b.Build();
        EthosUSpec u = Spec("ethos-u85-256");
        NpuOp op = EthosUSupport.Lower(g, g.Nodes[0], new bool[1], EthosUGeneration.U85);

        // µblock: 1×4×8 and 2×2×8 both tile 8×8×64 without waste; Vela keeps the first listed, 1×4×8.
        Assert.Equal(new Shape3(1, 4, 8), EthosUBlockConfig.ChooseUblock(u, op));
        // Depth-first (ChooseKernelFirst: k_rnd = max(1, 2) = 2, kernel-first 64/64 · 1/2 = 0.5 < depth-first 64/64).
        Assert.False(EthosUBlockConfig.UsePartKernelU85(op));

        // The whole 8×8×64 OFM does not fit: accumulators 8·8·64·4 B ×2 = 32 KB > 16 KB. 8×8×32 does (16 KB).
        // Per block (Vela's EstimateConvCycles), µblocks 8/4 × 8/1 = 16 in XY, 32/8 = 4 in depth, IFM block depth 64:
        //   DPU   max(32·8/8 = 32, 64/8 · 16 = 128) · 1 step · 4 = 512
        //   out   ⌊0.25 · 2048⌋ = 512, raised to the bias fetch ⌊10 · 32 · 500 / 256⌋ = 625 (DRAM read latency 500)
        //   cmd   ⌊((32 + 4096/32) + (32 + 2048/32) + 625 + 512) / 4⌋ = ⌊1393/4⌋ = 348
        //   2 blocks: output-bound, 625 · 2 + 512 = 1762.
        var block32 = new Shape3(8, 8, 32);
        var config32 = new EthosUBlockConfig(block32, EthosUBlockConfig.IfmBlockFor(u, op, block32, false), false, true, new Shape3(1, 4, 8));
        Assert.Equal(1762, EthosUPerformance.ConvCycles(u, op, config32, FeatureMapMemory.Sram));
        // 8×8×16: DPU max(32, 128) · 2 = 256; out max(⌊0.25 · 1024⌋ = 256, ⌊10 · 16 · 500 / 256⌋ = 312) = 312;
        // cmd ⌊((32 + 128) + (32 + 32) + 312 + 256) / 4⌋ = 198; 4 blocks: 312 · 4 + 256 = 1504, the least.
        EthosUBlockConfig chosen = EthosUBlockConfig.Find(u, op, BlockRanking.Cycles);
        Assert.Equal(new Shape3(8, 8, 16), chosen.OfmBlock);
        Assert.Equal(1504, EthosUPerformance.ConvCycles(u, op, chosen, FeatureMapMemory.Sram));

        // Weights from DRAM: 4,096 B · 1.052 + 64 channels · 10 B = 4,948.992 B encoded. The NPU starts after the first
        // 16-channel slice: max(DMA 1,237.248 / 12 + 500 = 603.104, decode 1,024 weights / 8 per cycle = 128) = 603.104;
        // the whole stream, max(4,948.992 / 12 + 500 = 912.416, 4,096 / 8 = 512), is shorter than compute + first slice.
        double encoded = 4096 * 1.052 + 64 * 10;
        double first = encoded / 4 / 12 + 500;
        double npu = 1504 + first;                                         // 2,107.104
        // SRAM: IFM 4,096 B per depth block (4) and OFM 4,096 B written in 16-byte runs (NHWC graph output, 16 of 64
        // channels per block: burst 64 / 16 = 4×), weights read once per spatial block and written once by the DMA:
        // (16,384 + 16,384 + 2 · 4,948.992) / 32 = 1,333.3 cycles < 2,107.104.
        double sram = (16384 + 16384 + 2 * encoded) / 32;
        Assert.True(sram < npu);
        NpuOpCost cost = EthosUPerformance.Estimate(u, op, FeatureMapMemory.Sram, slackCycles: 0);
        Assert.Equal(2107.104, cost.Cycles, 6);
        Assert.Equal(npu, cost.Cycles, 6);

        TargetEstimate e = Estimator.For(u).Estimate(g);
        LayerEstimate layer = Assert.Single(e.Layers);
        Assert.Equal(2107, layer.Cycles);
        Assert.Equal(ExecutionUnit.Npu, layer.Unit);
        Assert.Equal(LayerBound.Compute, layer.Bound);                     // the weight wait (603) is below compute (1,504)
        Assert.Equal(npu / 1_000_000.0, e.LatencyMs, 12);                  // 1 GHz
        Assert.Equal((long)Math.Round(encoded), layer.DramBytes);
        Assert.Equal(0, layer.FlashBytes);
        // Energy: 300 mW + 0.4 mW · 256 MACs = 402.4 mW over the latency, plus 80 pJ per DRAM byte.
        Assert.Equal(402.4 * e.LatencyMs / 1000 + encoded * 80 * 1e-9, e.EnergyMj, 12);
        Assert.Empty(e.UnsupportedOps);
    }

    [Fact]
    public void Depthwise_3x3_on_u85_256_by_hand()
    {
        var b = new OpGraphBuilder("dw");
        int x = b.AddInput([1, 4, 4, 16], TensorType.Int8);
        b.MarkOutput(b.DepthwiseConv2D(x, 3, 3));
        OpGraph g = b.Build();
        EthosUSpec u = Spec("ethos-u85-256");
        NpuOp op = EthosUSupport.Lower(g, g.Nodes[0], new bool[1], EthosUGeneration.U85);

        // The only depthwise µblock of the U85-256 is 1×2×16: cycles_wb = 32 · 16 / 8 = 64.
        Assert.Equal(new Shape3(1, 2, 16), EthosUBlockConfig.ChooseUblock(u, op));
        // Whole 4×4×16 OFM (IFM block 6×6×16: 1,152 B; accumulators 4·4·16·4·2 = 2 KB): 2 × 4 = 8 µblocks in XY, 1 in depth;
        // 9 taps in ⌈9/4⌉ = 3 steps of max(64, 4 · 8) = 64 → DPU 192; output max(⌊0.25 · 256⌋, ⌊10 · 16 · 500 / 256⌋ = 312)
        // = 312; cmd ⌊((32 + 256/32) + (32 + 256/32) + 312 + 192) / 4⌋ = 146; one block: 312 + 192 = 504.
        EthosUBlockConfig block = EthosUBlockConfig.Find(u, op, BlockRanking.Cycles);
        Assert.Equal(new Shape3(4, 4, 16), block.OfmBlock);
        Assert.Equal(504, EthosUPerformance.ConvCycles(u, op, block, FeatureMapMemory.Sram));

        // Weights: 144 B · 1.052 + 16 · 10 = 311.488 B in one slice: 311.488 / 12 + 500 = 525.957 cycles before the NPU
        // starts (decode 144 / 8 = 18 is less) → 504 + 525.957 = 1,029.957, bound by DRAM (the wait exceeds compute).
        double encoded = 144 * 1.052 + 160;
        double cycles = 504 + encoded / 12 + 500;
        TargetEstimate e = Estimator.For(u).Estimate(g);
        LayerEstimate layer = Assert.Single(e.Layers);
        Assert.Equal(cycles, EthosUPerformance.Evaluate(u, op, block, FeatureMapMemory.Sram, 0).Cycles, 6);
        Assert.Equal((long)Math.Round(cycles), layer.Cycles);              // 1,030
        Assert.Equal(LayerBound.Dram, layer.Bound);
    }

    [Fact]
    public void Elementwise_add_on_u85_256_by_hand()
    {
        var b = new OpGraphBuilder("add");
        int x = b.AddInput([1, 8, 8, 16], TensorType.Int8);
        int y = b.AddInput([1, 8, 8, 16], TensorType.Int8);
        b.MarkOutput(b.Add(x, y));
        TargetEstimate e = Estimator.For(Spec("ethos-u85-256")).Estimate(b.Build());

        // EstimateElementwiseCycles: max(outputCycles[0] = 0.25, activationCycles[0] = 0.25 with nothing fused) = 0.25
        // cycles per element; the command floor ((32 + 1024/32) · 2 / 1024 + 0.25) / 4 = 0.094 is below it.
        // 1,024 elements (the NHWC graph output keeps its 16 channels) × 0.25 = 256 cycles, a third of the U55-256's 768.
        // Traffic: two IFMs and one OFM of 1,024 B in SRAM at 32 B/cycle = 96 cycles < 256.
        LayerEstimate layer = Assert.Single(e.Layers);
        Assert.Equal(256, layer.Cycles);
        Assert.Equal(LayerBound.Compute, layer.Bound);
        Assert.Equal(3072, layer.SramBytes);
        Assert.Equal(0, layer.DramBytes);
    }

    [Fact]
    public void Batch_1_fully_connected_on_u85_256_is_bound_by_the_weight_decoder()
    {
        var b = new OpGraphBuilder("fc");
        int x = b.AddInput([1, 1024], TensorType.Int8);
        b.MarkOutput(b.FullyConnected(x, 512));
        OpGraph g = b.Build();
        EthosUSpec u = Spec("ethos-u85-256");

        // Compute with a 1×1×16 block (µblock 1×4×8, one µblock in XY, 2 in depth): DPU max(32, 64/8 · 1) · 2 = 64 per
        // 64-channel IFM step, × ⌈1024/64⌉ = 16 → 1,024 per block; output max(⌊0.25 · 16⌋, bias ⌊10 · 16 · 500 / 256⌋
        // = 312), raised to the command floor ⌊((32 + 64/32) + (32 + 16/32) + 312 + 1,024) / 4⌋ = 350; 512/16 = 32
        // blocks, DPU-bound: 1,024 · 32 + 350 = 33,118.
        NpuOp op = EthosUSupport.Lower(g, g.Nodes[0], new bool[1], EthosUGeneration.U85);
        var ofm16 = new Shape3(1, 4, 16);
        var block16 = new EthosUBlockConfig(ofm16, EthosUBlockConfig.IfmBlockFor(u, op, ofm16, false), false, true, new Shape3(1, 4, 8));
        Assert.Equal(33118, EthosUPerformance.ConvCycles(u, op, block16, FeatureMapMemory.Sram));

        // Weights: 524,288 int8 weights; the DMA takes (524,288 · 1.052 + 5,120) / 12 + 500 = 46,889 cycles, but the
        // one weight decoder (WeightDecodeCycles, 8 weights per cycle per core at the assumed zero rate) takes
        // 524,288 / 8 = 65,536: that bounds the layer, whichever block is used.
        TargetEstimate e = Estimator.For(u).Estimate(g);
        LayerEstimate layer = Assert.Single(e.Layers);
        Assert.Equal(65536, layer.Cycles);
        Assert.Equal((long)Math.Round(524288 * 1.052 + 5120), layer.DramBytes);
    }

    [Fact]
    public void Batch_matmul_runs_on_the_u85_and_falls_back_to_the_cpu_on_the_u55()
    {
        var b = new OpGraphBuilder("matmul");
        int a = b.AddInput([1, 8, 64], TensorType.Int8);
        int w = b.AddInput([1, 64, 32], TensorType.Int8);
        b.MarkOutput(b.AddOperator(BuiltinOperator.BATCH_MATMUL, [a, w], outputShape: [1, 8, 32]));
        OpGraph g = b.Build();

        // Vela 3.10's U55 list has no BATCH_MATMUL: the host Cortex-M runs it.
        TargetEstimate u55 = Estimator.For(Spec("ethos-u55-256")).Estimate(g);
        UnsupportedOp cpu = Assert.Single(u55.UnsupportedOps);
        Assert.Equal("operator not in Vela 3.10's NPU list (SUPPORTED_OPS.md)", cpu.Reason);
        Assert.Equal(ExecutionUnit.Cpu, Assert.Single(u55.Layers).Unit);

        // Vela 5.1's U85 list has it: a vector product with a second IFM (8 rows of K = 64, N = 32 outputs).
        EthosUSpec u = Spec("ethos-u85-256");
        NpuOp op = EthosUSupport.Lower(g, g.Nodes[0], new bool[1], EthosUGeneration.U85);
        Assert.Equal((new Shape3(1, 8, 64), new Shape3(1, 8, 32), new Shape3(1, 64, 32)), (op.Ifm, op.Ofm, op.Ifm2));
        // µblock 1×4×8 (no waste; 2×2×8 would pad the one row to two). Block 1×8×16: 2 µblocks in XY, 2 in depth;
        // DPU max(32, 64/8 · 2 = 16) · 2 = 64; output ⌊0.25 · 128⌋ = 32 (no bias); cmd ⌊((32 + 512/32) + (32 + 128/32)
        // + 32 + 64) / 4⌋ = 45; 2 blocks, DPU-bound: 64 · 2 + 45 = 173. The whole 1×8×32 block costs 128 + 70 = 198.
        var whole = new Shape3(1, 8, 32);
        Assert.Equal(198, EthosUPerformance.ConvCycles(u, op,
            new EthosUBlockConfig(whole, EthosUBlockConfig.IfmBlockFor(u, op, whole, false), false, true, new Shape3(1, 4, 8)), FeatureMapMemory.Sram));
        // Traffic: IFM 512 B per depth block (2), the second operand 2,048 B once, OFM 256 B in 16-byte runs (4×):
        // (1,024 + 2,048 + 1,024) / 32 = 128 cycles < 173.
        TargetEstimate e = Estimator.For(u).Estimate(g);
        LayerEstimate layer = Assert.Single(e.Layers);
        Assert.Empty(e.UnsupportedOps);
        Assert.Equal(ExecutionUnit.Npu, layer.Unit);
        Assert.Equal(173, layer.Cycles);
        Assert.Equal(4096, layer.SramBytes);
    }

    [Fact]
    public void The_u55_placement_is_unchanged_and_the_u85_runs_what_it_refused()
    {
        // Operators and shapes Vela 3.10 leaves to the CPU on the U55 and Vela 5.1 places on the U85: GELU (not in the
        // U55 list), a stride-4 convolution (U55: strides 1-3) and an average pool over batch 2 (U55: batch 1). The U55
        // reasons are the ones its rules gave before the U85 existed.
        var b = new OpGraphBuilder("mixed");
        int x = b.AddInput([1, 16, 16, 8], TensorType.Int8);
        int gelu = b.AddOperator(BuiltinOperator.GELU, [x], outputShape: [1, 16, 16, 8]);
        int strided = b.Conv2D(gelu, 8, 4, 4, strideH: 4, strideW: 4);
        int batch2 = b.AddInput([2, 4, 4, 8], TensorType.Int8);
        int pooled = b.AveragePool2D(batch2, 2, 2, 2, 2);
        b.MarkOutput(strided);
        b.MarkOutput(pooled);
        OpGraph g = b.Build();

        TargetEstimate u55 = Estimator.For(Spec("ethos-u55-256")).Estimate(g);
        Assert.Equal(
            ["operator not in Vela 3.10's NPU list (SUPPORTED_OPS.md)", "stride 4x4 is outside 1-3",
                "input batch is 2 (batch 1 only, except FULLY_CONNECTED and reshapes)"],
            u55.UnsupportedOps.Select(o => o.Reason));
        Assert.All(u55.Layers, l => Assert.Equal(ExecutionUnit.Cpu, l.Unit));

        foreach (string id in new[] { "ethos-u85-128", "ethos-u85-256", "ethos-u85-512", "ethos-u85-1024", "ethos-u85-2048" })
        {
            TargetEstimate u85 = Estimator.For(Spec(id)).Estimate(g);
            Assert.Empty(u85.UnsupportedOps);
            Assert.All(u85.Layers, l => Assert.Equal(ExecutionUnit.Npu, l.Unit));
        }
    }

    [Fact]
    public void Float_graphs_fall_back_on_the_u85_with_its_type_rule()
    {
        var b = new OpGraphBuilder("float");
        int x = b.AddInput([1, 8, 8, 8], TensorType.Float32);
        b.MarkOutput(b.Conv2D(x, 8, 3, 3));
        TargetEstimate e = Estimator.For(Spec("ethos-u85-512")).Estimate(b.Build());
        UnsupportedOp op = Assert.Single(e.UnsupportedOps);
        Assert.Equal("input type float32 is not supported on the Ethos-U85 (bool, int8, uint8, int16, int32, int64)", op.Reason);
        Assert.Contains("cortex-m85", op.CostedAs);
    }

    [Fact]
    public void U85_configurations_match_vela()
    {
        // ethos_u85.cpp s_EthosU85Configs and s_EthosU85PerfInfo; vela.ini Ethos_U85_SYS_DRAM_Mid.
        (string Id, int Macs, int Cores, string Ublocks, int IfmRam, int AccRam, double Out, double None, double Relu)[] rows =
        [
            ("ethos-u85-128", 128, 1, "1x2x8 1x1x16", 8192, 8192, 0.5, 0.5, 0.5),
            ("ethos-u85-256", 256, 1, "1x2x16 1x4x8 2x2x8", 16384, 16384, 0.25, 0.25, 0.25),
            ("ethos-u85-512", 512, 2, "2x2x16 1x4x16", 16384, 32768, 0.125, 0.125, 0.125),
            ("ethos-u85-1024", 1024, 4, "2x2x32 1x4x32 2x4x16", 16384, 65536, 0.0625, 0.0625, 0.0625),
            ("ethos-u85-2048", 2048, 4, "2x2x64 1x4x64 4x4x16", 32768, 131072, 0.03125, 0.0625, 0.03125),
        ];
        foreach (var r in rows)
        {
            EthosUSpec u = Spec(r.Id);
            Assert.Equal(EthosUGeneration.U85, u.Generation);
            Assert.Equal((r.Macs, r.Cores, r.Ublocks, r.IfmRam, r.AccRam, r.Out, r.None, r.Relu),
                (u.MacsPerCycle, u.Cores, string.Join(" ", u.Ublocks.Select(b => $"{b.H}x{b.W}x{b.D}")), u.IfmRamBytes, u.AccRamBytes,
                    u.OutputCyclesConv, u.ActivationCyclesNone, u.ActivationCyclesRelu));
            // Each configuration's convolution µblocks deliver its MACs: H·W·D outputs × 8 IFM channels per cycle.
            Assert.All(u.Ublocks.Where(b => b.Conv), b => Assert.Equal(r.Macs, b.H * b.W * b.D * 8));
            Assert.Equal(1000, u.ClockMhz.Value);
            Assert.Equal((32, 12), (u.Sram.BytesPerCycle.Value, u.Constants.BytesPerCycle.Value));
            Assert.Equal(EthosUMemoryMode.DedicatedSram, u.MemoryMode);
            Assert.Equal("cortex-m85", u.Host.Id);
        }
    }
}

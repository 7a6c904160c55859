namespace PerfSage.Targets;

/// <summary>Where an NPU operation's feature maps live.</summary>
internal enum FeatureMapMemory
{
    Sram,
    Dram,
}

/// <summary>The cost of one NPU operation.</summary>
/// <param name="Cycles">Op cycles: the maximum of <paramref name="NpuCycles"/> and the memories' access cycles.</param>
/// <param name="Bound">What sets <paramref name="Cycles"/> (the weight-DMA wait counts against the constants memory).</param>
/// <param name="NpuCycles">Compute (DPU and output pipeline), LUT load and weight-DMA wait.</param>
/// <param name="SramBytes">SRAM traffic after burst scaling.</param>
/// <param name="ConstantBytes">Traffic on the constants memory (flash or DRAM): the weight stream.</param>
/// <param name="FeatureMapDramBytes">Feature-map traffic in DRAM (Dedicated_Sram when they miss the cache).</param>
/// <param name="EncodedWeightBytes">Encoded weights plus packed scale and bias.</param>
/// <param name="WeightSliceBytes">Encoded weights of the first OFM depth slice (at most 16 channels): the DMA chunk
/// the NPU waits for before it starts; slices are double-buffered.</param>
/// <param name="Block">The block configuration used.</param>
internal readonly record struct NpuOpCost(
    double Cycles, LayerBound Bound, double NpuCycles, double SramBytes, double ConstantBytes, double FeatureMapDramBytes,
    double EncodedWeightBytes, double WeightSliceBytes, EthosUBlockConfig Block);

/// <summary>
/// The Vela-style performance model of one NPU operation (TARGETS §1.3 and §1.5): compute cycles per OFM
/// block from the µblock arithmetic, combined over blocks as a two-stage pipeline; traffic per memory with
/// burst-efficiency scaling; weights DMA'd from the constants memory into SRAM with double buffering:
/// NPU = max(compute + max(0, first chunk − slack), full transfer − slack), slack being the previous NPU op's
/// duration; op cycles = max(NPU, SRAM, constants/DRAM access cycles), a roofline maximum.
/// </summary>
internal static class EthosUPerformance
{
    // Constants of Vela 3.10.0's cycle model (the version TARGETS.md and SUPPORTED_OPS.md follow), file
    // ethosu/vela/npu_performance.py; each names the Vela function it appears in. They are properties of the NPU's
    // micro-architecture as Vela models them, the same on every configuration, so they live here and not in the
    // catalog (whose per-configuration numbers come from architecture_features.py's ArchitectureFeatures).

    /// <summary>Numerator of <c>cycles_wb = 32 * ofm_ublock.depth // 8</c> (<c>_estimate_conv_cycles</c>): the
    /// cycles one kernel step costs at least, the weight-decoder rate (32 cycles for an 8-deep µblock).</summary>
    private const double WeightBlockCycles = 32;

    /// <summary>Denominator of <c>cycles_wb</c> (<c>_estimate_conv_cycles</c>): µblock channels per
    /// <see cref="WeightBlockCycles"/>.</summary>
    private const int WeightBlockChannels = 8;

    /// <summary>Cycles per µblock per kernel step of a convolution, depthwise or vector product
    /// (<c>4 * num_ublk_xy</c> in <c>_estimate_conv_cycles</c>).</summary>
    private const double CyclesPerUblockStep = 4;

    /// <summary>Width of the µblock Vela uses for a one-row OFM of even width with a one-row kernel on 2-high
    /// µblock configurations (<c>Shape4D(1, 1, 4, depth)</c> in <c>_estimate_conv_cycles</c>); its height is 1.</summary>
    private const int OneRowUblockW = 4;

    /// <summary>Fewest cycles per µblock a pooling sub-kernel costs (<c>max(4, num_kernel_elems)</c> in
    /// <c>_estimate_conv_cycles</c>).</summary>
    private const double MinPoolingCyclesPerUblock = 4;

    /// <summary>MACs per cycle of Ethos-U55-32, the configuration on which int16 pooling is not doubled
    /// (<c>arch.accelerator_config != Accelerator.Ethos_U55_32</c> in <c>_estimate_conv_cycles</c>).</summary>
    private const int U55x32MacsPerCycle = 32;

    /// <summary>Factor on depthwise and pooling cycles for 16-bit IFMs (<c>cycles *= 2</c> in
    /// <c>_estimate_conv_cycles</c>).</summary>
    private const int Int16CycleFactor = 2;

    /// <summary>Kernel taps one depthwise step consumes (<c>round_up_divide(num_kernel_elems, 4)</c> in
    /// <c>_estimate_conv_cycles</c>), and one part-kernel-first step for 8-bit IFMs.</summary>
    private const int TapsPerStep = 4;

    /// <summary>Kernel taps one part-kernel-first step consumes for 16-bit IFMs (<c>divider = 2</c> in
    /// <c>_estimate_conv_cycles</c>).</summary>
    private const int TapsPerStepInt16PartKernel = 2;

    /// <summary>IFM channels one part-kernel-first step consumes (<c>round_up_divide(ifm_block.depth, 8)</c> in
    /// <c>_estimate_conv_cycles</c>).</summary>
    private const int PartKernelIfmChannels = 8;

    /// <summary>Numerator of the scale-and-bias fetch per OFM block, <c>10 * ofm_block.depth * read_latency / 256</c>
    /// (<c>_estimate_conv_cycles</c>): 10 bytes (80 bits) of scale and bias per output channel.</summary>
    private const double BiasFetchBytesPerChannel = 10;

    /// <summary>Denominator of the scale-and-bias fetch (<c>_estimate_conv_cycles</c>).</summary>
    private const double BiasFetchDivisor = 256;

    /// <summary>The command floor: (IFM-block and OFM-block memory cycles + output + DPU cycles) / 4, "per DPU"
    /// (<c>_estimate_conv_cycles</c> and <c>_estimate_output_cycles_per_element</c>).</summary>
    private const double CommandFloorDivisor = 4;

    /// <summary>Depth of an NHCWB16 brick: the channels stored together (<c>_estimate_memory_transfer_efficiency</c>).</summary>
    private const int BrickDepth = 16;

    /// <summary>Costs <paramref name="op"/> with the block that gives it the fewest cycles.</summary>
    public static NpuOpCost Estimate(EthosUSpec spec, in NpuOp op, FeatureMapMemory fmMemory, double slackCycles)
    {
        if (op.Type == NpuBlockType.Elided)
        {
            return default;
        }
        EthosUBlockConfig block = op.Type == NpuBlockType.Dma
            ? new EthosUBlockConfig(op.Ofm, op.Ofm, false, true, EthosUBlockConfig.ChooseUblock(spec, op))
            : EthosUBlockConfig.Find(spec, op, BlockRanking.Cycles, fmMemory, slackCycles);
        return Evaluate(spec, op, block, fmMemory, slackCycles);
    }

    /// <summary>Costs <paramref name="op"/> tiled with <paramref name="block"/>.</summary>
    public static NpuOpCost Evaluate(EthosUSpec spec, in NpuOp op, EthosUBlockConfig block, FeatureMapMemory fmMemory, double slackCycles)
    {
        if (op.Type == NpuBlockType.Elided)
        {
            return default;
        }
        double compute = op.Type switch
        {
            NpuBlockType.Dma => 0,
            NpuBlockType.Elementwise => ElementwiseCycles(spec, op, block, fmMemory),
            _ => ConvCycles(spec, op, block, fmMemory),
        };
        compute *= op.Passes;
        if (op.Activation == NpuActivation.Lut)
        {
            // The LUT is DMA'd from the constants memory into SHRAM once before the op (added, not overlapped).
            compute += spec.LutBytes / spec.Constants.BytesPerCycle.Value + spec.Constants.ReadLatencyCycles.Value;
        }

        // Traffic.
        Shape3 ofmBlock = Shape3.Min(block.OfmBlock, op.Ofm);
        Shape3 ifmBlock = Shape3.Min(block.IfmBlock, op.Ifm);
        long blocksXy = EthosUBlockConfig.CeilDiv(op.Ofm.H, block.OfmBlock.H) * (long)EthosUBlockConfig.CeilDiv(op.Ofm.W, block.OfmBlock.W);
        long blocksZ = EthosUBlockConfig.CeilDiv(op.Ofm.C, block.OfmBlock.C);
        int ifmBytes = op.IfmBits / 8;
        int ofmBytes = op.OfmBits / 8;

        double ifmRead;
        double ifm2Read = 0;
        if (op.Type is NpuBlockType.Elementwise or NpuBlockType.Dma)
        {
            ifmRead = (double)op.Ifm.Elements * ifmBytes;
            if (op.HasIfm2)
            {
                ifm2Read = (double)op.Ifm2.Elements * ifmBytes;
            }
        }
        else if (op.Type == NpuBlockType.VectorProduct && op.HasIfm2)
        {
            // Matmul (U85): the IFM once per depth slice, and the second operand, which stands in for the weights,
            // once per spatial block (as weights are re-read per spatial block; assumption, no encoded stream).
            ifmRead = (double)op.Ifm.Elements * ifmBytes * blocksZ;
            ifm2Read = (double)op.Ifm2.Elements * ifmBytes * blocksXy;
        }
        else if (op.IsEqualDepth)
        {
            ifmRead = (double)ifmBlock.H * ifmBlock.W * ofmBlock.C * ifmBytes * blocksXy * blocksZ;
        }
        else
        {
            ifmRead = (double)ifmBlock.H * ifmBlock.W * op.Ifm.C * ifmBytes * blocksXy * blocksZ * SubKernels(spec, op);
        }
        double ofmWrite = (double)op.Ofm.Elements * ofmBytes;

        Shape3 ifmReadBlock = op.Type is NpuBlockType.Elementwise or NpuBlockType.Dma ? ofmBlock : ifmBlock;
        EthosUMemory fm = fmMemory == FeatureMapMemory.Sram ? spec.Sram : spec.Constants;
        double fmBytes = ifmRead * BurstScale(fm.BurstBytes, op.IfmNhwc, ifmReadBlock, op.Ifm, ifmBytes)
            + ifm2Read * BurstScale(fm.BurstBytes, op.IfmNhwc, ifmReadBlock, op.Ifm2, ifmBytes)
            + ofmWrite * BurstScale(fm.BurstBytes, op.OfmNhwc, ofmBlock, op.Ofm, ofmBytes);
        fmBytes *= op.Passes;

        // Weights: streamed once from the constants memory into an SRAM buffer (DMA), then read by the NPU from
        // SRAM once per spatial block. The DMA's first chunk is one OFM depth slice of at most the 16-channel split
        // depth (the granule weight streams are split at), so the NPU starts before the whole tensor has arrived.
        double encoded = 0, slice = 0, weightSram = 0;
        double npu = compute, weightWait = 0;
        if (op.WeightBytes > 0 || op.BiasChannels > 0)
        {
            encoded = op.WeightBytes * spec.WeightEncodingRatio.Value + (double)op.BiasChannels * spec.ScaleBiasBytesPerChannel.Value;
            int outChannels = Math.Max(1, op.BiasChannels > 0 ? op.BiasChannels : op.Ofm.C);
            int sliceChannels = Math.Min(Math.Min(block.OfmBlock.C, outChannels), spec.SplitDepth);
            slice = encoded * sliceChannels / outChannels;
            weightSram = encoded * blocksXy + encoded;

            double bpc = spec.Constants.BytesPerCycle.Value;
            double latency = spec.Constants.ReadLatencyCycles.Value;
            double full = encoded / bpc + latency;
            double first = slice / bpc + latency;
            if (spec.WeightDecodeWeightsPerCyclePerCore is { } perCore)
            {
                // U85 (EthosU85Performance::WeightDecodeCycles): the stream costs the larger of its DMA and the
                // decoders' weights / (weights per cycle per core × cores).
                double decodeRate = perCore.Value * spec.Cores;
                full = Math.Max(full, op.WeightBytes / decodeRate);
                first = Math.Max(first, op.WeightBytes * (slice / encoded) / decodeRate);
            }
            npu = Math.Max(compute + Math.Max(0, first - slackCycles), full - slackCycles);
            weightWait = npu - compute;
        }

        double sramBytes = weightSram + (fmMemory == FeatureMapMemory.Sram ? fmBytes : 0);
        double dramFm = fmMemory == FeatureMapMemory.Dram ? fmBytes : 0;
        double sramCycles = sramBytes / spec.Sram.BytesPerCycle.Value;
        double constantCycles = (encoded + dramFm) / spec.Constants.BytesPerCycle.Value;

        LayerBound constantsBound = spec.MemoryMode == EthosUMemoryMode.SharedSram ? LayerBound.Flash : LayerBound.Dram;
        double cycles = npu;
        LayerBound bound = weightWait > compute ? constantsBound : LayerBound.Compute;
        if (sramCycles > cycles)
        {
            cycles = sramCycles;
            bound = LayerBound.Sram;
        }
        if (constantCycles > cycles)
        {
            cycles = constantCycles;
            bound = constantsBound;
        }
        return new NpuOpCost(cycles, bound, npu, sramBytes, encoded, dramFm, encoded, slice, block);
    }

    /// <summary>Sub-kernels the kernel is split into (each at most <see cref="EthosUSpec.SubKernelMax"/> a side).</summary>
    public static int SubKernels(EthosUSpec spec, in NpuOp op)
    {
        if (op.Type is NpuBlockType.VectorProduct or NpuBlockType.Elementwise)
        {
            return 1;
        }
        return EthosUBlockConfig.CeilDiv(op.KernelH, spec.SubKernelMax) * EthosUBlockConfig.CeilDiv(op.KernelW, spec.SubKernelMax);
    }

    /// <summary>
    /// The OFM block (clipped to the OFM) and the µblock a conv-style op is computed in: U55/U65 the configuration's
    /// µblock, U85 the one chosen with the block (<see cref="EthosUBlockConfig.Ublock"/>, else the operator's); a one-row
    /// OFM of even width with a 1-high kernel uses a 4×1 µblock (Vela 3.x for convolution, depthwise and vector product;
    /// regor's "HW Optimisation check" for convolution and vector product).
    /// </summary>
    internal static (Shape3 OfmBlock, Shape3 Ublock) ConvUblock(EthosUSpec spec, in NpuOp op, EthosUBlockConfig block)
    {
        Shape3 ofmBlock = Shape3.Min(block.OfmBlock, op.Ofm);
        bool u85 = spec.Generation == EthosUGeneration.U85;
        Shape3 ublock = !u85 ? new Shape3(spec.UblockH, spec.UblockW, spec.UblockD)
            : block.Ublock.C > 0 ? block.Ublock : EthosUBlockConfig.ChooseUblock(spec, op);
        bool oneRowKind = u85
            ? op.Type is NpuBlockType.ConvolutionMxN or NpuBlockType.VectorProduct
            : op.Type is NpuBlockType.ConvolutionMxN or NpuBlockType.Depthwise or NpuBlockType.VectorProduct;
        if (ublock.H == 2 && oneRowKind && op.Ofm.H == 1 && op.Ofm.W % 2 == 0 && op.KernelH == 1)
        {
            ublock = new Shape3(1, OneRowUblockW, ublock.C);
            ofmBlock = ofmBlock with { H = 1 };
        }
        return (ofmBlock, ublock);
    }

    /// <summary>True when <paramref name="block"/> holds a single µblock of <paramref name="op"/> in XY: Vela then adds
    /// pipeline delay cycles per kernel step (<see cref="EthosUSpec.DelayCycles"/>) that a block of several µblocks
    /// hides, so a slightly larger layer whose block spans two µblocks can be faster (a property of Vela's model).</summary>
    internal static bool IsSingleUblockXy(EthosUSpec spec, in NpuOp op, EthosUBlockConfig block)
    {
        (Shape3 ofmBlock, Shape3 ublock) = ConvUblock(spec, op, block);
        return EthosUBlockConfig.CeilDiv(ofmBlock.W, ublock.W) * EthosUBlockConfig.CeilDiv(ofmBlock.H, ublock.H) == 1;
    }

    /// <summary>Vela's conv-style cycle estimate for convolution, depthwise, vector-product and pooling ops
    /// (<c>_estimate_conv_cycles</c>).</summary>
    public static double ConvCycles(EthosUSpec spec, in NpuOp op, EthosUBlockConfig block, FeatureMapMemory fmMemory)
    {
        if (spec.Generation == EthosUGeneration.U85)
        {
            return ConvCyclesU85(spec, op, block, fmMemory);
        }
        Shape3 ifmBlock = Shape3.Min(block.IfmBlock, op.Ifm);
        (Shape3 ofmBlock, Shape3 ublock) = ConvUblock(spec, op, block);
        int ublockW = ublock.W, ublockH = ublock.H, ublockD = ublock.C;
        int nX = EthosUBlockConfig.CeilDiv(ofmBlock.W, ublockW);
        int nY = EthosUBlockConfig.CeilDiv(ofmBlock.H, ublockH);
        int nXy = nX * nY;
        int nZ = EthosUBlockConfig.CeilDiv(ofmBlock.C, ublockD);
        double cyclesWb = WeightBlockCycles * ublockD / WeightBlockChannels;
        bool int16 = op.IfmBits == 16;
        bool isU55x32 = spec.MacsPerCycle == U55x32MacsPerCycle;
        double delay = spec.DelayCycles.Value;

        int limit = spec.SubKernelMax;
        bool oneByOne = op.Type == NpuBlockType.VectorProduct;
        int kh = oneByOne ? 1 : op.KernelH;
        int kw = oneByOne ? 1 : op.KernelW;
        double dpu = 0;
        // Vela walks the kernel in sub-kernels of at most SubKernelMax × SubKernelMax; their sizes take at most two
        // values per axis (the full size and the remainder), so the sum is taken over those classes, each weighted by
        // how often it occurs: the same cycles as a walk over every sub-kernel, in constant time for any kernel size
        // (a hostile 2^30-wide pooling window would otherwise take 2^54 steps).
        foreach ((int subH, long countH) in SubKernelClasses(kh, limit))
        {
            foreach ((int subW, long countW) in SubKernelClasses(kw, limit))
            {
                long elements = (long)subH * subW;
                double cycles;
                long steps;
                switch (op.Type)
                {
                    case NpuBlockType.Pooling:
                        steps = 1;
                        cycles = Math.Max(MinPoolingCyclesPerUblock, elements) * nXy * nZ;
                        if (int16 && !isU55x32)
                        {
                            cycles *= Int16CycleFactor;
                        }
                        break;
                    case NpuBlockType.Depthwise:
                    {
                        double perStep = CyclesPerUblockStep * nXy * (int16 ? Int16CycleFactor : 1);
                        steps = EthosUBlockConfig.CeilDiv(elements, TapsPerStep);
                        cycles = Math.Max(cyclesWb, perStep) * steps * nZ;
                        break;
                    }
                    case NpuBlockType.ConvolutionMxN when block.PartKernel:
                        steps = EthosUBlockConfig.CeilDiv(elements, int16 ? TapsPerStepInt16PartKernel : TapsPerStep);
                        cycles = Math.Max(cyclesWb, CyclesPerUblockStep * nXy) * steps
                            * EthosUBlockConfig.CeilDiv(ifmBlock.C, PartKernelIfmChannels) * nZ;
                        break;
                    default: // depth-first convolution and vector product
                        steps = elements;
                        cycles = Math.Max(cyclesWb, CyclesPerUblockStep * nXy) * steps * nZ;
                        break;
                }

                double delayCycles = 0;
                if (nX == 1 && nY == 1)
                {
                    if (nZ == 1)
                    {
                        delayCycles = delay * steps;
                    }
                    else if (steps > 1)
                    {
                        delayCycles = delay * (steps - 1) * nZ;
                    }
                }
                if (op.Type == NpuBlockType.ConvolutionMxN && block.PartKernel)
                {
                    delayCycles *= EthosUBlockConfig.CeilDiv(ifmBlock.C, PartKernelIfmChannels);
                }
                dpu += (cycles + delayCycles) * (countH * countW);
            }
        }
        if (op.Type is NpuBlockType.ConvolutionMxN or NpuBlockType.VectorProduct)
        {
            dpu *= EthosUBlockConfig.CeilDiv(op.Ifm.C, Math.Max(1, ifmBlock.C));
        }
        dpu /= spec.Cores;

        double output = Math.Ceiling(OutputCyclesPerElement(spec, op) * ofmBlock.Elements);
        if (op.BiasChannels > 0)
        {
            double bias = BiasFetchBytesPerChannel * ofmBlock.C * spec.Constants.ReadLatencyCycles.Value / BiasFetchDivisor;
            output = Math.Max(output, bias);
        }
        double command = (BlockMemoryCycles(spec, op, ifmBlock, ofmBlock, fmMemory) + output + dpu) / CommandFloorDivisor;
        dpu = Math.Max(dpu, command);
        output = Math.Max(output, command);

        long blocks = EthosUBlockConfig.CeilDiv(op.Ofm.H, block.OfmBlock.H)
            * (long)EthosUBlockConfig.CeilDiv(op.Ofm.W, block.OfmBlock.W)
            * EthosUBlockConfig.CeilDiv(op.Ofm.C, block.OfmBlock.C);
        return dpu > output ? dpu * blocks + output : output * blocks + dpu;
    }

    /// <summary>Vela 4.x/5.x's Ethos-U85 estimate for convolution, depthwise, vector-product (and matmul) and pooling
    /// ops (<c>EthosU85Performance::EstimateConvCycles</c>). It differs from the U55/U65 one in: the µblock is the
    /// operator's (<see cref="EthosUBlockConfig.ChooseUblock"/>); a depth-first step costs
    /// max(cycles_wb, ⌊IFM block depth / 8⌋ · µblocks in XY) · IFM bytes; pooling costs max(4, taps) · all µblocks ·
    /// IFM bits / 2; the DPU cycles are not divided by the cores (the µblock spans them); the block count is
    /// fractional (Π max(OFM / block, 1)); and the output, bias and command terms are whole cycles (C++ integers).</summary>
    public static double ConvCyclesU85(EthosUSpec spec, in NpuOp op, EthosUBlockConfig block, FeatureMapMemory fmMemory)
    {
        Shape3 ifmBlock = Shape3.Min(block.IfmBlock, op.Ifm);
        (Shape3 ofmBlock, Shape3 ublock) = ConvUblock(spec, op, block);
        int ublockW = ublock.W, ublockH = ublock.H, ublockD = ublock.C;
        long nX = EthosUBlockConfig.CeilDiv(ofmBlock.W, ublockW);
        long nY = EthosUBlockConfig.CeilDiv(ofmBlock.H, ublockH);
        long nXy = nX * nY;
        long nZ = EthosUBlockConfig.CeilDiv(ofmBlock.C, ublockD);
        long cyclesWb = (long)WeightBlockCycles * ublockD / WeightBlockChannels;
        int ifmBits = op.IfmBits;
        long ifmBytes = ifmBits / 8;
        bool int16 = ifmBits == 16;
        double delay = spec.DelayCycles.Value;

        int limit = spec.SubKernelMax;
        bool oneByOne = op.Type == NpuBlockType.VectorProduct;
        int kh = oneByOne ? 1 : op.KernelH;
        int kw = oneByOne ? 1 : op.KernelW;
        double dpu = 0;
        foreach ((int subH, long countH) in SubKernelClasses(kh, limit))
        {
            foreach ((int subW, long countW) in SubKernelClasses(kw, limit))
            {
                long elements = (long)subH * subW;
                double cycles;
                long steps;
                switch (op.Type)
                {
                    case NpuBlockType.Pooling:
                        steps = 1;
                        cycles = (double)Math.Max((long)MinPoolingCyclesPerUblock, elements) * nXy * nZ * (ifmBits / 2);
                        break;
                    case NpuBlockType.Depthwise:
                        steps = EthosUBlockConfig.CeilDiv(elements, TapsPerStep);
                        cycles = (double)Math.Max(cyclesWb, (long)CyclesPerUblockStep * nXy * ifmBytes) * steps * nZ;
                        break;
                    case NpuBlockType.ConvolutionMxN when block.PartKernel:
                        steps = EthosUBlockConfig.CeilDiv(elements, int16 ? TapsPerStepInt16PartKernel : TapsPerStep);
                        cycles = (double)Math.Max(cyclesWb, (long)CyclesPerUblockStep * nXy) * steps * nZ
                            * EthosUBlockConfig.CeilDiv(ifmBlock.C, PartKernelIfmChannels);
                        break;
                    default: // depth-first convolution, vector product and matmul
                        steps = elements;
                        cycles = (double)Math.Max(cyclesWb, ifmBlock.C / PartKernelIfmChannels * nXy) * steps * nZ * ifmBytes;
                        break;
                }

                double delayCycles = 0;
                if (nXy == 1)
                {
                    if (nZ == 1)
                    {
                        delayCycles = delay * steps;
                    }
                    else if (steps > 1)
                    {
                        delayCycles = delay * (steps - 1) * nZ;
                    }
                }
                if (op.Type == NpuBlockType.ConvolutionMxN && block.PartKernel)
                {
                    delayCycles *= EthosUBlockConfig.CeilDiv(ifmBlock.C, PartKernelIfmChannels);
                }
                dpu += (cycles + delayCycles) * (countH * countW);
            }
        }
        if (op.Type is NpuBlockType.ConvolutionMxN or NpuBlockType.VectorProduct)
        {
            dpu *= EthosUBlockConfig.CeilDiv(op.Ifm.C, Math.Max(1, ifmBlock.C));
        }

        // numOfmBlks: Π max(OFM / block, 1), fractional.
        double blocks = Math.Max((double)op.Ofm.H / ofmBlock.H, 1) * Math.Max((double)op.Ofm.W / ofmBlock.W, 1)
            * Math.Max((double)op.Ofm.C / ofmBlock.C, 1);
        double output = Math.Floor(OutputCyclesPerElement(spec, op) * ofmBlock.Elements);
        if (op.BiasChannels > 0)
        {
            double bias = Math.Floor(BiasFetchBytesPerChannel * ofmBlock.C * spec.Constants.ReadLatencyCycles.Value / BiasFetchDivisor);
            output = Math.Max(output, bias);
        }
        double command = Math.Floor((BlockMemoryCyclesU85(spec, op, ifmBlock, ofmBlock, fmMemory) + output + dpu) / CommandFloorDivisor);
        dpu = Math.Max(dpu, command);
        output = Math.Max(output, command);
        return dpu > output ? Math.Floor(dpu * blocks) + output : Math.Floor(output * blocks) + dpu;
    }

    /// <summary>U85 <c>EstimateMinimumMemoryCycles</c> without its burst-efficiency factor: latency + ⌊bytes / rate⌋
    /// for the IFM block in and for the OFM block out.</summary>
    private static double BlockMemoryCyclesU85(EthosUSpec spec, in NpuOp op, Shape3 ifmBlock, Shape3 ofmBlock, FeatureMapMemory fmMemory)
    {
        EthosUMemory fm = fmMemory == FeatureMapMemory.Sram ? spec.Sram : spec.Constants;
        double ifm = fm.ReadLatencyCycles.Value + Math.Floor(ifmBlock.Elements * (op.IfmBits / 8) / fm.BytesPerCycle.Value);
        double ofm = fm.WriteLatencyCycles.Value + Math.Floor(ofmBlock.Elements * (op.OfmBits / 8) / fm.BytesPerCycle.Value);
        return ifm + ofm;
    }

    /// <summary>The sub-kernel sizes along one axis of <paramref name="kernel"/> taps split into pieces of at most
    /// <paramref name="limit"/>, with how many pieces have each size.</summary>
    private static IEnumerable<(int Size, long Count)> SubKernelClasses(int kernel, int limit)
    {
        int full = kernel / limit;
        int rest = kernel % limit;
        if (full > 0)
        {
            yield return (limit, full);
        }
        if (rest > 0)
        {
            yield return (rest, 1);
        }
    }

    /// <summary>Elementwise ops: output-stage cycles per element (raised to the per-block command floor, as in
    /// <c>_estimate_output_cycles_per_element</c>) times the OFM elements (<c>measure_cycle_cost</c>).</summary>
    public static double ElementwiseCycles(EthosUSpec spec, in NpuOp op, EthosUBlockConfig block, FeatureMapMemory fmMemory)
    {
        Shape3 ofmBlock = Shape3.Min(block.OfmBlock, op.Ofm);
        double perElement = OutputCyclesPerElement(spec, op);
        double blockElements = Math.Max(1, ofmBlock.Elements);
        if (spec.Generation == EthosUGeneration.U85)
        {
            // EthosU85Performance::EstimateElementwiseCycles: per element max(table, (min memory / block + table) / 4),
            // times the OFM elements with the depth rounded up to a 16-channel brick when the OFM is NHCWB16.
            double memory = BlockMemoryCyclesU85(spec, op, ofmBlock, ofmBlock, fmMemory);
            perElement = Math.Max(perElement, (memory / blockElements + perElement) / CommandFloorDivisor);
            long depth = op.OfmNhwc ? op.Ofm.C : EthosUBlockConfig.RoundUp(op.Ofm.C, BrickDepth);
            return Math.Floor(perElement * ((long)op.Ofm.H * op.Ofm.W * depth));
        }
        double command = (BlockMemoryCycles(spec, op, ofmBlock, ofmBlock, fmMemory) + perElement * blockElements) / CommandFloorDivisor;
        perElement = Math.Max(perElement, command / blockElements);
        return perElement * op.Ofm.Elements;
    }

    /// <summary>Output-stage cycles per element (<c>_estimate_output_cycles_per_element</c>): the larger of the output table (by op kind; MUL's column
    /// for int16 IFMs, which use 40-bit accumulators) and the activation table.</summary>
    public static double OutputCyclesPerElement(EthosUSpec spec, in NpuOp op)
    {
        double output = op.Output switch
        {
            NpuOutputKind.AddSub => spec.OutputCyclesAddSub,
            NpuOutputKind.Mul => spec.OutputCyclesMul,
            NpuOutputKind.MaxPool => spec.OutputCyclesMaxPool,
            _ => op.IfmBits == 16 && op.Type != NpuBlockType.Elementwise ? spec.OutputCyclesMul : spec.OutputCyclesConv,
        };
        double activation = op.Activation switch
        {
            NpuActivation.Relu => spec.ActivationCyclesRelu,
            NpuActivation.Lut => spec.ActivationCyclesLut,
            _ => spec.ActivationCyclesNone, // U85: the table's first entry even with nothing fused; U55/U65: 0
        };
        return Math.Max(output, activation);
    }

    /// <summary>Minimum memory cycles to move one IFM block in and one OFM block out (latency + bytes / rate;
    /// <c>_estimate_minimum_memory_cycles</c>, without its burst-efficiency factor).</summary>
    private static double BlockMemoryCycles(EthosUSpec spec, in NpuOp op, Shape3 ifmBlock, Shape3 ofmBlock, FeatureMapMemory fmMemory)
    {
        EthosUMemory fm = fmMemory == FeatureMapMemory.Sram ? spec.Sram : spec.Constants;
        double ifm = fm.ReadLatencyCycles.Value + ifmBlock.Elements * (op.IfmBits / 8) / fm.BytesPerCycle.Value;
        double ofm = fm.WriteLatencyCycles.Value + ofmBlock.Elements * (op.OfmBits / 8) / fm.BytesPerCycle.Value;
        return ifm + ofm;
    }

    /// <summary>Burst-efficiency factor (after <c>_estimate_memory_transfer_efficiency</c>): burst / min(burst, contiguous bytes of one access). NHWC is contiguous
    /// over the block depth, over width × depth when the block spans the whole depth, and over the whole block
    /// when it also spans the width; NHCWB16 bricks are contiguous over the block width × 16 channels.</summary>
    public static double BurstScale(int burstBytes, bool nhwc, Shape3 block, Shape3 tensor, int bytesPerElement)
    {
        long contiguous;
        if (nhwc)
        {
            if (block.C < tensor.C)
            {
                contiguous = (long)block.C * bytesPerElement;
            }
            else if (block.W < tensor.W)
            {
                contiguous = (long)block.W * tensor.C * bytesPerElement;
            }
            else
            {
                contiguous = (long)block.H * block.W * tensor.C * bytesPerElement;
            }
        }
        else
        {
            contiguous = (long)block.W * Math.Min(BrickDepth, Math.Max(1, tensor.C)) * bytesPerElement;
        }
        contiguous = Math.Max(1, contiguous);
        return (double)burstBytes / Math.Min(burstBytes, contiguous);
    }
}

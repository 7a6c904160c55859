namespace PerfSage.Targets;

/// <summary>How block candidates are ranked.</summary>
internal enum BlockRanking
{
    /// <summary>Vela's heuristic: least (IFM fetch + weight fetch) per OFM element.</summary>
    VelaFetch,

    /// <summary>Least estimated op cycles (compute, memory roofline and weight DMA), ties by Vela's fetch metric.</summary>
    Cycles,
}

/// <summary>
/// The OFM block an operator is tiled into, and the IFM block that feeds it (TARGETS §1.4, after Vela's
/// <c>find_block_config</c>): OFM width and height are searched in multiples of the µblock and depth in
/// µblock steps (rounded to the 16-channel split depth while the block does not cover the whole depth, and the
/// whole depth itself always tried);
/// a candidate must fit in SHRAM with IFM and accumulator buffers doubled. Vela keeps the candidate with the
/// least (IFM fetch + weight fetch) per OFM element, halved when the whole IFM fits in both IFM buffers.
/// The estimator ranks candidates by the op cycles they lead to instead (<see cref="BlockRanking.Cycles"/>), with
/// the fetch metric as tie-break: the fetch enters those cycles through the memory roofline, and ranking by the
/// modelled cost keeps estimates monotone in layer size (a bigger layer can never pick a block that makes it
/// cheaper than a smaller one), which Vela's proxy does not guarantee.
/// </summary>
internal readonly record struct EthosUBlockConfig(Shape3 OfmBlock, Shape3 IfmBlock, bool PartKernel, bool Fits)
{
    // The traversal choice follows Vela 3.10.0's weight_compressor.py (the part-kernel vs depth utilisation test
    // where the weights are encoded); the SHRAM rule follows architecture_allocator.py's find_block_config.

    /// <summary>Deepest IFM for which part-kernel-first is always chosen ("part-kernel first is always better for
    /// ifm depths &lt;= 8").</summary>
    private const int PartKernelAlwaysMaxIfmDepth = 8;

    /// <summary>IFM channels a depth-first kernel step consumes for 8-bit IFMs (depth utilisation C/⌈C⌉₃₂).</summary>
    private const int DepthFirstChannelsInt8 = 32;

    /// <summary>IFM channels a depth-first kernel step consumes for 16-bit IFMs (C/⌈C⌉₁₆).</summary>
    private const int DepthFirstChannelsInt16 = 16;

    /// <summary>IFM channels a part-kernel-first step consumes (C/⌈C⌉₈).</summary>
    private const int PartKernelChannels = 8;

    /// <summary>Kernel taps a part-kernel-first step consumes for 8-bit IFMs (K/⌈K⌉₄).</summary>
    private const int PartKernelTapsInt8 = 4;

    /// <summary>Kernel taps a part-kernel-first step consumes for 16-bit IFMs (K/⌈K⌉₂).</summary>
    private const int PartKernelTapsInt16 = 2;

    /// <summary>Channel granule of an IFM block in SHRAM: its depth is rounded up to 8.</summary>
    private const int ShramIfmChannelGranule = 8;

    /// <summary>SHRAM buffers per IFM block and per accumulator block: double-buffered, so the next block loads
    /// while this one is computed.</summary>
    private const int ShramBuffers = 2;

    /// <summary>The best fitting block under <paramref name="ranking"/> (the µblock, flagged not fitting, when
    /// nothing fits). <paramref name="fm"/> and <paramref name="slackCycles"/> feed the cycle ranking.</summary>
    public static EthosUBlockConfig Find(EthosUSpec spec, in NpuOp op, BlockRanking ranking,
        FeatureMapMemory fm = FeatureMapMemory.Sram, double slackCycles = 0)
    {
        bool partKernel = op.Type == NpuBlockType.ConvolutionMxN && UsePartKernel(op);
        int searchW = Math.Min(RoundUp(op.Ofm.W, spec.UblockW), RoundUp(spec.BlockMaxW, spec.UblockW));
        int searchH = Math.Min(RoundUp(op.Ofm.H, spec.UblockH), RoundUp(spec.BlockMaxH, spec.UblockH));
        int searchD = Math.Min(RoundUp(op.Ofm.C, spec.UblockD), spec.BlockMaxD);

        int banks = Banks(spec, op);
        double bestRank = double.PositiveInfinity;
        double bestFetch = double.PositiveInfinity;
        long bestBlocks = long.MaxValue;
        EthosUBlockConfig best = default;
        bool found = false;

        int depth = Math.Max(spec.UblockD, Math.Min(searchD, spec.SplitDepth));
        if (depth < op.Ofm.C)
        {
            depth = RoundUp(depth, spec.SplitDepth);
        }
        depth = Math.Min(depth, Math.Max(searchD, spec.UblockD));
        while (depth <= Math.Max(searchD, spec.UblockD))
        {
            for (int h = spec.UblockH; h <= searchH; h += spec.UblockH)
            {
                bool anyWidthFits = false;
                for (int w = spec.UblockW; w <= searchW; w += spec.UblockW)
                {
                    var ofmBlock = new Shape3(h, w, depth);
                    Shape3 ifmBlock = IfmBlockFor(spec, op, ofmBlock, partKernel);
                    if (!FitsShram(spec, op, ofmBlock, ifmBlock, banks))
                    {
                        break; // wider blocks only need more SHRAM
                    }
                    anyWidthFits = true;
                    var candidate = new EthosUBlockConfig(ofmBlock, ifmBlock, partKernel, true);
                    double fetch = RelativeCost(op, ofmBlock, ifmBlock);
                    double rank = ranking == BlockRanking.Cycles
                        ? EthosUPerformance.Evaluate(spec, op, candidate, fm, slackCycles).Cycles
                        : fetch;
                    long blocks = BlockCount(op, ofmBlock);
                    if (rank < bestRank || (rank == bestRank && (fetch < bestFetch || (fetch == bestFetch && blocks < bestBlocks))))
                    {
                        bestRank = rank;
                        bestFetch = fetch;
                        bestBlocks = blocks;
                        best = candidate;
                        found = true;
                    }
                }
                if (!anyWidthFits)
                {
                    break; // taller blocks only need more SHRAM
                }
            }
            int next = depth + spec.UblockD;
            if (next < op.Ofm.C)
            {
                next = RoundUp(next, spec.SplitDepth);
            }
            int maxDepth = Math.Max(searchD, spec.UblockD);
            if (next > maxDepth && depth < maxDepth)
            {
                next = maxDepth; // the rounding would skip the whole-depth block: try it too
            }
            depth = next;
        }

        if (!found)
        {
            // Nothing fits (very large kernels): the smallest block, flagged.
            var ofmBlock = new Shape3(spec.UblockH, spec.UblockW, spec.UblockD);
            return new EthosUBlockConfig(ofmBlock, IfmBlockFor(spec, op, ofmBlock, partKernel), partKernel, false);
        }
        return best;
    }

    /// <summary>Part-kernel-first is chosen when the input depth is at most 8, or when its utilisation
    /// C·K/(⌈C⌉₈·⌈K⌉₄) beats depth-first's C/⌈C⌉₃₂ (int16: ⌈K⌉₂ and ⌈C⌉₁₆).</summary>
    public static bool UsePartKernel(in NpuOp op)
    {
        int c = op.Ifm.C;
        if (c <= PartKernelAlwaysMaxIfmDepth)
        {
            return true;
        }
        int k = op.KernelH * op.KernelW;
        bool int16 = op.IfmBits == 16;
        double depthFirst = (double)c / RoundUp(c, int16 ? DepthFirstChannelsInt16 : DepthFirstChannelsInt8);
        double partKernel = (double)c * k
            / ((double)RoundUp(c, PartKernelChannels) * RoundUp(k, int16 ? PartKernelTapsInt16 : PartKernelTapsInt8));
        return partKernel > depthFirst;
    }

    /// <summary>The IFM block needed for an OFM block: (out − 1)·stride + dilated kernel in H and W;
    /// the OFM block depth for equal-depth ops, else the IFM block depth of the mode.</summary>
    public static Shape3 IfmBlockFor(EthosUSpec spec, in NpuOp op, Shape3 ofmBlock, bool partKernel)
    {
        int h = (ofmBlock.H - 1) * op.StrideH + op.DilatedKernelH;
        int w = (ofmBlock.W - 1) * op.StrideW + op.DilatedKernelW;
        int d;
        if (op.IsEqualDepth)
        {
            d = ofmBlock.C;
        }
        else if (partKernel)
        {
            d = op.IfmBits == 16 ? Math.Max(1, spec.PartKernelIfmBlockDepthInt8 / 2) : spec.PartKernelIfmBlockDepthInt8;
        }
        else
        {
            d = op.IfmBits == 16 ? spec.IfmBlockDepthInt16 : spec.IfmBlockDepthInt8;
        }
        return new Shape3(h, w, d);
    }

    /// <summary>Whole SHRAM banks left for IFM and accumulator buffers.</summary>
    private static int Banks(EthosUSpec spec, in NpuOp op)
    {
        int total = spec.ShramKb * 1024 / spec.ShramBankBytes;
        int lut = op.Activation == NpuActivation.Lut ? CeilDiv(spec.LutBytes, spec.ShramBankBytes) : 0;
        return total - spec.ShramReservedOutputBanks - lut;
    }

    private static bool FitsShram(EthosUSpec spec, in NpuOp op, Shape3 ofmBlock, Shape3 ifmBlock, int banks)
    {
        int bytesPerElement = op.IfmBits / 8;
        long ifmBytes = (long)ifmBlock.H * ifmBlock.W * RoundUp(ifmBlock.C, ShramIfmChannelGranule) * bytesPerElement;
        long used = ShramBuffers * CeilDiv(ifmBytes, spec.ShramBankBytes);
        if (op.HasIfm2)
        {
            used *= 2; // the second operand gets its own double buffer
        }
        if (op.Type != NpuBlockType.Elementwise)
        {
            int accBytes = op.IfmBits == 16 ? spec.AccumulatorBytesInt16 : spec.AccumulatorBytesInt8;
            long acc = (long)ofmBlock.H * ofmBlock.W * RoundUp(ofmBlock.C, spec.UblockD) * accBytes;
            used += ShramBuffers * CeilDiv(acc, spec.ShramBankBytes);
        }
        return used <= banks;
    }

    /// <summary>OFM blocks needed to cover the OFM.</summary>
    private static long BlockCount(in NpuOp op, Shape3 ofmBlock) =>
        CeilDiv(op.Ofm.H, ofmBlock.H) * (long)CeilDiv(op.Ofm.W, ofmBlock.W) * CeilDiv(op.Ofm.C, ofmBlock.C);

    /// <summary>(IFM fetch + weight fetch) per OFM element. The IFM block is clamped to the IFM itself (a block
    /// taller or wider than the feature map cannot fetch more than the map).</summary>
    public static double RelativeCost(in NpuOp op, Shape3 ofmBlock, Shape3 ifmBlock)
    {
        ifmBlock = new Shape3(Math.Min(ifmBlock.H, op.Ifm.H), Math.Min(ifmBlock.W, op.Ifm.W), ifmBlock.C);
        long blocksH = CeilDiv(op.Ofm.H, ofmBlock.H);
        long blocksW = CeilDiv(op.Ofm.W, ofmBlock.W);
        long blocksD = CeilDiv(op.Ofm.C, ofmBlock.C);
        long blocksXy = blocksH * blocksW;
        double ifmFetch = (double)ifmBlock.H * ifmBlock.W * op.Ifm.C * blocksXy;
        if (!op.IsEqualDepth)
        {
            ifmFetch *= blocksD;
        }
        double weightFetch = op.Type switch
        {
            NpuBlockType.ConvolutionMxN => (double)op.KernelH * op.KernelW * op.Ifm.C * op.Ofm.C * blocksXy,
            NpuBlockType.VectorProduct => (double)op.Ifm.C * op.Ofm.C * blocksXy,
            NpuBlockType.Depthwise => (double)op.KernelH * op.KernelW * op.Ofm.C * blocksXy,
            _ => 0,
        };
        double cost = (ifmFetch + weightFetch) / Math.Max(1, op.Ofm.Elements);
        long ifmBlockElements = (long)ifmBlock.H * ifmBlock.W * ifmBlock.C;
        if (op.Ifm.Elements < 2 * ifmBlockElements)
        {
            cost /= 2;
        }
        return cost;
    }

    public static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    public static int CeilDiv(int value, int divisor) => (value + divisor - 1) / divisor;

    public static long CeilDiv(long value, long divisor) => (value + divisor - 1) / divisor;
}

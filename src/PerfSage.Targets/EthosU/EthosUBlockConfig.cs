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
/// <remarks>Ethos-U85 (Vela 4.x/5.x regor, <c>ArchEthosU85::FindBlockConfig</c>): the µblock is chosen per operator
/// among the configuration's µblocks (<see cref="ChooseUblock"/>), the block must fit the IFM RAM and the accumulator
/// RAM, double-buffered (<see cref="FitsU85"/>, after <c>TryBlockConfig</c>), and part-kernel-first follows
/// <c>ChooseKernelFirst</c> (<see cref="UsePartKernelU85"/>). The search space and ranking are shared.</remarks>
/// <param name="OfmBlock">The OFM block.</param>
/// <param name="IfmBlock">The IFM block that feeds it.</param>
/// <param name="PartKernel">Part-kernel-first traversal (else depth-first).</param>
/// <param name="Fits">False when nothing fits and the µblock is used as the block.</param>
/// <param name="Ublock">The OFM µblock used (default: the spec's only µblock, U55/U65).</param>
internal readonly record struct EthosUBlockConfig(Shape3 OfmBlock, Shape3 IfmBlock, bool PartKernel, bool Fits, Shape3 Ublock = default)
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
    /// while this one is computed (U85: <c>numBlocksInRam = 2</c> in <c>FindBlockConfig</c>).</summary>
    private const int ShramBuffers = 2;

    // Ethos-U85 (Vela 4.x/5.x regor, ethosu/regor/architecture/ethosu85/ethos_u85.cpp).

    /// <summary><c>ChooseKernelFirst</c>: kernel-first consumes 16 IFM channels per step (<c>RoundAway(depth, 16)</c>).</summary>
    private const int PartKernelChannelsU85 = 16;

    /// <summary><c>ChooseKernelFirst</c>: depth-first consumes 64 IFM channels per step (<c>RoundAway(depth, 64)</c>).</summary>
    private const int DepthFirstChannelsU85 = 64;

    /// <summary><c>ChooseKernelFirst</c>: kernel taps are grouped in fives (<c>s = 5</c>, dense weights).</summary>
    private const long PartKernelTapGroupU85 = 5;

    /// <summary><c>ChooseKernelFirst</c>: a partial group counts as at least 2 taps (<c>r = 2</c>).</summary>
    private const long PartKernelMinTapsU85 = 2;

    /// <summary><c>ACC_DEPTH_GRANULE = 16</c>: accumulator depth granularity.</summary>
    private const int AccumulatorDepthGranuleU85 = 16;

    /// <summary>The best fitting block under <paramref name="ranking"/> (the µblock, flagged not fitting, when
    /// nothing fits). <paramref name="fm"/> and <paramref name="slackCycles"/> feed the cycle ranking.</summary>
    public static EthosUBlockConfig Find(EthosUSpec spec, in NpuOp op, BlockRanking ranking,
        FeatureMapMemory fm = FeatureMapMemory.Sram, double slackCycles = 0)
    {
        bool u85 = spec.Generation == EthosUGeneration.U85;
        bool partKernel = op.Type == NpuBlockType.ConvolutionMxN && (u85 ? UsePartKernelU85(op) : UsePartKernel(op));
        int banks = u85 ? 0 : Banks(spec, op);
        double bestRank = double.PositiveInfinity;
        double bestFetch = double.PositiveInfinity;
        long bestBlocks = long.MaxValue;
        EthosUBlockConfig best = default;
        bool found = false;

        foreach (Shape3 ublock in UblockCandidates(spec, op, ranking))
        {
            SearchBlocks(spec, op, ranking, fm, slackCycles, ublock, partKernel, banks,
                ref bestRank, ref bestFetch, ref bestBlocks, ref best, ref found);
        }

        if (!found)
        {
            // Nothing fits (very large kernels): the smallest block, flagged.
            Shape3 ublock = ChooseUblock(spec, op);
            return new EthosUBlockConfig(ublock, IfmBlockFor(spec, op, ublock, partKernel), partKernel, false, ublock);
        }
        return best;
    }

    /// <summary>The block search with one µblock; updates the best candidate so far.</summary>
    private static void SearchBlocks(EthosUSpec spec, in NpuOp op, BlockRanking ranking, FeatureMapMemory fm, double slackCycles,
        Shape3 ublock, bool partKernel, int banks, ref double bestRank, ref double bestFetch, ref long bestBlocks,
        ref EthosUBlockConfig best, ref bool found)
    {
        bool u85 = spec.Generation == EthosUGeneration.U85;
        int ublockH = ublock.H, ublockW = ublock.W, ublockD = ublock.C;
        int searchW = Math.Min(RoundUp(op.Ofm.W, ublockW), RoundUp(spec.BlockMaxW, ublockW));
        int searchH = Math.Min(RoundUp(op.Ofm.H, ublockH), RoundUp(spec.BlockMaxH, ublockH));
        int searchD = Math.Min(RoundUp(op.Ofm.C, ublockD), spec.BlockMaxD);

        int depth = Math.Max(ublockD, Math.Min(searchD, spec.SplitDepth));
        if (depth < op.Ofm.C)
        {
            depth = RoundUp(depth, spec.SplitDepth);
        }
        depth = Math.Min(depth, Math.Max(searchD, ublockD));
        while (depth <= Math.Max(searchD, ublockD))
        {
            for (int h = ublockH; h <= searchH; h += ublockH)
            {
                bool anyWidthFits = false;
                for (int w = ublockW; w <= searchW; w += ublockW)
                {
                    var ofmBlock = new Shape3(h, w, depth);
                    Shape3 ifmBlock = IfmBlockFor(spec, op, ofmBlock, partKernel);
                    if (!(u85 ? FitsU85(spec, op, ofmBlock, ifmBlock) : FitsShram(spec, op, ofmBlock, ifmBlock, banks)))
                    {
                        break; // wider blocks only need more SHRAM
                    }
                    anyWidthFits = true;
                    var candidate = new EthosUBlockConfig(ofmBlock, ifmBlock, partKernel, true, ublock);
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
            int next = depth + ublockD;
            if (next < op.Ofm.C)
            {
                next = RoundUp(next, spec.SplitDepth);
            }
            int maxDepth = Math.Max(searchD, ublockD);
            if (next > maxDepth && depth < maxDepth)
            {
                next = maxDepth; // the rounding would skip the whole-depth block: try it too
            }
            depth = next;
        }
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
            d = op.IfmBits == 16 && spec.Generation != EthosUGeneration.U85
                ? Math.Max(1, spec.PartKernelIfmBlockDepthInt8 / 2) : spec.PartKernelIfmBlockDepthInt8;
        }
        else
        {
            d = op.IfmBits == 16 ? spec.IfmBlockDepthInt16 : spec.IfmBlockDepthInt8;
        }
        return new Shape3(h, w, d);
    }

    /// <summary>U85 part-kernel-first (<c>ChooseKernelFirst</c>): chosen when C/⌈C⌉₁₆ · K/k_rnd is at least
    /// C/⌈C⌉₆₄, with k_rnd = ⌊K/5⌋·5 + max(K mod 5, 2) (dense weights).</summary>
    public static bool UsePartKernelU85(in NpuOp op)
    {
        int c = op.Ifm.C;
        long k = (long)op.KernelH * op.KernelW;
        long kRound = k / PartKernelTapGroupU85 * PartKernelTapGroupU85 + Math.Max(k % PartKernelTapGroupU85, PartKernelMinTapsU85);
        double kernelFirst = (double)c / RoundUp(c, PartKernelChannelsU85) * ((double)k / kRound);
        double depthFirst = (double)c / RoundUp(c, DepthFirstChannelsU85);
        return kernelFirst >= depthFirst;
    }

    /// <summary>The µblocks the search tries: Vela's choice (<see cref="ChooseUblock"/>), or on the U85 under the
    /// cycle ranking every µblock valid for the operator, so that the µblock, like the block, is the one the modelled
    /// cost prefers (Vela's least-waste rule can make a bigger layer cheaper than a smaller one). In list order, so a
    /// tie keeps the µblock Vela lists first.</summary>
    private static List<Shape3> UblockCandidates(EthosUSpec spec, in NpuOp op, BlockRanking ranking)
    {
        if (spec.Generation != EthosUGeneration.U85 || ranking != BlockRanking.Cycles)
        {
            return [ChooseUblock(spec, op)];
        }
        var list = new List<Shape3>();
        foreach (EthosUUblock u in spec.Ublocks)
        {
            if (IsValidFor(u, op.Type))
            {
                list.Add(new Shape3(u.H, u.W, u.D));
            }
        }
        return list;
    }

    private static bool IsValidFor(EthosUUblock u, NpuBlockType type) => type switch
    {
        NpuBlockType.ConvolutionMxN or NpuBlockType.VectorProduct => u.Conv,
        NpuBlockType.Depthwise or NpuBlockType.Pooling => u.Depthwise,
        _ => u.Elementwise,
    };

    /// <summary>The µblock an operator runs with: on U55/U65 the configuration's only one; on U85
    /// (<c>ArchEthosU85::FindUBlock</c>) the one valid for the operator kind that wastes the fewest OFM elements
    /// when the OFM is rounded up to it, the first listed on a tie.</summary>
    public static Shape3 ChooseUblock(EthosUSpec spec, in NpuOp op)
    {
        if (spec.Generation != EthosUGeneration.U85)
        {
            return new Shape3(spec.UblockH, spec.UblockW, spec.UblockD);
        }
        Shape3 best = default;
        long bestWaste = long.MaxValue;
        foreach (EthosUUblock u in spec.Ublocks)
        {
            if (!IsValidFor(u, op.Type))
            {
                continue;
            }
            long waste = (long)RoundUp(op.Ofm.H, u.H) * RoundUp(op.Ofm.W, u.W) * RoundUp(op.Ofm.C, u.D) - op.Ofm.Elements;
            if (waste < bestWaste)
            {
                bestWaste = waste;
                best = new Shape3(u.H, u.W, u.D);
            }
        }
        return best;
    }

    /// <summary>U85 <c>TryBlockConfig</c>: elementwise blocks always fit; otherwise the IFM block (depth rounded up
    /// to its allocation unit) and the accumulators (depth rounded up to 16) must each fit their RAM twice.</summary>
    private static bool FitsU85(EthosUSpec spec, in NpuOp op, Shape3 ofmBlock, Shape3 ifmBlock)
    {
        if (op.Type is NpuBlockType.Elementwise or NpuBlockType.Dma)
        {
            return true;
        }
        int bytesPerElement = op.IfmBits / 8;
        int ifmDepth = op.IsEqualDepth ? ofmBlock.C : Math.Min(ifmBlock.C, op.Ifm.C);
        long ifmH = ifmBlock.H, ifmW = ifmBlock.W;
        if (op.Type is NpuBlockType.Depthwise or NpuBlockType.Pooling)
        {
            // Depthwise and pooling blocks are sized by AreaFit, which clamps the IFM need to the IFM itself
            // (ibRequired = min(ibRequired, ifmVolume)): a global pool's window never needs more than the map.
            ifmH = Math.Min(ifmH, op.Ifm.H);
            ifmW = Math.Min(ifmW, op.Ifm.W);
        }
        long ifmBytes = ifmH * ifmW * RoundUp(ifmDepth, IfmAllocationDepthU85(ifmBlock.C, op.IfmBits))
            * bytesPerElement * ShramBuffers;
        int accBytesPerElement = op.IfmBits == 16 ? spec.AccumulatorBytesInt16 : spec.AccumulatorBytesInt8;
        long accBytes = (long)ofmBlock.H * ofmBlock.W * RoundUp(ofmBlock.C, AccumulatorDepthGranuleU85) * accBytesPerElement * ShramBuffers;
        return ifmBytes <= spec.IfmRamBytes && accBytes <= spec.AccRamBytes;
    }

    /// <summary>Depth of the U85 IFM allocation unit (<c>CalcIfmAUSize</c>): its table depth (1, 2 or 4 as the IFM
    /// block carries up to 128, up to 256 or more bits per pixel) × 128 / IFM bits.</summary>
    private static int IfmAllocationDepthU85(int ifmBlockDepth, int ifmBits)
    {
        long bits = (long)ifmBlockDepth * ifmBits;
        int unit = bits > 256 ? 4 : bits > 128 ? 2 : 1;
        return unit * 128 / Math.Max(8, ifmBits);
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

namespace PerfSage.Targets;

/// <summary>How Vela places tensors (TARGETS §1.2).</summary>
public enum EthosUMemoryMode
{
    /// <summary>U55 default: constants (weights) in flash, the arena in SRAM.</summary>
    SharedSram,

    /// <summary>U65 default: constants and arena in DRAM, with an SRAM cache for feature maps and weight buffers.</summary>
    DedicatedSram,
}

/// <summary>
/// An Ethos-U55/U65 target: the MAC configuration (µblock, SHRAM, output-stage table), the system config
/// (clock and memories), the memory mode, the host CPU that runs fallback operators, and the energy model.
/// Read from a <c>"family": "ethos-u"</c> file.
/// </summary>
public sealed class EthosUSpec : TargetSpec
{
    internal EthosUSpec(SpecReader root) : base(root, TargetFamily.EthosU)
    {
        SpecReader npu = root.Object("npu");
        Product = npu.String("product");
        MacsPerCycle = npu.Integer("macs_per_cycle", min: 1);
        Cores = npu.Integer("cores", min: 1);
        UblockW = npu.Integer("ofm_ublock_w", min: 1);
        UblockH = npu.Integer("ofm_ublock_h", min: 1);
        UblockD = npu.Integer("ofm_ublock_d", min: 1);
        ShramKb = npu.Integer("shram_kb", min: 1);
        ShramBankBytes = npu.Integer("shram_bank_bytes", min: 1);
        ShramReservedOutputBanks = npu.Integer("shram_reserved_output_banks");
        LutBytes = npu.Integer("lut_bytes");
        BlockMaxW = npu.Integer("ofm_block_max_w", min: 1);
        BlockMaxH = npu.Integer("ofm_block_max_h", min: 1);
        BlockMaxD = npu.Integer("ofm_block_max_d", min: 1);
        SplitDepth = npu.Integer("ofm_split_depth", min: 1);
        IfmBlockDepthInt8 = npu.Integer("ifm_block_depth_int8", min: 1);
        IfmBlockDepthInt16 = npu.Integer("ifm_block_depth_int16", min: 1);
        PartKernelIfmBlockDepthInt8 = npu.Integer("part_kernel_ifm_block_depth_int8", min: 1);
        SubKernelMax = npu.Integer("sub_kernel_max", min: 1);
        AccumulatorBytesInt8 = npu.Integer("accumulator_bytes_int8", min: 1);
        AccumulatorBytesInt16 = npu.Integer("accumulator_bytes_int16", min: 1);
        DelayCycles = npu.Number("delay_cycles");
        SpecReader output = npu.Object("output_cycles_per_element");
        OutputCyclesConv = output.Number("conv").Value;
        OutputCyclesAddSub = output.Number("add_sub").Value;
        OutputCyclesMul = output.Number("mul").Value;
        OutputCyclesMaxPool = output.Number("max_pool").Value;
        SpecReader activation = npu.Object("activation_cycles_per_element");
        ActivationCyclesRelu = activation.Number("relu").Value;
        ActivationCyclesLut = activation.Number("lut").Value;

        string mode = root.String("memory_mode");
        MemoryMode = mode switch
        {
            "shared_sram" => EthosUMemoryMode.SharedSram,
            "dedicated_sram" => EthosUMemoryMode.DedicatedSram,
            _ => throw root.Error("memory_mode", $"'{mode}' is not shared_sram or dedicated_sram"),
        };
        SpecReader memories = root.Object("memories");
        Sram = new EthosUMemory("sram", memories.Object("sram"));
        if (Sram.SizeKb is null)
        {
            throw memories.Error("sram.size_kb", "is missing (the SRAM or SRAM-cache capacity)");
        }
        if (MemoryMode == EthosUMemoryMode.SharedSram)
        {
            Constants = new EthosUMemory("flash", memories.Object("flash"));
        }
        else
        {
            Constants = new EthosUMemory("dram", memories.Object("dram"));
        }

        SpecReader weights = root.Object("weights");
        WeightEncodingRatio = weights.Number("encoding_ratio", min: 1e-3);
        ScaleBiasBytesPerChannel = weights.Number("scale_bias_bytes_per_channel");
        CommandStreamBytesPerOp = weights.Number("command_stream_bytes_per_op");

        SpecReader host = root.Object("host_cpu");
        HostTargetId = host.String("target");
        HostClockMhz = host.Number("clock_mhz", min: 1e-3);
        string hostStack = host.String("stack");
        if (!CortexMStacks.TryParse(hostStack, out CortexMStack parsedStack))
        {
            throw host.Error("stack", $"'{hostStack}' is not tflm-reference, cmsis-nn or vendor");
        }
        HostStack = parsedStack;

        SpecReader memory = root.Object("runtime");
        TflmOverheadSramKb = memory.Number("tflm_overhead_sram_kb");
        RuntimeFlashKb = memory.Number("runtime_flash_kb");

        SpecReader energy = root.Object("energy");
        ActivePowerMw = energy.Number("active_power_mw", min: 1e-6);
        FlashPjPerByte = energy.Number("flash_pj_per_byte");
        DramPjPerByte = energy.Number("dram_pj_per_byte");
    }

    /// <summary><c>u55</c> or <c>u65</c>.</summary>
    public string Product { get; }

    public int MacsPerCycle { get; }

    /// <summary>NPU cores (2 on U65-512).</summary>
    public int Cores { get; }

    /// <summary>OFM µblock width, height and depth.</summary>
    public int UblockW { get; }

    public int UblockH { get; }

    public int UblockD { get; }

    public int ShramKb { get; }

    public int ShramBankBytes { get; }

    public int ShramReservedOutputBanks { get; }

    /// <summary>SHRAM taken by a lookup table when an operator uses one.</summary>
    public int LutBytes { get; }

    public int BlockMaxW { get; }

    public int BlockMaxH { get; }

    public int BlockMaxD { get; }

    /// <summary>Step the OFM depth is split in when a block does not cover the whole depth.</summary>
    public int SplitDepth { get; }

    public int IfmBlockDepthInt8 { get; }

    public int IfmBlockDepthInt16 { get; }

    public int PartKernelIfmBlockDepthInt8 { get; }

    /// <summary>Largest sub-kernel side (kernels are split into at most 8×8 pieces).</summary>
    public int SubKernelMax { get; }

    public int AccumulatorBytesInt8 { get; }

    public int AccumulatorBytesInt16 { get; }

    /// <summary>Extra cycles per kernel step when a block is a single µblock in XY.</summary>
    public SourcedValue DelayCycles { get; }

    /// <summary>Output-stage cycles per element: convolution-like and other operators.</summary>
    public double OutputCyclesConv { get; }

    public double OutputCyclesAddSub { get; }

    /// <summary>MUL, and every operator with 40-bit accumulators (int16 IFM).</summary>
    public double OutputCyclesMul { get; }

    public double OutputCyclesMaxPool { get; }

    public double ActivationCyclesRelu { get; }

    /// <summary>Sigmoid, tanh and every LUT-based activation.</summary>
    public double ActivationCyclesLut { get; }

    public EthosUMemoryMode MemoryMode { get; }

    /// <summary>The SRAM (Shared_Sram: the arena; Dedicated_Sram: the cache).</summary>
    public EthosUMemory Sram { get; }

    /// <summary>Where constants live: flash (Shared_Sram) or DRAM (Dedicated_Sram, which also holds the arena).</summary>
    public EthosUMemory Constants { get; }

    /// <summary>Encoded NPU weight size over the original int8 size.</summary>
    public SourcedValue WeightEncodingRatio { get; }

    /// <summary>Packed scale and bias per output channel.</summary>
    public SourcedValue ScaleBiasBytesPerChannel { get; }

    public SourcedValue CommandStreamBytesPerOp { get; }

    /// <summary>The catalog id of the host CPU that runs operators the NPU cannot (<c>cortex-m55</c>).</summary>
    public string HostTargetId { get; }

    public SourcedValue HostClockMhz { get; }

    public CortexMStack HostStack { get; }

    /// <summary>The host CPU's spec, resolved by the catalog.</summary>
    public CortexMSpec Host { get; internal set; } = null!;

    /// <summary>Added to the NPU arena for TFLM's own structures (Vela's SRAM figure leaves them out).</summary>
    public SourcedValue TflmOverheadSramKb { get; }

    public SourcedValue RuntimeFlashKb { get; }

    /// <summary>System power while inferring (NPU, SRAM and the waiting host).</summary>
    public SourcedValue ActivePowerMw { get; }

    public SourcedValue FlashPjPerByte { get; }

    public SourcedValue DramPjPerByte { get; }

    public override IReadOnlyList<(string Key, string Value)> Summary =>
    [
        ("family", FamilyName(Family)),
        ("npu", $"Ethos-{Product.ToUpperInvariant()}, {MacsPerCycle} MACs/cycle" + (Cores > 1 ? $" ({Cores} cores)" : "")),
        ("clock", Format(ClockMhz)),
        ("ofm ublock", $"{UblockW}x{UblockH}x{UblockD}"),
        ("shram", $"{ShramKb} KB"),
        ("memory mode", MemoryMode == EthosUMemoryMode.SharedSram ? "Shared_Sram (weights in flash, arena in SRAM)"
            : "Dedicated_Sram (weights and arena in DRAM, SRAM cache)"),
        ("sram", $"{Format(Sram.BytesPerCycle)}, {Format(Sram.SizeKb!)}"),
        (Constants.Name, Format(Constants.BytesPerCycle)),
        ("host cpu", $"{HostTargetId} @ {Format(HostClockMhz)} ({CortexMStacks.Name(HostStack)})"),
        ("power", Format(ActivePowerMw)),
    ];
}

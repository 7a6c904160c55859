namespace PerfSage.Targets;

/// <summary>How Vela places tensors (TARGETS §1.2).</summary>
public enum EthosUMemoryMode
{
    /// <summary>U55 default: constants (weights) in flash, the arena in SRAM.</summary>
    SharedSram,

    /// <summary>U65 default: constants and arena in DRAM, with an SRAM cache for feature maps and weight buffers.</summary>
    DedicatedSram,
}

/// <summary>Which Vela cost model an Ethos-U target follows.</summary>
public enum EthosUGeneration
{
    /// <summary>Ethos-U55 and U65: Vela 3.10's Python model (SHRAM banks, <c>npu_performance.py</c>).</summary>
    U55U65,

    /// <summary>Ethos-U85: Vela 4.x/5.x's regor model (IFM and accumulator RAMs, several µblocks,
    /// <c>ethos_u85.cpp</c> and <c>ethos_u85_performance.cpp</c>).</summary>
    U85,
}

/// <summary>An OFM µblock of an Ethos-U85 configuration and the operator kinds it serves for 8-bit IFMs.</summary>
/// <param name="H">Height.</param>
/// <param name="W">Width.</param>
/// <param name="D">Depth (channels).</param>
/// <param name="Conv">Convolution, vector product (fully connected) and matmul.</param>
/// <param name="Depthwise">Depthwise and pooling.</param>
/// <param name="Elementwise">Elementwise.</param>
public sealed record EthosUUblock(int H, int W, int D, bool Conv, bool Depthwise, bool Elementwise);

/// <summary>
/// An Ethos-U55/U65/U85 target: the MAC configuration (µblock, SHRAM, output-stage table), the system config
/// (clock and memories), the memory mode, the host CPU that runs fallback operators, and the energy model.
/// Read from a <c>"family": "ethos-u"</c> file.
/// </summary>
public sealed class EthosUSpec : TargetSpec
{
    internal EthosUSpec(SpecReader root) : base(root, TargetFamily.EthosU)
    {
        SpecReader npu = root.Object("npu");
        Product = npu.String("product");
        Generation = Product switch
        {
            "u55" or "u65" => EthosUGeneration.U55U65,
            "u85" => EthosUGeneration.U85,
            _ => throw npu.Error("product", $"'{Product}' is not u55, u65 or u85"),
        };
        MacsPerCycle = npu.Integer("macs_per_cycle", min: 1);
        Cores = npu.Integer("cores", min: 1);
        if (Generation == EthosUGeneration.U85)
        {
            // The U85 has no SHRAM: IFM and accumulator RAMs, and several µblocks per configuration.
            Ublocks = ReadUblocks(npu.Object("ofm_ublocks"));
            EthosUUblock first = Ublocks[0];
            (UblockH, UblockW, UblockD) = (first.H, first.W, first.D);
            IfmRamBytes = npu.Integer("ifm_ram_bytes", min: 1);
            AccRamBytes = npu.Integer("acc_ram_bytes", min: 1);
            WeightDecodeWeightsPerCyclePerCore = npu.Number("weight_decode_weights_per_cycle_per_core", min: 1e-3);
        }
        else
        {
            UblockW = npu.Integer("ofm_ublock_w", min: 1);
            UblockH = npu.Integer("ofm_ublock_h", min: 1);
            UblockD = npu.Integer("ofm_ublock_d", min: 1);
            Ublocks = [new EthosUUblock(UblockH, UblockW, UblockD, true, true, true)];
            ShramKb = npu.Integer("shram_kb", min: 1);
            ShramBankBytes = npu.Integer("shram_bank_bytes", min: 1);
            ShramReservedOutputBanks = npu.Integer("shram_reserved_output_banks");
        }
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
        ActivationCyclesNone = activation.OptionalNumber("none")?.Value ?? 0;

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

    /// <summary><c>u55</c>, <c>u65</c> or <c>u85</c>.</summary>
    public string Product { get; }

    /// <summary>Which Vela cost model applies (from <see cref="Product"/>).</summary>
    public EthosUGeneration Generation { get; }

    /// <summary>The OFM µblocks, in the order Vela tries them (one on U55/U65).</summary>
    public IReadOnlyList<EthosUUblock> Ublocks { get; }

    /// <summary>U85: the IFM buffer RAM (0 on U55/U65, which use SHRAM).</summary>
    public int IfmRamBytes { get; }

    /// <summary>U85: the accumulator RAM (0 on U55/U65).</summary>
    public int AccRamBytes { get; }

    /// <summary>U85: weights the decoders consume per cycle per core (null on U55/U65).</summary>
    public SourcedValue? WeightDecodeWeightsPerCyclePerCore { get; }

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

    /// <summary>SHRAM (U85: LUT RAM) taken by a lookup table when an operator uses one.</summary>
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

    /// <summary>The activation-table entry when nothing is fused (U85: its first entry; U55/U65: 0).</summary>
    public double ActivationCyclesNone { get; }

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
        .. (Generation == EthosUGeneration.U85
            ? new (string, string)[]
            {
                ("ofm ublocks", string.Join(", ", Ublocks.Select(u => $"{u.W}x{u.H}x{u.D}"))),
                ("ifm/acc ram", $"{IfmRamBytes / 1024} KB / {AccRamBytes / 1024} KB"),
            }
            : [("ofm ublock", $"{UblockW}x{UblockH}x{UblockD}"), ("shram", $"{ShramKb} KB")]),
        ("memory mode", MemoryMode == EthosUMemoryMode.SharedSram ? "Shared_Sram (weights in flash, arena in SRAM)"
            : "Dedicated_Sram (weights and arena in DRAM, SRAM cache)"),
        ("sram", $"{Format(Sram.BytesPerCycle)}, {Format(Sram.SizeKb!)}"),
        (Constants.Name, Format(Constants.BytesPerCycle)),
        ("host cpu", $"{HostTargetId} @ {Format(HostClockMhz)} ({CortexMStacks.Name(HostStack)})"),
        ("power", Format(ActivePowerMw)),
    ];

    private static List<EthosUUblock> ReadUblocks(SpecReader list)
    {
        var result = new List<EthosUUblock>();
        foreach (string name in list.PropertyNames())
        {
            SpecReader entry = list.Object(name);
            entry.String("source");
            string[] parts = name.Split('_');
            if (parts.Length != 3 || !TryDim(parts[0], 'h', out int h) || !TryDim(parts[1], 'w', out int w) || !TryDim(parts[2], 'd', out int d))
            {
                throw list.Error(name, "must be named h<H>_w<W>_d<D>");
            }
            IReadOnlyList<string> ops = entry.StringList("ops");
            foreach (string op in ops)
            {
                if (op is not ("conv" or "depthwise" or "elementwise"))
                {
                    throw entry.Error("ops", $"'{op}' is not conv, depthwise or elementwise");
                }
            }
            result.Add(new EthosUUblock(h, w, d, ops.Contains("conv"), ops.Contains("depthwise"), ops.Contains("elementwise")));
        }
        if (result.Count == 0 || !result.Any(u => u.Conv) || !result.Any(u => u.Depthwise) || !result.Any(u => u.Elementwise))
        {
            throw new TargetException($"{list.File}: {list.Path} must list at least one µblock for each of conv, depthwise and elementwise");
        }
        return result;
    }

    private static bool TryDim(string part, char prefix, out int value)
    {
        value = 0;
        return part.Length > 1 && part[0] == prefix
            && int.TryParse(part.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value)
            && value is >= 1 and <= 1024;
    }
}

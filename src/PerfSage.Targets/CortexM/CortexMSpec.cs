namespace PerfSage.Targets;

/// <summary>
/// A Cortex-M target: the core, its default clock and memory system, and the cost numbers of each
/// software stack (<see cref="CortexMStack"/>). Read from a <c>"family": "cortex-m"</c> file.
/// </summary>
public sealed class CortexMSpec : TargetSpec
{
    private readonly CortexMStackCosts[] _stacks;

    internal CortexMSpec(SpecReader root) : base(root, TargetFamily.CortexM)
    {
        Core = root.String("core");
        Board = root.OptionalString("board") ?? "";
        SpecReader memory = root.Object("memory");
        SramKb = memory.Number("sram_kb", min: 1e-3);
        FlashKb = memory.Number("flash_kb", min: 1e-3);
        FlashBytesPerCycle = memory.Number("flash_bytes_per_cycle", min: 1e-6);

        SpecReader tflm = root.Object("tflm_persistent");
        PersistentBytesPerTensor = tflm.Number("bytes_per_tensor");
        PersistentBytesPerOp = tflm.Number("bytes_per_op");
        OpDataBytesPerChannel = tflm.Number("opdata_bytes_per_channel");
        OpDataBytesPerOp = tflm.Number("opdata_bytes_per_op");
        ArenaAlignmentBytes = tflm.Integer("arena_alignment_bytes", min: 1);

        SpecReader scratch = root.Object("cmsis_nn_scratch");
        ConvScratchBytesPerTap = scratch.Number("conv_bytes_per_input_tap");
        DepthwiseScratchBytesPerTap = scratch.Number("depthwise_bytes_per_input_tap");

        SpecReader dtype = root.Object("dtype_factors");
        Float32Factor = dtype.Number("float32", min: 1e-6);
        Int16Factor = dtype.Number("int16", min: 1e-6);

        string defaultStack = root.String("default_stack");
        if (!CortexMStacks.TryParse(defaultStack, out CortexMStack parsed))
        {
            throw root.Error("default_stack", $"'{defaultStack}' is not tflm-reference, cmsis-nn or vendor");
        }
        DefaultStack = parsed;

        SpecReader stacks = root.Object("stacks");
        _stacks = new CortexMStackCosts[CortexMStacks.All.Count];
        foreach (CortexMStack stack in CortexMStacks.All)
        {
            _stacks[(int)stack] = new CortexMStackCosts(stack, stacks.Object(CortexMStacks.Name(stack)));
        }
    }

    /// <summary>The core (<c>Cortex-M4</c>).</summary>
    public string Core { get; }

    /// <summary>The board the default numbers describe (<c>STM32L4R5ZI</c>), or empty.</summary>
    public string Board { get; }

    /// <summary>On-chip SRAM of the reference board (the arena must fit in it).</summary>
    public SourcedValue SramKb { get; }

    /// <summary>On-chip flash of the reference board.</summary>
    public SourcedValue FlashKb { get; }

    /// <summary>Sustained flash read bandwidth for streamed weights, bytes per core cycle.</summary>
    public SourcedValue FlashBytesPerCycle { get; }

    /// <summary>TFLM <c>TfLiteEvalTensor</c>: bytes per tensor in the arena tail.</summary>
    public SourcedValue PersistentBytesPerTensor { get; }

    /// <summary>TFLM <c>NodeAndRegistration</c>: bytes per operator in the arena tail.</summary>
    public SourcedValue PersistentBytesPerOp { get; }

    /// <summary>Kernel OpData per output channel (per-channel multiplier and shift, int32 each).</summary>
    public SourcedValue OpDataBytesPerChannel { get; }

    /// <summary>Kernel OpData per operator beyond the per-channel arrays.</summary>
    public SourcedValue OpDataBytesPerOp { get; }

    /// <summary>Alignment of arena buffers.</summary>
    public int ArenaAlignmentBytes { get; }

    /// <summary>CMSIS-NN convolution scratch (im2col to int16): bytes per (kernel tap × input channel).</summary>
    public SourcedValue ConvScratchBytesPerTap { get; }

    /// <summary>CMSIS-NN depthwise scratch: bytes per (kernel tap × channel).</summary>
    public SourcedValue DepthwiseScratchBytesPerTap { get; }

    /// <summary>Float32 operators run TFLM's reference float kernels: the <c>tflm-reference</c> coefficients
    /// times this factor, whatever the stack.</summary>
    public SourcedValue Float32Factor { get; }

    /// <summary>Multiplier on the stack's coefficients for int16 activations.</summary>
    public SourcedValue Int16Factor { get; }

    /// <summary>The stack used when the options name none (<c>cmsis-nn</c>).</summary>
    public CortexMStack DefaultStack { get; }

    /// <summary>The numbers of one stack.</summary>
    public CortexMStackCosts Stack(CortexMStack stack) => _stacks[(int)stack];

    public override IReadOnlyList<(string Key, string Value)> Summary
    {
        get
        {
            var lines = new List<(string, string)>
            {
                ("family", FamilyName(Family)),
                ("core", Core + (Board.Length > 0 ? " (" + Board + ")" : "")),
                ("clock", Format(ClockMhz)),
                ("sram", Format(SramKb)),
                ("flash", Format(FlashKb)),
                ("default stack", CortexMStacks.Name(DefaultStack)),
            };
            foreach (CortexMStack stack in CortexMStacks.All)
            {
                CortexMStackCosts s = Stack(stack);
                lines.Add(($"{CortexMStacks.Name(stack)} c/MAC conv|dw|fc",
                    string.Join(" | ",
                        Format(s[CortexMOpClass.Conv].CyclesPerMac),
                        Format(s[CortexMOpClass.Depthwise].CyclesPerMac),
                        Format(s[CortexMOpClass.FullyConnected].CyclesPerMac))));
                lines.Add(($"{CortexMStacks.Name(stack)} power", Format(s.ActivePowerMw)));
            }
            return lines;
        }
    }
}

namespace PerfSage.Targets;

/// <summary>
/// A mobile GPU running the TFLite GPU delegate: peak arithmetic and DRAM bandwidth, the efficiencies at
/// which kernels reach them, the dispatch overhead per fused kernel, and the CPU that runs operators the
/// delegate does not support. Read from a <c>"family": "mobile-gpu"</c> file.
/// </summary>
public sealed class MobileGpuSpec : TargetSpec
{
    internal MobileGpuSpec(SpecReader root) : base(root, TargetFamily.MobileGpu)
    {
        Gpu = root.String("gpu");
        SpecReader compute = root.Object("compute");
        Fp32FlopsPerCycle = compute.Number("fp32_flops_per_cycle", min: 1e-6);
        Fp16Rate = compute.Number("fp16_rate", min: 1e-6);
        ChannelRounding = compute.Integer("channel_rounding", min: 1);
        SpecReader memory = root.Object("memory");
        DramGbPerS = memory.Number("dram_gb_per_s", min: 1e-6);
        SpecReader eff = root.Object("efficiency");
        ConvEfficiency = eff.Number("conv", min: 1e-6);
        DepthwiseEfficiency = eff.Number("depthwise", min: 1e-6);
        FullyConnectedEfficiency = eff.Number("fully_connected", min: 1e-6);
        ElementwiseEfficiency = eff.Number("elementwise", min: 1e-6);
        MemoryEfficiency = eff.Number("memory", min: 1e-6);
        DispatchUs = root.Number("dispatch_us");
        SpecReader cpu = root.Object("cpu_fallback");
        CpuName = cpu.String("cpu");
        CpuClockMhz = cpu.Number("clock_mhz", min: 1e-3);
        CpuGflops = cpu.Number("gflops", min: 1e-6);
        CpuPerOpUs = cpu.Number("per_op_us");
        SyncUs = cpu.Number("sync_us");
        SpecReader energy = root.Object("energy");
        GpuPowerMw = energy.Number("gpu_power_mw", min: 1e-6);
        CpuPowerMw = energy.Number("cpu_power_mw", min: 1e-6);
        RuntimeFlashKb = root.Number("runtime_flash_kb");
    }

    /// <summary>The GPU and its configuration (<c>Mali-G76 MP10</c>).</summary>
    public string Gpu { get; }

    /// <summary>Peak FP32 floating-point operations per GPU cycle over the whole GPU (an FMA counts 2).</summary>
    public SourcedValue Fp32FlopsPerCycle { get; }

    /// <summary>FP16 throughput over FP32 (the delegate computes in FP16).</summary>
    public SourcedValue Fp16Rate { get; }

    /// <summary>Channels are padded to a multiple of this (PHWC4 layout: 4-channel slices).</summary>
    public int ChannelRounding { get; }

    public SourcedValue DramGbPerS { get; }

    /// <summary>Fraction of FP16 peak reached by convolution kernels.</summary>
    public SourcedValue ConvEfficiency { get; }

    public SourcedValue DepthwiseEfficiency { get; }

    public SourcedValue FullyConnectedEfficiency { get; }

    /// <summary>Fraction of FP16 peak for elementwise, pooling and other kernels.</summary>
    public SourcedValue ElementwiseEfficiency { get; }

    /// <summary>Fraction of DRAM peak bandwidth reached.</summary>
    public SourcedValue MemoryEfficiency { get; }

    /// <summary>Fixed time per dispatched fused kernel.</summary>
    public SourcedValue DispatchUs { get; }

    /// <summary>The CPU that runs unsupported operators (<c>Cortex-A76</c>).</summary>
    public string CpuName { get; }

    /// <summary>The CPU clock (CPU layers report cycles at it).</summary>
    public SourcedValue CpuClockMhz { get; }

    /// <summary>Sustained GFLOP/s of the CPU on fallback operators.</summary>
    public SourcedValue CpuGflops { get; }

    /// <summary>Fixed time per CPU operator.</summary>
    public SourcedValue CpuPerOpUs { get; }

    /// <summary>Penalty per switch between GPU and CPU execution (copy-out, sync, copy-in).</summary>
    public SourcedValue SyncUs { get; }

    public SourcedValue GpuPowerMw { get; }

    public SourcedValue CpuPowerMw { get; }

    /// <summary>Added to the model file size for flash (0 on phones: the file is the storage).</summary>
    public SourcedValue RuntimeFlashKb { get; }

    /// <summary>FP16 peak in GFLOP/s at <paramref name="clockMhz"/>.</summary>
    public double PeakFp16Gflops(double clockMhz) => Fp32FlopsPerCycle.Value * Fp16Rate.Value * clockMhz / 1000.0;

    public override IReadOnlyList<(string Key, string Value)> Summary =>
    [
        ("family", FamilyName(Family)),
        ("gpu", Gpu),
        ("clock", Format(ClockMhz)),
        ("fp16 peak", Format(PeakFp16Gflops(ClockMhz.Value), "GFLOP/s")),
        ("dram", Format(DramGbPerS)),
        ("efficiency conv|dw|fc|eltwise|mem", string.Join(" | ", Format(ConvEfficiency.Value), Format(DepthwiseEfficiency.Value),
            Format(FullyConnectedEfficiency.Value), Format(ElementwiseEfficiency.Value), Format(MemoryEfficiency.Value))),
        ("dispatch", Format(DispatchUs)),
        ("cpu fallback", $"{CpuName}, {Format(CpuGflops)}, sync {Format(SyncUs)}"),
        ("power", Format(GpuPowerMw)),
    ];
}

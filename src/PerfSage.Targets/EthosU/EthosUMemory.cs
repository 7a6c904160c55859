namespace PerfSage.Targets;

/// <summary>One memory an Ethos-U NPU reads and writes over AXI, as a Vela system config describes it.</summary>
public sealed class EthosUMemory
{
    internal EthosUMemory(string name, SpecReader r)
    {
        Name = name;
        BytesPerCycle = r.Number("bytes_per_cycle", min: 1e-6);
        BurstBytes = r.Integer("burst_bytes", min: 1);
        ReadLatencyCycles = r.Number("read_latency_cycles");
        WriteLatencyCycles = r.Number("write_latency_cycles");
        SizeKb = r.OptionalNumber("size_kb", min: 1e-3);
    }

    /// <summary><c>sram</c>, <c>flash</c> or <c>dram</c>.</summary>
    public string Name { get; }

    /// <summary>Bytes per NPU cycle (AXI width / 8 × clock scale).</summary>
    public SourcedValue BytesPerCycle { get; }

    /// <summary>Burst length: reads shorter than this still cost a whole burst.</summary>
    public int BurstBytes { get; }

    public SourcedValue ReadLatencyCycles { get; }

    public SourcedValue WriteLatencyCycles { get; }

    /// <summary>Capacity, when the file gives one (the SRAM, or the U65's SRAM cache).</summary>
    public SourcedValue? SizeKb { get; }
}

namespace PerfSage.Targets;

/// <summary>What limits a layer's time: the compute units or one memory's bandwidth.</summary>
public enum LayerBound
{
    /// <summary>The arithmetic (or, for elided operators, nothing at all).</summary>
    Compute,
    /// <summary>On-chip SRAM bandwidth.</summary>
    Sram,
    /// <summary>Flash bandwidth (weights streamed from flash).</summary>
    Flash,
    /// <summary>Off-chip DRAM bandwidth.</summary>
    Dram,
    /// <summary>Fixed per-kernel overhead (GPU dispatch, CPU/GPU synchronisation) dominates.</summary>
    Overhead,
}

/// <summary>Where an operator runs.</summary>
public enum ExecutionUnit
{
    Cpu,
    Npu,
    Gpu,
}

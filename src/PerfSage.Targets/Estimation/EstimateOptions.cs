namespace PerfSage.Targets;

/// <summary>Per-call settings of an estimate. Immutable; <see cref="Default"/> uses the target's defaults.</summary>
public sealed record EstimateOptions
{
    /// <summary>The target's defaults.</summary>
    public static EstimateOptions Default { get; } = new();

    /// <summary>Clock override in MHz (the core, NPU or GPU clock); null for the target's default.
    /// Cycle counts do not change with the clock (memory speeds are modelled per cycle), only times do.</summary>
    public double? ClockMhz { get; init; }

    /// <summary>Cortex-M software stack; null for the target's default (<c>cmsis-nn</c>). On Ethos-U targets
    /// it selects the host CPU's stack for fallback operators; GPU targets reject it.</summary>
    public CortexMStack? Stack { get; init; }
}

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

    /// <summary>A board's memory system in place of the Cortex-M target's reference board (its flash stream and
    /// capacities); null for the target's own. Set by <see cref="BoardEstimator"/>; Ethos-U and GPU targets ignore it.</summary>
    public BoardMemory? Memory { get; init; }
}

/// <summary>The memory system of a board, as the Cortex-M estimator uses it.</summary>
/// <param name="Owner">The board id, named in notes (<c>arena … exceeds the 264 KB SRAM of raspberry-pi-pico</c>).</param>
/// <param name="SramKb">On-chip SRAM.</param>
/// <param name="FlashKb">Flash for the model and runtime.</param>
/// <param name="FlashBytesPerCycle">Flash bytes streamed per core cycle, or null to keep the target's.</param>
public sealed record BoardMemory(string Owner, double SramKb, double FlashKb, double? FlashBytesPerCycle);

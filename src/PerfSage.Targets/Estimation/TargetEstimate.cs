namespace PerfSage.Targets;

/// <summary>
/// The reference estimate of one graph on one target (batch 1, one inference).
/// </summary>
/// <param name="TargetId">The catalog id.</param>
/// <param name="ClockMhz">The clock used (default or override).</param>
/// <param name="Stack">The Cortex-M stack used (the host CPU's for Ethos-U), or null for GPUs.</param>
/// <param name="LatencyMs">Sum of the layer latencies.</param>
/// <param name="EnergyMj">Energy of one inference.</param>
/// <param name="PeakRamKb">Working memory at its peak: the SRAM arena on MCUs and NPUs, device memory on GPUs.</param>
/// <param name="FlashKb">Model storage plus the runtime where the target says so.</param>
/// <param name="Cycles">Latency in cycles of the target's clock (<paramref name="ClockMhz"/>).</param>
/// <param name="Layers">One entry per graph node, in execution order.</param>
/// <param name="UnsupportedOps">Nodes the target cannot run natively, with how each was costed.</param>
/// <param name="Notes">Warnings and assumptions that apply to this estimate.</param>
public sealed record TargetEstimate(
    string TargetId,
    double ClockMhz,
    string? Stack,
    double LatencyMs,
    double EnergyMj,
    double PeakRamKb,
    double FlashKb,
    long Cycles,
    IReadOnlyList<LayerEstimate> Layers,
    IReadOnlyList<UnsupportedOp> UnsupportedOps,
    IReadOnlyList<string> Notes)
{
    /// <summary>The board preset the estimate is for (<see cref="BoardEstimator"/>), or null for the target's own
    /// reference board.</summary>
    public string? Board { get; init; }
}

/// <summary>The estimate of one operator.</summary>
/// <param name="OpIndex">The node's index in execution order.</param>
/// <param name="OpType">The node's type name (<c>CONV_2D</c>).</param>
/// <param name="Cycles">Cycles of the unit that runs it, at that unit's clock (the host CPU's clock for
/// Ethos-U fallback operators).</param>
/// <param name="LatencyMs">Time of the layer.</param>
/// <param name="Bound">What limits it.</param>
/// <param name="Unit">Where it runs.</param>
/// <param name="SramBytes">Bytes moved to and from SRAM (after burst-efficiency scaling on Ethos-U).</param>
/// <param name="FlashBytes">Bytes read from flash.</param>
/// <param name="DramBytes">Bytes moved to and from DRAM.</param>
/// <param name="Kernel">GPU fused-kernel index the node belongs to (-1 elsewhere).</param>
public sealed record LayerEstimate(
    int OpIndex,
    string OpType,
    long Cycles,
    double LatencyMs,
    LayerBound Bound,
    ExecutionUnit Unit,
    long SramBytes,
    long FlashBytes,
    long DramBytes,
    int Kernel = -1);

/// <summary>An operator the target cannot run natively (or has no cost rule for).</summary>
/// <param name="OpIndex">The node's index.</param>
/// <param name="OpType">Its type name.</param>
/// <param name="Reason">Why it is not supported (which rule failed).</param>
/// <param name="CostedAs">How it was costed instead (never zero).</param>
public sealed record UnsupportedOp(int OpIndex, string OpType, string Reason, string CostedAs);

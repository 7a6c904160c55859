using System.Globalization;
using PerfSage.Graph;

namespace PerfSage.Targets;

/// <summary>
/// The last check on every reference estimate: a number that is not finite, negative, or beyond what any model
/// of a real runtime could take is never reported as a result. Such numbers come only from operators whose shapes
/// or options no runtime executes (a dilation of 2^30, a 65,536-wide pooling window), so the graph is refused as
/// bad input naming the operator that costs most.
/// </summary>
public static class EstimatePlausibility
{
    /// <summary>Longest plausible latency: 1e8 ms (about 28 hours per inference). An assumption: the slowest
    /// model and target PerfSage knows (a float MobileNetV2 on a Cortex-M4 with the reference kernels) takes about
    /// 1e5 ms; at the highest accepted clock (10 GHz) 1e8 ms is 1e15 cycles, which a long holds with room.</summary>
    public const double MaxLatencyMs = 1e8;

    /// <summary>Largest plausible energy, memory or byte count in the units reported: 1e12 (an assumption, the
    /// bound the predictor applies to its own outputs).</summary>
    public const double MaxAmount = 1e12;

    /// <summary>Largest plausible cycle or byte count of one layer or one inference: 1e15 (<see cref="MaxLatencyMs"/>
    /// at 10 GHz).</summary>
    public const double MaxCount = 1e15;

    /// <summary>Returns <paramref name="estimate"/> when every number in it is plausible; throws
    /// <see cref="TargetException"/> naming the graph, the number and the costliest operator otherwise.</summary>
    public static TargetEstimate Check(OpGraph graph, TargetEstimate estimate)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(estimate);
        string? bad = Find("latency_ms", estimate.LatencyMs, MaxLatencyMs)
            ?? Find("energy_mj", estimate.EnergyMj, MaxAmount)
            ?? Find("peak_ram_kb", estimate.PeakRamKb, MaxAmount)
            ?? Find("flash_kb", estimate.FlashKb, MaxAmount)
            ?? Find("cycles", estimate.Cycles, MaxCount);
        LayerEstimate? worst = null;
        foreach (LayerEstimate layer in estimate.Layers)
        {
            bad ??= Find($"layers[{layer.OpIndex}].latency_ms", layer.LatencyMs, MaxLatencyMs)
                ?? Find($"layers[{layer.OpIndex}].cycles", layer.Cycles, MaxCount)
                ?? Find($"layers[{layer.OpIndex}].sram_bytes", layer.SramBytes, MaxCount)
                ?? Find($"layers[{layer.OpIndex}].flash_bytes", layer.FlashBytes, MaxCount)
                ?? Find($"layers[{layer.OpIndex}].dram_bytes", layer.DramBytes, MaxCount);
            if (worst is null || !(layer.LatencyMs <= worst.LatencyMs))
            {
                worst = layer;
            }
        }
        if (bad is null)
        {
            return estimate;
        }
        string where = worst is null ? "" : $", most likely from operators[{worst.OpIndex}] ({worst.OpType})";
        throw new TargetException(
            $"{graph.Name}: the {estimate.TargetId} estimate is not plausible ({bad}){where}: its shapes or options are outside what any runtime executes");
    }

    private static string? Find(string name, double value, double max) =>
        double.IsFinite(value) && value >= 0 && value <= max
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"{name} = {value:G4}");
}

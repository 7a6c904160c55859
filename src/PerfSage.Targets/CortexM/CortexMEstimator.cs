using System.Collections.Immutable;
using PerfSage.Graph;

namespace PerfSage.Targets;

/// <summary>
/// Cortex-M reference estimator (TFLM + CMSIS-NN, TFLM reference kernels, or a vendor runtime):
/// per-operator cycles from <see cref="CortexMCostModel"/>, summed; time = cycles / clock; RAM = the TFLM
/// arena (<see cref="TflmMemory"/>); flash = model bytes + the stack's runtime; energy = the stack's
/// active power × time (power scaled with the clock, so energy per inference does not depend on it).
/// </summary>
internal sealed class CortexMEstimator : IEstimator
{
    private readonly CortexMSpec _spec;

    public CortexMEstimator(CortexMSpec spec) => _spec = spec;

    public TargetSpec Target => _spec;

    public TargetEstimate Estimate(OpGraph graph, EstimateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        options ??= EstimateOptions.Default;
        CortexMStack stack = options.Stack ?? _spec.DefaultStack;
        double clockMhz = EstimatorChecks.Clock(_spec, options);
        var notes = new List<string>();
        BoardMemory? board = options.Memory;
        double flashBytesPerCycle = board?.FlashBytesPerCycle ?? _spec.FlashBytesPerCycle.Value;
        string owner = board?.Owner ?? _spec.Id;
        double sramKb = board?.SramKb ?? _spec.SramKb.Value;
        double flashCapacityKb = board?.FlashKb ?? _spec.FlashKb.Value;

        ImmutableArray<OpNode> nodes = graph.Nodes;
        var layers = new LayerEstimate[nodes.Length];
        List<UnsupportedOp>? unsupported = null;
        double totalCycles = 0;
        bool anyFloat = false;
        for (int i = 0; i < nodes.Length; i++)
        {
            OpNode node = nodes[i];
            NodeCost cost = CortexMCostModel.Cost(_spec, stack, node, flashBytesPerCycle, out string? reason);
            anyFloat |= CortexMCostModel.IsFloat(node.DType);
            totalCycles += cost.Cycles;
            layers[i] = new LayerEstimate(node.Index, node.TypeName, (long)Math.Round(cost.Cycles),
                cost.Cycles / (clockMhz * 1000.0), cost.Bound, ExecutionUnit.Cpu, 0, cost.FlashBytes, 0);
            if (reason is not null)
            {
                (unsupported ??= []).Add(new UnsupportedOp(node.Index, node.TypeName, reason,
                    CortexMCostModel.FallbackDescription(_spec, stack)));
            }
        }
        if (anyFloat)
        {
            notes.Add("float operators are costed with TFLM's reference float kernels (CMSIS-NN and vendor kernels are integer-only)");
        }

        ArenaSize arena = TflmMemory.Arena(_spec, stack, graph);
        double peakRamKb = arena.TotalBytes / 1024.0;
        if (peakRamKb > sramKb)
        {
            notes.Add(FormattableString.Invariant(
                $"arena {peakRamKb:0.#} KB exceeds the {sramKb:0} KB SRAM of {owner}"));
        }
        long modelBytes = TflmMemory.ModelBytes(graph, out bool estimatedModel);
        if (estimatedModel)
        {
            notes.Add("the graph has no file size: flash counts its constant bytes only");
        }
        CortexMStackCosts costs = _spec.Stack(stack);
        double flashKb = modelBytes / 1024.0 + costs.RuntimeFlashKb.Value;
        if (flashKb > flashCapacityKb)
        {
            notes.Add(FormattableString.Invariant(
                $"model and runtime {flashKb:0.#} KB exceed the {flashCapacityKb:0} KB flash of {owner}"));
        }

        double latencyMs = totalCycles / (clockMhz * 1000.0);
        double powerMw = costs.ActivePowerMw.Value * clockMhz / _spec.ClockMhz.Value;
        double energyMj = powerMw * latencyMs / 1000.0;
        return new TargetEstimate(_spec.Id, clockMhz, CortexMStacks.Name(stack), latencyMs, energyMj, peakRamKb, flashKb,
            (long)Math.Round(totalCycles), layers, (IReadOnlyList<UnsupportedOp>?)unsupported ?? [], notes);
    }
}

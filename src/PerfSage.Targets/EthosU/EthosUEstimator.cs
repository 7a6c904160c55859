using System.Collections.Immutable;
using PerfSage.Graph;

namespace PerfSage.Targets;

/// <summary>
/// Ethos-U reference estimator, a Vela-style model (TARGETS §1; the Ethos-U85 follows Vela 4.x/5.x's regor model,
/// see <see cref="EthosUGeneration.U85"/> and docs/ESTIMATORS.md):
/// <list type="number">
/// <item>placement: each operator runs on the NPU if it passes Vela's support rules, else on the host CPU
/// (<see cref="EthosUSupport"/>), where it is costed with the host's Cortex-M model and listed as unsupported;</item>
/// <item>per NPU op (<see cref="EthosUPerformance"/>): block configuration, compute cycles, traffic per memory,
/// weight DMA overlap with the previous NPU op (the slack is that op's whole duration: the DMA streams on the
/// constants port meanwhile; TARGETS §1.5 reads Vela's slack as the previous op's compute time),
/// op cycles = max(NPU, SRAM, flash/DRAM access cycles); feature maps in SRAM
/// (Shared_Sram), or in the SRAM cache when the op's IFM and OFM fit it and in DRAM otherwise (Dedicated_Sram);</item>
/// <item>the network is the sum over ops, time = cycles / clock, CPU ops at the host clock.</item>
/// </list>
/// RAM = the arena plan + the largest weight double buffer + TFLM's own structures; flash = the model with NPU
/// weights replaced by their encoded size, plus a command stream per NPU op, plus the runtime. Energy = system
/// power × time + per-byte energy of flash and DRAM traffic (all assumptions, see the target files).
/// </summary>
internal sealed class EthosUEstimator : IEstimator
{
    private readonly EthosUSpec _spec;

    public EthosUEstimator(EthosUSpec spec) => _spec = spec;

    public TargetSpec Target => _spec;

    public TargetEstimate Estimate(OpGraph graph, EstimateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        options ??= EstimateOptions.Default;
        double clockMhz = EstimatorChecks.Clock(_spec, options);
        double hostClockMhz = _spec.HostClockMhz.Value * clockMhz / _spec.ClockMhz.Value;
        CortexMStack hostStack = options.Stack ?? _spec.HostStack;
        CortexMSpec host = _spec.Host;
        var notes = new List<string>();

        ImmutableArray<OpNode> nodes = graph.Nodes;
        int n = nodes.Length;
        var reasons = new string?[n];
        var onCpu = new bool[n];
        for (int i = 0; i < n; i++)
        {
            reasons[i] = EthosUSupport.Check(graph, nodes[i], _spec.Generation);
            onCpu[i] = reasons[i] is not null;
        }

        double cacheBytes = _spec.Sram.SizeKb!.Value * 1024;
        var layers = new LayerEstimate[n];
        List<UnsupportedOp>? unsupported = null;
        double totalMs = 0;
        double slack = 0;
        double flashBytesTotal = 0, dramBytesTotal = 0;
        double largestWeightBuffer = 0;
        double encodedTotal = 0, npuWeightBytesRaw = 0;
        int npuOps = 0;
        bool anyBlockMisfit = false;
        for (int i = 0; i < n; i++)
        {
            OpNode node = nodes[i];
            if (onCpu[i])
            {
                NodeCost cpu = CortexMCostModel.Cost(host, hostStack, node, out _);
                double ms = cpu.Cycles / (hostClockMhz * 1000.0);
                totalMs += ms;
                layers[i] = new LayerEstimate(node.Index, node.TypeName, (long)Math.Round(cpu.Cycles), ms, cpu.Bound,
                    ExecutionUnit.Cpu, 0, cpu.FlashBytes, 0);
                flashBytesTotal += cpu.FlashBytes;
                (unsupported ??= []).Add(new UnsupportedOp(node.Index, node.TypeName, reasons[i]!,
                    FormattableString.Invariant($"on the host CPU: {host.Id} ({CortexMStacks.Name(hostStack)}) at {hostClockMhz:0.#} MHz, Cortex-M cost model")));
                slack = 0;
                continue;
            }

            NpuOp op = EthosUSupport.Lower(graph, node, onCpu, _spec.Generation);
            FeatureMapMemory fm = FeatureMapPlacement(node, cacheBytes);
            NpuOpCost cost = EthosUPerformance.Estimate(_spec, op, fm, slack);
            anyBlockMisfit |= op.Type != NpuBlockType.Elided && !cost.Block.Fits;
            if (cost.EncodedWeightBytes > 0)
            {
                largestWeightBuffer = Math.Max(largestWeightBuffer, 2 * cost.WeightSliceBytes);
                encodedTotal += cost.EncodedWeightBytes;
                npuWeightBytesRaw += node.Cost.WeightBytes + node.Cost.BiasBytes;
            }
            bool shared = _spec.MemoryMode == EthosUMemoryMode.SharedSram;
            double flashBytes = shared ? cost.ConstantBytes : 0;
            double dramBytes = shared ? 0 : cost.ConstantBytes + cost.FeatureMapDramBytes;
            double opMs = cost.Cycles / (clockMhz * 1000.0);
            totalMs += opMs;
            flashBytesTotal += flashBytes;
            dramBytesTotal += dramBytes;
            if (op.Type != NpuBlockType.Elided)
            {
                npuOps++;
            }
            layers[i] = new LayerEstimate(node.Index, node.TypeName, (long)Math.Round(cost.Cycles), opMs, cost.Bound, ExecutionUnit.Npu,
                (long)Math.Round(cost.SramBytes), (long)Math.Round(flashBytes), (long)Math.Round(dramBytes));
            if (op.Type != NpuBlockType.Elided)
            {
                // The next op's weight DMA streams during this whole op (elided ops issue no command: the
                // overlap carries across them).
                slack = cost.Cycles;
            }
        }
        if (anyBlockMisfit)
        {
            notes.Add(_spec.Generation == EthosUGeneration.U85
                ? "an operator's smallest block does not fit the IFM and accumulator RAMs (very large kernel): costed with the µblock as the block"
                : "an operator's smallest block does not fit SHRAM (very large kernel): costed with the µblock as the block");
        }

        // Memory.
        ArenaPlan plan = ArenaPlanner.Plan(graph);
        double ramBytes = plan.TotalBytes + largestWeightBuffer + _spec.TflmOverheadSramKb.Value * 1024;
        if (_spec.MemoryMode == EthosUMemoryMode.SharedSram && ramBytes > cacheBytes)
        {
            notes.Add(FormattableString.Invariant(
                $"arena {ramBytes / 1024:0.#} KB exceeds the {_spec.Sram.SizeKb.Value:0} KB SRAM assumed for {_spec.Id}"));
        }
        if (_spec.MemoryMode == EthosUMemoryMode.DedicatedSram)
        {
            notes.Add(FormattableString.Invariant(
                $"Dedicated_Sram: the arena is in DRAM; feature maps of ops that fit the {_spec.Sram.SizeKb.Value:0} KB SRAM cache are costed in SRAM"));
        }
        long modelBytes = TflmMemory.ModelBytes(graph, out bool estimatedModel);
        if (estimatedModel)
        {
            notes.Add("the graph has no file size: flash counts its constant bytes only");
        }
        double flashKb = (Math.Max(0, modelBytes - npuWeightBytesRaw) + encodedTotal
            + npuOps * _spec.CommandStreamBytesPerOp.Value) / 1024 + _spec.RuntimeFlashKb.Value;

        double powerMw = _spec.ActivePowerMw.Value * clockMhz / _spec.ClockMhz.Value;
        double energyMj = powerMw * totalMs / 1000.0
            + (flashBytesTotal * _spec.FlashPjPerByte.Value + dramBytesTotal * _spec.DramPjPerByte.Value) * 1e-9;
        long totalCycles = (long)Math.Round(totalMs * clockMhz * 1000.0);
        return new TargetEstimate(_spec.Id, clockMhz, CortexMStacks.Name(hostStack), totalMs, energyMj,
            ramBytes / 1024, flashKb, totalCycles, layers, (IReadOnlyList<UnsupportedOp>?)unsupported ?? [], notes);
    }

    /// <summary>Shared_Sram: always SRAM. Dedicated_Sram: SRAM when the op's activation inputs and outputs fit the
    /// cache together, else DRAM.</summary>
    private FeatureMapMemory FeatureMapPlacement(OpNode node, double cacheBytes)
    {
        if (_spec.MemoryMode == EthosUMemoryMode.SharedSram)
        {
            return FeatureMapMemory.Sram;
        }
        long bytes = node.Cost.ActivationBytesRead + node.Cost.ActivationBytesWritten;
        return bytes <= cacheBytes ? FeatureMapMemory.Sram : FeatureMapMemory.Dram;
    }
}

using System.Collections.Immutable;
using PerfSage.Graph;
using PerfSage.Tflite;

namespace PerfSage.Targets;

/// <summary>
/// Mobile GPU reference estimator (TFLite GPU delegate, TARGETS §3):
/// <list type="number">
/// <item>placement: operators the delegate does not support run on the CPU (listed as unsupported); every
/// switch between GPU and CPU costs a synchronisation penalty;</item>
/// <item>fusion (nn-Meter's kernel rules, the delegate's shader fusion): an elementwise operator (activation,
/// ADD/SUB/MUL/…, quantise) whose input is the last output of an open kernel, read by nothing else, joins that
/// kernel; a PAD read only by a convolution merges into it; DEQUANTIZE of a constant is folded at load time;</item>
/// <item>per kernel: time = max(FLOPs / (η_class · FP16 peak), bytes / (η_mem · DRAM bandwidth)) + dispatch,
/// with channels rounded up to 4 (PHWC4) and FP16 activations and weights;</item>
/// <item>CPU operators: FLOPs / CPU rate + a fixed per-op time.</item>
/// </list>
/// A fused kernel's time is reported on its first operator; the others carry the same <see cref="LayerEstimate.Kernel"/>
/// and zero time. RAM = FP16 activation plan + FP16 weights; flash = the file; energy = GPU power × GPU time +
/// CPU power × (CPU time + synchronisation).
/// </summary>
internal sealed class MobileGpuEstimator : IEstimator
{
    private const int Fp16Bytes = 2;

    private readonly MobileGpuSpec _spec;

    public MobileGpuEstimator(MobileGpuSpec spec) => _spec = spec;

    public TargetSpec Target => _spec;

    public TargetEstimate Estimate(OpGraph graph, EstimateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        options ??= EstimateOptions.Default;
        if (options.Stack is not null)
        {
            throw new TargetException($"a Cortex-M stack does not apply to the GPU target {_spec.Id}");
        }
        double clockMhz = EstimatorChecks.Clock(_spec, options);
        ImmutableArray<OpNode> nodes = graph.Nodes;
        int n = nodes.Length;
        var notes = new List<string>();

        // Placement.
        var reasons = new string?[n];
        for (int i = 0; i < n; i++)
        {
            reasons[i] = GpuSupport.Check(graph, nodes[i]);
        }

        // Fusion: kernel index per node (-1: folded away), kernels as lists of members.
        int[] kernelOf = Fuse(graph, reasons, out List<List<int>> kernels, out int folded);
        if (folded > 0)
        {
            notes.Add($"{folded} DEQUANTIZE of constant weights folded at delegate load time (no run-time cost)");
        }

        var layers = new LayerEstimate[n];
        var layerMs = new double[n];
        var bounds = new LayerBound[n];
        var dramBytes = new long[n];
        double gpuMs = 0, cpuMs = 0, syncMs = 0;
        double peakGflops = _spec.PeakFp16Gflops(clockMhz);
        double bytesPerMs = _spec.DramGbPerS.Value * _spec.MemoryEfficiency.Value * 1e6;
        foreach (List<int> members in kernels)
        {
            int head = members[0];
            bool onCpu = reasons[head] is not null;
            if (onCpu)
            {
                OpNode node = nodes[head];
                double flops = 2.0 * node.Cost.Macs + node.Cost.ElementOps;
                double ms = flops / (_spec.CpuGflops.Value * 1e6) + _spec.CpuPerOpUs.Value / 1000;
                layerMs[head] = ms;
                bounds[head] = LayerBound.Compute;
                cpuMs += ms;
                continue;
            }
            (double computeMs, double memoryMs, long bytes) = KernelCost(graph, members, kernelOf, peakGflops, bytesPerMs);
            double dispatchMs = _spec.DispatchUs.Value / 1000;
            double kernelMs = Math.Max(computeMs, memoryMs) + dispatchMs;
            layerMs[head] = kernelMs;
            bounds[head] = dispatchMs > Math.Max(computeMs, memoryMs) ? LayerBound.Overhead
                : computeMs >= memoryMs ? LayerBound.Compute : LayerBound.Dram;
            dramBytes[head] = bytes;
            gpuMs += kernelMs;
        }

        // Synchronisation at every switch between GPU and CPU segments (in execution order).
        int switches = 0;
        ExecutionUnit? last = null;
        for (int i = 0; i < n; i++)
        {
            if (kernelOf[i] < 0)
            {
                continue;
            }
            ExecutionUnit unit = reasons[i] is null ? ExecutionUnit.Gpu : ExecutionUnit.Cpu;
            if (last is not null && last != unit)
            {
                switches++;
                layerMs[i] += _spec.SyncUs.Value / 1000;
                bounds[i] = LayerBound.Overhead;
            }
            last = unit;
        }
        syncMs = switches * _spec.SyncUs.Value / 1000;
        if (switches > 0)
        {
            notes.Add(FormattableString.Invariant(
                $"{switches} GPU/CPU switch(es) cost {_spec.SyncUs.Value:0} µs each (assumed synchronisation penalty)"));
        }

        List<UnsupportedOp>? unsupported = null;
        double cpuClock = _spec.CpuClockMhz.Value;
        for (int i = 0; i < n; i++)
        {
            OpNode node = nodes[i];
            bool cpu = reasons[i] is not null;
            double unitClock = cpu ? cpuClock : clockMhz;
            layers[i] = new LayerEstimate(node.Index, node.TypeName, (long)Math.Round(layerMs[i] * unitClock * 1000),
                layerMs[i], bounds[i], cpu ? ExecutionUnit.Cpu : ExecutionUnit.Gpu, 0, 0, dramBytes[i], kernelOf[i]);
            if (cpu)
            {
                (unsupported ??= []).Add(new UnsupportedOp(node.Index, node.TypeName, reasons[i]!,
                    FormattableString.Invariant(
                        $"on the CPU ({_spec.CpuName}): FLOPs / {_spec.CpuGflops.Value:0.#} GFLOP/s + {_spec.CpuPerOpUs.Value:0.#} µs, plus {_spec.SyncUs.Value:0} µs per GPU/CPU switch")));
            }
        }

        double latencyMs = gpuMs + cpuMs + syncMs;
        double gpuPowerMw = _spec.GpuPowerMw.Value * clockMhz / _spec.ClockMhz.Value;
        double energyMj = (gpuPowerMw * gpuMs + _spec.CpuPowerMw.Value * (cpuMs + syncMs)) / 1000.0;
        double peakRamKb = DeviceMemoryBytes(graph) / 1024.0;
        long modelBytes = TflmMemory.ModelBytes(graph, out bool estimatedModel);
        if (estimatedModel)
        {
            notes.Add("the graph has no file size: flash counts its constant bytes only");
        }
        double flashKb = modelBytes / 1024.0 + _spec.RuntimeFlashKb.Value;
        notes.Add("FP16 compute and storage assumed (the delegate's default precision-loss setting); shader compilation excluded");
        return new TargetEstimate(_spec.Id, clockMhz, null, latencyMs, energyMj, peakRamKb, flashKb,
            (long)Math.Round(latencyMs * clockMhz * 1000), layers, (IReadOnlyList<UnsupportedOp>?)unsupported ?? [], notes);
    }

    /// <summary>Groups nodes into fused kernels (GPU) or single CPU ops; returns each node's kernel index,
    /// -1 for constant DEQUANTIZEs folded at load time.</summary>
    internal static int[] Fuse(OpGraph graph, string?[] reasons, out List<List<int>> kernels, out int folded)
    {
        ImmutableArray<OpNode> nodes = graph.Nodes;
        ImmutableArray<GraphTensor> tensors = graph.Tensors;
        int n = nodes.Length;
        var kernelOf = new int[n];
        kernels = [];
        folded = 0;
        var lastMemberOfKernel = new List<int>();
        var padInto = new int[n];
        Array.Fill(padInto, -1);
        var padsOf = new List<int>?[n];

        // A PAD read only by a convolution is merged into that convolution's kernel.
        for (int i = 0; i < n; i++)
        {
            OpNode node = nodes[i];
            if (reasons[i] is null && node.Builtin is BuiltinOperator.PAD or BuiltinOperator.PADV2
                && node.MainOutput >= 0)
            {
                GraphTensor t = tensors[node.MainOutput];
                if (t.Consumers.Length == 1 && !t.IsGraphOutput)
                {
                    int c = t.Consumers[0];
                    if (reasons[c] is null && nodes[c].Family is OpFamily.Conv2D or OpFamily.DepthwiseConv2D)
                    {
                        padInto[i] = c;
                        (padsOf[c] ??= []).Add(i);
                    }
                }
            }
        }

        for (int i = 0; i < n; i++)
        {
            OpNode node = nodes[i];
            if (node.Builtin == BuiltinOperator.DEQUANTIZE && !node.IsCustom && !node.IsUnknown
                && node.ActivationInputs.Length == 0)
            {
                kernelOf[i] = -1;
                folded++;
                continue;
            }
            if (padInto[i] >= 0)
            {
                kernelOf[i] = -2; // assigned when its convolution opens a kernel
                continue;
            }
            if (reasons[i] is null && GpuSupport.IsFusableElementwise(node))
            {
                int target = FusionTarget(graph, i, kernelOf, lastMemberOfKernel, reasons);
                if (target >= 0)
                {
                    kernels[target].Add(i);
                    kernelOf[i] = target;
                    lastMemberOfKernel[target] = i;
                    continue;
                }
            }
            int k = kernels.Count;
            var members = new List<int> { i };
            kernels.Add(members);
            lastMemberOfKernel.Add(i);
            kernelOf[i] = k;
            if (padsOf[i] is { } pads)
            {
                foreach (int p in pads)
                {
                    members.Add(p);
                    kernelOf[p] = k;
                }
            }
        }
        return kernelOf;
    }

    /// <summary>The kernel an elementwise node joins: the one whose last member produced one of its activation
    /// inputs, when that tensor has no other reader and is not a graph output, and the kernel runs on the GPU.</summary>
    private static int FusionTarget(OpGraph graph, int index, int[] kernelOf, List<int> lastMemberOfKernel, string?[] reasons)
    {
        foreach (int input in graph.Nodes[index].ActivationInputs)
        {
            GraphTensor t = graph.Tensors[input];
            int producer = t.Producer;
            // Only an earlier operator can be fused into: a graph input that a later operator updates in place
            // (TFLite allows it) is read before that write, from outside the kernel.
            if (producer < 0 || producer >= index || t.IsGraphOutput || t.Consumers.Length != 1 || reasons[producer] is not null)
            {
                continue;
            }
            int k = kernelOf[producer];
            if (k >= 0 && lastMemberOfKernel[k] == producer)
            {
                OpFamily headFamily = graph.Nodes[producer].Family;
                if (headFamily != OpFamily.DataMovement)
                {
                    return k;
                }
            }
        }
        return -1;
    }

    /// <summary>Compute time, memory time and DRAM bytes of one fused kernel.</summary>
    private (double ComputeMs, double MemoryMs, long Bytes) KernelCost(OpGraph graph, List<int> members, int[] kernelOf,
        double peakGflops, double bytesPerMs)
    {
        ImmutableArray<OpNode> nodes = graph.Nodes;
        ImmutableArray<GraphTensor> tensors = graph.Tensors;
        int k = kernelOf[members[0]];
        OpNode head = nodes[members[0]];
        double flops = 0;
        long bytes = 0;
        foreach (int m in members)
        {
            OpNode node = nodes[m];
            flops += 2.0 * node.Cost.Macs * ChannelRoundingFactor(node) + node.Cost.ElementOps;
            bytes += Fp16Bytes * node.Cost.Parameters;
            foreach (int input in node.ActivationInputs)
            {
                int producer = tensors[input].Producer;
                if (producer < 0 || kernelOf[producer] != k)
                {
                    bytes += Fp16Bytes * RoundedElements(tensors[input]);
                }
            }
            foreach (int output in node.Outputs)
            {
                if (output < 0)
                {
                    continue;
                }
                GraphTensor t = tensors[output];
                bool leaves = t.IsGraphOutput || t.Consumers.Length == 0;
                foreach (int c in t.Consumers)
                {
                    leaves |= kernelOf[c] != k;
                }
                if (leaves)
                {
                    bytes += Fp16Bytes * RoundedElements(t);
                }
            }
        }
        double efficiency = head.Family switch
        {
            OpFamily.Conv2D or OpFamily.TransposeConv or OpFamily.Conv3D or OpFamily.Conv3DTranspose => _spec.ConvEfficiency.Value,
            OpFamily.DepthwiseConv2D => _spec.DepthwiseEfficiency.Value,
            OpFamily.FullyConnected or OpFamily.BatchMatMul or OpFamily.Recurrent => _spec.FullyConnectedEfficiency.Value,
            _ => _spec.ElementwiseEfficiency.Value,
        };
        double computeMs = flops / (efficiency * peakGflops * 1e6);
        double memoryMs = bytes / bytesPerMs;
        return (computeMs, memoryMs, bytes);
    }

    /// <summary>MAC inflation from padding channels to the rounding (PHWC4): input and output depth for
    /// convolutions and FC, the channel count for depthwise.</summary>
    private double ChannelRoundingFactor(OpNode node)
    {
        int r = _spec.ChannelRounding;
        int inDepth = node.InputShape.Length > 0 ? node.InputShape[^1] : 1;
        int outDepth = node.OutputShape.Length > 0 ? node.OutputShape[^1] : 1;
        return node.Family switch
        {
            OpFamily.DepthwiseConv2D => Ratio(outDepth, r),
            OpFamily.Conv2D or OpFamily.TransposeConv or OpFamily.FullyConnected => Ratio(inDepth, r) * Ratio(outDepth, r),
            _ => 1.0,
        };
    }

    private static double Ratio(int depth, int r) => depth <= 0 ? 1.0 : (double)RoundUp(depth, r) / depth;

    /// <summary><paramref name="depth"/> rounded up to a multiple of <paramref name="r"/>, in 64 bits (a depth near
    /// 2^31 would wrap in 32).</summary>
    private static long RoundUp(long depth, long r) => (depth + r - 1) / r * r;

    private long RoundedElements(GraphTensor t)
    {
        if (t.Rank == 0)
        {
            return 1;
        }
        int depth = t.Shape[^1];
        if (depth <= 0)
        {
            return 0;
        }
        int r = _spec.ChannelRounding;
        return t.ElementCount / depth * RoundUp(depth, r); // ≤ 2^31 · (2^31 + r): fits in 64 bits
    }

    /// <summary>FP16 activations planned like an arena (PHWC4 sizes) plus FP16 weights.</summary>
    private long DeviceMemoryBytes(OpGraph graph)
    {
        ImmutableArray<BufferRequest> lifetimes = ArenaPlanner.Lifetimes(graph);
        var requests = new BufferRequest[lifetimes.Length];
        for (int i = 0; i < lifetimes.Length; i++)
        {
            BufferRequest r = lifetimes[i];
            requests[i] = r with { SizeBytes = Fp16Bytes * RoundedElements(graph.Tensors[r.Id]) };
        }
        long arena = requests.Length == 0 ? 0 : ArenaPlanner.Plan(requests).PeakBytes;
        long weights = 0;
        foreach (GraphTensor t in graph.Tensors)
        {
            if (t.IsConstant && t.Consumers.Length > 0)
            {
                weights += Fp16Bytes * t.ElementCount;
            }
        }
        return arena + weights;
    }
}

using System.Collections.Immutable;
using PerfSage.Graph;

namespace PerfSage.Targets;

/// <summary>
/// TFLite Micro arena size (TARGETS §2.1): the head is the greedy plan of the activation tensors plus the
/// kernels' scratch buffers (each live only during its operator); the tail is the persistent part:
/// a <c>TfLiteEvalTensor</c> per tensor, a <c>NodeAndRegistration</c> per operator, the kernels' OpData
/// (a fixed part per operator and, for per-channel quantised convolutions, a multiplier and a shift per
/// output channel) and variable tensors. Weights stay in flash.
/// </summary>
internal static class TflmMemory
{
    public static ArenaSize Arena(CortexMSpec spec, CortexMStack stack, OpGraph graph)
    {
        ImmutableArray<BufferRequest> lifetimes = ArenaPlanner.Lifetimes(graph);
        var requests = new List<BufferRequest>(lifetimes.Length + 8);
        requests.AddRange(lifetimes);
        int nextId = graph.Tensors.Length;
        long scratchPeak = 0;
        ImmutableArray<OpNode> nodes = graph.Nodes;
        for (int i = 0; i < nodes.Length; i++)
        {
            long scratch = CortexMCostModel.ScratchBytes(spec, stack, nodes[i]);
            if (scratch > 0)
            {
                requests.Add(new BufferRequest(nextId + i, scratch, i, i));
                scratchPeak = Math.Max(scratchPeak, scratch);
            }
        }
        long head = requests.Count == 0 ? 0 : ArenaPlanner.Plan(requests).PeakBytes;
        return new ArenaSize(head, TailBytes(spec, graph), scratchPeak);
    }

    /// <summary>The persistent tail of the arena.</summary>
    public static long TailBytes(CortexMSpec spec, OpGraph graph)
    {
        double tail = spec.PersistentBytesPerTensor.Value * graph.Tensors.Length
            + spec.PersistentBytesPerOp.Value * graph.Nodes.Length;
        ImmutableArray<OpNode> nodes = graph.Nodes;
        for (int i = 0; i < nodes.Length; i++)
        {
            tail += OpDataBytes(spec, graph, nodes[i]);
        }
        ImmutableArray<GraphTensor> tensors = graph.Tensors;
        for (int i = 0; i < tensors.Length; i++)
        {
            if (tensors[i].IsVariable)
            {
                tail += ArenaPlanner.AlignUp(tensors[i].SizeBytes);
            }
        }
        return (long)Math.Ceiling(tail);
    }

    /// <summary>OpData of one operator: the fixed part, plus per-channel multipliers and shifts when its
    /// weights are quantised per channel.</summary>
    public static double OpDataBytes(CortexMSpec spec, OpGraph graph, OpNode node)
    {
        double bytes = spec.OpDataBytesPerOp.Value;
        if (node.WeightTensor >= 0)
        {
            QuantizationSummary? q = graph.Tensors[node.WeightTensor].Quantization;
            if (q is { IsPerChannel: true })
            {
                bytes += spec.OpDataBytesPerChannel.Value * q.ScaleCount;
            }
        }
        return bytes;
    }

    /// <summary>Bytes of the model as stored in flash: the file when known, else the constants alone.</summary>
    public static long ModelBytes(OpGraph graph, out bool estimated)
    {
        estimated = graph.FileBytes <= 0;
        return estimated ? graph.ConstantBytes : graph.FileBytes;
    }
}

/// <summary>Arena head (planned activations and scratch), persistent tail, and the largest scratch buffer.</summary>
internal readonly record struct ArenaSize(long HeadBytes, long TailBytes, long LargestScratchBytes)
{
    public long TotalBytes => HeadBytes + TailBytes;
}

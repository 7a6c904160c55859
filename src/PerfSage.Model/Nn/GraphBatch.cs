using PerfSage.Graph.Features;
using TorchSharp;
using static TorchSharp.torch;

namespace PerfSage.Model.Nn;

/// <summary>
/// Several graphs collated into one big disconnected graph (PyG's <c>Batch</c>): node rows concatenated,
/// edge endpoints offset by the nodes of the graphs before, a <see cref="Batch"/> vector mapping each node
/// to its graph, graph rows stacked. The inputs are checked once here (schema version, array lengths,
/// op and edge index ranges, finite values), so the layers can trust them.
/// <para>The tensors belong to the dispose scope that is current when <see cref="Collate"/> runs; the
/// caller opens one per step or per inference batch.</para>
/// </summary>
internal sealed class GraphBatch
{
    private GraphBatch() { }

    /// <summary>Node features [N, F], float32.</summary>
    public required Tensor NodeFeatures { get; init; }

    /// <summary>Op vocabulary index per node [N], int64.</summary>
    public required Tensor OpIndex { get; init; }

    /// <summary>Edge sources [E], int64, offset into the batch's node numbering.</summary>
    public required Tensor EdgeSource { get; init; }

    /// <summary>Edge targets [E], int64.</summary>
    public required Tensor EdgeTarget { get; init; }

    /// <summary>Edge features [E, Fe], float32.</summary>
    public required Tensor EdgeFeatures { get; init; }

    /// <summary>1 / max(1, in-degree) per node [N, 1], for mean aggregation.</summary>
    public required Tensor InverseInDegree { get; init; }

    /// <summary>Graph of each node [N], int64.</summary>
    public required Tensor Batch { get; init; }

    /// <summary>graph · <see cref="MaxNodes"/> + position within the graph [N], int64: where each node lands
    /// in a dense [G, MaxNodes] layout (used by the readouts).</summary>
    public required Tensor DensePosition { get; init; }

    /// <summary>Graph features [G, Fg], float32.</summary>
    public required Tensor GraphFeatures { get; init; }

    /// <summary>Number of graphs.</summary>
    public required int GraphCount { get; init; }

    /// <summary>Largest node count of a graph in the batch (at least 1).</summary>
    public required int MaxNodes { get; init; }

    /// <summary>Total nodes.</summary>
    public required int NodeCount { get; init; }

    /// <summary>Collates <paramref name="graphs"/> (already scaled, or raw if the caller scales nothing) onto <paramref name="device"/>.</summary>
    /// <exception cref="ModelFormatException">A graph of another schema version or with inconsistent arrays.</exception>
    public static GraphBatch Collate(IReadOnlyList<GraphFeatures> graphs, Device device)
    {
        ArgumentNullException.ThrowIfNull(graphs);
        if (graphs.Count == 0)
        {
            throw new ArgumentException("a batch needs at least one graph", nameof(graphs));
        }
        int f = FeatureSchema.NodeFeatureCount, fe = FeatureSchema.EdgeFeatureCount, fg = FeatureSchema.GraphFeatureCount;
        long totalNodes = 0, totalEdges = 0;
        int maxNodes = 1;
        for (int b = 0; b < graphs.Count; b++)
        {
            GraphFeatures g = graphs[b] ?? throw new ArgumentException($"graph {b} is null", nameof(graphs));
            Check(g, b);
            totalNodes += g.NodeCount;
            totalEdges += g.EdgeCount;
            maxNodes = Math.Max(maxNodes, g.NodeCount);
        }
        if (totalNodes * f > int.MaxValue || totalEdges * fe > int.MaxValue || (long)graphs.Count * maxNodes > int.MaxValue)
        {
            throw new ArgumentException($"batch of {graphs.Count} graphs is too large ({totalNodes} nodes, {totalEdges} edges)", nameof(graphs));
        }

        int n = (int)totalNodes, e = (int)totalEdges;
        var x = new float[n * f];
        var ops = new long[n];
        var src = new long[e];
        var dst = new long[e];
        var ef = new float[e * fe];
        var gf = new float[graphs.Count * fg];
        var batch = new long[n];
        var dense = new long[n];
        var inDegree = new int[n];
        int nodeBase = 0, edgeBase = 0;
        for (int b = 0; b < graphs.Count; b++)
        {
            GraphFeatures g = graphs[b];
            Array.Copy(g.NodeFeatures, 0, x, nodeBase * f, g.NodeCount * f);
            Array.Copy(g.EdgeFeatures, 0, ef, edgeBase * fe, g.EdgeCount * fe);
            Array.Copy(g.GraphFeatureValues, 0, gf, b * fg, fg);
            for (int i = 0; i < g.NodeCount; i++)
            {
                ops[nodeBase + i] = g.OpIndex[i];
                batch[nodeBase + i] = b;
                dense[nodeBase + i] = ((long)b * maxNodes) + i;
            }
            for (int k = 0; k < g.EdgeCount; k++)
            {
                src[edgeBase + k] = nodeBase + g.EdgeSource[k];
                int target = nodeBase + g.EdgeTarget[k];
                dst[edgeBase + k] = target;
                inDegree[target]++;
            }
            nodeBase += g.NodeCount;
            edgeBase += g.EdgeCount;
        }
        var inverseDegree = new float[n];
        for (int i = 0; i < n; i++)
        {
            inverseDegree[i] = 1f / Math.Max(1, inDegree[i]);
        }

        return new GraphBatch
        {
            NodeFeatures = torch.tensor(x, [n, f], device: device),
            OpIndex = torch.tensor(ops, [n], device: device),
            EdgeSource = torch.tensor(src, [e], device: device),
            EdgeTarget = torch.tensor(dst, [e], device: device),
            EdgeFeatures = torch.tensor(ef, [e, fe], device: device),
            InverseInDegree = torch.tensor(inverseDegree, [n, 1], device: device),
            Batch = torch.tensor(batch, [n], device: device),
            DensePosition = torch.tensor(dense, [n], device: device),
            GraphFeatures = torch.tensor(gf, [graphs.Count, fg], device: device),
            GraphCount = graphs.Count,
            MaxNodes = maxNodes,
            NodeCount = n,
        };
    }

    private static void Check(GraphFeatures g, int b) => GraphChecks.Check(g, b);
}

using System.Collections.Immutable;
using PerfSage.Tflite;
using static PerfSage.Graph.Features.FeatureSchema;

namespace PerfSage.Graph.Features;

/// <summary>
/// Turns an <see cref="OpGraph"/> into <see cref="GraphFeatures"/> under <see cref="FeatureSchema"/>
/// version 1. One node per operator, in execution order. One edge pair per (tensor, consumer) where the
/// tensor is produced by an operator: producer → consumer (<c>forward</c> = 1) and its reverse copy
/// (<c>forward</c> = 0), so messages flow both ways. Graph inputs and constants get no node: their
/// sizes already sit in the consuming node's shape, byte and weight columns, and a virtual node would
/// only add rows without information. Edges are ordered: all forward edges (tensor id ascending,
/// consumers ascending), then the reverse copies in the same order. Stateless and thread-safe.
/// </summary>
public static class Featurizer
{
    /// <summary>The features of <paramref name="graph"/>.</summary>
    public static GraphFeatures Featurize(OpGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ImmutableArray<OpNode> nodes = graph.Nodes;
        ImmutableArray<GraphTensor> tensors = graph.Tensors;
        int n = nodes.Length;
        int f = NodeFeatureCount;

        var x = new float[n * f];
        var ops = new int[n];
        for (int i = 0; i < n; i++)
        {
            OpNode node = nodes[i];
            ops[i] = OpVocabulary.IndexOf(node);
            WriteNode(node, tensors, x.AsSpan(i * f, f));
        }

        int pairs = 0;
        for (int t = 0; t < tensors.Length; t++)
        {
            if (tensors[t].Producer >= 0)
            {
                pairs += tensors[t].Consumers.Length;
            }
        }
        int fe = EdgeFeatureCount;
        var src = new int[2 * pairs];
        var dst = new int[2 * pairs];
        var e = new float[2 * pairs * fe];
        int k = 0;
        for (int t = 0; t < tensors.Length; t++)
        {
            GraphTensor tensor = tensors[t];
            if (tensor.Producer < 0)
            {
                continue;
            }
            float bytes = Log2p(tensor.SizeBytes);
            int dtype = DTypeCategory(tensor.Type);
            foreach (int consumer in tensor.Consumers)
            {
                src[k] = tensor.Producer;
                dst[k] = consumer;
                src[k + pairs] = consumer;
                dst[k + pairs] = tensor.Producer;
                Span<float> forward = e.AsSpan(k * fe, fe);
                Span<float> backward = e.AsSpan((k + pairs) * fe, fe);
                forward[EdgeColumn.TensorBytesLog2] = backward[EdgeColumn.TensorBytesLog2] = bytes;
                forward[EdgeColumn.DType + dtype] = backward[EdgeColumn.DType + dtype] = 1f;
                forward[EdgeColumn.Forward] = 1f;
                k++;
            }
        }

        var g = new float[GraphFeatureCount];
        OpCost total = graph.TotalCost;
        g[GraphColumn.TotalMacsLog2] = Log2p(total.Macs);
        g[GraphColumn.TotalElementOpsLog2] = Log2p(total.ElementOps);
        g[GraphColumn.ArenaPeakBytesLog2] = Log2p(ArenaPlanner.Plan(graph).PeakBytes);
        g[GraphColumn.FileBytesLog2] = Log2p(graph.FileBytes);
        g[GraphColumn.ConstantBytesLog2] = Log2p(graph.ConstantBytes);
        g[GraphColumn.OpCountLog2] = Log2p(n);
        g[GraphColumn.UnsupportedOpCountLog2] = Log2p(graph.UnsupportedOpCount);

        return new GraphFeatures(FeatureSchema.Version, n, x, ops, src, dst, e, g, total.Macs);
    }

    private static void WriteNode(OpNode node, ImmutableArray<GraphTensor> tensors, Span<float> row)
    {
        WriteShape(node.InputShape, row, NodeColumn.InputRank, NodeColumn.InputDims);
        WriteShape(node.OutputShape, row, NodeColumn.OutputRank, NodeColumn.OutputDims);

        OpAttributes a = node.Attributes;
        row[NodeColumn.KernelH] = a.KernelH;
        row[NodeColumn.KernelW] = a.KernelW;
        row[NodeColumn.StrideH] = a.StrideH;
        row[NodeColumn.StrideW] = a.StrideW;
        row[NodeColumn.DilationH] = a.DilationH;
        row[NodeColumn.DilationW] = a.DilationW;
        row[NodeColumn.DepthMultiplier] = a.DepthMultiplier;
        row[NodeColumn.Padding + a.Padding switch
        {
            OpPadding.Same => 1,
            OpPadding.Valid => 2,
            _ => 0,
        }] = 1f;
        // Activation codes beyond sign_bit (none exist in schema v3c) count as none.
        int activation = (int)a.FusedActivation;
        row[NodeColumn.FusedActivation + (activation is >= 0 and <= (int)ActivationFunctionType.SignBit ? activation : 0)] = 1f;

        OpCost c = node.Cost;
        row[NodeColumn.MacsLog2] = Log2p(c.Macs);
        row[NodeColumn.ElementOpsLog2] = Log2p(c.ElementOps);
        row[NodeColumn.OutputElementsLog2] = Log2p(c.OutputElements);
        row[NodeColumn.BytesReadLog2] = Log2p(c.ActivationBytesRead);
        row[NodeColumn.BytesWrittenLog2] = Log2p(c.ActivationBytesWritten);
        row[NodeColumn.WeightBytesLog2] = Log2p(c.WeightBytes);
        row[NodeColumn.BiasBytesLog2] = Log2p(c.BiasBytes);

        row[NodeColumn.ActivationDType + DTypeCategory(node.DType)] = 1f;
        if (node.WeightDType is { } weightType)
        {
            row[NodeColumn.WeightDType + DTypeCategory(weightType)] = 1f;
        }
        if (node.WeightTensor >= 0 && tensors[node.WeightTensor].Quantization is { IsPerChannel: true })
        {
            row[NodeColumn.WeightPerChannel] = 1f;
        }
        row[NodeColumn.IsUnsupported] = node.IsSupported ? 0f : 1f;
        row[NodeColumn.ActivationInputCount] = node.ActivationInputs.Length;
    }

    /// <summary>Rank, then the shape right-aligned to 4 slots as log2(1+d); dims before the last four are
    /// multiplied into the first slot; absent leading slots stay 0.</summary>
    private static void WriteShape(ImmutableArray<int> shape, Span<float> row, int rankColumn, int firstDim)
    {
        int rank = shape.Length;
        row[rankColumn] = rank;
        if (rank == 0)
        {
            return;
        }
        int skip = Math.Max(0, rank - 4);
        long folded = 1;
        for (int d = 0; d <= skip; d++)
        {
            folded *= shape[d];
        }
        int slot = 4 - Math.Min(rank, 4);
        row[firstDim + slot] = Log2p(folded);
        for (int d = skip + 1; d < rank; d++)
        {
            row[firstDim + ++slot] = Log2p(shape[d]);
        }
    }
}

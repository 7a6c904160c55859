using System.Collections.Immutable;
using System.Collections.ObjectModel;
using PerfSage.Tflite;

namespace PerfSage.Graph;

/// <summary>
/// The operator graph of one subgraph: operators are nodes (in execution order), tensors are edges.
/// Shapes, element types, quantisation, normalised attributes and per-node costs are worked out once
/// when the graph is built; afterwards the graph is immutable and safe to share between threads.
/// Build one from a parsed model with <see cref="FromModel"/> or programmatically with
/// <see cref="OpGraphBuilder"/>.
/// </summary>
public sealed class OpGraph
{
    internal OpGraph(
        string name, string? subgraphName, int subgraphIndex, ImmutableArray<GraphTensor> tensors,
        ImmutableArray<OpNode> nodes, ImmutableArray<int> inputs, ImmutableArray<int> outputs, long fileBytes,
        int subgraphCount, int totalTensorCount, int totalOperatorCount)
    {
        Name = name;
        SubgraphName = subgraphName;
        SubgraphIndex = subgraphIndex;
        Tensors = tensors;
        Nodes = nodes;
        Inputs = inputs;
        Outputs = outputs;
        FileBytes = fileBytes;
        SubgraphCount = subgraphCount;
        TotalTensorCount = totalTensorCount;
        TotalOperatorCount = totalOperatorCount;

        GraphLinker.Link(this);

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        OpCost total = default;
        long constantBytes = 0;
        for (int i = 0; i < nodes.Length; i++)
        {
            OpNode node = nodes[i];
            try
            {
                total += node.Cost;
            }
            catch (OverflowException)
            {
                throw new OpGraphException($"{name}: the total work of the subgraph's operators does not fit in 64 bits");
            }
            counts[node.TypeName] = counts.TryGetValue(node.TypeName, out int c) ? c + 1 : 1;
            if (node.IsUnknown)
            {
                UnknownOpCount++;
            }
            else if (node.IsCustom)
            {
                CustomOpCount++;
            }
            if (!node.IsSupported)
            {
                UnsupportedOpCount++;
            }
        }
        for (int i = 0; i < tensors.Length; i++)
        {
            GraphTensor t = tensors[i];
            if (t.IsConstant)
            {
                constantBytes = checked(constantBytes + t.SizeBytes); // ≤ 2^31 tensors of ≤ 2^35 bytes: fits
            }
            HasDynamicShape |= t.HasDynamicShape;
        }
        TotalCost = total;
        OpCounts = new ReadOnlyDictionary<string, int>(counts);
        ConstantBytes = constantBytes;
    }

    private OpGraph(OpGraph other, long fileBytes)
    {
        Name = other.Name;
        SubgraphName = other.SubgraphName;
        SubgraphIndex = other.SubgraphIndex;
        Tensors = other.Tensors;
        Nodes = other.Nodes;
        Inputs = other.Inputs;
        Outputs = other.Outputs;
        SubgraphCount = other.SubgraphCount;
        TotalTensorCount = other.TotalTensorCount;
        TotalOperatorCount = other.TotalOperatorCount;
        TotalCost = other.TotalCost;
        OpCounts = other.OpCounts;
        ConstantBytes = other.ConstantBytes;
        UnknownOpCount = other.UnknownOpCount;
        CustomOpCount = other.CustomOpCount;
        UnsupportedOpCount = other.UnsupportedOpCount;
        HasDynamicShape = other.HasDynamicShape;
        IsWeightless = other.IsWeightless;
        FileBytes = fileBytes;
    }

    /// <summary>A name for messages: the model's source name, or the name given to the builder.</summary>
    public string Name { get; }

    /// <summary>The subgraph's own name, if the file gives one.</summary>
    public string? SubgraphName { get; }

    /// <summary>Which subgraph of the model this graph is (0 for builder graphs).</summary>
    public int SubgraphIndex { get; }

    /// <summary>Operators in execution order.</summary>
    public ImmutableArray<OpNode> Nodes { get; }

    /// <summary>All tensors of the subgraph, indexed by <see cref="GraphTensor.Id"/>.</summary>
    public ImmutableArray<GraphTensor> Tensors { get; }

    /// <summary>Tensor ids of the graph inputs.</summary>
    public ImmutableArray<int> Inputs { get; }

    /// <summary>Tensor ids of the graph outputs.</summary>
    public ImmutableArray<int> Outputs { get; }

    /// <summary>Flash footprint of the model: the file size in bytes (0 for a builder graph until it
    /// is written; see <see cref="WithFileBytes"/>).</summary>
    public long FileBytes { get; }

    /// <summary>True when the graph was read from a weightless model (<see cref="TfliteModel.IsWeightless"/>): its
    /// weights have shapes and types but no data, and <see cref="FileBytes"/> is the size declared for the file
    /// with weights.</summary>
    public bool IsWeightless { get; internal init; }

    /// <summary>Number of subgraphs in the model (ops of the others are not nodes here).</summary>
    public int SubgraphCount { get; }

    /// <summary>Tensors over all subgraphs of the model.</summary>
    public int TotalTensorCount { get; }

    /// <summary>Operators over all subgraphs of the model.</summary>
    public int TotalOperatorCount { get; }

    /// <summary>Sum of the node costs.</summary>
    public OpCost TotalCost { get; }

    /// <summary>Sum of node MACs.</summary>
    public long TotalMacs => TotalCost.Macs;

    /// <summary>Sum of node parameters (constant weight and bias elements; a constant read by two nodes
    /// counts twice).</summary>
    public long TotalParameters => TotalCost.Parameters;

    /// <summary>Sum of node weight elements (biases excluded).</summary>
    public long TotalWeightElements => TotalCost.WeightElements;

    /// <summary>Sum of node weight bytes (biases excluded; see <see cref="OpCost.BiasBytes"/>).</summary>
    public long TotalWeightBytes => TotalCost.WeightBytes;

    /// <summary>Sum of node bias bytes.</summary>
    public long TotalBiasBytes => TotalCost.BiasBytes;

    /// <summary>Dense bytes of all constant tensors of the subgraph, each counted once.</summary>
    public long ConstantBytes { get; }

    /// <summary>Nodes whose code is newer than the schema this build knows.</summary>
    public int UnknownOpCount { get; }

    /// <summary>Custom-op nodes.</summary>
    public int CustomOpCount { get; }

    /// <summary>Nodes without a cost rule (unknown and custom ops included).</summary>
    public int UnsupportedOpCount { get; }

    /// <summary>True when any tensor has a dynamic dimension (resolved to 1 for costing).</summary>
    public bool HasDynamicShape { get; }

    /// <summary>Number of nodes per <see cref="OpNode.TypeName"/>.</summary>
    public IReadOnlyDictionary<string, int> OpCounts { get; }

    /// <summary>Number of nodes named <paramref name="typeName"/> (0 when none).</summary>
    public int CountOf(string typeName) => OpCounts.TryGetValue(typeName, out int n) ? n : 0;

    /// <summary>Number of nodes of builtin operator <paramref name="op"/>.</summary>
    public int CountOf(BuiltinOperator op)
    {
        int n = 0;
        for (int i = 0; i < Nodes.Length; i++)
        {
            if (Nodes[i].OpCode == (int)op)
            {
                n++;
            }
        }
        return n;
    }

    /// <summary>The same graph with <see cref="FileBytes"/> set (e.g. after writing it to a file).</summary>
    public OpGraph WithFileBytes(long fileBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fileBytes);
        return new OpGraph(this, fileBytes);
    }

    /// <summary>
    /// Builds the graph of subgraph <paramref name="subgraph"/> (the main one by default) of a parsed model.
    /// No tensor data is copied or scanned. Throws <see cref="OpGraphException"/> when the model has no
    /// subgraph or refers to tensors or operator codes that do not exist.
    /// </summary>
    public static OpGraph FromModel(TfliteModel model, int subgraph = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        return ModelImporter.Import(model, subgraph);
    }
}

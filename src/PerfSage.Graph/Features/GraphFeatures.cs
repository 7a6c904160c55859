using System.Diagnostics.CodeAnalysis;

namespace PerfSage.Graph.Features;

/// <summary>
/// The features of one graph as plain arrays, ready to collate into a batch: row-major node features
/// [<see cref="NodeCount"/> × F], the op vocabulary index of each node, directed edges as two index arrays
/// with row-major edge features [E × Fe], and one row of graph features. Made by
/// <see cref="Featurizer.Featurize"/> or read back from a feature cache. Treat the arrays as read-only:
/// they are shared, not copied.
/// </summary>
[SuppressMessage("Performance", "CA1819:Properties should not return arrays",
    Justification = "Plain arrays are the contract: batches are collated by block copies from them.")]
public sealed class GraphFeatures
{
    /// <summary>
    /// Wraps the arrays after checking that their lengths agree with each other and, for the current
    /// schema version, with <see cref="FeatureSchema"/>'s column counts; edge endpoints must be node indices.
    /// Features of another version are kept as they are (the model refuses them by version).
    /// </summary>
    /// <exception cref="FeatureSchemaException">Lengths disagree or an edge names a node that does not exist.</exception>
    public GraphFeatures(int schemaVersion, int nodeCount, float[] nodeFeatures, int[] opIndex,
        int[] edgeSource, int[] edgeTarget, float[] edgeFeatures, float[] graphFeatures, long totalMacs)
    {
        ArgumentNullException.ThrowIfNull(nodeFeatures);
        ArgumentNullException.ThrowIfNull(opIndex);
        ArgumentNullException.ThrowIfNull(edgeSource);
        ArgumentNullException.ThrowIfNull(edgeTarget);
        ArgumentNullException.ThrowIfNull(edgeFeatures);
        ArgumentNullException.ThrowIfNull(graphFeatures);
        if (nodeCount < 0)
        {
            throw new FeatureSchemaException($"node count {nodeCount} is negative");
        }
        if (opIndex.Length != nodeCount)
        {
            throw new FeatureSchemaException($"{opIndex.Length} op indices for {nodeCount} nodes");
        }
        if (edgeSource.Length != edgeTarget.Length)
        {
            throw new FeatureSchemaException($"{edgeSource.Length} edge sources but {edgeTarget.Length} edge targets");
        }
        if (schemaVersion == FeatureSchema.Version)
        {
            CheckLength("node features", nodeFeatures.Length, (long)nodeCount * FeatureSchema.NodeFeatureCount);
            CheckLength("edge features", edgeFeatures.Length, (long)edgeSource.Length * FeatureSchema.EdgeFeatureCount);
            CheckLength("graph features", graphFeatures.Length, FeatureSchema.GraphFeatureCount);
            for (int i = 0; i < opIndex.Length; i++)
            {
                if ((uint)opIndex[i] >= (uint)OpVocabulary.Size)
                {
                    throw new FeatureSchemaException($"node {i}: op index {opIndex[i]} is outside the vocabulary (0‥{OpVocabulary.Size - 1})");
                }
            }
        }
        for (int e = 0; e < edgeSource.Length; e++)
        {
            if ((uint)edgeSource[e] >= (uint)nodeCount || (uint)edgeTarget[e] >= (uint)nodeCount)
            {
                throw new FeatureSchemaException($"edge {e} ({edgeSource[e]} → {edgeTarget[e]}) names a node outside 0‥{nodeCount - 1}");
            }
        }
        ArgumentOutOfRangeException.ThrowIfNegative(totalMacs);

        SchemaVersion = schemaVersion;
        NodeCount = nodeCount;
        NodeFeatures = nodeFeatures;
        OpIndex = opIndex;
        EdgeSource = edgeSource;
        EdgeTarget = edgeTarget;
        EdgeFeatures = edgeFeatures;
        GraphFeatureValues = graphFeatures;
        TotalMacs = totalMacs;
    }

    /// <summary>The feature schema version the arrays follow.</summary>
    public int SchemaVersion { get; }

    /// <summary>Number of nodes (operators).</summary>
    public int NodeCount { get; }

    /// <summary>Row-major node features [NodeCount × <see cref="FeatureSchema.NodeFeatureCount"/>].</summary>
    public float[] NodeFeatures { get; }

    /// <summary>The <see cref="OpVocabulary"/> index of each node.</summary>
    public int[] OpIndex { get; }

    /// <summary>Source node of each directed edge.</summary>
    public int[] EdgeSource { get; }

    /// <summary>Target node of each directed edge (messages flow source → target).</summary>
    public int[] EdgeTarget { get; }

    /// <summary>Row-major edge features [EdgeCount × <see cref="FeatureSchema.EdgeFeatureCount"/>].</summary>
    public float[] EdgeFeatures { get; }

    /// <summary>The graph feature row [<see cref="FeatureSchema.GraphFeatureCount"/>].</summary>
    public float[] GraphFeatureValues { get; }

    /// <summary>Multiply-accumulates of the whole graph (exact; the feature column holds its log).</summary>
    public long TotalMacs { get; }

    /// <summary>Number of directed edges.</summary>
    public int EdgeCount => EdgeSource.Length;

    /// <summary>Nodes whose op the vocabulary does not know (<see cref="OpVocabulary.Unknown"/>).</summary>
    public int UnknownOpCount => Count(OpVocabulary.Unknown);

    /// <summary>Custom-op nodes (named or not).</summary>
    public int CustomOpCount =>
        Count(OpVocabulary.CustomOther) + Count(OpVocabulary.CustomEthosU) + Count(OpVocabulary.CustomDetectionPostProcess);

    /// <summary>Nodes flagged as having no cost rule (current schema only; 0 for other versions).</summary>
    public int UnsupportedOpCount
    {
        get
        {
            if (SchemaVersion != FeatureSchema.Version)
            {
                return 0;
            }
            int n = 0;
            int f = FeatureSchema.NodeFeatureCount;
            for (int i = 0; i < NodeCount; i++)
            {
                if (NodeFeatures[(i * f) + FeatureSchema.NodeColumn.IsUnsupported] > 0.5f)
                {
                    n++;
                }
            }
            return n;
        }
    }

    private int Count(int opIndex)
    {
        int n = 0;
        foreach (int op in OpIndex)
        {
            if (op == opIndex)
            {
                n++;
            }
        }
        return n;
    }

    private static void CheckLength(string what, int actual, long expected)
    {
        if (actual != expected)
        {
            throw new FeatureSchemaException($"{what}: {actual} values, schema version {FeatureSchema.Version} needs {expected}");
        }
    }
}

using PerfSage.Graph.Features;

namespace PerfSage.Model.Nn;

/// <summary>
/// The checks a graph passes before a network sees it (schema version, array lengths, op and edge index ranges, finite
/// values), shared by the TorchSharp batch (<see cref="GraphBatch"/>) and the managed engine, so the layers can trust
/// their inputs. Free of TorchSharp types.
/// </summary>
internal static class GraphChecks
{
    /// <summary>Throws <see cref="ModelFormatException"/> when graph <paramref name="index"/> has features of another schema
    /// version than <paramref name="manifest"/>'s model was trained on (both engines check with this one message).</summary>
    public static void EnsureSchema(ModelManifest manifest, GraphFeatures g, int index)
    {
        if (g.SchemaVersion != manifest.FeatureSchemaVersion)
        {
            throw new ModelFormatException(
                $"graph {index}: features of schema version {g.SchemaVersion}, but the model was trained on feature schema version "
                + $"{manifest.FeatureSchemaVersion}; featurize the model with the same PerfSage version");
        }
    }

    /// <summary>Throws <see cref="ModelFormatException"/> naming graph <paramref name="b"/> of a batch when it is inconsistent.</summary>
    public static void Check(GraphFeatures g, int b)
    {
        if (g.SchemaVersion != FeatureSchema.Version)
        {
            throw new ModelFormatException(
                $"graph {b} of the batch: features of schema version {g.SchemaVersion}, this build uses feature schema version {FeatureSchema.Version}");
        }
        // The arrays are mutable: re-check what the constructor checked, cheaply.
        if (g.NodeFeatures.Length != g.NodeCount * FeatureSchema.NodeFeatureCount || g.OpIndex.Length != g.NodeCount
            || g.EdgeFeatures.Length != g.EdgeCount * FeatureSchema.EdgeFeatureCount || g.EdgeTarget.Length != g.EdgeCount
            || g.GraphFeatureValues.Length != FeatureSchema.GraphFeatureCount)
        {
            throw new ModelFormatException($"graph {b} of the batch: feature arrays do not match {g.NodeCount} nodes and {g.EdgeCount} edges");
        }
        foreach (int op in g.OpIndex)
        {
            if ((uint)op >= OpVocabulary.Size)
            {
                throw new ModelFormatException($"graph {b} of the batch: op index {op} is outside the vocabulary");
            }
        }
        for (int k = 0; k < g.EdgeCount; k++)
        {
            if ((uint)g.EdgeSource[k] >= (uint)g.NodeCount || (uint)g.EdgeTarget[k] >= (uint)g.NodeCount)
            {
                throw new ModelFormatException($"graph {b} of the batch: edge {k} names a node outside 0‥{g.NodeCount - 1}");
            }
        }
        CheckFinite(g.NodeFeatures, b, "node");
        CheckFinite(g.EdgeFeatures, b, "edge");
        CheckFinite(g.GraphFeatureValues, b, "graph");
    }

    private static void CheckFinite(float[] values, int b, string what)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                throw new ModelFormatException($"graph {b} of the batch: {what} feature value {i} is {values[i]}");
            }
        }
    }
}

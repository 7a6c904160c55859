using PerfSage.Graph.Features;

namespace PerfSage.Model.Tests;

/// <summary>Rewrites of <see cref="GraphFeatures"/> that must not change (or must scale) a prediction.</summary>
internal static class GraphTransforms
{
    /// <summary>Renumbers the nodes by <paramref name="perm"/> (old i → new perm[i]) and lists the edges in the order
    /// <paramref name="edgeOrder"/> (new edge k is old edge edgeOrder[k]).</summary>
    public static GraphFeatures Relabel(GraphFeatures g, int[] perm, int[] edgeOrder)
    {
        int f = FeatureSchema.NodeFeatureCount, fe = FeatureSchema.EdgeFeatureCount;
        var x = new float[g.NodeFeatures.Length];
        var ops = new int[g.NodeCount];
        for (int i = 0; i < g.NodeCount; i++)
        {
            Array.Copy(g.NodeFeatures, i * f, x, perm[i] * f, f);
            ops[perm[i]] = g.OpIndex[i];
        }
        var src = new int[g.EdgeCount];
        var dst = new int[g.EdgeCount];
        var e = new float[g.EdgeFeatures.Length];
        for (int k = 0; k < g.EdgeCount; k++)
        {
            int old = edgeOrder[k];
            src[k] = perm[g.EdgeSource[old]];
            dst[k] = perm[g.EdgeTarget[old]];
            Array.Copy(g.EdgeFeatures, old * fe, e, k * fe, fe);
        }
        return new GraphFeatures(g.SchemaVersion, g.NodeCount, x, ops, src, dst, e, g.GraphFeatureValues, g.TotalMacs);
    }

    /// <summary>Two disconnected copies of <paramref name="g"/> as one graph, with <paramref name="g"/>'s graph row.</summary>
    public static GraphFeatures TwoCopies(GraphFeatures g)
    {
        int n = g.NodeCount, m = g.EdgeCount;
        return new GraphFeatures(g.SchemaVersion, 2 * n,
            [.. g.NodeFeatures, .. g.NodeFeatures], [.. g.OpIndex, .. g.OpIndex],
            [.. g.EdgeSource, .. g.EdgeSource.Select(s => s + n)], [.. g.EdgeTarget, .. g.EdgeTarget.Select(t => t + n)],
            [.. g.EdgeFeatures, .. g.EdgeFeatures], g.GraphFeatureValues, 2 * g.TotalMacs);
    }

    public static int[] Permutation(Random rng, int n)
    {
        int[] p = Enumerable.Range(0, n).ToArray();
        rng.Shuffle(p);
        return p;
    }
}

using PerfSage.Graph.Features;
using PerfSage.Model.Nn;
using Xunit;
using static TorchSharp.torch;

namespace PerfSage.Model.Tests;

[Collection(TorchStateGroup.Name)]
public sealed class GraphBatchTests
{
    private static GraphFeatures Graph(int nodes, int[] src, int[] dst, float mark)
    {
        int f = FeatureSchema.NodeFeatureCount, fe = FeatureSchema.EdgeFeatureCount, fg = FeatureSchema.GraphFeatureCount;
        float[] x = Enumerable.Repeat(mark, nodes * f).ToArray();
        float[] e = Enumerable.Repeat(mark, src.Length * fe).ToArray();
        return new GraphFeatures(FeatureSchema.Version, nodes, x, Enumerable.Repeat(3, nodes).ToArray(), src, dst, e,
            Enumerable.Repeat(mark, fg).ToArray(), 0);
    }

    [Fact]
    public void Collation_offsets_edges_and_maps_nodes_to_graphs()
    {
        TorchRuntime.EnsureLoaded(1, 0);
        using var scope = NewDisposeScope();
        // Graph A: 3 nodes, edges 0→1, 1→2, 2→1. Graph B: 2 nodes, edge 1→0.
        GraphFeatures a = Graph(3, [0, 1, 2], [1, 2, 1], 1f);
        GraphFeatures b = Graph(2, [1], [0], 2f);

        GraphBatch batch = GraphBatch.Collate([a, b], CPU);

        Assert.Equal(2, batch.GraphCount);
        Assert.Equal(5, batch.NodeCount);
        Assert.Equal(3, batch.MaxNodes);
        Assert.Equal(new long[] { 0, 1, 2, 4 }, batch.EdgeSource.data<long>().ToArray());     // B's node 1 is batch node 4
        Assert.Equal(new long[] { 1, 2, 1, 3 }, batch.EdgeTarget.data<long>().ToArray());
        Assert.Equal(new long[] { 0, 0, 0, 1, 1 }, batch.Batch.data<long>().ToArray());
        Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, batch.DensePosition.data<long>().ToArray()); // g·3 + i
        // In-degrees 0, 2, 1 | 1, 0 → 1/max(1, d).
        Assert.Equal(new float[] { 1, 0.5f, 1, 1, 1 }, batch.InverseInDegree.data<float>().ToArray());
        Assert.Equal(new long[] { 5, FeatureSchema.NodeFeatureCount }, batch.NodeFeatures.shape);
        Assert.Equal(2f, batch.NodeFeatures[3, 0].item<float>());
        Assert.Equal(new long[] { 2, FeatureSchema.GraphFeatureCount }, batch.GraphFeatures.shape);
        Assert.Equal(ScalarType.Int64, batch.EdgeSource.dtype);
        Assert.Equal(ScalarType.Float32, batch.NodeFeatures.dtype);
    }

    [Fact]
    public void Inputs_are_checked_once_on_entry()
    {
        TorchRuntime.EnsureLoaded(1, 0);
        using var scope = NewDisposeScope();
        GraphFeatures good = Graph(2, [0], [1], 0f);

        var old = new GraphFeatures(0, 1, new float[3], [3], [], [], [], new float[2], 0);
        var e1 = Assert.Throws<ModelFormatException>(() => GraphBatch.Collate([good, old], CPU));
        Assert.Contains("graph 1", e1.Message, StringComparison.Ordinal);
        Assert.Contains("schema version 0", e1.Message, StringComparison.Ordinal);

        // The arrays are mutable; a corrupted index or value is caught at collation.
        GraphFeatures bad = Graph(2, [0], [1], 0f);
        bad.EdgeTarget[0] = 7;
        Assert.Throws<ModelFormatException>(() => GraphBatch.Collate([bad], CPU));
        GraphFeatures nan = Graph(2, [0], [1], 0f);
        nan.NodeFeatures[5] = float.NaN;
        Assert.Throws<ModelFormatException>(() => GraphBatch.Collate([nan], CPU));
        GraphFeatures op = Graph(2, [0], [1], 0f);
        op.OpIndex[1] = OpVocabulary.Size;
        Assert.Throws<ModelFormatException>(() => GraphBatch.Collate([op], CPU));
        Assert.Throws<ArgumentException>(() => GraphBatch.Collate([], CPU));
    }

    [Fact]
    public void Feature_statistics_standard_scale_each_column()
    {
        int f = FeatureSchema.NodeFeatureCount;
        // Two one-node graphs whose column 0 is 1 and 3: mean 2, population std 1; column 1 constant 5 → std 1.
        var g1 = new GraphFeatures(1, 1, Row(f, 1, 5), [3], [], [], [], new float[FeatureSchema.GraphFeatureCount], 0);
        var g2 = new GraphFeatures(1, 1, Row(f, 3, 5), [3], [], [], [], new float[FeatureSchema.GraphFeatureCount], 0);
        FeatureStatistics s = FeatureStatistics.Fit([g1, g2]);
        Assert.Equal(2, s.NodeMean[0], 12);
        Assert.Equal(1, s.NodeStd[0], 12);
        Assert.Equal(5, s.NodeMean[1], 12);
        Assert.Equal(1, s.NodeStd[1]); // constant column: only centred
        GraphFeatures scaled = s.Scale(g2);
        Assert.Equal(1f, scaled.NodeFeatures[0]);
        Assert.Equal(0f, scaled.NodeFeatures[1]);
        Assert.Equal(3f, g2.NodeFeatures[0]); // the input is not modified

        static float[] Row(int f, float c0, float c1)
        {
            var row = new float[f];
            row[0] = c0;
            row[1] = c1;
            return row;
        }
    }
}

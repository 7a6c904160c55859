using PerfSage.Graph.Features;
using PerfSage.Model.Nn;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PerfSage.Model.Tests;

[Collection(TorchStateGroup.Name)]
public sealed class PerfSageNetTests
{
    private static readonly HeadSpec Latency = new(new HeadKey("t", Metric.LatencyMs), 0.25);
    private static readonly HeadSpec Ram = new(new HeadKey("t", Metric.PeakRamKb), -0.5);

    /// <summary>A net whose heads' zero-initialised output layers are randomised, so every term depends on the graph.</summary>
    private static PerfSageNet Net()
    {
        TorchRuntime.EnsureLoaded(1, 0);
        manual_seed(42);
        var net = new PerfSageNet(new NetworkOptions(), [Latency, Ram]);
        using (no_grad())
        using (TorchSharp.Scalar scale = 0.3.ToScalar())
        {
            foreach ((string name, TorchSharp.Modules.Parameter p) in net.named_parameters())
            {
                if (name.StartsWith("heads.", StringComparison.Ordinal))
                {
                    p.copy_(randn_like(p).mul_(scale));
                }
            }
        }
        return net;
    }

    /// <summary>Chains of 3, 5 and 7 layers, scaled to unit-ish values as training would.</summary>
    private static List<GraphFeatures> Graphs()
    {
        var raw = SyntheticGraphs.Samples(3, seed: 5, minLayers: 3, maxLayers: 7).Select(s => s.Features).ToList();
        FeatureStatistics stats = FeatureStatistics.Fit(raw);
        return raw.Select(stats.Scale).ToList();
    }

    [Fact]
    public void Two_graphs_batched_give_the_same_result_as_each_alone()
    {
        using PerfSageNet net = Net();
        List<GraphFeatures> g = Graphs();
        float[][] together = NetRunner.PredictLog(net, CPU, g, batchSize: 3);
        for (int i = 0; i < g.Count; i++)
        {
            float[] alone = NetRunner.PredictLog(net, CPU, [g[i]], batchSize: 1)[0];
            Assert.Equal(alone[0], together[i][0], 4);
            Assert.Equal(alone[1], together[i][1], 4);
        }
        // And the graphs differ, so the comparison is not vacuous.
        Assert.NotEqual(together[0][0], together[1][0], 3);
    }

    [Fact]
    public void Relabelling_nodes_and_reordering_edges_does_not_change_the_output()
    {
        using PerfSageNet net = Net();
        var rng = new Random(3);
        foreach (GraphFeatures g in Graphs())
        {
            GraphFeatures shuffled = GraphTransforms.Relabel(g,
                GraphTransforms.Permutation(rng, g.NodeCount), GraphTransforms.Permutation(rng, g.EdgeCount));
            Assert.NotEqual(g.OpIndex, shuffled.OpIndex); // the relabelling moved something
            float[][] y = NetRunner.PredictLog(net, CPU, [g, shuffled], 2);
            Assert.Equal(y[0][0], y[1][0], 4);
            Assert.Equal(y[0][1], y[1][1], 4);
        }
    }

    [Fact]
    public void Sum_part_doubles_for_two_copies_while_max_and_graph_parts_stay()
    {
        using PerfSageNet net = Net();
        GraphFeatures one = Graphs()[2];
        GraphFeatures two = GraphTransforms.TwoCopies(one);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        net.eval();
        // Raise the sum terms and lower the graph term so the sum is most of the latency prediction.
        Dictionary<string, TorchSharp.Modules.Parameter> p = net.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        p["heads.t/latency_ms.node.2.bias"].add_(tensor(new float[] { 2, 0 }), Scalars.One);
        p["heads.t/latency_ms.graph.bias"].sub_(tensor(2f));
        GraphBatch batch = GraphBatch.Collate([one, two], CPU);
        (Tensor sumLog, Tensor maxLog, Tensor graphLog) = net.ReadoutTerms(batch);
        double[] a = sumLog.select(1, 0).to_type(ScalarType.Float64).data<double>().ToArray();
        double[] c = maxLog.select(1, 0).to_type(ScalarType.Float64).data<double>().ToArray();
        float[] b = graphLog.select(1, 0).data<float>().ToArray();
        float[] y = net.forward(batch).data<float>().ToArray(); // [2 graphs × 2 heads]
        int n = one.NodeCount;

        // The node-sum part: Σ exp(aᵢ) over the two copies is exactly twice that of one copy; the largest cᵢ
        // and the graph term (same graph row) are the same.
        double sumOne = a.Take(n).Sum(Math.Exp), sumTwo = a.Skip(n).Sum(Math.Exp);
        Assert.Equal(2 * sumOne, sumTwo, 2 * sumOne * 1e-5);
        Assert.Equal(c.Take(n).Max(), c.Skip(n).Max(), 5);
        Assert.Equal(b[0], b[1], 5);
        // ŷ = exp(offset)·(Σ exp aᵢ + exp max cᵢ + exp b), so ŷ(two copies) − ŷ(one) = exp(offset)·Σ₁ exp aᵢ.
        double one1 = Math.Exp(y[0]), two1 = Math.Exp(y[2]);
        Assert.Equal(Math.Exp(Latency.LogOffset) * (sumOne + Math.Exp(c.Take(n).Max()) + Math.Exp(b[0])), one1, one1 * 1e-4);
        Assert.Equal(Math.Exp(Latency.LogOffset) * sumOne, two1 - one1, one1 * 1e-4);
        Assert.True(two1 > 1.2 * one1, $"the sum part is a real share of the prediction here: Σexp a {sumOne}, exp max c {Math.Exp(c.Take(n).Max())}, exp b {Math.Exp(b[0])}");
    }

    [Fact]
    public void An_untrained_net_predicts_its_offset_times_node_count_plus_two()
    {
        TorchRuntime.EnsureLoaded(1, 0);
        using var net = new PerfSageNet(new NetworkOptions(), [Latency, Ram]);
        List<GraphFeatures> graphs = Graphs();
        float[][] y = NetRunner.PredictLog(net, CPU, graphs, 3);
        for (int i = 0; i < graphs.Count; i++)
        {
            Assert.Equal(Latency.LogOffset + Math.Log(graphs[i].NodeCount + 2), y[i][0], 5);
            Assert.Equal(Ram.LogOffset + Math.Log(graphs[i].NodeCount + 2), y[i][1], 5);
        }
    }

    [Fact]
    public void A_graph_without_nodes_gets_the_graph_term_alone()
    {
        using PerfSageNet net = Net();
        var empty = new GraphFeatures(FeatureSchema.Version, 0, [], [], [], [], [], new float[FeatureSchema.GraphFeatureCount], 0);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        net.eval();
        GraphBatch batch = GraphBatch.Collate([empty, Graphs()[0]], CPU);
        float[] b = net.ReadoutTerms(batch).GraphLog.data<float>().ToArray();
        // No nodes: the sum is empty and there is no maximum, so only the graph term is left.
        float[] y = net.forward(batch).data<float>().ToArray();
        Assert.Equal(b[0] + Latency.LogOffset, y[0], 5);
        Assert.Equal(b[1] + Ram.LogOffset, y[1], 5);
        Assert.All(y, v => Assert.True(float.IsFinite(v)));
    }
}

using PerfSage.Model.Nn;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PerfSage.Model.Tests;

[Collection(TorchStateGroup.Name)]
public sealed class ReadoutTests
{
    private const float Ln1 = 0;

    private static readonly float Ln2 = MathF.Log(2), Ln3 = MathF.Log(3), Ln4 = MathF.Log(4), Ln5 = MathF.Log(5),
        Ln7 = MathF.Log(7), Ln10 = MathF.Log(10);

    [Fact]
    public void Combine_adds_the_node_sum_the_largest_node_term_and_the_graph_term()
    {
        TorchRuntime.EnsureLoaded(1, 0);
        using DisposeScope scope = NewDisposeScope();
        // Graph 0 has nodes 0 and 1, graph 1 has node 2 (max 2 nodes: dense positions 0, 1 and 2).
        Tensor position = tensor(new long[] { 0, 1, 2 });
        // Head 1: a = 1, 2 | 3; c = 5, 1 | 7; b = 4 | 10 → 1 + 2 + 5 + 4 = 12 and 3 + 7 + 10 = 20.
        // Head 2: a = 2, 2 | 1; c = 1, 3 | 1; b = 1 | 1 → 2 + 2 + 3 + 1 = 8 and 1 + 1 + 1 = 3.
        Tensor sum = tensor(new[] { Ln1, Ln2, Ln2, Ln2, Ln3, Ln1 }, [3, 2]);
        Tensor max = tensor(new[] { Ln5, Ln1, Ln1, Ln3, Ln7, Ln1 }, [3, 2]);
        Tensor graph = tensor(new[] { Ln4, Ln1, Ln10, Ln1 }, [2, 2]);
        Tensor offsets = tensor(new[] { 0.5f, -1f });

        float[] log = Readout.Combine(Readout.Dense(sum, position, 2, 2), Readout.Dense(max, position, 2, 2), graph, offsets)
            .data<float>().ToArray();
        Assert.Equal([Math.Log(12) + 0.5, Math.Log(8) - 1, Math.Log(20) + 0.5, Math.Log(3) - 1], log.Select(v => (double)v), new Tolerance(1e-5));

        // One head alone ([N] rows, as the head fitter reads them), no offset: the same numbers.
        float[] one = Readout.Combine(Readout.Dense(sum.select(1, 0), position, 2, 2), Readout.Dense(max.select(1, 0), position, 2, 2),
            graph.select(1, 0), null).data<float>().ToArray();
        Assert.Equal([Math.Log(12), Math.Log(20)], one.Select(v => (double)v), new Tolerance(1e-5));
    }

    [Fact]
    public void Head_layers_compute_relu_hidden_then_node_and_graph_terms()
    {
        TorchRuntime.EnsureLoaded(1, 0);
        using DisposeScope scope = NewDisposeScope();
        // hidden = relu(x · [1, −1]ᵀ): x = (2, 3) → relu(−1) = 0, x = (3, 1) → 2.
        // terms = hidden · [1, 2]ᵀ + (0.5, 0): 0 → (0.5, 0), 2 → (2.5, 4). graph = 3 · g + 1: g = 2 → 7.
        var w = new HeadWeights<Tensor>(
            tensor(new[] { 1f, -1f }, [1, 2]), tensor(new[] { 0f }),
            tensor(new[] { 1f, 2f }, [2, 1]), tensor(new[] { 0.5f, 0f }),
            tensor(new[] { 3f }, [1, 1]), tensor(new[] { 1f }));
        Tensor hidden = Readout.Hidden(tensor(new[] { 2f, 3f, 3f, 1f }, [2, 2]), w);
        Assert.Equal([0f, 2f], hidden.data<float>().ToArray());
        Assert.Equal([0.5f, 0f, 2.5f, 4f], Readout.NodeTerms(hidden, w).data<float>().ToArray());
        Assert.Equal([7f], Readout.GraphTerm(tensor(new[] { 2f }, [1, 1]), w).data<float>().ToArray());
    }

    [Fact]
    public void Head_weight_names_and_shapes_match_the_network()
    {
        TorchRuntime.EnsureLoaded(1, 0);
        var options = new NetworkOptions();
        using var net = new PerfSageNet(options, [new HeadSpec(new HeadKey("t", Metric.LatencyMs), 0)]);
        Dictionary<string, Tensor> state = net.state_dict();
        Assert.Equal(6, state.Keys.Count(k => k.StartsWith("heads.t/latency_ms.", StringComparison.Ordinal)));
        HeadWeights<Tensor> w = HeadWeights.FromState(state, "t/latency_ms");
        // 128 hidden, 64 head hidden, 64 graph hidden (docs/MODEL.md): 64×128, 64, 2×64, 2, 1×64, 1.
        Assert.Equal([[64L, 128], [64], [2, 64], [2], [1, 64], [1]], w.All.Select(t => t.shape));
        Assert.Equal(w.All.Select(t => t.shape), HeadWeights.Shapes(options).All);
    }

    private sealed class Tolerance(double epsilon) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= epsilon;

        public int GetHashCode(double obj) => 0;
    }
}

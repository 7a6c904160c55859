using PerfSage.Dataset.Spaces;
using PerfSage.Graph;
using Xunit;

namespace PerfSage.Dataset.Tests;

/// <summary>Properties every space's sampler must have.</summary>
public class SamplerTests
{
    public static TheoryData<string> Spaces => [.. SearchSpaces.Names];

    [Theory]
    [MemberData(nameof(Spaces))]
    public void Same_seed_and_index_give_the_same_graph(string name)
    {
        ISearchSpace space = SearchSpaces.Get(name);
        for (long i = 0; i < 20; i++)
        {
            SpaceSample a = space.Sample(7, i);
            SpaceSample b = space.Sample(7, i);
            Assert.NotSame(a.Graph, b.Graph);
            Assert.Equal(GraphFingerprint.Of(a.Graph), GraphFingerprint.Of(b.Graph));
            Assert.Equal(a.Knobs, b.Knobs);
            Assert.Equal(a.ModelId, b.ModelId);
            Assert.Equal(a.Attempt, b.Attempt);
        }
    }

    [Theory]
    [MemberData(nameof(Spaces))]
    public void Samples_do_not_depend_on_drawing_order(string name)
    {
        ISearchSpace space = SearchSpaces.Get(name);
        string forward = GraphFingerprint.Of(space.Sample(3, 5).Graph);
        _ = space.Sample(3, 9);
        _ = space.Sample(4, 5);
        Assert.Equal(forward, GraphFingerprint.Of(space.Sample(3, 5).Graph));
    }

    [Theory]
    [MemberData(nameof(Spaces))]
    public void Parallel_sampling_gives_the_sequential_graphs(string name)
    {
        ISearchSpace space = SearchSpaces.Get(name);
        const int n = 24;
        var parallel = new string[n];
        Parallel.For(0, n, i => parallel[i] = GraphFingerprint.Of(space.Sample(21, i).Graph));
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(GraphFingerprint.Of(space.Sample(21, i).Graph), parallel[i]);
        }
    }

    [Theory]
    [MemberData(nameof(Spaces))]
    public void Different_indices_and_seeds_give_mostly_different_graphs(string name)
    {
        ISearchSpace space = SearchSpaces.Get(name);
        const int n = 60;
        var distinct = new HashSet<string>();
        for (long i = 0; i < n; i++)
        {
            distinct.Add(GraphFingerprint.Of(space.Sample(11, i).Graph));
        }
        // The nb201 genotypes fold to 8,201 distinct graphs (dead edges and constant parts vanish, 341 fold to
        // the same empty graph); two draws coincide with p ≈ 0.0038, so 60 draws hold about 6.7 coinciding
        // pairs. The other spaces are far larger: 90 % distinct leaves room for rare coincidences only.
        double share = name.StartsWith("nb201", StringComparison.Ordinal) ? 0.75 : 0.9;
        Assert.True(distinct.Count >= share * n, $"{name}: {distinct.Count} distinct graphs of {n}");
        Assert.NotEqual(GraphFingerprint.Of(space.Sample(11, 0).Graph), GraphFingerprint.Of(space.Sample(12, 0).Graph));
    }

    [Theory]
    [MemberData(nameof(Spaces))]
    public void Every_sample_records_every_knob_within_its_range(string name)
    {
        ISearchSpace space = SearchSpaces.Get(name);
        var declared = space.Knobs.ToDictionary(k => k.Name);
        for (long i = 0; i < 200; i++)
        {
            SpaceSample s = space.Sample(5, i);
            Assert.Equal(declared.Keys.Order(StringComparer.Ordinal), s.Knobs.Keys);
            foreach ((string knob, string value) in s.Knobs)
            {
                Assert.True(declared[knob].Admits(value), $"{s.ModelId}: {knob} = '{value}' is outside {declared[knob].Range}");
            }
            Assert.Equal(name, s.Space);
            Assert.Equal(5UL, s.Seed);
            Assert.Equal(i, s.Index);
            Assert.Equal(s.Knobs["dtype"], s.Variant);
        }
    }

    [Theory]
    [MemberData(nameof(Spaces))]
    public void Samples_are_well_formed_graphs(string name)
    {
        ISearchSpace space = SearchSpaces.Get(name);
        for (long i = 0; i < 50; i++)
        {
            OpGraph g = space.Sample(9, i).Graph;
            // ops: binary ops and CONCATENATION may read a second graph input, one per drawn op at most.
            Assert.InRange(g.Inputs.Length, 1, name == "ops" ? 1 + OpsSpace.MaxOps : 1);
            Assert.Single(g.Outputs);
            Assert.Equal(0, g.UnsupportedOpCount);
            Assert.False(g.HasDynamicShape);
            // Every non-constant tensor is a graph input, a variable (LSTM state, which the op itself keeps) or written by
            // exactly one earlier node, and every
            // node output is read later or is the graph output: no dangling work.
            foreach (OpNode node in g.Nodes)
            {
                foreach (int t in node.ActivationInputs)
                {
                    GraphTensor tensor = g.Tensors[t];
                    Assert.True(tensor.IsGraphInput || tensor.IsVariable || (tensor.Producer >= 0 && tensor.Producer < node.Index),
                        $"{g.Name}: {node} reads {tensor} before it is written");
                }
                foreach (int t in node.Outputs)
                {
                    Assert.True(g.Tensors[t].IsGraphOutput || g.Tensors[t].Consumers.Length > 0,
                        $"{g.Name}: {node} writes {g.Tensors[t]}, which nobody reads");
                }
            }
        }
    }
}

using PerfSage.Dataset.Spaces;
using PerfSage.Graph;
using PerfSage.Graph.Tests.Export;
using PerfSage.Tflite;
using Xunit;
using Xunit.Abstractions;

namespace PerfSage.Dataset.Tests;

/// <summary>
/// Every search space's samples go through the dataset builder's path, sample → <see cref="GraphExporter.Write"/>
/// → <see cref="TfliteReader.Parse(ReadOnlyMemory{byte}, string?)"/> → <see cref="OpGraph.FromModel"/>, and come
/// back as the sampled graph (under <see cref="GraphComparer"/>): the graphs the GNN trains on are the graphs
/// the spaces meant.
/// </summary>
public sealed class ExportAllSpacesTests(ITestOutputHelper output)
{
    private const ulong SampleSeed = 11;

    /// <summary>Every space, with how many indices (0..N) to export: 100 for the small spaces, 20 for
    /// <c>mobile</c> (its networks are 10–50× larger).</summary>
    public static TheoryData<string, int> Spaces
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (ISearchSpace space in SearchSpaces.All)
            {
                data.Add(space.Name, space.Name == "mobile" ? 20 : 100);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Spaces))]
    public void Every_sample_exports_and_reads_back_as_the_same_graph(string name, int lastIndex)
    {
        ISearchSpace space = SearchSpaces.Get(name);
        var failures = new List<string>();
        for (long i = 0; i <= lastIndex; i++)
        {
            SpaceSample sample = space.Sample(SampleSeed, i);
            string? failure = RoundTripFailure(sample.ModelId, sample.Graph, exportSeed: (int)i + 1);
            if (failure is not null)
            {
                failures.Add(failure);
            }
        }
        Assert.True(failures.Count == 0,
            $"{failures.Count} of {lastIndex + 1} {name} samples do not round-trip:\n" + string.Join("\n", failures.Take(5)));
    }

    /// <summary>Genotypes with no path from the cell input to its output: the converter folds the whole network
    /// into its logits, so the graph has no operators and its output is a constant [1, 10]. The all-<c>none</c>
    /// cell, and a cell whose two convolutions hang off node 1 and 3 without joining them.</summary>
    [Theory]
    [InlineData("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", TensorType.Float32)]
    [InlineData("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", TensorType.Int8)]
    [InlineData("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|nor_conv_3x3~2|", TensorType.Float32)]
    [InlineData("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|nor_conv_3x3~2|", TensorType.Int8)]
    public void A_folded_nb201_network_exports_as_a_constant_output(string arch, TensorType dtype)
    {
        OpGraph graph = Nb201Space.FromArchString(arch, dtype);
        Assert.Empty(graph.Nodes);
        GraphTensor logits = graph.Tensors[Assert.Single(graph.Outputs)];
        Assert.True(logits.IsConstant);
        Assert.Equal([1, 10], logits.Shape.ToArray());

        byte[] bytes = GraphExporter.Write(graph, seed: 3);
        OpGraph reread = OpGraph.FromModel(TfliteReader.Parse(bytes, graph.Name));

        GraphComparer.AssertSameGraph(graph, reread, bytes.Length);
        GraphTensor back = reread.Tensors[Assert.Single(reread.Outputs)];
        Assert.True(back.IsConstant);
        // 10 logits of 4 bytes (float32) or 1 byte (int8), made up by the exporter.
        Assert.Equal(10 * (dtype == TensorType.Float32 ? 4 : 1), back.Data.Length);
        Assert.Equal(bytes, GraphExporter.Write(graph, seed: 3));
    }

    /// <summary>Guards the round-trip tests above: the samples they export really contain each kind of graph and
    /// tensor the exporter has to handle (operator-free folded networks, rank-0 constants, float16 weights behind
    /// DEQUANTIZE, int64 biases of 16x8 graphs, constants the exporter must fill), so a space that stopped
    /// emitting one would not leave it untested.</summary>
    [Fact]
    public void The_exported_samples_contain_every_kind_of_constant_the_exporter_must_handle()
    {
        var seen = new Dictionary<string, string>();
        void See(string what, string modelId) => seen.TryAdd(what, modelId);
        foreach (ISearchSpace space in SearchSpaces.All)
        {
            int last = space.Name == "mobile" ? 20 : 100;
            for (long i = 0; i <= last; i++)
            {
                SpaceSample s = space.Sample(SampleSeed, i);
                if (s.Graph.Nodes.IsEmpty)
                {
                    See("graph without operators", s.ModelId);
                }
                foreach (GraphTensor t in s.Graph.Tensors.Where(t => t.IsConstant))
                {
                    if (t.Rank == 0)
                    {
                        See("scalar constant", s.ModelId);
                    }
                    if (t.Type == TensorType.Float16)
                    {
                        See("float16 constant", s.ModelId);
                    }
                    if (t.Type == TensorType.Int64)
                    {
                        See("int64 constant", s.ModelId);
                    }
                    if (t.Data.IsEmpty)
                    {
                        See("constant without data", s.ModelId);
                    }
                }
            }
        }
        output.WriteLine(string.Join("\n", seen.Select(kv => $"{kv.Key}: first in {kv.Value}")));
        Assert.Equal(
            ["constant without data", "float16 constant", "graph without operators", "int64 constant", "scalar constant"],
            seen.Keys.Order());
    }

    [Fact]
    public void Kws_samples_read_back_with_the_operators_they_were_drawn_with()
    {
        // Speed is measured by scripts/bench-dataset; here only the round trip.
        ISearchSpace kws = SearchSpaces.Get("kws");
        for (int i = 0; i < 50; i++)
        {
            SpaceSample s = kws.Sample(SampleSeed, i);
            OpGraph g = Path(kws, i);
            Assert.Equal(s.Graph.Nodes.Select(n => n.OpCode), g.Nodes.Select(n => n.OpCode));
            Assert.Equal(s.Graph.TotalMacs, g.TotalMacs);
        }
    }

    private static OpGraph Path(ISearchSpace space, long index)
    {
        SpaceSample s = space.Sample(SampleSeed, index);
        return OpGraph.FromModel(TfliteReader.Parse(GraphExporter.Write(s.Graph, 1), s.ModelId));
    }

    /// <summary>Null when <paramref name="graph"/> exports, reads back the same and exports to the same bytes
    /// again; otherwise what went wrong, naming the model.</summary>
    private static string? RoundTripFailure(string modelId, OpGraph graph, int exportSeed)
    {
        try
        {
            byte[] bytes = GraphExporter.Write(graph, exportSeed);
            OpGraph reread = OpGraph.FromModel(TfliteReader.Parse(bytes, modelId));
            List<string> d = GraphComparer.Differences(graph, reread, bytes.Length);
            if (d.Count > 0)
            {
                return $"{modelId}: {d.Count} differences, first: {string.Join("; ", d.Take(5))}";
            }
            if (!bytes.AsSpan().SequenceEqual(GraphExporter.Write(graph, exportSeed)))
            {
                return $"{modelId}: a second export with seed {exportSeed} gave other bytes";
            }
            return null;
        }
        catch (Exception e) when (e is OpGraphException or TfliteFormatException or ArgumentException or InvalidOperationException
                                      or IndexOutOfRangeException or NullReferenceException)
        {
            return $"{modelId}: {e.GetType().Name}: {e.Message}";
        }
    }
}

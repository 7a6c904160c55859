using System.Globalization;
using PerfSage.Dataset.Spaces;
using PerfSage.Graph;
using PerfSage.Graph.Export;
using PerfSage.Targets;
using PerfSage.Tflite;
using Xunit;
using Xunit.Abstractions;

namespace PerfSage.Dataset.Tests;

/// <summary>The <c>ops</c> space: its knob proportions over 1,000 samples, determinism, pinned samples checked
/// by hand, the builder helpers it added (against a real TFLM model's numbers), and positive labels from every
/// target's estimator.</summary>
public class OpsSpaceTests(ITestOutputHelper output)
{
    private static readonly ISearchSpace Space = SearchSpaces.Get("ops");

    [Fact]
    public void A_thousand_samples_cover_every_op_variant_and_shape_in_proportion()
    {
        var samples = Enumerable.Range(0, 1000).Select(i => Space.Sample(42, i)).ToList();

        var opCounts = OpsSpace.OpNames.ToDictionary(n => n, _ => 0);
        foreach (SpaceSample s in samples)
        {
            foreach (string op in s.Knobs["ops"].Split(','))
            {
                opCounts[op]++;
            }
        }
        output.WriteLine(string.Join(", ", opCounts.Select(kv => $"{kv.Key} {kv.Value}")));
        // ~3 ops per sample over 23 kinds; the rarest (weight 0.5 of ~27) still expects about 50.
        Assert.All(opCounts, kv => Assert.True(kv.Value >= 20, $"{kv.Key} drawn {kv.Value} times"));
        // The drawn ops are the graph's ops: every builtin of the vocabulary is in some graph.
        var builtins = samples.SelectMany(s => s.Graph.Nodes.Select(n => n.TypeName.ToLowerInvariant())).ToHashSet();
        Assert.All(OpsSpace.OpNames, n => Assert.Contains(n, builtins));

        // Variant weights 0.4 / 0.35 / 0.25; binomial s.d. over 1,000 draws is at most 0.016, so ±0.05 is > 3 s.d.
        AssertShare(samples, s => s.Variant == "int8", 0.40, "int8");
        AssertShare(samples, s => s.Variant == "int16x8", 0.35, "int16x8");
        AssertShare(samples, s => s.Variant == "float32", 0.25, "float32");
        AssertShare(samples, s => s.Knobs["shape"] == "audio", 0.45, "audio");
        AssertShare(samples, s => s.Knobs["shape"] == "vector", 0.25, "vector");
        AssertShare(samples, s => s.Knobs["op_count"] == "1", OpsSpace.SingleOpProbability, "single-op");
        // Float I/O only in the integer variants (p 0.2 of 0.75).
        AssertShare(samples, s => s.Knobs["io"] == "float", 0.75 * 0.2, "float I/O");
        Assert.DoesNotContain(samples, s => s.Variant == "float32" && s.Knobs["io"] == "float");

        foreach (SpaceSample s in samples)
        {
            int count = s.Int("op_count");
            Assert.Equal(count, s.Knobs["ops"].Split(',').Length);
            Assert.Equal(count, s.Knobs["layers"].Split("; ").Length);
            Assert.Equal(OpsSpace.FamilyOf(s.Knobs["ops"].Split(',')[0]), s.Family);
            Assert.All(Space.Knobs, k => Assert.True(k.Admits(s.Knobs[k.Name]), $"{s.ModelId}: {k.Name}={s.Knobs[k.Name]}"));
            Assert.True(s.ArenaPeakBytes <= 448 * 1024, $"{s.ModelId}: arena {s.ArenaPeakBytes}");
            Assert.True(s.Graph.ConstantBytes <= 1792 * 1024, $"{s.ModelId}: constants {s.Graph.ConstantBytes}");
            if (count == 1 && s.Knobs["io"] == "native")
            {
                // A single-op graph is that op alone, never a lone RESHAPE (Vela would remove it: nothing runs).
                OpNode node = Assert.Single(s.Graph.Nodes);
                Assert.Equal(s.Knobs["ops"], node.TypeName.ToLowerInvariant());
                Assert.NotEqual(BuiltinOperator.RESHAPE, node.Builtin);
            }
        }
        string[] families = ["ops-binary", "ops-conv", "ops-data", "ops-fc", "ops-unary"];
        Assert.Equal(families, samples.Select(s => s.Family).Distinct().Order(StringComparer.Ordinal));
        output.WriteLine(string.Join(", ", samples.GroupBy(s => s.Family).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} {g.Count()}")));
    }

    [Fact]
    public void Samples_are_a_pure_function_of_seed_and_index()
    {
        var forward = Enumerable.Range(0, 50).Select(i => Space.Sample(7, i)).ToList();
        for (int i = 49; i >= 0; i--)
        {
            SpaceSample again = Space.Sample(7, i);
            Assert.Equal(forward[i].Knobs, again.Knobs);
            Assert.Equal(GraphFingerprint.Of(forward[i].Graph), GraphFingerprint.Of(again.Graph));
        }
        int differ = Enumerable.Range(0, 50).Count(i => GraphFingerprint.Of(Space.Sample(8, i).Graph) != GraphFingerprint.Of(forward[i].Graph));
        Assert.True(differ >= 40, $"only {differ} of 50 samples change with the seed");
    }

    /// <summary>Pinned: a single STRIDED_SLICE on an int16 audio tensor.</summary>
    [Fact]
    public void Ops_seed_42_index_0_is_a_single_int16_strided_slice()
    {
        SpaceSample s = Space.Sample(42, 0);
        Assert.Equal("ops-s42-000000", s.ModelId);
        Assert.Equal(
            "dtype=int16x8; input_shape=1,1,7,28; io=native; layers=strided_slice d3 1:28:1; op_count=1; ops=strided_slice; shape=audio",
            string.Join("; ", s.Knobs.Select(kv => kv.Key + "=" + kv.Value)));
        Assert.Equal("ops-data", s.Family);
        OpNode node = Assert.Single(s.Graph.Nodes);
        Assert.Equal(BuiltinOperator.STRIDED_SLICE, node.Builtin);
        Assert.Equal([1, 1, 7, 27], s.Graph.Tensors[s.Graph.Outputs[0]].Shape.ToArray());
        // Arena: int16 input 7·28·2 = 392 B → 400 (16-byte aligned) + output 7·27·2 = 378 → 384.
        Assert.Equal(400 + 384, s.ArenaPeakBytes);
        // Constants: begin, end and strides, 4 int32 each.
        Assert.Equal(3 * 4 * 4, s.Graph.ConstantBytes);
    }

    /// <summary>Pinned: a single int8 TRANSPOSE_CONV, 5×1 kernel, stride 1×2, SAME, 147 → 74 channels.</summary>
    [Fact]
    public void Ops_seed_42_index_26_is_a_single_int8_transpose_conv()
    {
        SpaceSample s = Space.Sample(42, 26);
        Assert.Equal("transpose_conv 5x1/1x2 same f74", s.Knobs["layers"]);
        Assert.Equal("1,6,2,147", s.Knobs["input_shape"]);
        Assert.Equal("int8", s.Variant);
        Assert.Equal(BuiltinOperator.TRANSPOSE_CONV, Assert.Single(s.Graph.Nodes).Builtin);
        // SAME: output 6·1 × 2·2; MACs = every input element × kernel × output channels = 6·2·147·5·1·74.
        Assert.Equal([1, 6, 4, 74], s.Graph.Tensors[s.Graph.Outputs[0]].Shape.ToArray());
        Assert.Equal(652_680, s.Graph.TotalMacs);
        // Weights 74·5·1·147 int8 + bias 74 int32 + output shape 4 int32.
        Assert.Equal(54_390 + 74, s.Graph.TotalParameters);
        Assert.Equal(54_390 + 74 * 4 + 16, s.Graph.ConstantBytes);
    }

    /// <summary>Pinned: an int16x8 FULLY_CONNECTED chain 324 → 140 → 256.</summary>
    [Fact]
    public void Ops_seed_42_index_44_is_an_int16x8_fc_chain()
    {
        SpaceSample s = Space.Sample(42, 44);
        Assert.Equal("fully_connected u140 none; fully_connected u256 none", s.Knobs["layers"]);
        Assert.Equal("1,324", s.Knobs["input_shape"]);
        Assert.Equal("ops-fc", s.Family);
        Assert.Equal(324 * 140 + 140 * 256, s.Graph.TotalMacs);
        // int8 weights, int64 biases.
        Assert.Equal(324 * 140 + 140 * 256 + (140 + 256) * 8, s.Graph.ConstantBytes);
        Assert.All(s.Graph.Nodes, n => Assert.Equal(TensorType.Int16, n.DType));
    }

    /// <summary>The builder helpers the space added, on the shapes of TFLM's seanet kernel tests:
    /// <c>perfsage inspect ../shared/models/tflm/seanet/transpose_conv/transpose_conv0.tflite</c> reports
    /// [1,1,5,64] → [1,3,12,64], k3×4, s1×2, VALID, 245,760 MACs, 49,152 weight bytes.</summary>
    [Fact]
    public void Transpose_conv_and_strided_slice_helpers_match_the_seanet_kernels()
    {
        var b = new OpGraphBuilder("seanet");
        int x = b.AddInput([1, 1, 5, 64], TensorType.Int16);
        int y = b.TransposeConv(x, 64, 3, 4, 1, 2, Padding.Valid);
        int z = b.StridedSlice(y, [0, 0, 0, 0], [1, 2, 12, 64], [1, 1, 1, 1]);
        int w = b.LeakyRelu(b.Tanh(z));
        b.MarkOutput(w);
        OpGraph g = b.Build();
        Assert.Equal([1, 3, 12, 64], g.Tensors[y].Shape.ToArray());
        Assert.Equal([1, 2, 12, 64], g.Tensors[w].Shape.ToArray());
        Assert.Equal(245_760, g.Nodes[0].Cost.Macs);
        Assert.Equal(49_152, g.TotalWeightBytes);
        Assert.Equal(TensorType.Int64, g.Tensors[g.Nodes[0].BiasTensor].Type);
        Assert.Equal(x, g.Nodes[0].MainInput);

        byte[] bytes = GraphExporter.Write(g, 1);
        OpGraph back = OpGraph.FromModel(TfliteReader.Parse(bytes, "seanet"));
        Assert.Equal(g.Nodes.Select(n => n.Builtin), back.Nodes.Select(n => n.Builtin));
        Assert.Equal(245_760, back.TotalMacs);
        Assert.Throws<OpGraphException>(() => b.StridedSlice(y, [0, 0, 0, 0], [1, 4, 12, 64], [1, 1, 1, 1]));
    }

    /// <summary>The dataset builder's path for 1,000 samples: write, read back, estimate on every target; every
    /// label positive and finite.</summary>
    [Fact]
    public void Every_estimator_gives_positive_finite_labels_for_a_thousand_samples()
    {
        TargetCatalog catalog = TargetCatalog.LoadDefault();
        Assert.Equal(13, catalog.Ids.Count);
        var estimators = catalog.Ids.Select(id => Estimator.For(catalog.Get(id))).ToList();
        var failures = new List<string>();
        for (int i = 0; i < 1000; i++)
        {
            SpaceSample s = Space.Sample(2024, i);
            OpGraph g = OpGraph.FromModel(TfliteReader.Parse(GraphExporter.Write(s.Graph, i + 1), s.ModelId));
            foreach (IEstimator e in estimators)
            {
                TargetEstimate r = e.Estimate(g);
                if (!(Positive(r.LatencyMs) && Positive(r.EnergyMj) && Positive(r.PeakRamKb) && Positive(r.FlashKb)))
                {
                    failures.Add(string.Create(CultureInfo.InvariantCulture,
                        $"{s.ModelId} on {r.TargetId}: {r.LatencyMs} ms, {r.EnergyMj} mJ, {r.PeakRamKb} KB RAM, {r.FlashKb} KB flash ({s.Knobs["layers"]})"));
                }
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} labels not positive:\n" + string.Join("\n", failures.Take(10)));
    }

    private static bool Positive(double v) => v > 0 && double.IsFinite(v);

    private void AssertShare(List<SpaceSample> samples, Func<SpaceSample, bool> predicate, double expected, string what)
    {
        double share = samples.Count(predicate) / (double)samples.Count;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: {share:F3} (expected {expected:F3})"));
        Assert.InRange(share, expected - 0.05, expected + 0.05);
    }
}

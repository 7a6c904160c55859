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
        // ~3 ops per sample over 24 kinds; the rarest (weight 0.5 of ~27) still expects about 50.
        Assert.All(opCounts, kv => Assert.True(kv.Value >= 20, $"{kv.Key} drawn {kv.Value} times"));
        // The drawn ops are the graph's ops: every builtin of the vocabulary is in some graph.
        var builtins = samples.SelectMany(s => s.Graph.Nodes.Select(n => n.TypeName.ToLowerInvariant())).ToHashSet();
        Assert.All(OpsSpace.OpNames, n => Assert.Contains(n, builtins));

        // Variant weights 0.4 / 0.35 / 0.25; binomial s.d. over 1,000 draws is at most 0.016, so ±0.05 is > 3 s.d.
        AssertShare(samples, s => s.Variant == "int8", 0.40, "int8");
        AssertShare(samples, s => s.Variant == "int16x8", 0.35, "int16x8");
        AssertShare(samples, s => s.Variant == "float32", 0.25, "float32");
        AssertShare(samples, s => s.Knobs["shape"] == "audio", 0.40, "audio");
        AssertShare(samples, s => s.Knobs["shape"] == "vector", 0.20, "vector");
        AssertShare(samples, s => s.Knobs["shape"] == "sequence", 0.15, "sequence");
        // A sequence starts with an LSTM with p 0.8 (0.15 · 0.8 = 0.12 of all graphs).
        AssertShare(samples, s => s.Family == "ops-rnn", 0.12, "LSTM-first");
        // Every LSTM graph holds at most 2 of them; depthwise convolutions with a multiplier and int32 ↔ int16
        // QUANTIZE occur.
        Assert.All(samples, s => Assert.InRange(s.Graph.Nodes.Count(n => n.Builtin == BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM), 0, OpsSpace.MaxLstms));
        Assert.Contains(samples, s => s.Graph.Nodes.Count(n => n.Builtin == BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM) == 2);
        Assert.Contains(samples, s => s.Graph.Nodes.Any(n => n.Attributes.Options is DepthwiseConv2DOptions { DepthMultiplier: > 1 }));
        Assert.Contains(samples, s => s.Knobs["layers"].Contains("quantize int32_to_int16", StringComparison.Ordinal));
        Assert.Contains(samples, s => s.Knobs["layers"].Contains("quantize to_int32", StringComparison.Ordinal));
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
        string[] families = ["ops-binary", "ops-conv", "ops-data", "ops-fc", "ops-rnn", "ops-unary"];
        Assert.Equal(families, samples.Select(s => s.Family).Distinct().Order(StringComparer.Ordinal));
        output.WriteLine(string.Join(", ", samples.GroupBy(s => s.Family).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} {g.Count()}")));
    }

    [Fact]
    public void Knob_descriptions_quote_the_samplers_odds()
    {
        // The knob descriptions (shown by `perfsage spaces`) repeat some of OpsSpaceOdds' numbers in words: they
        // must say what the sampler does.
        OpsSpaceOdds o = OpsSpace.Odds;
        string Of(string knob) => Space.Knobs.Single(k => k.Name == knob).Description;
        static string P(IReadOnlyList<double> w) => "p " + string.Join(" / ", w.Select(v => v.ToString(CultureInfo.InvariantCulture)));
        static string N(double v) => v.ToString(CultureInfo.InvariantCulture);
        Assert.Contains(P(o.DTypeWeights), Of("dtype"), StringComparison.Ordinal);
        Assert.Contains(P(o.IoWeights), Of("io"), StringComparison.Ordinal);
        Assert.Contains(P(o.ShapeWeights), Of("shape"), StringComparison.Ordinal);
        Assert.Contains($"square with p {N(o.SquareImage)}", Of("shape"), StringComparison.Ordinal);
        Assert.Contains($"1 with p {N(o.SingleOp)}", Of("op_count"), StringComparison.Ordinal);
        Assert.Contains($"starts with FULLY_CONNECTED with p {N(o.StartsWithFullyConnected)}", Of("ops"), StringComparison.Ordinal);
        Assert.Contains($"another follows with p {N(o.FullyConnectedAfterFullyConnected)}", Of("ops"), StringComparison.Ordinal);
        Assert.Contains($"UNIDIRECTIONAL_SEQUENCE_LSTM with p {N(o.SequenceStartsWithLstm)}", Of("ops"), StringComparison.Ordinal);
        Assert.Contains($"at most {OpsSpace.MaxLstms} LSTMs", Of("ops"), StringComparison.Ordinal);
        Assert.Equal(OpsSpace.OpNames.Count, o.OpWeights.Count);
        Assert.Equal(o.Kernels.Count, o.KernelWeights.Count);
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

    /// <summary>Pinned: a single int8 TRANSPOSE_CONV, 7×1 kernel, stride 1×2, SAME, 147 → 73 channels.</summary>
    [Fact]
    public void Ops_seed_42_index_26_is_a_single_int8_transpose_conv()
    {
        SpaceSample s = Space.Sample(42, 26);
        Assert.Equal("transpose_conv 7x1/1x2 same f73", s.Knobs["layers"]);
        Assert.Equal("1,6,2,147", s.Knobs["input_shape"]);
        Assert.Equal("int8", s.Variant);
        Assert.Equal(BuiltinOperator.TRANSPOSE_CONV, Assert.Single(s.Graph.Nodes).Builtin);
        // SAME: output 6·1 × 2·2; MACs = every input element × kernel × output channels = 6·2·147·7·1·73.
        Assert.Equal([1, 6, 4, 73], s.Graph.Tensors[s.Graph.Outputs[0]].Shape.ToArray());
        Assert.Equal(901_404, s.Graph.TotalMacs);
        // Weights 73·7·1·147 = 75,117 int8 + bias 73 int32 + output shape 4 int32.
        Assert.Equal(75_117 + 73, s.Graph.TotalParameters);
        Assert.Equal(75_117 + 73 * 4 + 16, s.Graph.ConstantBytes);
    }

    /// <summary>Pinned: an int16x8 LSTM of 23 units on a [1,31,2] sequence, then MUL by a per-channel constant.</summary>
    [Fact]
    public void Ops_seed_42_index_44_is_an_int16x8_lstm()
    {
        SpaceSample s = Space.Sample(42, 44);
        Assert.Equal("unidirectional_sequence_lstm u23; mul channel_const none", s.Knobs["layers"]);
        Assert.Equal("1,31,2", s.Knobs["input_shape"]);
        Assert.Equal("sequence", s.Knobs["shape"]);
        Assert.Equal("ops-rnn", s.Family);
        OpNode lstm = s.Graph.Nodes[0];
        Assert.Equal(BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM, lstm.Builtin);
        Assert.Equal([1, 31, 23], s.Graph.Tensors[s.Graph.Outputs[0]].Shape.ToArray());
        // 31 steps × 4 gates × 23 units × (2 inputs + 23 recurrent) = 71,300 MACs; MUL has none.
        Assert.Equal(71_300, s.Graph.TotalMacs);
        // Gate weights 4·23·2 + 4·23·23 = 2,300 int8; biases 4·23 int64; MUL constant 23 int16.
        Assert.Equal(2_300 + 92 + 23, s.Graph.TotalParameters);
        Assert.Equal(2_300 + 92 * 8 + 23 * 2, s.Graph.ConstantBytes);
        // int16x8 states: output state int16 [1,23], cell state int16 [1,23] scaled 2^-11.
        GraphTensor outputState = s.Graph.Tensors[lstm.Inputs[18]], cellState = s.Graph.Tensors[lstm.Inputs[19]];
        Assert.True(outputState.IsVariable && cellState.IsVariable);
        Assert.Equal((TensorType.Int16, TensorType.Int16), (outputState.Type, cellState.Type));
        Assert.Equal(TensorType.Int64, s.Graph.Tensors[lstm.Inputs[12]].Type);
    }

    /// <summary>Pinned: a float32 depthwise convolution with depth multiplier 3 (after a CONCATENATION).</summary>
    [Fact]
    public void Ops_seed_42_index_38_has_a_depthwise_conv_with_multiplier_3()
    {
        SpaceSample s = Space.Sample(42, 38);
        Assert.Equal("concatenation axis3 +1; depthwise_conv_2d 2x5/2x1 valid m3 none; average_pool_2d 3x3/2x2 same",
            s.Knobs["layers"]);
        Assert.Equal("1,7,124,1", s.Knobs["input_shape"]);
        // [1,7,124,2] → VALID 2×5 stride 2×1: (7 − 2)/2 + 1 = 3 rows, 124 − 5 + 1 = 120 columns, 2·3 = 6 channels.
        OpNode dw = s.Graph.Nodes[1];
        Assert.Equal([1, 3, 120, 6], s.Graph.Tensors[dw.Outputs[0]].Shape.ToArray());
        // MACs 3·120·6·2·5 = 21,600; parameters 2·5·6 weights + 6 bias.
        Assert.Equal(21_600, s.Graph.TotalMacs);
        Assert.Equal(66, s.Graph.TotalParameters);
    }

    /// <summary>Pinned: the seanet int32 → int16 requantisation as a single op.</summary>
    [Fact]
    public void Ops_seed_42_index_251_is_an_int32_to_int16_quantize()
    {
        SpaceSample s = Space.Sample(42, 251);
        Assert.Equal("quantize int32_to_int16", s.Knobs["layers"]);
        Assert.Equal("1,1,2,33", s.Knobs["input_shape"]);
        OpNode q = Assert.Single(s.Graph.Nodes);
        Assert.Equal(BuiltinOperator.QUANTIZE, q.Builtin);
        Assert.Equal(TensorType.Int32, s.Graph.Tensors[s.Graph.Inputs[0]].Type);
        Assert.Equal(TensorType.Int16, s.Graph.Tensors[s.Graph.Outputs[0]].Type);
        // Arena: int32 input 2·33·4 = 264 B → 272 (16-byte aligned) + int16 output 132 → 144.
        Assert.Equal(272 + 144, s.ArenaPeakBytes);
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

    /// <summary>The LSTM helper on dtln_noise_suppression.tflite's shapes: <c>perfsage inspect
    /// ../shared/models/tflm/dtln_noise_suppression.tflite</c> reports LSTM [1,1,257] → 128 (197,120 MACs,
    /// 199,168 weight + bias bytes, 641 bytes read), LSTM 128 → 128 (131,072 MACs), FC keep_num_dims 128 → 257
    /// (32,896 MACs), LOGISTIC; 361,088 MACs in all. Written as the dataset builder writes it and read back.</summary>
    [Fact]
    public void Lstm_helper_matches_dtln_and_survives_the_tflite_round_trip()
    {
        var b = new OpGraphBuilder("dtln");
        int x = b.AddInput([1, 1, 257], TensorType.Int8);
        int h1 = b.UnidirectionalSequenceLstm(x, 128);
        int h2 = b.UnidirectionalSequenceLstm(h1, 128);
        int y = b.Logistic(b.FullyConnected(h2, 257, keepNumDims: true));
        b.MarkOutput(y);
        OpGraph g = b.Build();
        Assert.Equal([1, 1, 257], g.Tensors[y].Shape.ToArray());
        Assert.Equal([197_120L, 131_072, 32_896, 0], g.Nodes.Select(n => n.Cost.Macs));
        Assert.Equal(361_088, g.TotalMacs);
        // 4·128·257 + 4·128·128 int8 weights + 4·128 int32 biases.
        Assert.Equal(197_120 + 512 * 4, g.Nodes[0].Cost.WeightBytes + g.Nodes[0].Cost.BiasBytes);
        // Input 257 int8 + output state 128 int8 + cell state 128 int16.
        Assert.Equal(257 + 128 + 256, g.Nodes[0].Cost.ActivationBytesRead);

        OpGraph back = OpGraph.FromModel(TfliteReader.Parse(GraphExporter.Write(g, 1), "dtln"));
        Assert.Equal(g.Nodes.Select(n => n.Builtin), back.Nodes.Select(n => n.Builtin));
        Assert.Equal(361_088, back.TotalMacs);
        Assert.Equal(g.ConstantBytes, back.ConstantBytes);
        OpNode lstm = back.Nodes[0];
        Assert.Equal(24, lstm.Inputs.Length);
        Assert.Equal(-1, lstm.Inputs[9]);
        Assert.True(back.Tensors[lstm.Inputs[18]].IsVariable && back.Tensors[lstm.Inputs[19]].IsVariable);
        Assert.Equal(TensorType.Int16, back.Tensors[lstm.Inputs[19]].Type);
        Assert.Equal(new UnidirectionalSequenceLstmOptions(ActivationFunctionType.Tanh, 10f, 0f, false, false, false),
            lstm.Attributes.Options);
    }

    /// <summary>The dataset builder's path for 1,000 samples: write, read back, estimate on every target; every
    /// label positive and finite.</summary>
    [Fact]
    public void Every_estimator_gives_positive_finite_labels_for_a_thousand_samples()
    {
        TargetCatalog catalog = TargetCatalog.LoadDefault();
        Assert.Equal(20, catalog.Ids.Count); // 13 + cortex-m0plus, cortex-m3 + five ethos-u85 configurations
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

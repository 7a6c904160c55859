using PerfSage.Graph.Features;
using PerfSage.Tests.Common;
using PerfSage.Tflite;
using Xunit;
using Xunit.Abstractions;
using Col = PerfSage.Graph.Features.FeatureSchema.NodeColumn;
using ECol = PerfSage.Graph.Features.FeatureSchema.EdgeColumn;
using GCol = PerfSage.Graph.Features.FeatureSchema.GraphColumn;

namespace PerfSage.Graph.Tests.Features;

public class FeaturizerTests
{
    private const float Tol = 1e-5f;

    /// <summary>int8: input [1,8,8,3] → CONV 3×3 → 16 (SAME, RELU) → DW 3×3 stride 2 (SAME) → RESHAPE [1,256]
    /// → FC 10 → SOFTMAX (graph output).</summary>
    private static OpGraph Chain()
    {
        var b = new OpGraphBuilder("chain");
        int x = b.AddInput([1, 8, 8, 3], TensorType.Int8);
        int c = b.Conv2D(x, filters: 16, kernelH: 3, kernelW: 3, activation: ActivationFunctionType.Relu);
        int d = b.DepthwiseConv2D(c, 3, 3, strideH: 2, strideW: 2);
        int r = b.Reshape(d, [1, 256]);
        int f = b.FullyConnected(r, 10);
        int s = b.Softmax(f);
        b.MarkOutput(s);
        return b.Build();
    }

    private static float At(GraphFeatures g, int node, int column) =>
        g.NodeFeatures[(node * FeatureSchema.NodeFeatureCount) + column];

    private static float Log2p(double x) => (float)Math.Log2(1 + x);

    [Fact]
    public void Schema_column_lists_match_their_counts_and_are_unique()
    {
        Assert.Equal(Col.Count, FeatureSchema.NodeColumns.Length);
        Assert.Equal(ECol.Count, FeatureSchema.EdgeColumns.Length);
        Assert.Equal(GCol.Count, FeatureSchema.GraphColumns.Length);
        Assert.Equal(FeatureSchema.NodeColumns.Length, FeatureSchema.NodeColumns.Distinct().Count());
        Assert.Equal(FeatureSchema.EdgeColumns.Length, FeatureSchema.EdgeColumns.Distinct().Count());
        // Spot-check that the named positions point at the names docs/MODEL.md gives them.
        Assert.Equal("macs_log2", FeatureSchema.NodeColumns[Col.MacsLog2]);
        Assert.Equal("kernel_h", FeatureSchema.NodeColumns[Col.KernelH]);
        Assert.Equal("activation_relu", FeatureSchema.NodeColumns[Col.FusedActivation + 1]);
        Assert.Equal("dtype_int8", FeatureSchema.NodeColumns[Col.ActivationDType]);
        Assert.Equal("weight_dtype_int8", FeatureSchema.NodeColumns[Col.WeightDType]);
        Assert.Equal("is_unsupported", FeatureSchema.NodeColumns[Col.IsUnsupported]);
        Assert.Equal("forward", FeatureSchema.EdgeColumns[ECol.Forward]);
        Assert.Equal("arena_peak_bytes_log2", FeatureSchema.GraphColumns[GCol.ArenaPeakBytesLog2]);
        Assert.Equal(1, FeatureSchema.Version);
    }

    [Fact]
    public void Vocabulary_maps_builtins_by_code_and_custom_ops_by_name()
    {
        Assert.Equal(3, OpVocabulary.IndexOf((int)BuiltinOperator.CONV_2D, null));
        Assert.Equal(209, OpVocabulary.IndexOf(209, null));
        Assert.Equal(OpVocabulary.Unknown, OpVocabulary.IndexOf(210, null));
        Assert.Equal(OpVocabulary.Unknown, OpVocabulary.IndexOf(-1, null));
        Assert.Equal(210, OpVocabulary.IndexOf(32, "ethos-u"));
        Assert.Equal(211, OpVocabulary.IndexOf(32, "TFLite_Detection_PostProcess"));
        Assert.Equal(32, OpVocabulary.IndexOf(32, "my_op"));
        Assert.Equal(32, OpVocabulary.IndexOf(32, "ETHOS-U")); // names are exact
        Assert.Equal("CONV_2D", OpVocabulary.NameOf(3));
        Assert.Equal("CUSTOM:ethos-u", OpVocabulary.NameOf(210));
        Assert.Equal("UNKNOWN", OpVocabulary.NameOf(212));
        Assert.Equal(213, OpVocabulary.Size);
    }

    [Fact]
    public void Conv_node_features_are_worked_out_by_hand()
    {
        GraphFeatures g = Featurizer.Featurize(Chain());

        Assert.Equal(FeatureSchema.Version, g.SchemaVersion);
        Assert.Equal(5, g.NodeCount);
        Assert.Equal(new[] { 3, 4, 22, 9, 25 }, g.OpIndex); // CONV_2D, DEPTHWISE_CONV_2D, RESHAPE, FULLY_CONNECTED, SOFTMAX

        // CONV: out [1,8,8,16], 3×3 over 3 channels: 8·8·16·3·3·3 = 27,648 MACs.
        Assert.Equal(Log2p(8 * 8 * 16 * 3 * 3 * 3), At(g, 0, Col.MacsLog2), Tol);
        Assert.Equal(14.7549f, At(g, 0, Col.MacsLog2), 3); // log2(27,649)
        Assert.Equal(4, At(g, 0, Col.InputRank));
        Assert.Equal(Log2p(1), At(g, 0, Col.InputDims), Tol);
        Assert.Equal(Log2p(8), At(g, 0, Col.InputDims + 1), Tol);
        Assert.Equal(Log2p(8), At(g, 0, Col.InputDims + 2), Tol);
        Assert.Equal(2f, At(g, 0, Col.InputDims + 3), Tol); // log2(1+3)
        Assert.Equal(Log2p(16), At(g, 0, Col.OutputDims + 3), Tol);
        Assert.Equal(3, At(g, 0, Col.KernelH));
        Assert.Equal(3, At(g, 0, Col.KernelW));
        Assert.Equal(1, At(g, 0, Col.StrideH));
        Assert.Equal(1, At(g, 0, Col.DilationW));
        Assert.Equal(1, At(g, 0, Col.Padding + 1)); // same
        Assert.Equal(0, At(g, 0, Col.Padding + 2));
        Assert.Equal(1, At(g, 0, Col.FusedActivation + 1)); // relu
        Assert.Equal(0, At(g, 0, Col.FusedActivation));
        // int8: reads 8·8·3 B, writes 8·8·16 B; int8 filter 16·3·3·3 B; int32 bias 16·4 B.
        Assert.Equal(Log2p(192), At(g, 0, Col.BytesReadLog2), Tol);
        Assert.Equal(Log2p(1024), At(g, 0, Col.BytesWrittenLog2), Tol);
        Assert.Equal(Log2p(432), At(g, 0, Col.WeightBytesLog2), Tol);
        Assert.Equal(Log2p(64), At(g, 0, Col.BiasBytesLog2), Tol);
        Assert.Equal(Log2p(1024), At(g, 0, Col.OutputElementsLog2), Tol);
        Assert.Equal(0, At(g, 0, Col.ElementOpsLog2));
        Assert.Equal(1, At(g, 0, Col.ActivationDType + 0)); // int8
        Assert.Equal(1, At(g, 0, Col.WeightDType + 0));     // int8 weights
        Assert.Equal(1, At(g, 0, Col.WeightPerChannel));    // the builder quantises conv filters per channel
        Assert.Equal(0, At(g, 0, Col.IsUnsupported));
        Assert.Equal(1, At(g, 0, Col.ActivationInputCount));
        // Exactly one slot of each one-hot group is set.
        Assert.Equal(1, Enumerable.Range(Col.Padding, 3).Sum(c => At(g, 0, c)));
        Assert.Equal(1, Enumerable.Range(Col.FusedActivation, 6).Sum(c => At(g, 0, c)));
        Assert.Equal(1, Enumerable.Range(Col.ActivationDType, 7).Sum(c => At(g, 0, c)));
    }

    [Fact]
    public void Other_nodes_pad_shapes_and_flag_options_by_hand()
    {
        GraphFeatures g = Featurizer.Featurize(Chain());

        // DW: out [1,4,4,16], 4·4·16·3·3 = 2,304 MACs, stride 2, no activation.
        Assert.Equal(Log2p(2304), At(g, 1, Col.MacsLog2), Tol);
        Assert.Equal(2, At(g, 1, Col.StrideH));
        Assert.Equal(2, At(g, 1, Col.StrideW));
        Assert.Equal(1, At(g, 1, Col.DepthMultiplier));
        Assert.Equal(1, At(g, 1, Col.FusedActivation)); // none

        // FC: input [1,256] right-aligned to 4-D: [absent, absent, 1, 256]; 10·256 = 2,560 MACs; per-tensor weights.
        Assert.Equal(2, At(g, 3, Col.InputRank));
        Assert.Equal(0, At(g, 3, Col.InputDims));
        Assert.Equal(0, At(g, 3, Col.InputDims + 1));
        Assert.Equal(1, At(g, 3, Col.InputDims + 2)); // log2(1+1)
        Assert.Equal(Log2p(256), At(g, 3, Col.InputDims + 3), Tol);
        Assert.Equal(Log2p(2560), At(g, 3, Col.MacsLog2), Tol);
        Assert.Equal(0, At(g, 3, Col.WeightPerChannel));
        Assert.Equal(1, At(g, 3, Col.Padding)); // none: FC has no window
        Assert.Equal(1, At(g, 3, Col.KernelH)); // not applicable → 1

        // RESHAPE and SOFTMAX have no weight slot: the weight dtype group is all zero.
        Assert.Equal(0, Enumerable.Range(Col.WeightDType, 7).Sum(c => At(g, 2, c)));
        Assert.Equal(0, Enumerable.Range(Col.WeightDType, 7).Sum(c => At(g, 4, c)));
        // SOFTMAX: one element op per input element (10).
        Assert.Equal(Log2p(10), At(g, 4, Col.ElementOpsLog2), Tol);
    }

    [Fact]
    public void Edges_go_both_ways_one_pair_per_shared_tensor()
    {
        GraphFeatures g = Featurizer.Featurize(Chain());
        // A chain of 5 ops shares 4 activation tensors: 4 forward edges, then their 4 reverse copies.
        // The graph input and the constants (weights, reshape's shape) make no edges.
        Assert.Equal(8, g.EdgeCount);
        Assert.Equal(new[] { 0, 1, 2, 3, 1, 2, 3, 4 }, g.EdgeSource);
        Assert.Equal(new[] { 1, 2, 3, 4, 0, 1, 2, 3 }, g.EdgeTarget);
        int fe = FeatureSchema.EdgeFeatureCount;
        Assert.Equal(8 * fe, g.EdgeFeatures.Length);
        // Edge 0 carries the conv output: 8·8·16 int8 = 1,024 B.
        Assert.Equal(Log2p(1024), g.EdgeFeatures[ECol.TensorBytesLog2], Tol);
        Assert.Equal(1, g.EdgeFeatures[ECol.DType + 0]);
        Assert.Equal(1, g.EdgeFeatures[ECol.Forward]);
        // Its reverse copy (edge 4) has the same tensor columns and forward = 0.
        Assert.Equal(Log2p(1024), g.EdgeFeatures[(4 * fe) + ECol.TensorBytesLog2], Tol);
        Assert.Equal(0, g.EdgeFeatures[(4 * fe) + ECol.Forward]);
        // Edge 3 carries the FC output: 10 int8 = 10 B.
        Assert.Equal(Log2p(10), g.EdgeFeatures[(3 * fe) + ECol.TensorBytesLog2], Tol);
    }

    [Fact]
    public void Graph_features_are_worked_out_by_hand()
    {
        GraphFeatures g = Featurizer.Featurize(Chain());
        const long Macs = (8 * 8 * 16 * 3 * 3 * 3) + (4 * 4 * 16 * 3 * 3) + (10 * 256); // 32,512
        Assert.Equal(Macs, g.TotalMacs);
        Assert.Equal(Log2p(Macs), g.GraphFeatureValues[GCol.TotalMacsLog2], Tol);
        Assert.Equal(Log2p(5), g.GraphFeatureValues[GCol.OpCountLog2], Tol);
        Assert.Equal(0, g.GraphFeatureValues[GCol.FileBytesLog2]); // never written
        Assert.Equal(0, g.GraphFeatureValues[GCol.UnsupportedOpCountLog2]);
        // Arena: at the DW op the conv output (1,024 B) and the DW output (256 B) are live together, the most
        // at any op; greedy placement puts the 1,024 B buffer at 0 and the 256 B one above it: 1,280 B.
        Assert.Equal(Log2p(1280), g.GraphFeatureValues[GCol.ArenaPeakBytesLog2], Tol);
        // Constants: conv 432 + 64, DW 144 + 64, reshape shape 2·4, FC 2,560 + 40 bytes.
        Assert.Equal(Log2p(432 + 64 + 144 + 64 + 8 + 2560 + 40), g.GraphFeatureValues[GCol.ConstantBytesLog2], Tol);
    }

    [Fact]
    public void Custom_and_unknown_ops_are_flagged_not_dropped()
    {
        var b = new OpGraphBuilder("odd");
        int x = b.AddInput([1, 4], TensorType.Int8);
        int c = b.AddCustomOperator("ethos-u", [x], [1, 4], TensorType.Int8);
        int o = b.AddCustomOperator("vendor_thing", [c], [1, 4], TensorType.Int8);
        int u = b.AddOperator((BuiltinOperator)250, [o], outputShape: [1, 4]);
        b.MarkOutput(u);
        GraphFeatures g = Featurizer.Featurize(b.Build());

        Assert.Equal(new[] { OpVocabulary.CustomEthosU, OpVocabulary.CustomOther, OpVocabulary.Unknown }, g.OpIndex);
        Assert.All(Enumerable.Range(0, 3), i => Assert.Equal(1, At(g, i, Col.IsUnsupported)));
        Assert.Equal(3, g.UnsupportedOpCount);
        Assert.Equal(1, g.UnknownOpCount);
        Assert.Equal(2, g.CustomOpCount);
        Assert.Equal(Log2p(3), g.GraphFeatureValues[GCol.UnsupportedOpCountLog2], Tol);
        Assert.Equal(4, g.EdgeCount);
    }

    [Fact]
    public void Another_schema_version_is_refused_with_both_versions_named()
    {
        FeatureSchema.EnsureVersion(FeatureSchema.Version, "ok");
        var e = Assert.Throws<FeatureSchemaException>(() => FeatureSchema.EnsureVersion(2, "cache.pb"));
        Assert.Contains("cache.pb", e.Message, StringComparison.Ordinal);
        Assert.Contains("version 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("version 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inconsistent_arrays_are_refused()
    {
        int f = FeatureSchema.NodeFeatureCount, fe = FeatureSchema.EdgeFeatureCount, gc = FeatureSchema.GraphFeatureCount;
        // Two nodes, one edge 0 → 1.
        _ = new GraphFeatures(1, 2, new float[2 * f], [3, 4], [0], [1], new float[fe], new float[gc], 0);
        Assert.Throws<FeatureSchemaException>(() =>
            new GraphFeatures(1, 2, new float[(2 * f) - 1], [3, 4], [0], [1], new float[fe], new float[gc], 0));
        Assert.Throws<FeatureSchemaException>(() =>
            new GraphFeatures(1, 2, new float[2 * f], [3], [0], [1], new float[fe], new float[gc], 0));
        Assert.Throws<FeatureSchemaException>(() =>
            new GraphFeatures(1, 2, new float[2 * f], [3, 4], [0], [2], new float[fe], new float[gc], 0));
        Assert.Throws<FeatureSchemaException>(() =>
            new GraphFeatures(1, 2, new float[2 * f], [3, OpVocabulary.Size], [0], [1], new float[fe], new float[gc], 0));
        // Another version keeps its own column counts (the consumer refuses it by version).
        var old = new GraphFeatures(0, 1, new float[7], [3], [], [], [], new float[2], 0);
        Assert.Equal(0, old.SchemaVersion);
    }

    [SkippableFact]
    public void Kws_reference_model_features_match_its_published_counts()
    {
        string path = SharedData.Require("models/mlperf_tiny/kws_ref_model.tflite");
        GraphFeatures g = Featurizer.Featurize(OpGraph.FromModel(TfliteReader.ReadFile(path)));
        // docs/TARGETS.md §4: DS-CNN KWS has 13 ops and 2,656,768 MACs; the file is 53,936 bytes.
        Assert.Equal(13, g.NodeCount);
        Assert.Equal(2_656_768, g.TotalMacs);
        Assert.Equal(Log2p(2_656_768), g.GraphFeatureValues[GCol.TotalMacsLog2], Tol);
        Assert.Equal(Log2p(53_936), g.GraphFeatureValues[GCol.FileBytesLog2], Tol);
        // The arena alternates two 8,000 B activation buffers (see ArenaPlannerTests).
        Assert.Equal(Log2p(16_000), g.GraphFeatureValues[GCol.ArenaPeakBytesLog2], Tol);
        Assert.All(g.NodeFeatures, v => Assert.True(float.IsFinite(v)));
        // Every edge is a (tensor, consumer) pair stored both ways.
        Assert.Equal(0, g.EdgeCount % 2);
        Assert.Equal(g.EdgeCount / 2, g.EdgeFeatures.Where((_, i) => i % FeatureSchema.EdgeFeatureCount == ECol.Forward).Count(v => v == 1f));
    }
}

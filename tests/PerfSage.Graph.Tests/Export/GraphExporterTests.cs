using Xunit;
using System.Buffers.Binary;
using PerfSage.Tests.Common;
using PerfSage.Tflite;

namespace PerfSage.Graph.Tests.Export;

public sealed class GraphExporterTests
{
    public static TheoryData<string> GraphNames => [.. ExportTestGraphs.All.Keys];

    [Theory]
    [MemberData(nameof(GraphNames))]
    public void Exported_graph_reads_back_as_the_same_graph(string name)
    {
        OpGraph graph = ExportTestGraphs.All[name]();
        byte[] bytes = GraphExporter.Write(graph, seed: 17);

        OpGraph reread = OpGraph.FromModel(TfliteReader.Parse(bytes, graph.Name));

        GraphComparer.AssertSameGraph(graph, reread, bytes.Length);
        Assert.True(reread.Nodes.Length >= 4);
    }

    [Fact]
    public void Comparer_sees_a_changed_shape_activation_and_constant()
    {
        // Guards the round-trip test: two graphs that differ in one output channel count, one fused
        // activation and one constant's bytes must produce differences at those places.
        static OpGraph Make(int filters, ActivationFunctionType activation, int axis)
        {
            var b = new OpGraphBuilder("probe");
            int x = b.AddInput([1, 8, 8, 3], TensorType.Int8);
            int c = b.Conv2D(x, filters, 3, 3, activation: activation);
            b.MarkOutput(b.Mean(c, [1, axis]));
            return b.Build();
        }
        OpGraph a = Make(8, ActivationFunctionType.Relu, 2);
        byte[] bytes = GraphExporter.Write(Make(16, ActivationFunctionType.Relu6, 1), 1);
        OpGraph other = OpGraph.FromModel(TfliteReader.Parse(bytes, a.Name));

        List<string> d = GraphComparer.Differences(a, other, bytes.Length);

        Assert.Contains(d, x => x.Contains("OutputShape[3]", StringComparison.Ordinal));
        Assert.Contains(d, x => x.Contains("Attributes.FusedActivation", StringComparison.Ordinal));
        Assert.Contains(d, x => x.Contains("'mean_1/axes'.Data", StringComparison.Ordinal));
        Assert.Contains(d, x => x.Contains("TotalMacs", StringComparison.Ordinal));
    }

    [Fact]
    public void Same_seed_gives_the_same_bytes_and_another_seed_other_weights_only()
    {
        OpGraph graph = ExportTestGraphs.MobileNetV2Block();
        byte[] a = GraphExporter.Write(graph, 5);
        byte[] again = GraphExporter.Write(ExportTestGraphs.MobileNetV2Block(), 5);
        byte[] other = GraphExporter.Write(graph, 6);

        Assert.Equal(a, again);
        Assert.NotEqual(a, other);
        Assert.Equal(a.Length, other.Length); // same structure, same sizes

        TfliteModel ma = TfliteReader.Parse(a), mo = TfliteReader.Parse(other);
        Subgraph sa = ma.Subgraphs[0], so = mo.Subgraphs[0];
        for (int i = 0; i < sa.Tensors.Count; i++)
        {
            ReadOnlyMemory<byte> da = ma.GetBufferData(sa.Tensors[i].Buffer), dother = mo.GetBufferData(so.Tensors[i].Buffer);
            Assert.Equal(da.Length, dother.Length);
            bool generated = graph.Tensors[i].IsConstant && graph.Tensors[i].Data.IsEmpty;
            // Generated weights differ between seeds; builder constants with data (the MEAN axes) do not.
            Assert.Equal(!generated, da.Span.SequenceEqual(dother.Span));
        }
        GraphComparer.AssertSameGraph(graph, OpGraph.FromModel(TfliteReader.Parse(other, graph.Name)), other.Length);
    }

    [Fact]
    public void Conv_depthwise_and_fc_get_per_channel_weight_scales_and_bias_scale_input_times_weight()
    {
        var b = new OpGraphBuilder("quant");
        int x = b.AddInput([1, 6, 6, 2], TensorType.Int8, QuantizationSummary.PerTensor(0.5f, 7));
        int conv = b.Conv2D(x, 4, 3, 3);
        int dw = b.DepthwiseConv2D(conv, 3, 3, depthMultiplier: 2);
        int flat = b.Reshape(dw, [1, 288]);
        int fc = b.FullyConnected(flat, 3);
        b.MarkOutput(fc);
        OpGraph graph = b.Build();
        TfliteModel model = TfliteReader.Parse(GraphExporter.Write(graph, 3));
        Subgraph s = model.Subgraphs[0];

        QuantizationParameters Q(int id) => s.Tensors[id].Quantization!;
        const float w0 = OpGraphBuilder.DefaultScale; // the builder's first weight scale, 1/128

        // CONV_2D filter [4, 3, 3, 2]: 4 scales on axis 0, the first the graph's, the others in [0.5, 1.5) of it.
        OpNode convNode = graph.Nodes[0];
        QuantizationParameters cw = Q(convNode.WeightTensor);
        Assert.Equal(0, cw.QuantizedDimension);
        Assert.Equal(4, cw.Scale.Count);
        Assert.Equal(1f / 128, cw.Scale[0]);
        Assert.All(cw.Scale.Skip(1), v => Assert.InRange(v, 0.5f * w0, 1.5f * w0));
        Assert.Equal(new long[4], cw.ZeroPoint);
        // Bias [4]: scale[c] = 0.5 · weight_scale[c], zero point 0.
        QuantizationParameters cb = Q(convNode.BiasTensor);
        Assert.Equal(TensorType.Int32, s.Tensors[convNode.BiasTensor].Type);
        Assert.Equal(0.5f / 128, cb.Scale[0]);
        Assert.Equal(cw.Scale.Select(v => 0.5f * v), cb.Scale);
        Assert.Equal(new long[4], cb.ZeroPoint);

        // DEPTHWISE_CONV_2D filter [1, 3, 3, 8]: 8 scales on axis 3; its input (the conv output) has the
        // input's quantisation copied by the builder: scale 0.5, zero point 7.
        OpNode dwNode = graph.Nodes[1];
        QuantizationParameters dww = Q(dwNode.WeightTensor);
        Assert.Equal(3, dww.QuantizedDimension);
        Assert.Equal(8, dww.Scale.Count);
        Assert.Equal([0.5f], Q(dwNode.MainInput).Scale);
        Assert.Equal([7L], Q(dwNode.MainInput).ZeroPoint);
        Assert.Equal(dww.Scale.Select(v => 0.5f * v), Q(dwNode.BiasTensor).Scale);

        // FULLY_CONNECTED: the builder makes its weights per tensor, and the export keeps that.
        OpNode fcNode = graph.Nodes[3];
        Assert.Equal([1f / 128], Q(fcNode.WeightTensor).Scale);
        Assert.Equal([0.5f / 128], Q(fcNode.BiasTensor).Scale);

        // Every int8 tensor carries parameters; int8 weights lie in [-127, 127] and are not constant.
        Assert.All(s.Tensors.Where(t => t.Type == TensorType.Int8), t => Assert.NotNull(t.Quantization));
        sbyte[] weights = [.. model.GetBufferData(s.Tensors[convNode.WeightTensor].Buffer).ToArray().Select(v => (sbyte)v)];
        Assert.Equal(4 * 3 * 3 * 2, weights.Length);
        Assert.All(weights, v => Assert.InRange(v, (sbyte)-127, (sbyte)127));
        Assert.True(weights.Distinct().Count() > 10);
    }

    [Fact]
    public void Fully_connected_weights_marked_per_channel_get_one_scale_per_output_unit_on_axis_0()
    {
        var b = new OpGraphBuilder("fc_per_channel");
        int x = b.AddInput([1, 16], TensorType.Int8, QuantizationSummary.PerTensor(0.25f, 0));
        int w = b.AddConstant([5, 16], TensorType.Int8, quantization: QuantizationSummary.PerChannel(5, 0, 0.01f), name: "fc/weights");
        int bias = b.AddConstant([5], TensorType.Int32, quantization: QuantizationSummary.PerChannel(5, 0, 1f), name: "fc/bias");
        b.MarkOutput(b.AddOperator(BuiltinOperator.FULLY_CONNECTED, [x, w, bias],
            new FullyConnectedOptions(ActivationFunctionType.None, FullyConnectedWeightsFormat.Default, false, false)));
        OpGraph graph = b.Build();
        byte[] bytes = GraphExporter.Write(graph, 8);
        Subgraph s = TfliteReader.Parse(bytes).Subgraphs[0];

        QuantizationParameters wq = s.Tensors[w].Quantization!, bq = s.Tensors[bias].Quantization!;
        Assert.Equal(0, wq.QuantizedDimension);
        Assert.Equal(5, wq.Scale.Count);
        Assert.Equal(0.01f, wq.Scale[0]);
        Assert.Equal(0.25f * 0.01f, bq.Scale[0]);
        Assert.Equal(wq.Scale.Select(v => 0.25f * v), bq.Scale);
        GraphComparer.AssertSameGraph(graph, OpGraph.FromModel(TfliteReader.Parse(bytes, graph.Name)), bytes.Length);
    }

    [Fact]
    public void Builder_constants_with_data_keep_it_and_int16_graphs_get_int64_biases()
    {
        OpGraph graph = ExportTestGraphs.SqueezeExcite();
        TfliteModel model = TfliteReader.Parse(GraphExporter.Write(graph, 9));
        Subgraph s = model.Subgraphs[0];

        int[] Ints(string name) => Int32s(model.GetBufferData(s.Tensors.Single(t => t.Name == name).Buffer));
        Assert.Equal([0, 0, 1, 1, 1, 1, 0, 0], Ints(graph.Tensors.Single(t => t.Name.EndsWith("/paddings", StringComparison.Ordinal)).Name));
        Assert.All(graph.Tensors.Where(t => t.Name.EndsWith("/axes", StringComparison.Ordinal)), t => Assert.Equal([1, 2], Ints(t.Name)));

        OpGraph int16 = ExportTestGraphs.Int16Activations();
        TfliteModel m16 = TfliteReader.Parse(GraphExporter.Write(int16, 9));
        OpNode conv = int16.Nodes[0];
        Tensor bias = m16.Subgraphs[0].Tensors[conv.BiasTensor];
        Assert.Equal(TensorType.Int64, bias.Type);
        Assert.Equal(8 * 8, m16.GetBufferData(bias.Buffer).Length); // 8 int64 values
        Assert.Equal((1f / 4096) * (1f / 128), bias.Quantization!.Scale[0]);
    }

    [Fact]
    public void Float_graphs_get_float_weights_and_float16_constants_behind_dequantize()
    {
        OpGraph graph = ExportTestGraphs.Float16Weights();
        TfliteModel model = TfliteReader.Parse(GraphExporter.Write(graph, 4));
        Subgraph s = model.Subgraphs[0];

        Tensor w16 = s.Tensors.Single(t => t.Name == "conv/weights_fp16");
        Assert.Equal(TensorType.Float16, w16.Type);
        ReadOnlyMemory<byte> halves = model.GetBufferData(w16.Buffer);
        Assert.Equal(8 * 3 * 3 * 3 * 2, halves.Length);
        for (int i = 0; i < halves.Length; i += 2)
        {
            float v = (float)BinaryPrimitives.ReadHalfLittleEndian(halves.Span[i..]);
            Assert.InRange(v, -0.5f, 0.5f);
        }
        Assert.Equal(2, graph.CountOf(BuiltinOperator.DEQUANTIZE));
        Assert.All(s.Tensors.Where(t => t.Type is TensorType.Float32 or TensorType.Float16), t => Assert.Null(t.Quantization));

        OpNode conv2 = graph.Nodes.Where(n => n.Builtin == BuiltinOperator.CONV_2D).Last();
        ReadOnlyMemory<byte> floats = model.GetBufferData(s.Tensors[conv2.WeightTensor].Buffer);
        Assert.Equal(16 * 3 * 3 * 8 * 4, floats.Length);
        for (int i = 0; i < floats.Length; i += 4)
        {
            Assert.InRange(BinaryPrimitives.ReadSingleLittleEndian(floats.Span[i..]), -0.5f, 0.5f);
        }
    }

    [Fact]
    public void Operators_keep_their_options_fused_activations_and_custom_code()
    {
        TfliteModel model = TfliteReader.Parse(GraphExporter.Write(ExportTestGraphs.FloatCustomAndVariable(), 1));
        Subgraph s = model.Subgraphs[0];
        OperatorCode custom = model.OperatorCodes.Single(c => c.IsCustom);
        Assert.Equal("MyCustomOp", custom.CustomCode);
        Assert.True(s.Tensors.Single(t => t.Name == "state").IsVariable);
        Operator sub = s.Operators.Single(o => model.OperatorCodes[(int)o.OpcodeIndex].Builtin == BuiltinOperator.SUB);
        Assert.Equal(BuiltinOptionsType.SubOptions, sub.OptionsType);
        Assert.Equal(ActivationFunctionType.Relu, ((ArithmeticOptions)sub.Options!).FusedActivation);
        Assert.Equal("serving_default", Assert.Single(model.SignatureDefs).SignatureKey);
    }

    [Fact]
    public void A_dynamic_dimension_reads_back_dynamic_with_the_same_static_shape()
    {
        var model = new TfliteModel
        {
            Bytes = ReadOnlyMemory<byte>.Empty,
            SourceName = "dynamic",
            Version = 3,
            OperatorCodes = [new OperatorCode((int)BuiltinOperator.RELU, null, 1)],
            Subgraphs =
            [
                new Subgraph
                {
                    Name = null,
                    Tensors =
                    [
                        new Tensor { Name = "x", Shape = [1, 4], ShapeSignature = [1, -1], Type = TensorType.Float32, Buffer = 0 },
                        new Tensor { Name = "y", Shape = [-1, 4], Type = TensorType.Float32, Buffer = 0 },
                    ],
                    Operators = [new Operator { OpcodeIndex = 0, Inputs = [0], Outputs = [1] }],
                    Inputs = [0],
                    Outputs = [1],
                },
            ],
            Buffers = [new TfliteBuffer(ReadOnlyMemory<byte>.Empty, 0, 0)],
            SignatureDefs = [],
            Metadata = [],
        };
        OpGraph graph = OpGraph.FromModel(TfliteReader.Parse(TfliteWriter.Write(model), "dynamic"));
        Assert.True(graph.Tensors[0].HasDynamicShape);
        Assert.Equal([1, 4], graph.Tensors[1].Shape.ToArray()); // -1 resolved to 1

        byte[] bytes = GraphExporter.Write(graph, 1);
        TfliteModel written = TfliteReader.Parse(bytes, "dynamic");

        Assert.Equal([-1, 4], written.Subgraphs[0].Tensors[0].ShapeSignature!.ToArray());
        Assert.Equal([1, 4], written.Subgraphs[0].Tensors[1].Shape.ToArray());
        GraphComparer.AssertSameGraph(graph, OpGraph.FromModel(written), bytes.Length);
    }

    [SkippableTheory]
    [InlineData("mlperf_tiny/kws_ref_model.tflite")]
    [InlineData("mlperf_tiny/model_ToyCar_quant_fullint_micro_intio.tflite")]
    [InlineData("mlperf_tiny/vww_96_float.tflite")]
    public void A_real_model_graph_exports_with_its_own_weights_and_reads_back_the_same(string relative)
    {
        string path = SharedData.Require(Path.Combine("models", relative));
        OpGraph graph = OpGraph.FromModel(TfliteReader.ReadFile(path));
        byte[] bytes = GraphExporter.Write(graph, 1);

        OpGraph reread = OpGraph.FromModel(TfliteReader.Parse(bytes, graph.Name));

        GraphComparer.AssertSameGraph(graph, reread, bytes.Length);
        // A converter's biases already have scale = input scale · weight scale: the export leaves every
        // summary as the file had it.
        for (int i = 0; i < graph.Tensors.Length; i++)
        {
            Assert.Equal(graph.Tensors[i].Quantization, reread.Tensors[i].Quantization);
        }
    }

    private static int[] Int32s(ReadOnlyMemory<byte> data)
    {
        var values = new int[data.Length / 4];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadInt32LittleEndian(data.Span[(4 * i)..]);
        }
        return values;
    }
}

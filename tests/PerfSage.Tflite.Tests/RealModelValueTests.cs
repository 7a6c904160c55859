using System.Buffers.Binary;
using System.Runtime.InteropServices;
using PerfSage.Tests.Common;

namespace PerfSage.Tflite.Tests;

/// <summary>
/// Individual values of real models, checked against flatc's view of the same files. Every expected
/// value below was read with Debian's flatc 2.0.8 (`flatc --json --strict-json --raw-binary
/// --defaults-json` on the official schema with its two `(deprecated)` markers removed, as
/// ../shared/reference/tflite/README.md describes); flatc prints floats to 6 decimals, hence the tolerances.
/// </summary>
public sealed class RealModelValueTests
{
    private static TfliteModel Read(string relative) => TfliteReader.ReadFile(SharedData.Require("models/" + relative));

    [SkippableFact]
    public void Person_detect_matches_flatc()
    {
        TfliteModel model = Read("tflm/person_detect.tflite");
        Assert.Equal(3u, model.Version);
        Assert.Equal("TOCO Converted.", model.Description);
        // operator_codes: only deprecated_builtin_code is set (1, 3, 4, 22, 25), builtin_code reads as ADD.
        Assert.Equal(
            ["AVERAGE_POOL_2D", "CONV_2D", "DEPTHWISE_CONV_2D", "RESHAPE", "SOFTMAX"],
            model.OperatorCodes.Select(c => c.Name));
        Assert.Equal([2, 2, 3, 1, 2], model.OperatorCodes.Select(c => c.Version));

        Subgraph graph = Assert.Single(model.Subgraphs);
        Assert.Null(graph.Name);
        Assert.Equal([88], graph.Inputs);
        Assert.Equal([87], graph.Outputs);
        Assert.Equal(90, model.Buffers.Count);

        // operators[0]: DEPTHWISE_CONV_2D, inputs [88, 0, 33], outputs [34],
        // {padding SAME, stride 2x2, depth_multiplier 8, RELU6, dilation 1x1}
        Operator first = graph.Operators[0];
        Assert.Equal(2u, first.OpcodeIndex);
        Assert.Equal([88, 0, 33], first.Inputs);
        Assert.Equal([34], first.Outputs);
        Assert.Equal(BuiltinOptionsType.DepthwiseConv2DOptions, first.OptionsType);
        Assert.Equal(new DepthwiseConv2DOptions(Padding.Same, 2, 2, 8, ActivationFunctionType.Relu6, 1, 1), first.Options);

        // operators[2]: CONV_2D inputs [51, 10, 53] {SAME, 1x1, RELU6, dilation 1x1}
        Operator conv = graph.Operators[2];
        Assert.Equal("CONV_2D", model.OperatorCodes[(int)conv.OpcodeIndex].Name);
        Assert.Equal([51, 10, 53], conv.Inputs);
        Assert.Equal(new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.Relu6, 1, 1), conv.Options);

        // the last two: RESHAPE {new_shape [1, 2]} and SOFTMAX {beta 1.0}
        Assert.Equal([1, 2], Assert.IsType<ReshapeOptions>(graph.Operators[^2].Options).NewShape);
        Assert.Equal(new SoftmaxOptions(1.0f), graph.Operators[^1].Options);

        // tensors[88] "input": [1, 96, 96, 1] INT8, buffer 66, min -1, max 1, scale 0.007843, zero point -1
        Tensor input = graph.Tensors[88];
        Assert.Equal("input", input.Name);
        Assert.Equal([1, 96, 96, 1], input.Shape);
        Assert.Equal(TensorType.Int8, input.Type);
        Assert.Equal(66u, input.Buffer);
        QuantizationParameters q = input.Quantization!;
        Assert.Equal(0.007843, q.Scale[0], 6);
        Assert.Equal([-1L], q.ZeroPoint);
        Assert.Equal([-1f], q.Min);
        Assert.Equal([1f], q.Max);
        Assert.Equal(0, q.QuantizedDimension);
        Assert.Null(input.ShapeSignature);

        // tensors[0] "MobilenetV1/Conv2d_0/weights/read": [1, 3, 3, 8] INT8, buffer 68, 8 per-channel scales
        // on dimension 3, the first 0.016359, 0.026611, 0.003038, zero points all 0
        Tensor weights = graph.Tensors[0];
        Assert.Equal("MobilenetV1/Conv2d_0/weights/read", weights.Name);
        Assert.Equal([1, 3, 3, 8], weights.Shape);
        Assert.Equal(68u, weights.Buffer);
        Assert.True(weights.Quantization!.IsPerChannel);
        Assert.Equal(8, weights.Quantization.Scale.Count);
        Assert.Equal(3, weights.Quantization.QuantizedDimension);
        Assert.Equal(0.016359, weights.Quantization.Scale[0], 6);
        Assert.Equal(0.026611, weights.Quantization.Scale[1], 6);
        Assert.Equal(0.003038, weights.Quantization.Scale[2], 6);
        Assert.All(weights.Quantization.ZeroPoint, z => Assert.Equal(0L, z));
        // int8 weights of 1*3*3*8 elements: 72 bytes of data
        Assert.Equal(1 * 3 * 3 * 8, model.GetBufferData(weights.Buffer).Length);
    }

    [SkippableFact]
    public void Kws_ds_cnn_matches_flatc()
    {
        TfliteModel model = Read("mlperf_tiny/kws_ref_model.tflite");
        Subgraph graph = Assert.Single(model.Subgraphs);
        // operators[0]: CONV_2D inputs [0, 17, 3] outputs [22] {SAME, stride 2x2, RELU, dilation 1x1}
        Operator conv = graph.Operators[0];
        Assert.Equal("CONV_2D", model.OperatorCodes[(int)conv.OpcodeIndex].Name);
        Assert.Equal([0, 17, 3], conv.Inputs);
        Assert.Equal([22], conv.Outputs);
        Assert.Equal(new Conv2DOptions(Padding.Same, 2, 2, ActivationFunctionType.Relu, 1, 1), conv.Options);
        Assert.Equal(new DepthwiseConv2DOptions(Padding.Same, 1, 1, 1, ActivationFunctionType.Relu, 1, 1),
            graph.Operators[1].Options);
        // tensors[0] "input_1": shape [1, 49, 10, 1], signature [-1, 49, 10, 1], INT8,
        // min -123.569725, max 25.52951, scale 0.584703, zero point 83
        Tensor input = graph.Tensors[0];
        Assert.Equal("input_1", input.Name);
        Assert.Equal([1, 49, 10, 1], input.Shape);
        Assert.Equal([-1, 49, 10, 1], input.ShapeSignature!);
        Assert.Equal(0.584703, input.Quantization!.Scale[0], 6);
        Assert.Equal([83L], input.Quantization.ZeroPoint);
        Assert.Equal(-123.569725, input.Quantization.Min[0], 1e-4);
        Assert.Equal(25.52951, input.Quantization.Max[0], 1e-4);
    }

    [SkippableFact]
    public void Lstm_keeps_omitted_inputs_and_intermediates()
    {
        TfliteModel model = Read("tflm/micro_speech_lstm.tflite");
        Operator lstm = model.Subgraphs[0].Operators[0];
        Assert.Equal("UNIDIRECTIONAL_SEQUENCE_LSTM", model.OperatorCodes[(int)lstm.OpcodeIndex].Name);
        Assert.Equal(
            [0, 2, 3, 4, 5, 6, 7, 8, 9, -1, -1, -1, 10, 11, 12, 13, -1, -1, 16, 17, -1, -1, -1, -1],
            lstm.Inputs);
        Assert.Equal([18, 19, 20, 21, 22], lstm.Intermediates);
        Assert.Equal(
            new UnidirectionalSequenceLstmOptions(ActivationFunctionType.Tanh, 10.0f, 0.0f, false, false, false),
            lstm.Options);
    }

    [SkippableFact]
    public void Nested_while_names_its_cond_and_body_subgraphs()
    {
        TfliteModel model = Read("litert/tflite_testdata/nested_while.bin");
        Assert.Equal(["main", "while_cond", "while_body", "while2_cond", "while2_body"], model.Subgraphs.Select(s => s.Name));
        Assert.Equal([1, 2], Assert.IsType<ControlFlowOptions>(model.Subgraphs[0].Operators[0].Options).SubgraphIndices);
        Assert.Equal([3, 4], Assert.IsType<ControlFlowOptions>(model.Subgraphs[2].Operators[0].Options).SubgraphIndices);
        Assert.Equal(new ArithmeticOptions(ActivationFunctionType.None, true), model.Subgraphs[4].Operators[0].Options);
    }

    [SkippableFact]
    public void Signature_defs_match_flatc()
    {
        TfliteModel model = Read("litert/tflite_java_src_testdata/multi_signature_def.bin");
        Assert.Equal(2, model.SignatureDefs.Count);
        SignatureDef add = model.SignatureDefs[0];
        Assert.Equal("add", add.SignatureKey);
        Assert.Equal(0u, add.SubgraphIndex);
        Assert.Equal([new SignatureTensor("a", 1), new SignatureTensor("b", 0)], add.Inputs);
        Assert.Equal([new SignatureTensor("add_result", 2)], add.Outputs);
        SignatureDef sub = model.SignatureDefs[1];
        Assert.Equal("sub", sub.SignatureKey);
        Assert.Equal(1u, sub.SubgraphIndex);
        Assert.Equal([new SignatureTensor("sub_result", 2)], sub.Outputs);
    }

    [SkippableFact]
    public void Buffers_outside_the_flatbuffer_are_slices_of_the_file()
    {
        string path = SharedData.Require("models/litert/litert_test_testdata/simple_group_norm_op.tflite");
        byte[] file = File.ReadAllBytes(path);
        TfliteModel model = TfliteReader.Parse(file, path);
        // flatc: buffers[9] = {offset 3328, size 4}, buffers[11] = {offset 3408, size 12} in a 3472-byte file;
        // tensors "arith.constant" [1] INT32 and "arith.constant1" [3] INT32 use them.
        Assert.Equal(3472, file.Length);
        TfliteBuffer nine = model.Buffers[9];
        Assert.True(nine.IsStoredOutside);
        Assert.Equal(3328ul, nine.Offset);
        Assert.Equal(4ul, nine.Size);
        Assert.True(MemoryMarshal.TryGetArray(nine.Data, out ArraySegment<byte> segment));
        Assert.Same(file, segment.Array);
        Assert.Equal(3328, segment.Offset);
        Assert.Equal(4, segment.Count);
        // The int32 values, read from the file bytes directly: [1] and [2, 1, 2].
        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(nine.Data.Span));
        ReadOnlyMemory<byte> eleven = model.Buffers[11].Data;
        Assert.Equal([2, 1, 2], Enumerable.Range(0, 3).Select(i => BinaryPrimitives.ReadInt32LittleEndian(eleven.Span[(4 * i)..])));
        Assert.Equal(6, model.Buffers.Count(b => b.IsStoredOutside));
    }

    [SkippableFact]
    public void Stablehlo_composite_names_its_decomposition_subgraph()
    {
        TfliteModel model = Read("litert/litert_test_testdata/l2_norm_composite.tflite");
        // flatc: {name "odml.l2_norm", decomposition_subgraph_index 1, 41 attribute bytes, version 0}
        Operator composite = model.Subgraphs.SelectMany(s => s.Operators)
            .Single(o => o.Options2Type == BuiltinOptions2Type.StableHLOCompositeOptions);
        Assert.Equal(new StableHloCompositeOptions("odml.l2_norm", 1, 0), composite.Options2);
    }

    [SkippableFact]
    public void Weights_are_slices_of_the_callers_array()
    {
        byte[] file = File.ReadAllBytes(SharedData.Require("models/tflm/person_detect.tflite"));
        TfliteModel model = TfliteReader.Parse(file, "person_detect");
        int withData = 0;
        foreach (TfliteBuffer buffer in model.Buffers.Where(b => b.Data.Length > 0))
        {
            Assert.True(MemoryMarshal.TryGetArray(buffer.Data, out ArraySegment<byte> segment));
            Assert.Same(file, segment.Array);
            withData++;
        }
        Assert.True(withData > 50, $"only {withData} buffers with data");
    }

    [SkippableFact]
    public void A_model_inside_a_larger_array_parses_at_any_offset()
    {
        byte[] file = File.ReadAllBytes(SharedData.Require("models/tflm/hello_world_int8.tflite"));
        var padded = new byte[file.Length + 13];
        file.CopyTo(padded, 7);
        TfliteModel model = TfliteReader.Parse(padded.AsMemory(7, file.Length), "padded");
        TfliteModel plain = TfliteReader.Parse(file, "plain");
        Assert.Equal(plain.Subgraphs[0].Tensors.Count, model.Subgraphs[0].Tensors.Count);
        Assert.True(MemoryMarshal.TryGetArray(model.Buffers.First(b => b.Data.Length > 0).Data, out ArraySegment<byte> segment));
        Assert.Same(padded, segment.Array);
    }
}

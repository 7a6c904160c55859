using PerfSage.Graph;
using PerfSage.Tflite;
using Xunit;

namespace PerfSage.Graph.Tests;

public class OpCostTests
{
    /// <summary>int8 chain: input [1,16,16,3] → CONV 3×3×8 (SAME) → DW 3×3 stride 2 (SAME) → RESHAPE [1,-1]
    /// → FC 10 → SOFTMAX.</summary>
    private static OpGraph Chain()
    {
        var b = new OpGraphBuilder("chain");
        int x = b.AddInput([1, 16, 16, 3], TensorType.Int8);
        int c = b.Conv2D(x, filters: 8, kernelH: 3, kernelW: 3, activation: ActivationFunctionType.Relu);
        int d = b.DepthwiseConv2D(c, 3, 3, strideH: 2, strideW: 2);
        int r = b.Reshape(d, [1, -1]);
        int f = b.FullyConnected(r, 10);
        int s = b.Softmax(f);
        b.MarkOutput(s);
        return b.Build();
    }

    [Fact]
    public void Chain_macs_follow_the_formulas()
    {
        OpGraph g = Chain();
        Assert.Equal(5, g.Nodes.Length);
        OpNode conv = g.Nodes[0], dw = g.Nodes[1], reshape = g.Nodes[2], fc = g.Nodes[3], softmax = g.Nodes[4];

        Assert.Equal([1, 16, 16, 8], conv.OutputShape.ToArray());
        Assert.Equal(1L * 16 * 16 * 8 * 3 * 3 * 3, conv.Cost.Macs);
        Assert.Equal([1, 8, 8, 8], dw.OutputShape.ToArray());
        Assert.Equal(1L * 8 * 8 * 8 * 3 * 3, dw.Cost.Macs);
        Assert.Equal(0, reshape.Cost.Macs);
        Assert.Equal([1, 512], fc.InputShape.ToArray());
        Assert.Equal(1L * 10 * 512, fc.Cost.Macs);
        Assert.Equal(0, softmax.Cost.Macs);
        Assert.Equal(10, softmax.Cost.ElementOps);
        Assert.Equal(1L * 16 * 16 * 8 * 3 * 3 * 3 + 1L * 8 * 8 * 8 * 3 * 3 + 10 * 512, g.TotalMacs);
    }

    [Fact]
    public void Chain_bytes_and_parameters_follow_the_tensors()
    {
        OpGraph g = Chain();
        OpNode conv = g.Nodes[0], dw = g.Nodes[1], reshape = g.Nodes[2], fc = g.Nodes[3];

        // int8 weights are one byte per element, int32 biases four.
        Assert.Equal(8 * 3 * 3 * 3, conv.Cost.WeightBytes);
        Assert.Equal(8 * 4, conv.Cost.BiasBytes);
        Assert.Equal(8 * 3 * 3 * 3, conv.Cost.WeightElements);
        Assert.Equal(8 * 3 * 3 * 3 + 8, conv.Cost.Parameters);
        Assert.Equal(16 * 16 * 3, conv.Cost.ActivationBytesRead);
        Assert.Equal(16 * 16 * 8, conv.Cost.ActivationBytesWritten);
        Assert.Equal(16 * 16 * 8, conv.Cost.OutputElements);

        Assert.Equal(3 * 3 * 8, dw.Cost.WeightBytes);
        Assert.Equal(16 * 16 * 8, dw.Cost.ActivationBytesRead);
        Assert.Equal(8 * 8 * 8, dw.Cost.ActivationBytesWritten);

        // RESHAPE's shape vector is meta: neither weight nor parameter.
        Assert.Equal(0, reshape.Cost.WeightBytes);
        Assert.Equal(0, reshape.Cost.Parameters);
        Assert.Equal([InputRole.Activation, InputRole.Meta], reshape.InputRoles.ToArray());
        Assert.Single(reshape.ConstantInputs);

        Assert.Equal(10 * 512, fc.Cost.WeightBytes);
        Assert.Equal(10 * 4, fc.Cost.BiasBytes);
        Assert.Equal(8 * 27 + 8 + 72 + 8 + 5120 + 10, g.TotalParameters);
        Assert.Equal(8 * 27 + 72 + 5120, g.TotalWeightElements);
        Assert.Equal(8 * 27 + 72 + 5120, g.TotalWeightBytes);
        Assert.Equal(4 * (8 + 8 + 10), g.TotalBiasBytes);
    }

    [Fact]
    public void Chain_nodes_know_their_roles_types_and_attributes()
    {
        OpGraph g = Chain();
        OpNode conv = g.Nodes[0];
        Assert.Equal("CONV_2D", conv.TypeName);
        Assert.Equal(OpFamily.Conv2D, conv.Family);
        Assert.True(conv.IsSupported);
        Assert.Equal(TensorType.Int8, conv.DType);
        Assert.Equal(TensorType.Int8, conv.WeightDType);
        Assert.Equal([InputRole.Activation, InputRole.Weight, InputRole.Bias], conv.InputRoles.ToArray());
        Assert.Equal([conv.Inputs[0]], conv.ActivationInputs.ToArray());
        Assert.Equal([conv.Inputs[1], conv.Inputs[2]], conv.ConstantInputs.ToArray());
        Assert.Equal(conv.Inputs[1], conv.WeightTensor);
        Assert.Equal(conv.Inputs[2], conv.BiasTensor);
        Assert.Equal(3, conv.Attributes.KernelH);
        Assert.Equal(3, conv.Attributes.KernelW);
        Assert.Equal(OpPadding.Same, conv.Attributes.Padding);
        Assert.Equal(ActivationFunctionType.Relu, conv.Attributes.FusedActivation);
        Assert.True(g.Tensors[conv.WeightTensor].Quantization!.IsPerChannel);
        Assert.Equal(8, g.Tensors[conv.WeightTensor].Quantization!.ScaleCount);

        OpNode dw = g.Nodes[1];
        Assert.Equal(2, dw.Attributes.StrideH);
        Assert.Equal(2, dw.Attributes.StrideW);
        Assert.Equal(1, dw.Attributes.DepthMultiplier);

        Assert.Equal(1, g.CountOf("CONV_2D"));
        Assert.Equal(1, g.CountOf(BuiltinOperator.DEPTHWISE_CONV_2D));
        Assert.Equal(0, g.CountOf("ADD"));
        Assert.Equal(0, g.UnsupportedOpCount);
        Assert.Equal(0, g.FileBytes);
        Assert.Equal(1234, g.WithFileBytes(1234).FileBytes);
    }

    [Fact]
    public void Producers_and_consumers_link_the_chain()
    {
        OpGraph g = Chain();
        int input = g.Inputs[0];
        Assert.Equal(-1, g.Tensors[input].Producer);
        Assert.Equal([0], g.Tensors[input].Consumers.ToArray());
        Assert.True(g.Tensors[input].IsGraphInput);
        int convOut = g.Nodes[0].MainOutput;
        Assert.Equal(0, g.Tensors[convOut].Producer);
        Assert.Equal([1], g.Tensors[convOut].Consumers.ToArray());
        int output = g.Outputs[0];
        Assert.Equal(4, g.Tensors[output].Producer);
        Assert.Empty(g.Tensors[output].Consumers);
        Assert.True(g.Tensors[output].IsGraphOutput);
    }

    [Fact]
    public void Grouped_conv_counts_macs_per_group()
    {
        var b = new OpGraphBuilder();
        int x = b.AddInput([1, 8, 8, 16], TensorType.Float32);
        int y = b.Conv2D(x, filters: 8, kernelH: 3, kernelW: 3, groups: 4);
        OpGraph g = b.Build();
        OpNode conv = g.Nodes[0];
        Assert.Equal([8, 3, 3, 4], g.Tensors[conv.WeightTensor].Shape.ToArray());
        Assert.Equal([1, 8, 8, 8], g.Tensors[y].Shape.ToArray());
        // Each output element sees Kh·Kw·(16/4) inputs.
        Assert.Equal(1L * 8 * 8 * 8 * 3 * 3 * 4, conv.Cost.Macs);
        // float32 weights: four bytes each.
        Assert.Equal(8 * 3 * 3 * 4 * 4, conv.Cost.WeightBytes);
    }

    [Fact]
    public void Fully_connected_rows_are_input_elements_over_depth()
    {
        var b = new OpGraphBuilder();
        int x = b.AddInput([2, 3, 8], TensorType.Float32);
        int y = b.FullyConnected(x, 5);
        OpGraph g = b.Build();
        Assert.Equal([6, 5], g.Tensors[y].Shape.ToArray());
        Assert.Equal(6L * 5 * 8, g.Nodes[0].Cost.Macs);
    }

    [Fact]
    public void Pooling_counts_window_taps_as_element_ops_not_macs()
    {
        var b = new OpGraphBuilder();
        int x = b.AddInput([1, 8, 8, 4], TensorType.Int8);
        int m = b.MaxPool2D(x, 2, 2, 2, 2);
        int a = b.AveragePool2D(m, 3, 3, 1, 1, Padding.Same);
        OpGraph g = b.Build();
        Assert.Equal([1, 4, 4, 4], g.Tensors[m].Shape.ToArray());
        Assert.Equal(0, g.Nodes[0].Cost.Macs);
        Assert.Equal(4L * 4 * 4 * 2 * 2, g.Nodes[0].Cost.ElementOps);
        Assert.Equal([1, 4, 4, 4], g.Tensors[a].Shape.ToArray());
        Assert.Equal(4L * 4 * 4 * 3 * 3, g.Nodes[1].Cost.ElementOps);
        Assert.Equal(OpFamily.Pool, g.Nodes[1].Family);
        Assert.Equal(3, g.Nodes[1].Attributes.KernelH);
    }

    [Fact]
    public void Transpose_conv_scatters_every_input_element_through_the_kernel()
    {
        var b = new OpGraphBuilder();
        int x = b.AddInput([1, 5, 5, 2], TensorType.Float32);
        int outShape = b.AddInt32Constant([1, 10, 10, 4]);
        int w = b.AddConstant([4, 3, 3, 2], TensorType.Float32);
        int y = b.AddOperator(BuiltinOperator.TRANSPOSE_CONV, [outShape, w, x, -1],
            new TransposeConvOptions(Padding.Same, 2, 2, ActivationFunctionType.None), outputShape: [1, 10, 10, 4]);
        OpGraph g = b.Build();
        OpNode n = g.Nodes[0];
        Assert.Equal(x, n.MainInput);
        Assert.Equal(1L * 5 * 5 * 2 * 3 * 3 * 4, n.Cost.Macs);
        Assert.Equal([InputRole.Meta, InputRole.Weight, InputRole.Activation, InputRole.Omitted], n.InputRoles.ToArray());
        Assert.Equal(-1, n.BiasTensor);
        Assert.Equal(-1, n.Inputs[3]);
        Assert.Equal(4 * 3 * 3 * 2 * 4, n.Cost.WeightBytes);
        Assert.Equal(1 * 5 * 5 * 2 * 4, n.Cost.ActivationBytesRead);
        Assert.Equal([1, 10, 10, 4], g.Tensors[y].Shape.ToArray());
    }

    [Fact]
    public void Sequence_lstm_uses_each_weight_once_per_step()
    {
        // batch 1, time 5, input 3, 4 cells, no projection, no peephole.
        var b = new OpGraphBuilder();
        int x = b.AddInput([1, 5, 3], TensorType.Float32);
        var inputs = new int[24];
        Array.Fill(inputs, -1);
        inputs[0] = x;
        for (int k = 1; k <= 4; k++)
        {
            inputs[k] = b.AddConstant([4, 3], TensorType.Float32);     // input-to-gate
            inputs[k + 4] = b.AddConstant([4, 4], TensorType.Float32); // recurrent-to-gate
            inputs[k + 11] = b.AddConstant([4], TensorType.Float32);   // gate bias (12..15)
        }
        inputs[18] = b.AddVariable([1, 4], TensorType.Float32);
        inputs[19] = b.AddVariable([1, 4], TensorType.Float32);
        b.AddOperator(BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM, inputs, outputShape: [1, 5, 4]);
        OpGraph g = b.Build();
        OpNode n = g.Nodes[0];
        Assert.Equal(OpFamily.Recurrent, n.Family);
        long weights = 4 * (4 * 3) + 4 * (4 * 4);
        Assert.Equal(5 * weights, n.Cost.Macs);
        Assert.Equal(weights, n.Cost.WeightElements);
        Assert.Equal(weights + 4 * 4, n.Cost.Parameters);
        Assert.Equal(4 * 4 * 4, n.Cost.BiasBytes);
        Assert.Equal(InputRole.Bias, n.InputRoles[12]);
        Assert.Equal(InputRole.Activation, n.InputRoles[18]);
        // Input and both states are read.
        Assert.Equal((15 + 4 + 4) * 4, n.Cost.ActivationBytesRead);
        Assert.Equal(inputs[1], n.WeightTensor);
    }

    [Fact]
    public void Elementwise_ops_count_one_op_per_output_element_and_constant_operands_as_weights()
    {
        var b = new OpGraphBuilder();
        int x = b.AddInput([1, 4, 4, 3], TensorType.Int8);
        int k = b.AddConstant([3], TensorType.Int8);
        int y = b.Mul(k, x);
        OpGraph g = b.Build();
        OpNode n = g.Nodes[0];
        Assert.Equal(x, n.MainInput);
        Assert.Equal([1, 4, 4, 3], g.Tensors[y].Shape.ToArray());
        Assert.Equal(0, n.Cost.Macs);
        Assert.Equal(48, n.Cost.ElementOps);
        Assert.Equal(3, n.Cost.WeightBytes);
        Assert.Equal([InputRole.Weight, InputRole.Activation], n.InputRoles.ToArray());
        Assert.Null(n.WeightDType);
    }

    [Fact]
    public void Custom_ops_are_nodes_flagged_unsupported_with_their_bytes()
    {
        var b = new OpGraphBuilder();
        int x = b.AddInput([1, 10], TensorType.Float32);
        int y = b.AddCustomOperator("MyOp", [x], [1, 20], TensorType.Float32);
        b.MarkOutput(y);
        OpGraph g = b.Build();
        OpNode n = g.Nodes[0];
        Assert.Equal("CUSTOM:MyOp", n.TypeName);
        Assert.Equal("MyOp", n.CustomCode);
        Assert.True(n.IsCustom);
        Assert.False(n.IsUnknown);
        Assert.False(n.IsSupported);
        Assert.Equal(OpFamily.Unsupported, n.Family);
        Assert.Equal(0, n.Cost.Macs);
        Assert.Equal(40, n.Cost.ActivationBytesRead);
        Assert.Equal(80, n.Cost.ActivationBytesWritten);
        Assert.Equal(1, g.CustomOpCount);
        Assert.Equal(1, g.UnsupportedOpCount);
        Assert.Equal(1, g.CountOf("CUSTOM:MyOp"));
    }

    [Fact]
    public void Dequantized_weights_are_activations_of_the_conv_and_weights_of_the_dequantize()
    {
        // float16 weights expanded by DEQUANTIZE, as GPU-bound models ship.
        var b = new OpGraphBuilder();
        int x = b.AddInput([1, 4, 4, 2], TensorType.Float32);
        int w16 = b.AddConstant([3, 1, 1, 2], TensorType.Float16);
        int w = b.Dequantize(w16);
        int bias = b.AddConstant([3], TensorType.Float32);
        b.AddOperator(BuiltinOperator.CONV_2D, [x, w, bias],
            new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.None, 1, 1));
        OpGraph g = b.Build();
        OpNode deq = g.Nodes[0], conv = g.Nodes[1];
        Assert.Equal(3 * 2 * 2, deq.Cost.WeightBytes);
        Assert.Equal(3 * 2 * 4, deq.Cost.ActivationBytesWritten);
        Assert.Equal(TensorType.Float32, conv.WeightDType);
        Assert.Equal(1L * 4 * 4 * 3 * 2, conv.Cost.Macs);
        Assert.Equal(0, conv.Cost.WeightBytes);
        Assert.Equal(12, conv.Cost.BiasBytes);
        Assert.Equal((4 * 4 * 2 + 3 * 2) * 4, conv.Cost.ActivationBytesRead);
    }

    [Fact]
    public void Tensor_sizes_follow_the_element_type()
    {
        var b = new OpGraphBuilder();
        int i4 = b.AddConstant([3, 3], TensorType.Int4);
        int f16 = b.AddConstant([5], TensorType.Float16);
        int i64 = b.AddConstant([2], TensorType.Int64);
        int str = b.AddConstant([2], TensorType.String, new byte[] { 1, 2, 3, 4, 5, 6, 7 });
        int scalar = b.AddInput([], TensorType.Float32);
        int strInput = b.AddInput([4], TensorType.String);
        OpGraph g = b.Build();
        Assert.Equal(5, g.Tensors[i4].SizeBytes);   // 9 × 4 bits = 36 bits → 5 bytes
        Assert.Equal(10, g.Tensors[f16].SizeBytes);
        Assert.Equal(16, g.Tensors[i64].SizeBytes);
        Assert.Equal(7, g.Tensors[str].SizeBytes);  // buffer length
        Assert.Equal(1, g.Tensors[scalar].ElementCount);
        Assert.Equal(4, g.Tensors[scalar].SizeBytes);
        Assert.Equal(0, g.Tensors[strInput].SizeBytes);
        Assert.Equal(5 + 10 + 16 + 7, g.ConstantBytes);
    }

    [Fact]
    public void Family_table_covers_known_ops_and_rejects_custom_and_unknown_codes()
    {
        Assert.Equal(OpFamily.Conv2D, OpSemantics.FamilyOf((int)BuiltinOperator.CONV_2D));
        Assert.Equal(OpFamily.Reduction, OpSemantics.FamilyOf((int)BuiltinOperator.MEAN));
        Assert.Equal(OpFamily.DataMovement, OpSemantics.FamilyOf((int)BuiltinOperator.RESHAPE));
        Assert.Equal(OpFamily.Conversion, OpSemantics.FamilyOf((int)BuiltinOperator.QUANTIZE));
        Assert.Equal(OpFamily.ElementwiseUnary, OpSemantics.FamilyOf((int)BuiltinOperator.HARD_SWISH));
        Assert.False(OpSemantics.IsSupported((int)BuiltinOperator.CUSTOM));
        Assert.False(OpSemantics.IsSupported((int)BuiltinOperator.WHILE));
        Assert.False(OpSemantics.IsSupported(OperatorCode.MaxKnownCode + 1));
        Assert.False(OpSemantics.IsSupported(-3));
    }

    [Fact]
    public void Batch_matmul_contracts_over_the_right_dimension_of_x()
    {
        var b = new OpGraphBuilder();
        int x = b.AddInput([2, 6, 4], TensorType.Float32);
        int y = b.AddInput([2, 6, 5], TensorType.Float32);
        // adj_x: x is [.., K=6, M=4], so out is [2, 4, 5] and each element sums 6 products.
        b.AddOperator(BuiltinOperator.BATCH_MATMUL, [x, y], new BatchMatMulOptions(true, false, false), outputShape: [2, 4, 5]);
        int w = b.AddConstant([2, 4, 5], TensorType.Float32);
        // No adjoint: K = 4 (last dim of x), out [2, 6, 5].
        b.AddOperator(BuiltinOperator.BATCH_MATMUL, [x, w], new BatchMatMulOptions(false, false, false), outputShape: [2, 6, 5]);
        OpGraph g = b.Build();
        Assert.Equal(2L * 4 * 5 * 6, g.Nodes[0].Cost.Macs);
        Assert.Equal(InputRole.Activation, g.Nodes[0].InputRoles[1]);
        Assert.Equal(2L * 6 * 5 * 4, g.Nodes[1].Cost.Macs);
        Assert.Equal(InputRole.Weight, g.Nodes[1].InputRoles[1]);
        Assert.Equal(2 * 4 * 5 * 4, g.Nodes[1].Cost.WeightBytes);
    }

    [Fact]
    public void Conv3d_counts_the_whole_kernel_volume()
    {
        var b = new OpGraphBuilder();
        int x = b.AddInput([1, 4, 8, 8, 2], TensorType.Float32);
        int w = b.AddConstant([3, 3, 3, 2, 6], TensorType.Float32);
        b.AddOperator(BuiltinOperator.CONV_3D, [x, w, -1],
            new Conv3DOptions(Padding.Same, 1, 1, 1, ActivationFunctionType.None, 1, 1, 1), outputShape: [1, 4, 8, 8, 6]);
        OpGraph g = b.Build();
        OpNode n = g.Nodes[0];
        Assert.Equal(1L * 4 * 8 * 8 * 6 * 3 * 3 * 3 * 2, n.Cost.Macs);
        Assert.Equal(3, n.Attributes.KernelD);
        Assert.Equal(OpFamily.Conv3D, n.Family);
    }

    [Fact]
    public void Svdf_uses_feature_and_time_weights_once_per_batch_row()
    {
        var b = new OpGraphBuilder();
        int x = b.AddInput([2, 10], TensorType.Float32);
        int feature = b.AddConstant([8, 10], TensorType.Float32);
        int time = b.AddConstant([8, 5], TensorType.Float32);
        int bias = b.AddConstant([8], TensorType.Float32);
        int state = b.AddVariable([2, 40], TensorType.Float32);
        b.AddOperator(BuiltinOperator.SVDF, [x, feature, time, bias, state],
            new SvdfOptions(1, ActivationFunctionType.Relu, false), outputShape: [2, 8]);
        OpGraph g = b.Build();
        OpNode n = g.Nodes[0];
        Assert.Equal(2L * (8 * 10 + 8 * 5), n.Cost.Macs);
        Assert.Equal(8 * 4, n.Cost.BiasBytes);
        Assert.Equal(ActivationFunctionType.Relu, n.Attributes.FusedActivation);
        Assert.True(g.Tensors[state].IsVariable);
    }
}

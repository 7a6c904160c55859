using PerfSage.Graph;
using PerfSage.Tflite;
using Xunit;

namespace PerfSage.Graph.Tests;

/// <summary>Output shapes the builder works out, checked against the TFLite padding rules by hand.</summary>
public class ShapeInferenceTests
{
    [Fact]
    public void Same_padding_rounds_up_and_valid_padding_drops_the_window()
    {
        // KWS DS-CNN's first layer: 49×10 input, 10×4 kernel, stride 2.
        var b = new OpGraphBuilder();
        int x = b.AddInput([1, 49, 10, 1], TensorType.Int8);
        int same = b.Conv2D(x, 64, 10, 4, 2, 2, Padding.Same);
        int valid = b.Conv2D(x, 64, 10, 4, 2, 2, Padding.Valid);
        Assert.Equal([1, (49 + 1) / 2, (10 + 1) / 2, 64], b.ShapeOf(same));      // ⌈49/2⌉, ⌈10/2⌉
        Assert.Equal([1, (49 - 10) / 2 + 1, (10 - 4) / 2 + 1, 64], b.ShapeOf(valid));
    }

    [Fact]
    public void Dilation_widens_the_window()
    {
        var b = new OpGraphBuilder();
        int x = b.AddInput([1, 9, 9, 2], TensorType.Float32);
        int y = b.Conv2D(x, 4, 3, 3, padding: Padding.Valid, dilationH: 2, dilationW: 3);
        // Effective kernel 5 (height) and 7 (width).
        Assert.Equal([1, 9 - 5 + 1, 9 - 7 + 1, 4], b.ShapeOf(y));
    }

    [Fact]
    public void Depth_multiplier_scales_the_depthwise_output()
    {
        var b = new OpGraphBuilder();
        int x = b.AddInput([1, 7, 7, 3], TensorType.Float32);
        int y = b.DepthwiseConv2D(x, 3, 3, 2, 2, Padding.Same, depthMultiplier: 2);
        Assert.Equal([1, 4, 4, 6], b.ShapeOf(y));
        OpGraph g = b.Build();
        Assert.Equal(2, g.Nodes[0].Attributes.DepthMultiplier);
        Assert.Equal(1L * 4 * 4 * 6 * 3 * 3, g.Nodes[0].Cost.Macs);
    }

    [Fact]
    public void Broadcasting_concat_reshape_pad_and_mean()
    {
        var b = new OpGraphBuilder();
        int x = b.AddInput([1, 4, 4, 3], TensorType.Float32);
        int z = b.AddInput([1, 4, 4, 5], TensorType.Float32);
        int bias = b.AddConstant([3], TensorType.Float32);
        Assert.Equal([1, 4, 4, 3], b.ShapeOf(b.Add(x, bias)));
        Assert.Equal([1, 4, 4, 3], b.ShapeOf(b.Sub(x, b.AddInput([1, 1, 1, 3], TensorType.Float32))));
        Assert.Equal([1, 4, 4, 8], b.ShapeOf(b.Concatenation([x, z], -1)));
        Assert.Equal([16, 3], b.ShapeOf(b.Reshape(x, [-1, 3])));
        Assert.Equal([1, 6, 8, 3], b.ShapeOf(b.Pad(x, [0, 0, 1, 1, 2, 2, 0, 0])));
        Assert.Equal([1, 3], b.ShapeOf(b.Mean(x, [1, 2])));
        Assert.Equal([1, 1, 1, 3], b.ShapeOf(b.Mean(x, [1, -2], keepDims: true)));
    }

    [Fact]
    public void Unary_ops_keep_the_shape_and_conversions_change_the_type()
    {
        var b = new OpGraphBuilder();
        int x = b.AddInput([1, 5, 2], TensorType.Float32);
        int q = b.Quantize(x);
        Assert.Equal(TensorType.Int8, b.TypeOf(q));
        int h = b.HardSwish(q);
        int l = b.Logistic(h);
        int r = b.Relu6(b.Relu(l));
        int d = b.Dequantize(r);
        Assert.Equal(TensorType.Float32, b.TypeOf(d));
        Assert.Equal([1, 5, 2], b.ShapeOf(d));
        OpGraph g = b.Build();
        // LOGISTIC's int8 output has TFLite's fixed quantisation.
        Assert.Equal(1f / 256, g.Tensors[l].Quantization!.Scale);
        Assert.Equal(-128, g.Tensors[l].Quantization!.ZeroPoint);
        Assert.Equal(OpFamily.Conversion, g.Nodes[0].Family);
        Assert.Equal(10, g.Nodes[0].Cost.ElementOps);
        Assert.Equal(10 * 4, g.Nodes[0].Cost.ActivationBytesRead);
        Assert.Equal(10, g.Nodes[0].Cost.ActivationBytesWritten);
    }

    [Fact]
    public void Axes_are_normalised()
    {
        var b = new OpGraphBuilder();
        int x = b.AddInput([1, 4, 4, 3], TensorType.Float32);
        b.Concatenation([x, x], -1);
        b.Mean(x, [-2]);
        OpGraph g = b.Build();
        Assert.Equal(3, g.Nodes[0].Attributes.Axis);
        Assert.Equal(2, g.Nodes[1].Attributes.Axis);
        Assert.Equal(4 * 4 * 3, g.Nodes[1].Cost.ElementOps);
    }

    [Fact]
    public void Shapes_an_op_cannot_take_are_refused()
    {
        var b = new OpGraphBuilder("bad");
        int x = b.AddInput([1, 4, 4, 3], TensorType.Float32);
        int y = b.AddInput([1, 4, 4, 2], TensorType.Float32);
        int flat = b.AddInput([4, 3], TensorType.Float32);
        Assert.Throws<OpGraphException>(() => b.Add(x, y));
        Assert.Throws<OpGraphException>(() => b.Conv2D(flat, 4, 3, 3));
        Assert.Throws<OpGraphException>(() => b.Conv2D(x, 4, 5, 5, padding: Padding.Valid));
        Assert.Throws<OpGraphException>(() => b.Conv2D(x, 4, 3, 3, groups: 2));
        Assert.Throws<OpGraphException>(() => b.Reshape(x, [5, -1]));
        Assert.Throws<OpGraphException>(() => b.Reshape(x, [-1, -1]));
        Assert.Throws<OpGraphException>(() => b.Concatenation([x, flat], 0));
        Assert.Throws<OpGraphException>(() => b.Mean(x, [4]));
        Assert.Throws<OpGraphException>(() => b.AddOperator(BuiltinOperator.GATHER, [x, y]));
        Assert.Throws<OpGraphException>(() => b.Conv2D(b.AddInput([1, 4, 4, 3], TensorType.Bool), 4, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.Relu(99));
        Assert.Throws<OpGraphException>(() => b.AddConstant([4], TensorType.Int32, new byte[3]));
    }

    [Fact]
    public void Explicit_output_shapes_let_any_op_in()
    {
        var b = new OpGraphBuilder();
        int x = b.AddInput([1, 4, 4, 3], TensorType.Float32);
        int idx = b.AddInt32Constant([0, 2]);
        int y = b.AddOperator(BuiltinOperator.GATHER, [x, idx], new GatherOptions(-1, 0), outputShape: [1, 4, 4, 2]);
        OpGraph g = b.Build();
        Assert.Equal([1, 4, 4, 2], g.Tensors[y].Shape.ToArray());
        Assert.Equal(OpFamily.DataMovement, g.Nodes[0].Family);
        Assert.Equal(3, g.Nodes[0].Attributes.Axis);
        Assert.Equal([InputRole.Activation, InputRole.Meta], g.Nodes[0].InputRoles.ToArray());
    }

    [Fact]
    public void Each_build_is_independent()
    {
        var b = new OpGraphBuilder();
        int x = b.AddInput([1, 8], TensorType.Float32);
        int y = b.Relu(x);
        b.MarkOutput(y);
        OpGraph first = b.Build();
        b.Relu(y);
        OpGraph second = b.Build();
        Assert.Single(first.Nodes);
        Assert.Equal(2, second.Nodes.Length);
        Assert.Empty(first.Tensors[y].Consumers);
        Assert.Equal([1], second.Tensors[y].Consumers.ToArray());
    }
}

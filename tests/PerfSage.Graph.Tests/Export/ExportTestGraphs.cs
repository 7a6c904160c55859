using Xunit;
using PerfSage.Tflite;

namespace PerfSage.Graph.Tests.Export;

/// <summary>Builder graphs the export round-trip tests run on, each named after what it exercises.</summary>
public static class ExportTestGraphs
{
    public static IReadOnlyDictionary<string, Func<OpGraph>> All { get; } = new Dictionary<string, Func<OpGraph>>
    {
        ["kws_dscnn_int8"] = ExampleModels.KwsDsCnnInt8,
        ["mobilenet_v2_block_int8"] = MobileNetV2Block,
        ["fc_autoencoder_int8"] = FcAutoencoder,
        ["float32_with_float16_weights"] = Float16Weights,
        ["squeeze_excite_hard_swish_int8"] = SqueezeExcite,
        ["int16_activations"] = Int16Activations,
        ["float32_custom_op_and_variable"] = FloatCustomAndVariable,
    };

    /// <summary>An inverted-residual block (expand 1×1 ReLU6, depthwise 3×3 ReLU6, project 1×1) with the
    /// residual ADD, then a stride-2 block without residual, MEAN over H and W, FC, SOFTMAX.</summary>
    public static OpGraph MobileNetV2Block()
    {
        var b = new OpGraphBuilder("mobilenet_v2_block_int8");
        int x = b.AddInput([1, 32, 32, 16], TensorType.Int8, QuantizationSummary.PerTensor(0.02f, -5));
        int e = b.Conv2D(x, 96, 1, 1, activation: ActivationFunctionType.Relu6);
        int dw = b.DepthwiseConv2D(e, 3, 3, activation: ActivationFunctionType.Relu6);
        int p = b.Conv2D(dw, 16, 1, 1);
        int sum = b.Add(x, p);
        int e2 = b.Conv2D(sum, 96, 1, 1, activation: ActivationFunctionType.Relu6);
        int dw2 = b.DepthwiseConv2D(e2, 3, 3, strideH: 2, strideW: 2, activation: ActivationFunctionType.Relu6);
        int p2 = b.Conv2D(dw2, 24, 1, 1);
        int pooled = b.Mean(p2, [1, 2]);
        int logits = b.FullyConnected(pooled, 10);
        b.MarkOutput(b.Softmax(logits));
        return b.Build();
    }

    /// <summary>An MLPerf-Tiny-ToyCar-like FC autoencoder: 640 → 128 ×4 → 8 → 128 ×4 → 640.</summary>
    public static OpGraph FcAutoencoder()
    {
        var b = new OpGraphBuilder("fc_autoencoder_int8");
        int x = b.AddInput([1, 640], TensorType.Int8, QuantizationSummary.PerTensor(0.1f, 3));
        foreach (int units in new[] { 128, 128, 128, 128, 8, 128, 128, 128, 128 })
        {
            x = b.FullyConnected(x, units, ActivationFunctionType.Relu);
        }
        b.MarkOutput(b.FullyConnected(x, 640));
        return b.Build();
    }

    /// <summary>A float32 network whose first convolution's weights are float16 constants expanded by
    /// DEQUANTIZE (as converters write float16 models), then float32 weights, MEAN, FC, SOFTMAX.</summary>
    public static OpGraph Float16Weights()
    {
        var b = new OpGraphBuilder("float32_with_float16_weights");
        int x = b.AddInput([1, 16, 16, 3], TensorType.Float32);
        int w16 = b.AddConstant([8, 3, 3, 3], TensorType.Float16, name: "conv/weights_fp16");
        int b16 = b.AddConstant([8], TensorType.Float16, name: "conv/bias_fp16");
        int w = b.Dequantize(w16);
        int bias = b.Dequantize(b16);
        int conv = b.AddOperator(BuiltinOperator.CONV_2D, [x, w, bias],
            new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.Relu, 1, 1));
        int conv2 = b.Conv2D(conv, 16, 3, 3, 2, 2, Padding.Valid, ActivationFunctionType.Relu6);
        int pooled = b.Mean(conv2, [1, 2], keepDims: true);
        int flat = b.Reshape(pooled, [1, 16]);
        b.MarkOutput(b.Softmax(b.FullyConnected(flat, 5), beta: 0.5f));
        return b.Build();
    }

    /// <summary>Hard-swish, a squeeze-excite gate (MEAN keep-dims, 1×1 convs, LOGISTIC, broadcast MUL), PAD,
    /// a VALID depthwise conv, CONCATENATION on channels, MAX_POOL, MEAN, FC, SOFTMAX.</summary>
    public static OpGraph SqueezeExcite()
    {
        var b = new OpGraphBuilder("squeeze_excite_hard_swish_int8");
        int x = b.AddInput([1, 16, 16, 8], TensorType.Int8, QuantizationSummary.PerTensor(0.05f, 10));
        int c = b.HardSwish(b.Conv2D(x, 16, 3, 3));
        int squeeze = b.Mean(c, [1, 2], keepDims: true);
        int reduce = b.Conv2D(squeeze, 4, 1, 1, activation: ActivationFunctionType.Relu);
        int expand = b.Conv2D(reduce, 16, 1, 1);
        int gate = b.Logistic(expand);
        int excited = b.Mul(c, gate);
        int padded = b.Pad(excited, [0, 0, 1, 1, 1, 1, 0, 0]);
        int dw = b.DepthwiseConv2D(padded, 3, 3, padding: Padding.Valid, activation: ActivationFunctionType.Relu);
        int joined = b.Concatenation([dw, excited], axis: 3);
        int pooled = b.MaxPool2D(joined, 2, 2, 2, 2);
        int mean = b.Mean(pooled, [1, 2]);
        b.MarkOutput(b.Softmax(b.FullyConnected(mean, 6)));
        return b.Build();
    }

    /// <summary>int16 activations (16x8 quantisation): int8 weights, int64 biases.</summary>
    public static OpGraph Int16Activations()
    {
        var b = new OpGraphBuilder("int16_activations");
        int x = b.AddInput([1, 8, 8, 4], TensorType.Int16, QuantizationSummary.PerTensor(1f / 4096, 0));
        int c = b.Conv2D(x, 8, 3, 3, activation: ActivationFunctionType.Relu);
        int d = b.DepthwiseConv2D(c, 3, 3);
        int flat = b.Reshape(d, [1, 512]);
        b.MarkOutput(b.FullyConnected(flat, 4));
        return b.Build();
    }

    /// <summary>A float32 graph with a custom operator, a variable tensor, QUANTIZE/DEQUANTIZE and a SUB.</summary>
    public static OpGraph FloatCustomAndVariable()
    {
        var b = new OpGraphBuilder("float32_custom_op_and_variable");
        int x = b.AddInput([1, 10], TensorType.Float32);
        int state = b.AddVariable([1, 10], TensorType.Float32, name: "state");
        int y = b.AddCustomOperator("MyCustomOp", [x, state], [1, 10], TensorType.Float32);
        int q = b.Quantize(y, TensorType.Int8, QuantizationSummary.PerTensor(0.03f, -2));
        int back = b.Dequantize(q);
        int diff = b.Sub(back, x, ActivationFunctionType.Relu);
        b.MarkOutput(b.FullyConnected(diff, 3));
        return b.Build();
    }
}

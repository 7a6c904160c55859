using PerfSage.Graph;
using PerfSage.Tflite;

namespace PerfSage.Dataset.Spaces;

/// <summary>Activation after a layer, as the spaces name it.</summary>
internal enum Activation
{
    None,
    Relu,
    Relu6,

    /// <summary>HARD_SWISH: x·relu6(x + 3)/6, its own op (TFLite cannot fuse it into a convolution).</summary>
    HardSwish,
}

/// <summary>
/// <see cref="OpGraphBuilder"/> with the element-type variant applied the way converters emit it: integer
/// variants get quantised weights (optionally float graph input and output behind QUANTIZE / DEQUANTIZE),
/// float16 gets every weight and bias as a float16 constant expanded by a DEQUANTIZE op. Converters place
/// those DEQUANTIZE ops first in the operator list (MLIR hoists constants, and the ops computed from them
/// alone, to the top of the function), so <see cref="Build"/> runs the network description twice: once to
/// learn the weight shapes in use order, once to emit the DEQUANTIZE ops first and the network after them.
/// </summary>
internal sealed class NetBuilder
{
    private readonly OpGraphBuilder _b;
    private readonly Mode _mode;
    private readonly TensorType _act;
    private readonly bool _quantized;
    private readonly bool _floatIo;
    private readonly List<int[]> _recorded = [];
    private readonly Queue<(int[] Shape, int Tensor)> _expanded = new();

    private NetBuilder(string name, DTypeVariant variant, bool floatIo, Mode mode, IReadOnlyList<int[]>? float16Shapes)
    {
        _b = new OpGraphBuilder(name);
        _mode = mode;
        _act = DTypeVariants.ActivationType(variant);
        _quantized = DTypeVariants.IsQuantized(variant);
        _floatIo = floatIo && _quantized;
        if (mode == Mode.Expand && float16Shapes is not null)
        {
            foreach (int[] shape in float16Shapes)
            {
                int c = _b.AddConstant(shape, TensorType.Float16);
                _expanded.Enqueue((shape, _b.Dequantize(c)));
            }
        }
    }

    private enum Mode
    {
        /// <summary>Weights made by <see cref="OpGraphBuilder"/>'s layer helpers (int8, int16x8, float32).</summary>
        Native,

        /// <summary>Float16 pass 1: float32 weights, shapes recorded in use order.</summary>
        Record,

        /// <summary>Float16 pass 2: weights taken from the DEQUANTIZE ops emitted up front.</summary>
        Expand,
    }

    /// <summary>Runs <paramref name="body"/> (which must be a pure function of its builder) and builds the graph.</summary>
    public static OpGraph Build(string name, DTypeVariant variant, bool floatIo, Action<NetBuilder> body)
    {
        if (variant != DTypeVariant.Float16)
        {
            var native = new NetBuilder(name, variant, floatIo, Mode.Native, null);
            body(native);
            return native._b.Build();
        }
        var record = new NetBuilder(name, variant, false, Mode.Record, null);
        body(record);
        var expand = new NetBuilder(name, variant, false, Mode.Expand, record._recorded);
        body(expand);
        if (expand._expanded.Count != 0)
        {
            throw new InvalidOperationException($"{name}: {expand._expanded.Count} float16 weights left unused");
        }
        return expand._b.Build();
    }

    /// <summary>The activation element type.</summary>
    public TensorType ActivationType => _act;

    /// <summary>The shape of <paramref name="tensor"/>.</summary>
    public int[] Shape(int tensor) => _b.ShapeOf(tensor);

    /// <summary>The graph input; a float input followed by QUANTIZE when the model has float I/O.</summary>
    public int Input(params int[] shape)
    {
        if (_floatIo)
        {
            int f = _b.AddInput(shape, TensorType.Float32);
            return _b.Quantize(f, _act);
        }
        return _b.AddInput(shape, _act);
    }

    /// <summary>Marks the graph output, behind DEQUANTIZE when the model has float I/O.</summary>
    public void Output(int tensor) => _b.MarkOutput(_floatIo ? _b.Dequantize(tensor) : tensor);

    /// <summary>Marks a constant as the graph output (a network folded to a constant by its converter).</summary>
    public void ConstantOutput(params int[] shape) => _b.MarkOutput(Constant(shape));

    /// <summary>CONV_2D; ReLU and ReLU6 are fused, hard-swish follows as its own op. <paramref name="groups"/>
    /// &gt; 1 makes a grouped convolution (filter depth = input depth / groups, as TFLite's CONV_2D reads it).</summary>
    public int Conv(int x, int filters, int kernelH, int kernelW, int strideH, int strideW, Activation act,
        Padding padding = Padding.Same, int groups = 1)
    {
        ActivationFunctionType fused = Fused(act);
        int y;
        if (_mode == Mode.Native)
        {
            y = _b.Conv2D(x, filters, kernelH, kernelW, strideH, strideW, padding, fused, groups: groups);
        }
        else
        {
            int depth = _b.ShapeOf(x)[3] / groups;
            int w = Weight([filters, kernelH, kernelW, depth]);
            int b = Weight([filters]);
            y = _b.AddOperator(BuiltinOperator.CONV_2D, [x, w, b],
                new Conv2DOptions(padding, strideW, strideH, fused, 1, 1));
        }
        return Unfused(y, act);
    }

    /// <summary>DEPTHWISE_CONV_2D (multiplier 1).</summary>
    public int Depthwise(int x, int kernelH, int kernelW, int strideH, int strideW, Activation act)
    {
        ActivationFunctionType fused = Fused(act);
        int y;
        if (_mode == Mode.Native)
        {
            y = _b.DepthwiseConv2D(x, kernelH, kernelW, strideH, strideW, Padding.Same, fused);
        }
        else
        {
            int channels = _b.ShapeOf(x)[3];
            int w = Weight([1, kernelH, kernelW, channels]);
            int b = Weight([channels]);
            y = _b.AddOperator(BuiltinOperator.DEPTHWISE_CONV_2D, [x, w, b],
                new DepthwiseConv2DOptions(Padding.Same, strideW, strideH, 1, fused, 1, 1));
        }
        return Unfused(y, act);
    }

    /// <summary>FULLY_CONNECTED over the last dimension.</summary>
    public int FullyConnected(int x, int units, Activation act)
    {
        ActivationFunctionType fused = Fused(act);
        int y;
        if (_mode == Mode.Native)
        {
            y = _b.FullyConnected(x, units, fused);
        }
        else
        {
            int depth = _b.ShapeOf(x)[^1];
            int w = Weight([units, depth]);
            int b = Weight([units]);
            y = _b.AddOperator(BuiltinOperator.FULLY_CONNECTED, [x, w, b],
                new FullyConnectedOptions(fused, FullyConnectedWeightsFormat.Default, false, false));
        }
        return Unfused(y, act);
    }

    /// <summary>A constant operand for elementwise ops (per-channel vectors, scalars) in the variant's type;
    /// float16 expands vectors through DEQUANTIZE and keeps scalars float32.</summary>
    public int Constant(params int[] shape)
    {
        long elements = 1;
        foreach (int d in shape)
        {
            elements *= d;
        }
        if (_quantized)
        {
            return _b.AddConstant(shape, _act, default, QuantizationSummary.PerTensor(OpGraphBuilder.DefaultScale, 0));
        }
        return _mode == Mode.Native || elements <= 1 ? _b.AddConstant(shape, TensorType.Float32) : Weight(shape);
    }

    public int Add(int a, int b, Activation act = Activation.None) => Unfused(_b.Add(a, b, Fused(act)), act);

    public int Mul(int a, int b, Activation act = Activation.None) => Unfused(_b.Mul(a, b, Fused(act)), act);

    public int Mean(int x, int[] axes, bool keepDims) => _b.Mean(x, axes, keepDims);

    public int AveragePool(int x, int kernelH, int kernelW, int strideH, int strideW, Padding padding) =>
        _b.AveragePool2D(x, kernelH, kernelW, strideH, strideW, padding);

    public int Reshape(int x, params int[] shape) => _b.Reshape(x, shape);

    /// <summary>TRANSPOSE by <paramref name="permutation"/> (stored as a constant INT32 input, as converters do).</summary>
    public int Transpose(int x, params int[] permutation)
    {
        int[] shape = _b.ShapeOf(x);
        int[] output = [.. permutation.Select(p => shape[p])];
        int perm = _b.AddInt32Constant(permutation);
        return _b.AddOperator(BuiltinOperator.TRANSPOSE, [x, perm], null, outputShape: output);
    }

    public int Softmax(int x) => _b.Softmax(x);

    public int Relu(int x) => _b.Relu(x);

    public int Logistic(int x) => _b.Logistic(x);

    /// <summary>Hard-sigmoid as converters lower relu6(x + 3) / 6: ADD of 3 with fused ReLU6, then MUL by 1/6.</summary>
    public int HardSigmoid(int x)
    {
        int shifted = _b.Add(x, Constant(), ActivationFunctionType.Relu6);
        return _b.Mul(shifted, Constant());
    }

    private static ActivationFunctionType Fused(Activation act) => act switch
    {
        Activation.Relu => ActivationFunctionType.Relu,
        Activation.Relu6 => ActivationFunctionType.Relu6,
        _ => ActivationFunctionType.None,
    };

    private int Unfused(int y, Activation act) => act == Activation.HardSwish ? _b.HardSwish(y) : y;

    /// <summary>A weight or bias in the float16 passes.</summary>
    private int Weight(int[] shape)
    {
        if (_mode == Mode.Record)
        {
            _recorded.Add(shape);
            return _b.AddConstant(shape, TensorType.Float32);
        }
        if (!_expanded.TryDequeue(out (int[] Shape, int Tensor) next) || !next.Shape.AsSpan().SequenceEqual(shape))
        {
            throw new InvalidOperationException($"{_b.Name}: the network description is not deterministic (weight [{string.Join(',', shape)}])");
        }
        return next.Tensor;
    }
}

/// <summary>Knob spellings of <see cref="Activation"/>.</summary>
internal static class Activations
{
    public static string Name(Activation act) => act switch
    {
        Activation.None => "none",
        Activation.Relu => "relu",
        Activation.Relu6 => "relu6",
        Activation.HardSwish => "hard_swish",
        _ => throw new ArgumentOutOfRangeException(nameof(act), act, null),
    };
}

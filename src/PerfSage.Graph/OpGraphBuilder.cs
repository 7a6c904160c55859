using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Runtime.InteropServices;
using PerfSage.Tflite;

namespace PerfSage.Graph;

/// <summary>
/// Builds an <see cref="OpGraph"/> operator by operator, the way search spaces describe networks: add an
/// input, add operators (the builder creates their weight and bias tensors and works out output shapes),
/// mark outputs, <see cref="Build"/>. Weights added by the builder are constant tensors without data
/// (a writer fills them); small INT32 constants (shapes, paddings, axes) carry their values.
/// <para>Element types follow what converters emit: float32 activations get float32 weights and bias;
/// int8/uint8 activations get int8 weights (per-channel for convolutions) and int32 bias; int16
/// activations get int8 weights and int64 bias. Quantised outputs copy the input's quantisation
/// (LOGISTIC and SOFTMAX use TFLite's fixed 1/256, −128 for int8). Not thread-safe.</para>
/// </summary>
public sealed class OpGraphBuilder
{
    /// <summary>Scale given to quantised tensors that have no better one (a placeholder: costs do not use it).</summary>
    public const float DefaultScale = 1f / 128;

    private readonly List<TensorDraft> _tensors = [];
    private readonly List<NodeDraft> _nodes = [];
    private readonly List<int> _inputs = [];
    private readonly List<int> _outputs = [];

    public OpGraphBuilder(string name = "graph")
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
    }

    /// <summary>The name the built graph gets.</summary>
    public string Name { get; }

    public int TensorCount => _tensors.Count;

    public int NodeCount => _nodes.Count;

    /// <summary>The shape of tensor <paramref name="tensor"/> (a copy).</summary>
    public int[] ShapeOf(int tensor) => (int[])Draft(tensor).Shape.Clone();

    /// <summary>The element type of tensor <paramref name="tensor"/>.</summary>
    public TensorType TypeOf(int tensor) => Draft(tensor).Type;

    /// <summary>Adds a graph input. Quantised types get <paramref name="quantization"/> or a per-tensor default.</summary>
    public int AddInput(ReadOnlySpan<int> shape, TensorType type, QuantizationSummary? quantization = null, string? name = null)
    {
        int id = AddTensor(name ?? $"input_{_inputs.Count}", shape, type, false, DefaultQuantization(type, quantization), default);
        _inputs.Add(id);
        return id;
    }

    /// <summary>Adds a constant tensor, with or without <paramref name="data"/> (a writer fills missing data).
    /// When data are given their length must match the shape and type.</summary>
    public int AddConstant(ReadOnlySpan<int> shape, TensorType type, ReadOnlyMemory<byte> data = default,
        QuantizationSummary? quantization = null, string? name = null)
    {
        if (!data.IsEmpty)
        {
            long expected = TensorTypes.DenseBytes(type, Product(shape));
            if (TensorTypes.BitsPerElement(type) > 0 && data.Length != expected)
            {
                throw new OpGraphException($"constant of {data.Length} bytes for a {TensorTypes.Name(type)}[{string.Join(',', shape.ToArray())}] tensor of {expected} bytes");
            }
        }
        return AddTensor(name ?? $"const_{_tensors.Count}", shape, type, true, quantization, data);
    }

    /// <summary>Adds a 1-D INT32 constant holding <paramref name="values"/> (shapes, axes) and its data.</summary>
    public int AddInt32Constant(ReadOnlySpan<int> values, string? name = null) =>
        AddInt32Constant(values, [values.Length], name);

    /// <summary>Adds an INT32 constant of the given shape holding <paramref name="values"/>.</summary>
    public int AddInt32Constant(ReadOnlySpan<int> values, ReadOnlySpan<int> shape, string? name = null)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 * i), values[i]);
        }
        return AddConstant(shape, TensorType.Int32, bytes, null, name);
    }

    /// <summary>Adds a variable (state) tensor.</summary>
    public int AddVariable(ReadOnlySpan<int> shape, TensorType type, QuantizationSummary? quantization = null, string? name = null) =>
        AddTensor(name ?? $"var_{_tensors.Count}", shape, type, false, DefaultQuantization(type, quantization), default, isVariable: true);

    /// <summary>
    /// Adds a builtin operator reading <paramref name="inputs"/> (-1 for omitted optional inputs) and
    /// returns its output tensor. The output shape is inferred for the operators the builder knows
    /// (see the class remarks) unless <paramref name="outputShape"/> is given; the output type is the
    /// main input's unless <paramref name="outputType"/> is given.
    /// </summary>
    public int AddOperator(BuiltinOperator op, ReadOnlySpan<int> inputs, OperatorOptions? options = null,
        int[]? outputShape = null, TensorType? outputType = null, QuantizationSummary? outputQuantization = null,
        string? outputName = null)
    {
        if (op == BuiltinOperator.CUSTOM)
        {
            throw new ArgumentException("use AddCustomOperator for custom operators", nameof(op));
        }
        foreach (int id in inputs)
        {
            if (id != -1)
            {
                Draft(id);
            }
        }
        int main = FirstActivation(op, inputs);
        TensorType type = outputType ?? (op == BuiltinOperator.DEQUANTIZE ? TensorType.Float32
            : main >= 0 ? _tensors[main].Type : TensorType.Float32);
        int[] shape;
        try
        {
            shape = outputShape is not null ? (int[])outputShape.Clone()
                : ShapeInference.Infer(op, inputs, options, Lookup)
                  ?? throw new OpGraphException($"{Name}: the builder cannot infer the output shape of {op}; pass outputShape");
        }
        catch (OverflowException)
        {
            throw new OpGraphException($"{Name}: the output shape of {op} does not fit in 32-bit dimensions");
        }
        QuantizationSummary? q = outputQuantization ?? OutputQuantization(op, type, main);
        int node = _nodes.Count;
        int output = AddTensor(outputName ?? $"{op.ToString().ToLowerInvariant()}_{node}", shape, type, false, q, default);
        _nodes.Add(new NodeDraft((int)op, null, inputs.ToArray(), [output], options));
        return output;
    }

    /// <summary>Adds a custom operator <c>CUSTOM:<paramref name="customCode"/></c> with one output of the given
    /// shape and type. It is a node like any other, flagged unsupported for costing.</summary>
    public int AddCustomOperator(string customCode, ReadOnlySpan<int> inputs, ReadOnlySpan<int> outputShape,
        TensorType outputType, string? outputName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(customCode);
        foreach (int id in inputs)
        {
            if (id != -1)
            {
                Draft(id);
            }
        }
        int node = _nodes.Count;
        int output = AddTensor(outputName ?? $"{customCode}_{node}", outputShape, outputType, false,
            DefaultQuantization(outputType, null), default);
        _nodes.Add(new NodeDraft((int)BuiltinOperator.CUSTOM, customCode, inputs.ToArray(), [output], null));
        return output;
    }

    /// <summary>Marks <paramref name="tensor"/> as a graph output.</summary>
    public void MarkOutput(int tensor)
    {
        Draft(tensor);
        if (!_outputs.Contains(tensor))
        {
            _outputs.Add(tensor);
        }
    }

    /// <summary>CONV_2D with <paramref name="filters"/> output channels; <paramref name="groups"/> &gt; 1 makes a
    /// grouped convolution (filter depth = input depth / groups).</summary>
    public int Conv2D(int input, int filters, int kernelH, int kernelW, int strideH = 1, int strideW = 1,
        Padding padding = Padding.Same, ActivationFunctionType activation = ActivationFunctionType.None,
        int dilationH = 1, int dilationW = 1, int groups = 1)
    {
        int[] x = Shape4(input, "CONV_2D");
        if (groups <= 0 || x[3] % groups != 0 || filters % groups != 0)
        {
            throw new OpGraphException($"{Name}: CONV_2D groups {groups} must divide input depth {x[3]} and filters {filters}");
        }
        string prefix = $"conv2d_{_nodes.Count}";
        (TensorType wType, TensorType bType) = WeightTypes(input, "CONV_2D");
        int w = AddConstant([filters, kernelH, kernelW, x[3] / groups], wType, default,
            WeightQuantization(wType, filters, 0), prefix + "/weights");
        int b = AddConstant([filters], bType, default, WeightQuantization(bType, filters, 0), prefix + "/bias");
        var options = new Conv2DOptions(padding, strideW, strideH, activation, dilationW, dilationH);
        return AddOperator(BuiltinOperator.CONV_2D, [input, w, b], options, outputName: prefix);
    }

    /// <summary>DEPTHWISE_CONV_2D (output depth = input depth × <paramref name="depthMultiplier"/>).</summary>
    public int DepthwiseConv2D(int input, int kernelH, int kernelW, int strideH = 1, int strideW = 1,
        Padding padding = Padding.Same, ActivationFunctionType activation = ActivationFunctionType.None,
        int depthMultiplier = 1, int dilationH = 1, int dilationW = 1)
    {
        int[] x = Shape4(input, "DEPTHWISE_CONV_2D");
        string prefix = $"depthwise_conv2d_{_nodes.Count}";
        int channels = x[3] * depthMultiplier;
        (TensorType wType, TensorType bType) = WeightTypes(input, "DEPTHWISE_CONV_2D");
        int w = AddConstant([1, kernelH, kernelW, channels], wType, default,
            WeightQuantization(wType, channels, 3), prefix + "/weights");
        int b = AddConstant([channels], bType, default, WeightQuantization(bType, channels, 0), prefix + "/bias");
        var options = new DepthwiseConv2DOptions(padding, strideW, strideH, depthMultiplier, activation, dilationW, dilationH);
        return AddOperator(BuiltinOperator.DEPTHWISE_CONV_2D, [input, w, b], options, outputName: prefix);
    }

    /// <summary>TRANSPOSE_CONV with <paramref name="filters"/> output channels: inputs (output shape, weights
    /// [filters, kernelH, kernelW, input depth], input, bias) as converters order them. The output size per
    /// spatial dimension is TFLite's: SAME in·stride, VALID (in − 1)·stride + kernel.</summary>
    public int TransposeConv(int input, int filters, int kernelH, int kernelW, int strideH, int strideW,
        Padding padding = Padding.Same, ActivationFunctionType activation = ActivationFunctionType.None)
    {
        int[] x = Shape4(input, "TRANSPOSE_CONV");
        if (kernelH <= 0 || kernelW <= 0 || strideH <= 0 || strideW <= 0 || filters <= 0)
        {
            throw new OpGraphException($"{Name}: TRANSPOSE_CONV kernel {kernelH}x{kernelW}, stride {strideH}x{strideW} and filters {filters} must be positive");
        }
        int[] output = padding == Padding.Same
            ? [x[0], x[1] * strideH, x[2] * strideW, filters]
            : [x[0], (x[1] - 1) * strideH + kernelH, (x[2] - 1) * strideW + kernelW, filters];
        string prefix = $"transpose_conv_{_nodes.Count}";
        (TensorType wType, TensorType bType) = WeightTypes(input, "TRANSPOSE_CONV");
        int shape = AddInt32Constant(output, prefix + "/output_shape");
        int w = AddConstant([filters, kernelH, kernelW, x[3]], wType, default,
            WeightQuantization(wType, filters, 0), prefix + "/weights");
        int b = AddConstant([filters], bType, default, WeightQuantization(bType, filters, 0), prefix + "/bias");
        var options = new TransposeConvOptions(padding, strideW, strideH, activation);
        return AddOperator(BuiltinOperator.TRANSPOSE_CONV, [shape, w, input, b], options, outputShape: output,
            outputName: prefix);
    }

    /// <summary>STRIDED_SLICE with positive <paramref name="strides"/> and no masks: dimension d keeps
    /// ⌈(end[d] − begin[d]) / strides[d]⌉ elements. Begin, end and strides are stored as INT32 constants.</summary>
    public int StridedSlice(int input, ReadOnlySpan<int> begin, ReadOnlySpan<int> end, ReadOnlySpan<int> strides)
    {
        int[] x = Draft(input).Shape;
        if (begin.Length != x.Length || end.Length != x.Length || strides.Length != x.Length)
        {
            throw new OpGraphException($"{Name}: STRIDED_SLICE needs begin, end and strides of rank {x.Length}");
        }
        var output = new int[x.Length];
        for (int d = 0; d < x.Length; d++)
        {
            if (strides[d] <= 0 || begin[d] < 0 || end[d] > x[d] || end[d] <= begin[d])
            {
                throw new OpGraphException(
                    $"{Name}: STRIDED_SLICE dimension {d}: [{begin[d]}, {end[d]}) step {strides[d]} is not a slice of {x[d]}");
            }
            output[d] = (end[d] - begin[d] + strides[d] - 1) / strides[d];
        }
        string prefix = $"strided_slice_{_nodes.Count}";
        int b = AddInt32Constant(begin, prefix + "/begin");
        int e = AddInt32Constant(end, prefix + "/end");
        int s = AddInt32Constant(strides, prefix + "/strides");
        return AddOperator(BuiltinOperator.STRIDED_SLICE, [input, b, e, s], new StridedSliceOptions(0, 0, 0, 0, 0, false),
            outputShape: output, outputName: prefix);
    }

    /// <summary>MAX_POOL_2D.</summary>
    public int MaxPool2D(int input, int kernelH, int kernelW, int strideH, int strideW, Padding padding = Padding.Valid,
        ActivationFunctionType activation = ActivationFunctionType.None) =>
        AddOperator(BuiltinOperator.MAX_POOL_2D, [input],
            new Pool2DOptions(padding, strideW, strideH, kernelW, kernelH, activation));

    /// <summary>AVERAGE_POOL_2D.</summary>
    public int AveragePool2D(int input, int kernelH, int kernelW, int strideH, int strideW, Padding padding = Padding.Valid,
        ActivationFunctionType activation = ActivationFunctionType.None) =>
        AddOperator(BuiltinOperator.AVERAGE_POOL_2D, [input],
            new Pool2DOptions(padding, strideW, strideH, kernelW, kernelH, activation));

    /// <summary>FULLY_CONNECTED with <paramref name="units"/> outputs per row; weights [units, input depth],
    /// where the depth is the input's last dimension.</summary>
    public int FullyConnected(int input, int units, ActivationFunctionType activation = ActivationFunctionType.None,
        bool keepNumDims = false)
    {
        int[] x = Draft(input).Shape;
        int depth = x.Length > 0 ? x[^1] : 1;
        string prefix = $"fully_connected_{_nodes.Count}";
        (TensorType wType, TensorType bType) = WeightTypes(input, "FULLY_CONNECTED");
        int w = AddConstant([units, depth], wType, default, WeightQuantization(wType, 1, 0), prefix + "/weights");
        int b = AddConstant([units], bType, default, WeightQuantization(bType, 1, 0), prefix + "/bias");
        var options = new FullyConnectedOptions(activation, FullyConnectedWeightsFormat.Default, keepNumDims, false);
        return AddOperator(BuiltinOperator.FULLY_CONNECTED, [input, w, b], options, outputName: prefix);
    }

    /// <summary>Scale of an integer LSTM's int16 cell state: 2⁻¹¹, a power of two as TFLite's integer LSTM
    /// kernels require (the value the converter gave <c>micro_speech_lstm.tflite</c> and
    /// <c>dtln_noise_suppression.tflite</c> in <c>shared/models/tflm</c>).</summary>
    public const float LstmCellStateScale = 1f / 2048;

    /// <summary>
    /// UNIDIRECTIONAL_SEQUENCE_LSTM with <paramref name="units"/> cells, no peephole, projection or layer
    /// norm, laid out as TFLite converters emit it (24 inputs): input [B, T, F] (time-major [T, B, F]);
    /// four input-to-gate weights [units, F] and four recurrent weights [units, units] (gate order input,
    /// forget, cell, output); three omitted peepholes; four gate biases [units]; omitted projection weights
    /// and bias; output-state and cell-state variables [B, units]; four omitted layer-norm coefficients.
    /// Output [B, T, units] in the input's type. Types as in the TFLM models: float32 throughout; int8
    /// activations with int8 weights, int32 biases, int8 output state and int16 cell state; int16
    /// activations with int8 weights, int64 biases and int16 states. Costs T·4·units·(F + units) MACs.
    /// </summary>
    public int UnidirectionalSequenceLstm(int input, int units,
        ActivationFunctionType activation = ActivationFunctionType.Tanh, float cellClip = 10f, bool timeMajor = false)
    {
        int[] x = Draft(input).Shape;
        if (x.Length != 3)
        {
            throw new OpGraphException($"{Name}: UNIDIRECTIONAL_SEQUENCE_LSTM needs a 3-D input, got [{string.Join(',', x)}]");
        }
        if (units <= 0)
        {
            throw new OpGraphException($"{Name}: UNIDIRECTIONAL_SEQUENCE_LSTM units {units} must be positive");
        }
        int batch = timeMajor ? x[1] : x[0];
        int steps = timeMajor ? x[0] : x[1];
        int features = x[2];
        TensorType type = Draft(input).Type;
        (TensorType wType, TensorType bType) = WeightTypes(input, "UNIDIRECTIONAL_SEQUENCE_LSTM");
        bool integer = TensorTypes.IsQuantizedInteger(type);
        string prefix = $"unidirectional_sequence_lstm_{_nodes.Count}";
        string[] gates = ["input", "forget", "cell", "output"];
        var inputs = new int[24];
        Array.Fill(inputs, -1);
        inputs[0] = input;
        for (int g = 0; g < 4; g++)
        {
            inputs[1 + g] = AddConstant([units, features], wType, default, WeightQuantization(wType, 1, 0),
                $"{prefix}/input_to_{gates[g]}_weights");
            inputs[5 + g] = AddConstant([units, units], wType, default, WeightQuantization(wType, 1, 0),
                $"{prefix}/recurrent_to_{gates[g]}_weights");
            inputs[12 + g] = AddConstant([units], bType, default, WeightQuantization(bType, 1, 0),
                $"{prefix}/{gates[g]}_gate_bias");
        }
        inputs[18] = AddVariable([batch, units], type, null, prefix + "/output_state");
        inputs[19] = AddVariable([batch, units], integer ? TensorType.Int16 : type,
            integer ? QuantizationSummary.PerTensor(LstmCellStateScale, 0) : null, prefix + "/cell_state");
        int[] output = timeMajor ? [steps, batch, units] : [batch, steps, units];
        var options = new UnidirectionalSequenceLstmOptions(activation, cellClip, 0f, timeMajor, false, false);
        return AddOperator(BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM, inputs, options, outputShape: output,
            outputName: prefix);
    }

    /// <summary>ADD (broadcasting).</summary>
    public int Add(int a, int b, ActivationFunctionType activation = ActivationFunctionType.None) =>
        AddOperator(BuiltinOperator.ADD, [a, b], new ArithmeticOptions(activation));

    /// <summary>SUB (broadcasting).</summary>
    public int Sub(int a, int b, ActivationFunctionType activation = ActivationFunctionType.None) =>
        AddOperator(BuiltinOperator.SUB, [a, b], new ArithmeticOptions(activation));

    /// <summary>MUL (broadcasting).</summary>
    public int Mul(int a, int b, ActivationFunctionType activation = ActivationFunctionType.None) =>
        AddOperator(BuiltinOperator.MUL, [a, b], new ArithmeticOptions(activation));

    /// <summary>CONCATENATION along <paramref name="axis"/> (negative counts from the end).</summary>
    public int Concatenation(ReadOnlySpan<int> inputs, int axis, ActivationFunctionType activation = ActivationFunctionType.None)
    {
        if (inputs.IsEmpty)
        {
            throw new ArgumentException("CONCATENATION needs at least one input", nameof(inputs));
        }
        return AddOperator(BuiltinOperator.CONCATENATION, inputs, new ConcatenationOptions(axis, activation));
    }

    /// <summary>RESHAPE to <paramref name="newShape"/> (one dimension may be -1); the shape is also stored as
    /// a constant INT32 input, as converters do.</summary>
    public int Reshape(int input, ReadOnlySpan<int> newShape)
    {
        int shape = AddInt32Constant(newShape, $"reshape_{_nodes.Count}/shape");
        return AddOperator(BuiltinOperator.RESHAPE, [input, shape], new ReshapeOptions(newShape.ToArray()));
    }

    /// <summary>SOFTMAX.</summary>
    public int Softmax(int input, float beta = 1f) =>
        AddOperator(BuiltinOperator.SOFTMAX, [input], new SoftmaxOptions(beta));

    /// <summary>PAD with <paramref name="paddings"/> given as (before, after) pairs per dimension.</summary>
    public int Pad(int input, ReadOnlySpan<int> paddings)
    {
        int rank = Draft(input).Shape.Length;
        int pads = AddInt32Constant(paddings, [rank, 2], $"pad_{_nodes.Count}/paddings");
        return AddOperator(BuiltinOperator.PAD, [input, pads], new PadOptions());
    }

    /// <summary>MEAN over <paramref name="axes"/>.</summary>
    public int Mean(int input, ReadOnlySpan<int> axes, bool keepDims = false)
    {
        int a = AddInt32Constant(axes, $"mean_{_nodes.Count}/axes");
        return AddOperator(BuiltinOperator.MEAN, [input, a], new ReducerOptions(keepDims));
    }

    /// <summary>HARD_SWISH.</summary>
    public int HardSwish(int input) => AddOperator(BuiltinOperator.HARD_SWISH, [input]);

    /// <summary>LOGISTIC.</summary>
    public int Logistic(int input) => AddOperator(BuiltinOperator.LOGISTIC, [input]);

    /// <summary>TANH.</summary>
    public int Tanh(int input) => AddOperator(BuiltinOperator.TANH, [input]);

    /// <summary>LEAKY_RELU: x for x ≥ 0, <paramref name="alpha"/>·x below.</summary>
    public int LeakyRelu(int input, float alpha = 0.2f) =>
        AddOperator(BuiltinOperator.LEAKY_RELU, [input], new LeakyReluOptions(alpha));

    /// <summary>RELU.</summary>
    public int Relu(int input) => AddOperator(BuiltinOperator.RELU, [input]);

    /// <summary>RELU6.</summary>
    public int Relu6(int input) => AddOperator(BuiltinOperator.RELU6, [input]);

    /// <summary>QUANTIZE to <paramref name="outputType"/> (int8, uint8 or int16; or a requantisation).</summary>
    public int Quantize(int input, TensorType outputType = TensorType.Int8, QuantizationSummary? quantization = null) =>
        AddOperator(BuiltinOperator.QUANTIZE, [input], null, outputType: outputType,
            outputQuantization: quantization ?? QuantizationSummary.PerTensor(DefaultScale, 0));

    /// <summary>DEQUANTIZE to float32.</summary>
    public int Dequantize(int input) => AddOperator(BuiltinOperator.DEQUANTIZE, [input], null, outputType: TensorType.Float32);

    /// <summary>Builds the graph. The builder can go on adding and build again; each graph is independent.
    /// <see cref="OpGraph.FileBytes"/> is 0 until the graph is written.</summary>
    public OpGraph Build()
    {
        var tensors = new GraphTensor[_tensors.Count];
        for (int i = 0; i < tensors.Length; i++)
        {
            TensorDraft d = _tensors[i];
            tensors[i] = new GraphTensor(i, d.Name, ImmutableCollectionsMarshal.AsImmutableArray((int[])d.Shape.Clone()),
                false, d.Type, d.IsConstant, d.IsVariable, false, d.Quantization, d.Data);
        }
        var nodes = new OpNode[_nodes.Count];
        for (int i = 0; i < nodes.Length; i++)
        {
            NodeDraft d = _nodes[i];
            var code = new OperatorCode(d.OpCode, d.CustomCode, 1);
            nodes[i] = new OpNode(i, d.OpCode, d.CustomCode, code.Name, 1, !code.IsKnown,
                ImmutableCollectionsMarshal.AsImmutableArray((int[])d.Inputs.Clone()),
                ImmutableCollectionsMarshal.AsImmutableArray((int[])d.Outputs.Clone()), [])
            {
                Attributes = new OpAttributes { Options = d.Options },
            };
        }
        return new OpGraph(Name, null, 0,
            ImmutableCollectionsMarshal.AsImmutableArray(tensors), ImmutableCollectionsMarshal.AsImmutableArray(nodes),
            [.. _inputs], [.. _outputs], 0, 1, tensors.Length, nodes.Length);
    }

    private int AddTensor(string name, ReadOnlySpan<int> shape, TensorType type, bool isConstant,
        QuantizationSummary? quantization, ReadOnlyMemory<byte> data, bool isVariable = false)
    {
        foreach (int d in shape)
        {
            if (d < 0)
            {
                throw new OpGraphException($"{Name}: tensor '{name}' has negative dimension {d}");
            }
        }
        if (GraphTensor.ShapeProblem(shape) is { } problem)
        {
            throw new OpGraphException($"{Name}: tensor '{name}': {problem}");
        }
        _tensors.Add(new TensorDraft(name, shape.ToArray(), type, isConstant, isVariable, quantization, data));
        return _tensors.Count - 1;
    }

    private TensorDraft Draft(int tensor)
    {
        if ((uint)tensor >= (uint)_tensors.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(tensor), tensor, $"{Name} has {_tensors.Count} tensors");
        }
        return _tensors[tensor];
    }

    private (int[] Shape, TensorType Type, ReadOnlyMemory<byte> Data) Lookup(int id)
    {
        if (id < 0)
        {
            throw new OpGraphException($"{Name}: a required input is omitted");
        }
        TensorDraft d = Draft(id);
        return (d.Shape, d.Type, d.Data);
    }

    private int FirstActivation(BuiltinOperator op, ReadOnlySpan<int> inputs)
    {
        int slot = op is BuiltinOperator.TRANSPOSE_CONV or BuiltinOperator.CONV_3D_TRANSPOSE ? 2 : 0;
        if (slot < inputs.Length && inputs[slot] >= 0 && !_tensors[inputs[slot]].IsConstant)
        {
            return inputs[slot];
        }
        foreach (int id in inputs)
        {
            if (id >= 0 && !_tensors[id].IsConstant)
            {
                return id;
            }
        }
        return inputs.Length > 0 && inputs[0] >= 0 ? inputs[0] : -1;
    }

    private int[] Shape4(int input, string op)
    {
        int[] x = Draft(input).Shape;
        if (x.Length != 4)
        {
            throw new OpGraphException($"{Name}: {op} needs a 4-D NHWC input, got [{string.Join(',', x)}]");
        }
        return x;
    }

    private (TensorType Weights, TensorType Bias) WeightTypes(int input, string op) => Draft(input).Type switch
    {
        TensorType.Float32 => (TensorType.Float32, TensorType.Float32),
        TensorType.Float16 => (TensorType.Float16, TensorType.Float16),
        TensorType.Int8 or TensorType.UInt8 => (TensorType.Int8, TensorType.Int32),
        TensorType.Int16 => (TensorType.Int8, TensorType.Int64),
        TensorType t => throw new OpGraphException($"{Name}: {op} on {TensorTypes.Name(t)} activations is not supported"),
    };

    private static QuantizationSummary? WeightQuantization(TensorType type, int channels, int dimension) =>
        type is TensorType.Int8 or TensorType.Int32 or TensorType.Int64
            ? channels > 1 ? QuantizationSummary.PerChannel(channels, dimension, DefaultScale) : QuantizationSummary.PerTensor(DefaultScale, 0)
            : null;

    private static QuantizationSummary? DefaultQuantization(TensorType type, QuantizationSummary? given) =>
        given ?? (TensorTypes.IsQuantizedInteger(type) ? QuantizationSummary.PerTensor(DefaultScale, 0) : null);

    private QuantizationSummary? OutputQuantization(BuiltinOperator op, TensorType type, int main)
    {
        if (!TensorTypes.IsQuantizedInteger(type))
        {
            return null;
        }
        if (op is BuiltinOperator.LOGISTIC or BuiltinOperator.SOFTMAX)
        {
            // TFLite's fixed output quantisation for these kernels.
            return type == TensorType.Int16 ? QuantizationSummary.PerTensor(1f / 32768, 0)
                : type == TensorType.UInt8 ? QuantizationSummary.PerTensor(1f / 256, 0)
                : QuantizationSummary.PerTensor(1f / 256, -128);
        }
        QuantizationSummary? fromInput = main >= 0 ? _tensors[main].Quantization : null;
        return fromInput is { IsPerChannel: false } ? fromInput : QuantizationSummary.PerTensor(DefaultScale, 0);
    }

    private static long Product(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            n *= d;
        }
        return n;
    }

    private sealed record TensorDraft(string Name, int[] Shape, TensorType Type, bool IsConstant, bool IsVariable,
        QuantizationSummary? Quantization, ReadOnlyMemory<byte> Data);

    private sealed record NodeDraft(int OpCode, string? CustomCode, int[] Inputs, int[] Outputs, OperatorOptions? Options);
}

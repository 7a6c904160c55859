using System.Collections.Frozen;
using System.Collections.Immutable;
using PerfSage.Graph;
using PerfSage.Tflite;

namespace PerfSage.Targets;

/// <summary>
/// Operator placement on Ethos-U by Vela 3.10's support rules (TARGETS §1.7, from <c>SUPPORTED_OPS.md</c>),
/// and the lowering of supported operators to <see cref="NpuOp"/>. An operator that is not in the list, or
/// fails a constraint, runs on the host CPU; the reason names the rule.
/// </summary>
internal static class EthosUSupport
{
    /// <summary>Operators Vela can place on the NPU (SUPPORTED_OPS.md, Vela 3.10).</summary>
    private static readonly FrozenSet<BuiltinOperator> NpuOps = new[]
    {
        BuiltinOperator.ABS, BuiltinOperator.ADD, BuiltinOperator.ARG_MAX, BuiltinOperator.AVERAGE_POOL_2D,
        BuiltinOperator.CONCATENATION, BuiltinOperator.CONV_2D, BuiltinOperator.DEPTHWISE_CONV_2D,
        BuiltinOperator.EXP, BuiltinOperator.EXPAND_DIMS, BuiltinOperator.FULLY_CONNECTED,
        BuiltinOperator.HARD_SWISH, BuiltinOperator.LEAKY_RELU, BuiltinOperator.LOGISTIC, BuiltinOperator.MAXIMUM,
        BuiltinOperator.MAX_POOL_2D, BuiltinOperator.MEAN, BuiltinOperator.MINIMUM, BuiltinOperator.MUL,
        BuiltinOperator.PACK, BuiltinOperator.PAD, BuiltinOperator.PRELU, BuiltinOperator.QUANTIZE,
        BuiltinOperator.RELU, BuiltinOperator.RELU6, BuiltinOperator.RELU_N1_TO_1, BuiltinOperator.RESHAPE,
        BuiltinOperator.RESIZE_BILINEAR, BuiltinOperator.RESIZE_NEAREST_NEIGHBOR, BuiltinOperator.RSQRT,
        BuiltinOperator.SHAPE, BuiltinOperator.SLICE, BuiltinOperator.SOFTMAX, BuiltinOperator.SPLIT,
        BuiltinOperator.SPLIT_V, BuiltinOperator.SQUARED_DIFFERENCE, BuiltinOperator.SQUEEZE,
        BuiltinOperator.STRIDED_SLICE, BuiltinOperator.SUB, BuiltinOperator.TANH, BuiltinOperator.TRANSPOSE,
        BuiltinOperator.TRANSPOSE_CONV, BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM, BuiltinOperator.UNPACK,
    }.ToFrozenSet();

    /// <summary>Operators allowed int32 tensors (SUPPORTED_OPS.md).</summary>
    private static bool AllowsInt32(BuiltinOperator op) => op is BuiltinOperator.ADD or BuiltinOperator.SUB
        or BuiltinOperator.MUL or BuiltinOperator.SHAPE or BuiltinOperator.TRANSPOSE or BuiltinOperator.ARG_MAX;

    private static bool IsReshapeLike(BuiltinOperator op) => op is BuiltinOperator.RESHAPE or BuiltinOperator.SQUEEZE
        or BuiltinOperator.EXPAND_DIMS or BuiltinOperator.SHAPE;

    /// <summary>Softmax is decomposed by Vela into a chain of elementwise, reduction and LUT passes; we count
    /// this many passes over the input (assumption: Vela's int8 softmax graph has about a dozen NPU ops).</summary>
    internal const int SoftmaxPasses = 12;

    /// <summary>Decomposed ops: SQUARED_DIFFERENCE (sub, mul, rescale) and PRELU (mul, max/min, add) take
    /// this many elementwise passes (assumption from their lowering in Vela).</summary>
    internal const int DecomposedPasses = 3;

    /// <summary>The first support rule <paramref name="node"/> fails, or null when the NPU can run it.</summary>
    public static string? Check(OpGraph graph, OpNode node)
    {
        if (node.IsCustom)
        {
            return "custom operator: not an Ethos-U operator (Vela leaves it to the CPU)";
        }
        if (!node.IsUnknown && !node.IsSupported)
        {
            return "the graph has no cost rule for this node (its shapes do not fit the operator's rule)";
        }
        if (node.IsUnknown || !NpuOps.Contains(node.Builtin))
        {
            return "operator not in Vela 3.10's NPU list (SUPPORTED_OPS.md)";
        }
        BuiltinOperator code = node.Builtin;
        ImmutableArray<GraphTensor> tensors = graph.Tensors;

        // Data types of the activation tensors.
        foreach (int id in node.ActivationInputs)
        {
            string? bad = CheckType(code, tensors[id].Type, isOutput: false);
            if (bad is not null)
            {
                return bad;
            }
        }
        foreach (int id in node.Outputs)
        {
            if (id >= 0)
            {
                string? bad = CheckType(code, tensors[id].Type, isOutput: true);
                if (bad is not null)
                {
                    return bad;
                }
            }
        }

        // Rank, dimension limits and batch.
        bool batchFree = code == BuiltinOperator.FULLY_CONNECTED || IsReshapeLike(code);
        foreach (int id in node.ActivationInputs)
        {
            string? bad = CheckShape(tensors[id].Shape, batchFree, "input");
            if (bad is not null)
            {
                return bad;
            }
        }
        foreach (int id in node.Outputs)
        {
            if (id >= 0)
            {
                string? bad = CheckShape(tensors[id].Shape, batchFree, "output");
                if (bad is not null)
                {
                    return bad;
                }
            }
        }

        // Per-axis quantisation only for convolutions.
        bool convLike = code is BuiltinOperator.CONV_2D or BuiltinOperator.DEPTHWISE_CONV_2D or BuiltinOperator.TRANSPOSE_CONV;
        if (!convLike)
        {
            for (int j = 0; j < node.Inputs.Length; j++)
            {
                int id = node.Inputs[j];
                if (id >= 0 && tensors[id].Quantization is { IsPerChannel: true })
                {
                    return "per-axis quantisation is only supported for CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV";
                }
            }
        }

        // Fused activation.
        ActivationFunctionType act = node.Attributes.FusedActivation;
        if (act is not (ActivationFunctionType.None or ActivationFunctionType.Relu or ActivationFunctionType.Relu6
            or ActivationFunctionType.ReluN1To1 or ActivationFunctionType.Tanh))
        {
            return $"fused activation {act} is not supported (ReLU, ReLU6, ReLU_N1_TO_1, Logistic, Tanh only)";
        }

        // Strides of convolutions and pooling.
        bool windowed = convLike || code is BuiltinOperator.AVERAGE_POOL_2D or BuiltinOperator.MAX_POOL_2D;
        OpAttributes a = node.Attributes;
        if (windowed && (a.StrideH < 1 || a.StrideH > 3 || a.StrideW < 1 || a.StrideW > 3))
        {
            return $"stride {a.StrideH}x{a.StrideW} is outside 1-3";
        }

        // Pooling window limits (Vela: filter height and width 1-256, area at most 256·256). Beyond them the NPU
        // cannot run the window, and the sub-kernel loop of the cost model would not end in any useful time.
        if (code is BuiltinOperator.AVERAGE_POOL_2D or BuiltinOperator.MAX_POOL_2D
            && (a.KernelH > 256 || a.KernelW > 256 || (long)a.KernelH * a.KernelW > 65536))
        {
            return $"pooling window {a.KernelH}x{a.KernelW} exceeds 256x256";
        }

        // Depthwise kernel limits.
        if (code == BuiltinOperator.DEPTHWISE_CONV_2D)
        {
            // In 64 bits: a kernel and dilation near 2^31 would wrap in 32 and pass the limits.
            long dh = (a.KernelH - 1L) * a.DilationH + 1;
            long dw = (a.KernelW - 1L) * a.DilationW + 1;
            if (dh > 64 || dh * dw > 4096)
            {
                return $"dilated depthwise kernel {dh}x{dw} exceeds height 64 or area 4096";
            }
        }

        // Constant int8 weights for FC and depthwise (and convolutions, which need encoded weights).
        if (code is BuiltinOperator.FULLY_CONNECTED or BuiltinOperator.DEPTHWISE_CONV_2D or BuiltinOperator.CONV_2D
            or BuiltinOperator.TRANSPOSE_CONV)
        {
            int w = node.WeightTensor;
            if (w < 0 || !tensors[w].IsConstant)
            {
                return "weights must be constant";
            }
            if (tensors[w].Type is not (TensorType.Int8 or TensorType.UInt8))
            {
                return $"weights must be int8, not {TensorTypes.Name(tensors[w].Type)}";
            }
        }
        return null;
    }

    private static string? CheckType(BuiltinOperator code, TensorType type, bool isOutput)
    {
        if (type is TensorType.Int8 or TensorType.UInt8 or TensorType.Int16)
        {
            return null;
        }
        if (type == TensorType.Int32 && (AllowsInt32(code) || (isOutput && code == BuiltinOperator.SHAPE)))
        {
            return null;
        }
        return $"{(isOutput ? "output" : "input")} type {TensorTypes.Name(type)} is not supported (int8, uint8, int16; int32 only for ADD, SUB, MUL, SHAPE, TRANSPOSE, ARG_MAX)";
    }

    private static string? CheckShape(ImmutableArray<int> shape, bool batchFree, string what)
    {
        if (shape.Length > 4)
        {
            return $"{what} has rank {shape.Length} (at most 4)";
        }
        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] > 65535)
            {
                return $"{what} dimension {d} is {shape[d]} (at most 65535)";
            }
        }
        if (!batchFree && shape.Length == 4 && shape[0] != 1)
        {
            return $"{what} batch is {shape[0]} (batch 1 only, except FULLY_CONNECTED and reshapes)";
        }
        return null;
    }

    private static Shape3 ToShape3(ImmutableArray<int> s) => s.Length switch
    {
        0 => new Shape3(1, 1, 1),
        1 => new Shape3(1, 1, Math.Max(1, s[0])),
        2 => new Shape3(1, Math.Max(1, s[0]), Math.Max(1, s[1])),
        3 => new Shape3(Math.Max(1, s[0]), Math.Max(1, s[1]), Math.Max(1, s[2])),
        _ => new Shape3(Math.Max(1, s[^3]), Math.Max(1, s[^2]), Math.Max(1, s[^1])),
    };

    /// <summary>Lowers a node that passed <see cref="Check"/>; <paramref name="onCpu"/> says, per node, which
    /// operators run on the CPU (their feature maps stay NHWC).</summary>
    public static NpuOp Lower(OpGraph graph, OpNode node, ReadOnlySpan<bool> onCpu)
    {
        ImmutableArray<GraphTensor> tensors = graph.Tensors;
        OpAttributes a = node.Attributes;
        int outId = node.MainOutput;
        int inId = node.MainInput;
        GraphTensor? input = inId >= 0 ? tensors[inId] : null;
        GraphTensor? output = outId >= 0 ? tensors[outId] : null;
        var op = new NpuOp
        {
            Ifm = input is null ? new Shape3(1, 1, 1) : ToShape3(input.Shape),
            Ofm = output is null ? new Shape3(1, 1, 1) : ToShape3(output.Shape),
            KernelH = 1,
            KernelW = 1,
            StrideH = 1,
            StrideW = 1,
            DilationH = 1,
            DilationW = 1,
            IfmBits = Math.Max(8, TensorTypes.BitsPerElement(input?.Type ?? TensorType.Int8)),
            OfmBits = Math.Max(8, TensorTypes.BitsPerElement(output?.Type ?? TensorType.Int8)),
            Output = NpuOutputKind.Conv,
            Activation = ActivationOf(a.FusedActivation),
            Passes = 1,
            IfmNhwc = input is null || IsNhwc(input, onCpu),
            OfmNhwc = output is null || IsNhwc(output, onCpu),
        };

        switch (node.Builtin)
        {
            case BuiltinOperator.CONV_2D:
                op.Type = NpuBlockType.ConvolutionMxN;
                SetWindow(ref op, a);
                SetWeights(ref op, node);
                break;
            case BuiltinOperator.TRANSPOSE_CONV:
                // Vela upscales the IFM by the stride (zero insertion) and runs a stride-1 convolution.
                op.Type = NpuBlockType.ConvolutionMxN;
                SetWindow(ref op, a);
                op.Ifm = new Shape3(op.Ifm.H * Math.Max(1, a.StrideH), op.Ifm.W * Math.Max(1, a.StrideW), op.Ifm.C);
                op.StrideH = 1;
                op.StrideW = 1;
                SetWeights(ref op, node);
                break;
            case BuiltinOperator.DEPTHWISE_CONV_2D:
                op.Type = NpuBlockType.Depthwise;
                SetWindow(ref op, a);
                SetWeights(ref op, node);
                break;
            case BuiltinOperator.FULLY_CONNECTED:
            {
                // Batch rows become the OFM width; the kernel is 1×1 over the input depth.
                op.Type = NpuBlockType.VectorProduct;
                int w = node.WeightTensor;
                ImmutableArray<int> ws = tensors[w].Shape;
                int depth = ws.Length > 0 ? Math.Max(1, ws[^1]) : 1;
                int units = ws.Length > 1 ? Math.Max(1, ws[0]) : 1;
                long inElements = input?.ElementCount ?? depth;
                int rows = (int)Math.Max(1, inElements / depth);
                op.Ifm = new Shape3(1, rows, depth);
                op.Ofm = new Shape3(1, rows, units);
                SetWeights(ref op, node);
                break;
            }
            case BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM:
            {
                // Costed as one vector product per time step over all gate matrices (steps rows, input
                // depth columns, MACs preserved); the gate elementwise work is left out.
                op.Type = NpuBlockType.VectorProduct;
                int depth = input is { Rank: > 0 } ? Math.Max(1, input.Shape[^1]) : 1;
                int rows = (int)Math.Max(1, (input?.ElementCount ?? depth) / depth);
                long units = Math.Max(1, node.Cost.Macs / ((long)rows * depth));
                op.Ifm = new Shape3(1, rows, depth);
                op.Ofm = new Shape3(1, rows, (int)Math.Min(units, 65535));
                op.WeightBytes = node.Cost.WeightBytes;
                op.BiasChannels = op.Ofm.C;
                op.Activation = NpuActivation.Lut;
                break;
            }
            case BuiltinOperator.AVERAGE_POOL_2D:
                op.Type = NpuBlockType.Pooling;
                SetWindow(ref op, a);
                break;
            case BuiltinOperator.MAX_POOL_2D:
                op.Type = NpuBlockType.Pooling;
                op.Output = NpuOutputKind.MaxPool;
                SetWindow(ref op, a);
                break;
            case BuiltinOperator.MEAN:
                // Vela turns a spatial mean into an average pool (or depthwise) over the reduced window.
                op.Type = NpuBlockType.Pooling;
                op.KernelH = Math.Max(1, op.Ifm.H / Math.Max(1, op.Ofm.H));
                op.KernelW = Math.Max(1, op.Ifm.W / Math.Max(1, op.Ofm.W));
                op.StrideH = op.KernelH;
                op.StrideW = op.KernelW;
                break;
            case BuiltinOperator.ARG_MAX:
                op.Type = NpuBlockType.Pooling;
                op.Output = NpuOutputKind.MaxPool;
                op.Passes = 2;
                break;
            case BuiltinOperator.ADD:
            case BuiltinOperator.SUB:
                SetBinary(ref op, graph, node, NpuOutputKind.AddSub);
                break;
            case BuiltinOperator.MUL:
                SetBinary(ref op, graph, node, NpuOutputKind.Mul);
                break;
            case BuiltinOperator.MAXIMUM:
            case BuiltinOperator.MINIMUM:
                SetBinary(ref op, graph, node, NpuOutputKind.Conv);
                break;
            case BuiltinOperator.SQUARED_DIFFERENCE:
            case BuiltinOperator.PRELU:
                SetBinary(ref op, graph, node, NpuOutputKind.Mul);
                op.Passes = DecomposedPasses;
                break;
            case BuiltinOperator.RELU:
            case BuiltinOperator.RELU6:
            case BuiltinOperator.RELU_N1_TO_1:
                op.Type = NpuBlockType.Elementwise;
                op.Activation = NpuActivation.Relu;
                break;
            case BuiltinOperator.LOGISTIC:
            case BuiltinOperator.TANH:
            case BuiltinOperator.EXP:
            case BuiltinOperator.RSQRT:
            case BuiltinOperator.HARD_SWISH:
            case BuiltinOperator.LEAKY_RELU:
                op.Type = NpuBlockType.Elementwise;
                op.Activation = NpuActivation.Lut;
                break;
            case BuiltinOperator.SOFTMAX:
                op.Type = NpuBlockType.Elementwise;
                op.Activation = NpuActivation.Lut;
                op.Passes = SoftmaxPasses;
                break;
            case BuiltinOperator.RESHAPE:
            case BuiltinOperator.SQUEEZE:
            case BuiltinOperator.EXPAND_DIMS:
            case BuiltinOperator.SHAPE:
                op.Type = NpuBlockType.Elided;
                break;
            case BuiltinOperator.RESIZE_BILINEAR:
            case BuiltinOperator.RESIZE_NEAREST_NEIGHBOR:
                // Upscaling runs as a 2×2 average pool over the upscaled map.
                op.Type = NpuBlockType.Pooling;
                op.KernelH = 2;
                op.KernelW = 2;
                op.Ifm = op.Ofm;
                break;
            default:
                // ABS, QUANTIZE and the copies (CONCATENATION, PACK, UNPACK, SPLIT, SPLIT_V, SLICE,
                // STRIDED_SLICE, PAD, TRANSPOSE): one elementwise pass over the output.
                op.Type = NpuBlockType.Elementwise;
                op.Ifm = op.Ofm;
                break;
        }
        return op;
    }

    private static void SetWindow(ref NpuOp op, OpAttributes a)
    {
        op.KernelH = Math.Max(1, a.KernelH);
        op.KernelW = Math.Max(1, a.KernelW);
        op.StrideH = Math.Max(1, a.StrideH);
        op.StrideW = Math.Max(1, a.StrideW);
        op.DilationH = Math.Max(1, a.DilationH);
        op.DilationW = Math.Max(1, a.DilationW);
    }

    private static void SetWeights(ref NpuOp op, OpNode node)
    {
        op.WeightBytes = node.Cost.WeightBytes;
        op.BiasChannels = op.Ofm.C;
    }

    private static void SetBinary(ref NpuOp op, OpGraph graph, OpNode node, NpuOutputKind kind)
    {
        op.Type = NpuBlockType.Elementwise;
        op.Output = kind;
        int second = -1;
        for (int j = 0; j < node.Inputs.Length; j++)
        {
            int id = node.Inputs[j];
            if (id >= 0 && id != node.MainInput)
            {
                second = id;
                break;
            }
        }
        op.Ifm2 = second >= 0 ? ToShape3(graph.Tensors[second].Shape) : op.Ifm;
    }

    private static NpuActivation ActivationOf(ActivationFunctionType act) => act switch
    {
        ActivationFunctionType.Relu or ActivationFunctionType.Relu6 or ActivationFunctionType.ReluN1To1 => NpuActivation.Relu,
        ActivationFunctionType.Tanh => NpuActivation.Lut,
        _ => NpuActivation.None,
    };

    /// <summary>A feature map is NHWC when it is a graph input or output, or touches a CPU operator.</summary>
    private static bool IsNhwc(GraphTensor t, ReadOnlySpan<bool> onCpu)
    {
        if (t.IsGraphInput || t.IsGraphOutput || (t.Producer >= 0 && onCpu[t.Producer]))
        {
            return true;
        }
        foreach (int c in t.Consumers)
        {
            if (onCpu[c])
            {
                return true;
            }
        }
        return false;
    }
}

using System.Collections.Frozen;
using System.Collections.Immutable;
using PerfSage.Graph;
using PerfSage.Tflite;

namespace PerfSage.Targets;

/// <summary>
/// Operator placement on Ethos-U55/U65 by Vela 3.10's support rules (TARGETS §1.7, from <c>SUPPORTED_OPS.md</c>),
/// and the lowering of supported operators to <see cref="NpuOp"/>. An operator that is not in the list, or
/// fails a constraint, runs on the host CPU; the reason names the rule. The Ethos-U85 follows Vela 5.1's list and
/// constraints for it (<c>SUPPORTED_OPS.md</c>, "Ethos-U85 TFLite Summary Table" and "Ethos-U85 TFLite Generic
/// Constraints", Vela 5.1.1), which add the transformer building blocks (BATCH_MATMUL, GATHER, GELU, SELECT, …),
/// comparisons and logical ops, and drop the U55's rank, batch, stride and fused-activation limits.
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

    /// <summary>Operators Vela 5.1 can place on the Ethos-U85 (SUPPORTED_OPS.md, "Ethos-U85 TFLite Summary Table").</summary>
    private static readonly FrozenSet<BuiltinOperator> NpuOpsU85 = new[]
    {
        BuiltinOperator.ABS, BuiltinOperator.ADD, BuiltinOperator.ARG_MAX, BuiltinOperator.AVERAGE_POOL_2D,
        BuiltinOperator.BATCH_MATMUL, BuiltinOperator.CAST, BuiltinOperator.CONCATENATION, BuiltinOperator.CONV_2D,
        BuiltinOperator.DEPTHWISE_CONV_2D, BuiltinOperator.DIV, BuiltinOperator.EQUAL, BuiltinOperator.EXP,
        BuiltinOperator.EXPAND_DIMS, BuiltinOperator.FULLY_CONNECTED, BuiltinOperator.GATHER, BuiltinOperator.GELU,
        BuiltinOperator.GREATER, BuiltinOperator.GREATER_EQUAL, BuiltinOperator.HARD_SWISH, BuiltinOperator.LEAKY_RELU,
        BuiltinOperator.LESS, BuiltinOperator.LESS_EQUAL, BuiltinOperator.LOG, BuiltinOperator.LOGICAL_AND,
        BuiltinOperator.LOGICAL_NOT, BuiltinOperator.LOGICAL_OR, BuiltinOperator.LOGISTIC, BuiltinOperator.MAXIMUM,
        BuiltinOperator.MAX_POOL_2D, BuiltinOperator.MEAN, BuiltinOperator.MINIMUM, BuiltinOperator.MIRROR_PAD,
        BuiltinOperator.MUL, BuiltinOperator.NEG, BuiltinOperator.NOT_EQUAL, BuiltinOperator.PACK, BuiltinOperator.PAD,
        BuiltinOperator.PADV2, BuiltinOperator.PRELU, BuiltinOperator.QUANTIZE, BuiltinOperator.REDUCE_ALL,
        BuiltinOperator.REDUCE_ANY, BuiltinOperator.REDUCE_MAX, BuiltinOperator.REDUCE_MIN, BuiltinOperator.RELU,
        BuiltinOperator.RELU6, BuiltinOperator.RELU_0_TO_1, BuiltinOperator.RELU_N1_TO_1, BuiltinOperator.RESHAPE,
        BuiltinOperator.RESIZE_BILINEAR, BuiltinOperator.RESIZE_NEAREST_NEIGHBOR, BuiltinOperator.REVERSE_V2,
        BuiltinOperator.RSQRT, BuiltinOperator.SCATTER_ND, BuiltinOperator.SELECT, BuiltinOperator.SELECT_V2,
        BuiltinOperator.SLICE, BuiltinOperator.SOFTMAX, BuiltinOperator.SPLIT, BuiltinOperator.SPLIT_V,
        BuiltinOperator.SQUARED_DIFFERENCE, BuiltinOperator.SQUEEZE, BuiltinOperator.STRIDED_SLICE, BuiltinOperator.SUB,
        BuiltinOperator.SUM, BuiltinOperator.TANH, BuiltinOperator.TILE, BuiltinOperator.TRANSPOSE,
        BuiltinOperator.TRANSPOSE_CONV, BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM, BuiltinOperator.UNPACK,
    }.ToFrozenSet();

    /// <summary>Largest tensor axis, and largest batch × height once our U85 lowering folds the leading axes into the
    /// height (assumption: the U85's 16-bit shape registers; Vela's TOSA constraints give axes 1..65536).</summary>
    internal const long MaxAxisU85 = 65536;

    /// <summary>Largest rank of a TRANSPOSE on the U85 ("Tensor dimension must be &lt;= 8").</summary>
    private const int MaxTransposeRankU85 = 8;

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
    public static string? Check(OpGraph graph, OpNode node, EthosUGeneration generation = EthosUGeneration.U55U65)
    {
        if (generation == EthosUGeneration.U85)
        {
            return CheckU85(graph, node);
        }
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

    /// <summary>The Ethos-U85 rules (Vela 5.1.1 SUPPORTED_OPS.md): the U85 list, its generic constraints (feature
    /// maps BOOL, INT8, UINT8, INT16, INT32 or INT64; per-axis quantisation only for CONV_2D, DEPTHWISE_CONV_2D,
    /// FULLY_CONNECTED and TRANSPOSE_CONV) and the operator-specific ones this graph can check.</summary>
    private static string? CheckU85(OpGraph graph, OpNode node)
    {
        if (node.IsCustom)
        {
            return "custom operator: not an Ethos-U operator (Vela leaves it to the CPU)";
        }
        if (!node.IsUnknown && !node.IsSupported)
        {
            return "the graph has no cost rule for this node (its shapes do not fit the operator's rule)";
        }
        if (node.IsUnknown || !NpuOpsU85.Contains(node.Builtin))
        {
            return "operator not in Vela 5.1's Ethos-U85 NPU list (SUPPORTED_OPS.md)";
        }
        BuiltinOperator code = node.Builtin;
        ImmutableArray<GraphTensor> tensors = graph.Tensors;
        foreach ((int id, bool isOutput) in ActivationTensors(node))
        {
            TensorType type = tensors[id].Type;
            if (type is not (TensorType.Bool or TensorType.Int8 or TensorType.UInt8 or TensorType.Int16 or TensorType.Int32 or TensorType.Int64))
            {
                return $"{(isOutput ? "output" : "input")} type {TensorTypes.Name(type)} is not supported on the Ethos-U85 (bool, int8, uint8, int16, int32, int64)";
            }
            ImmutableArray<int> shape = tensors[id].Shape;
            long folded = 1;
            for (int d = 0; d < shape.Length; d++)
            {
                if (shape[d] > MaxAxisU85)
                {
                    return $"{(isOutput ? "output" : "input")} dimension {d} is {shape[d]} (at most {MaxAxisU85})";
                }
                if (d < shape.Length - 2)
                {
                    folded *= Math.Max(1, shape[d]);
                }
            }
            if (folded > MaxAxisU85)
            {
                return $"{(isOutput ? "output" : "input")} leading axes fold to {folded} rows (at most {MaxAxisU85})";
            }
            if (code == BuiltinOperator.TRANSPOSE && shape.Length > MaxTransposeRankU85)
            {
                return $"TRANSPOSE of rank {shape.Length} (at most {MaxTransposeRankU85})";
            }
        }

        bool perAxisAllowed = code is BuiltinOperator.CONV_2D or BuiltinOperator.DEPTHWISE_CONV_2D
            or BuiltinOperator.FULLY_CONNECTED or BuiltinOperator.TRANSPOSE_CONV;
        if (!perAxisAllowed)
        {
            foreach (int id in node.Inputs)
            {
                if (id >= 0 && tensors[id].Quantization is { IsPerChannel: true })
                {
                    return "per-axis quantisation is only supported for CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and TRANSPOSE_CONV";
                }
            }
        }

        OpAttributes a = node.Attributes;
        if (code is BuiltinOperator.AVERAGE_POOL_2D or BuiltinOperator.MAX_POOL_2D
            && (a.KernelH > 256 || a.KernelW > 256 || (long)a.KernelH * a.KernelW > 65536))
        {
            return $"pooling window {a.KernelH}x{a.KernelW} exceeds 256x256";
        }
        if (code == BuiltinOperator.MEAN && node.MainInput >= 0 && tensors[node.MainInput].Shape is { Length: 4 } ms && ms[0] != 1)
        {
            return $"MEAN batch is {ms[0]} (batch 1 only)";
        }
        if (code == BuiltinOperator.SOFTMAX && node.MainInput >= 0)
        {
            Shape3 s3 = ToShape3(tensors[node.MainInput].Shape, foldBatch: true);
            if ((long)s3.H * s3.W >= 65536)
            {
                return $"SOFTMAX over {s3.H}x{s3.W} positions (width × height must be below 65536)";
            }
        }
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

    /// <summary>The activation inputs and the outputs of a node.</summary>
    private static IEnumerable<(int Id, bool IsOutput)> ActivationTensors(OpNode node)
    {
        foreach (int id in node.ActivationInputs)
        {
            yield return (id, false);
        }
        foreach (int id in node.Outputs)
        {
            if (id >= 0)
            {
                yield return (id, true);
            }
        }
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

    /// <summary>The last three axes as H, W, C; with <paramref name="foldBatch"/> (U85, which runs any batch) every
    /// leading axis is folded into H (bounded by <see cref="CheckU85"/>).</summary>
    private static Shape3 ToShape3(ImmutableArray<int> s, bool foldBatch = false)
    {
        Shape3 shape = s.Length switch
        {
            0 => new Shape3(1, 1, 1),
            1 => new Shape3(1, 1, Math.Max(1, s[0])),
            2 => new Shape3(1, Math.Max(1, s[0]), Math.Max(1, s[1])),
            3 => new Shape3(Math.Max(1, s[0]), Math.Max(1, s[1]), Math.Max(1, s[2])),
            _ => new Shape3(Math.Max(1, s[^3]), Math.Max(1, s[^2]), Math.Max(1, s[^1])),
        };
        if (foldBatch && s.Length > 3)
        {
            long h = shape.H;
            for (int d = 0; d < s.Length - 3; d++)
            {
                h *= Math.Max(1, s[d]);
            }
            shape = shape with { H = (int)Math.Min(h, int.MaxValue) };
        }
        return shape;
    }

    /// <summary>Lowers a node that passed <see cref="Check"/>; <paramref name="onCpu"/> says, per node, which
    /// operators run on the CPU (their feature maps stay NHWC).</summary>
    public static NpuOp Lower(OpGraph graph, OpNode node, ReadOnlySpan<bool> onCpu, EthosUGeneration generation = EthosUGeneration.U55U65)
    {
        bool u85 = generation == EthosUGeneration.U85;
        ImmutableArray<GraphTensor> tensors = graph.Tensors;
        OpAttributes a = node.Attributes;
        int outId = node.MainOutput;
        int inId = node.MainInput;
        GraphTensor? input = inId >= 0 ? tensors[inId] : null;
        GraphTensor? output = outId >= 0 ? tensors[outId] : null;
        var op = new NpuOp
        {
            Ifm = input is null ? new Shape3(1, 1, 1) : ToShape3(input.Shape, u85),
            Ofm = output is null ? new Shape3(1, 1, 1) : ToShape3(output.Shape, u85),
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

        if (u85 && LowerU85(ref op, graph, node))
        {
            return op;
        }
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

    /// <summary>The Ethos-U85 lowerings that differ from the U55's (Vela 4.x/5.x regor, <c>ArchEthosU85::GetHWOp</c>):
    /// matmul runs as a vector product with a second IFM; GATHER, SCATTER_ND and TILE run as DMA, and RESIZE as the
    /// resize unit, which Vela gives no compute cycles; activations, QUANTIZE, CAST, TRANSPOSE, REVERSE and the memory
    /// copies (concatenation, pack, split, slice, pad) run as a 1×1 average-pool NOP (<c>UseAvgPoolNop</c>);
    /// comparisons, logical ops and SELECT are elementwise. False when the shared lowering applies.</summary>
    private static bool LowerU85(ref NpuOp op, OpGraph graph, OpNode node)
    {
        ImmutableArray<GraphTensor> tensors = graph.Tensors;
        switch (node.Builtin)
        {
            case BuiltinOperator.BATCH_MATMUL:
            {
                // A [.., M, K] × B [.., K, N]: a vector product per batch row of M rows of K (MACs = output elements · K),
                // the batches as the height (each axis and the folded batch are at most 65536, see CheckU85).
                op.Type = NpuBlockType.VectorProduct;
                long k = node.Cost.Macs > 0 && op.Ofm.Elements > 0 ? Math.Max(1, node.Cost.Macs / op.Ofm.Elements) : 1;
                int kk = (int)Math.Min(k, MaxAxisU85);
                op.Ifm = new Shape3(op.Ofm.H, op.Ofm.W, kk);
                int second = node.Inputs.Length > 1 ? node.Inputs[1] : -1;
                long secondElements = second >= 0 ? tensors[second].ElementCount : k * op.Ofm.C;
                long secondRows = Math.Max(1, secondElements / Math.Max(1, op.Ofm.C));
                op.Ifm2 = new Shape3(1, (int)Math.Min(secondRows, int.MaxValue), op.Ofm.C);
                return true;
            }
            case BuiltinOperator.RESHAPE:
            case BuiltinOperator.SQUEEZE:
            case BuiltinOperator.EXPAND_DIMS:
                // Elided, unless it joins a graph input straight to a graph output: then the NPU must copy it
                // (assumption: Vela inserts a memory copy there [recall]), costed as the average-pool NOP.
                if (node.MainInput >= 0 && tensors[node.MainInput].IsGraphInput && node.MainOutput >= 0
                    && tensors[node.MainOutput].IsGraphOutput)
                {
                    SetPoolNop(ref op, op.Activation);
                    return true;
                }
                return false;
            case BuiltinOperator.GATHER:
            case BuiltinOperator.SCATTER_ND:
            case BuiltinOperator.TILE:
                op.Type = NpuBlockType.Dma;
                op.Ifm = op.Ofm;
                return true;
            case BuiltinOperator.RESIZE_BILINEAR:
            case BuiltinOperator.RESIZE_NEAREST_NEIGHBOR:
                op.Type = NpuBlockType.Dma;
                return true;
            case BuiltinOperator.RELU:
            case BuiltinOperator.RELU6:
            case BuiltinOperator.RELU_N1_TO_1:
            case BuiltinOperator.RELU_0_TO_1:
                SetPoolNop(ref op, NpuActivation.Relu);
                return true;
            case BuiltinOperator.LOGISTIC:
            case BuiltinOperator.TANH:
            case BuiltinOperator.EXP:
            case BuiltinOperator.LOG:
            case BuiltinOperator.RSQRT:
            case BuiltinOperator.HARD_SWISH:
            case BuiltinOperator.LEAKY_RELU:
            case BuiltinOperator.GELU:
                SetPoolNop(ref op, NpuActivation.Lut);
                return true;
            case BuiltinOperator.QUANTIZE:
            case BuiltinOperator.CAST:
            case BuiltinOperator.TRANSPOSE:
            case BuiltinOperator.REVERSE_V2:
            case BuiltinOperator.CONCATENATION:
            case BuiltinOperator.PACK:
            case BuiltinOperator.UNPACK:
            case BuiltinOperator.SPLIT:
            case BuiltinOperator.SPLIT_V:
            case BuiltinOperator.SLICE:
            case BuiltinOperator.STRIDED_SLICE:
            case BuiltinOperator.PAD:
            case BuiltinOperator.PADV2:
            case BuiltinOperator.MIRROR_PAD:
                SetPoolNop(ref op, op.Activation);
                return true;
            case BuiltinOperator.EQUAL:
            case BuiltinOperator.NOT_EQUAL:
            case BuiltinOperator.GREATER:
            case BuiltinOperator.GREATER_EQUAL:
            case BuiltinOperator.LESS:
            case BuiltinOperator.LESS_EQUAL:
            case BuiltinOperator.LOGICAL_AND:
            case BuiltinOperator.LOGICAL_OR:
            case BuiltinOperator.SELECT:
            case BuiltinOperator.SELECT_V2:
                SetBinary(ref op, graph, node, NpuOutputKind.Conv);
                return true;
            case BuiltinOperator.DIV:
                // Assumption: a reciprocal and a multiply, like the decomposed U55 ops.
                SetBinary(ref op, graph, node, NpuOutputKind.Mul);
                op.Passes = DecomposedPasses;
                return true;
            case BuiltinOperator.ABS:
            case BuiltinOperator.NEG:
            case BuiltinOperator.LOGICAL_NOT:
                op.Type = NpuBlockType.Elementwise;
                return true;
            case BuiltinOperator.SUM:
            case BuiltinOperator.REDUCE_MAX:
            case BuiltinOperator.REDUCE_MIN:
            case BuiltinOperator.REDUCE_ANY:
            case BuiltinOperator.REDUCE_ALL:
                // A pooling-like reduction over the reduced window (as MEAN below; assumption for SUM, which Vela runs as
                // ReduceSum, a convolution-like op).
                op.Type = NpuBlockType.Pooling;
                op.Output = node.Builtin == BuiltinOperator.SUM ? NpuOutputKind.Conv : NpuOutputKind.MaxPool;
                op.KernelH = Math.Max(1, op.Ifm.H / Math.Max(1, op.Ofm.H));
                op.KernelW = Math.Max(1, op.Ifm.W / Math.Max(1, op.Ofm.W));
                op.StrideH = op.KernelH;
                op.StrideW = op.KernelW;
                return true;
            default:
                return false;
        }
    }

    /// <summary>A 1×1 average pool over the output, with <paramref name="activation"/> fused.</summary>
    private static void SetPoolNop(ref NpuOp op, NpuActivation activation)
    {
        op.Type = NpuBlockType.Pooling;
        op.Ifm = op.Ofm;
        op.Activation = activation;
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

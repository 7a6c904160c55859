using System.Collections.Frozen;
using System.Collections.Immutable;
using PerfSage.Graph;
using PerfSage.Tflite;

namespace PerfSage.Targets;

/// <summary>
/// Which operators the TFLite GPU delegate runs (TARGETS §3). The documented list
/// (tensorflow.org/lite/performance/gpu) is extended with operators the delegate's model builder also
/// accepts in TF 2.x releases [recall, not re-checked]: QUANTIZE/DEQUANTIZE (quantised models run with
/// dequantised weights), HARD_SWISH, TANH, MEAN, DIV, SQUARED_DIFFERENCE, SQRT, RSQRT, ABS, SPLIT, SLICE,
/// TRANSPOSE, SPACE_TO_DEPTH, DEPTH_TO_SPACE, RESIZE_NEAREST_NEIGHBOR, LEAKY_RELU, RELU_N1_TO_1.
/// </summary>
internal static class GpuSupport
{
    private static readonly FrozenSet<BuiltinOperator> Documented = new[]
    {
        BuiltinOperator.ADD, BuiltinOperator.AVERAGE_POOL_2D, BuiltinOperator.CONCATENATION, BuiltinOperator.CONV_2D,
        BuiltinOperator.DEPTHWISE_CONV_2D, BuiltinOperator.EXP, BuiltinOperator.FULLY_CONNECTED, BuiltinOperator.LOGISTIC,
        BuiltinOperator.LSTM, BuiltinOperator.MAX_POOL_2D, BuiltinOperator.MAXIMUM, BuiltinOperator.MINIMUM,
        BuiltinOperator.MUL, BuiltinOperator.PAD, BuiltinOperator.PRELU, BuiltinOperator.RELU, BuiltinOperator.RELU6,
        BuiltinOperator.RESHAPE, BuiltinOperator.RESIZE_BILINEAR, BuiltinOperator.SOFTMAX, BuiltinOperator.STRIDED_SLICE,
        BuiltinOperator.SUB, BuiltinOperator.TRANSPOSE_CONV,
    }.ToFrozenSet();

    private static readonly FrozenSet<BuiltinOperator> Recalled = new[]
    {
        BuiltinOperator.QUANTIZE, BuiltinOperator.DEQUANTIZE, BuiltinOperator.HARD_SWISH, BuiltinOperator.TANH,
        BuiltinOperator.MEAN, BuiltinOperator.DIV, BuiltinOperator.SQUARED_DIFFERENCE, BuiltinOperator.SQRT,
        BuiltinOperator.RSQRT, BuiltinOperator.ABS, BuiltinOperator.SPLIT, BuiltinOperator.SLICE, BuiltinOperator.TRANSPOSE,
        BuiltinOperator.SPACE_TO_DEPTH, BuiltinOperator.DEPTH_TO_SPACE, BuiltinOperator.RESIZE_NEAREST_NEIGHBOR,
        BuiltinOperator.LEAKY_RELU, BuiltinOperator.RELU_N1_TO_1,
    }.ToFrozenSet();

    /// <summary>Why the delegate would leave <paramref name="node"/> to the CPU, or null when it runs it.</summary>
    public static string? Check(OpGraph graph, OpNode node)
    {
        if (node.IsCustom)
        {
            return "custom operator: the GPU delegate has no kernel for it";
        }
        if (!node.IsUnknown && !node.IsSupported)
        {
            return "the graph has no cost rule for this node (its shapes do not fit the operator's rule)";
        }
        if (node.IsUnknown || !(Documented.Contains(node.Builtin) || Recalled.Contains(node.Builtin)))
        {
            return "operator not supported by the TFLite GPU delegate";
        }
        ImmutableArray<GraphTensor> tensors = graph.Tensors;
        foreach (int id in node.ActivationInputs)
        {
            string? bad = CheckTensor(tensors[id], "input");
            if (bad is not null)
            {
                return bad;
            }
        }
        foreach (int id in node.Outputs)
        {
            if (id >= 0)
            {
                string? bad = CheckTensor(tensors[id], "output");
                if (bad is not null)
                {
                    return bad;
                }
            }
        }
        return null;
    }

    private static string? CheckTensor(GraphTensor t, string what)
    {
        if (t.Type is not (TensorType.Float32 or TensorType.Float16 or TensorType.Int8 or TensorType.UInt8))
        {
            return $"{what} type {TensorTypes.Name(t.Type)} is not supported (float32, float16, or int8/uint8 run dequantised)";
        }
        if (t.Rank > 4)
        {
            return $"{what} has rank {t.Rank} (at most 4)";
        }
        if (t.Rank == 4 && t.Shape[0] != 1)
        {
            return $"{what} batch is {t.Shape[0]} (batch 1 only)";
        }
        return null;
    }

    /// <summary>Elementwise operators the delegate fuses into the kernel that produces their input.</summary>
    public static bool IsFusableElementwise(OpNode node) => node.Family switch
    {
        OpFamily.ElementwiseUnary => true,
        OpFamily.ElementwiseBinary => true,
        OpFamily.Conversion => true,
        _ => false,
    };
}

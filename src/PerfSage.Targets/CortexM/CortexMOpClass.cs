using PerfSage.Graph;
using PerfSage.Tflite;

namespace PerfSage.Targets;

/// <summary>The cost classes of the Cortex-M model: each has its own coefficients per core and stack.</summary>
public enum CortexMOpClass
{
    /// <summary>CONV_2D, TRANSPOSE_CONV (and 3-D convolutions, which TFLM lacks: see the estimator).</summary>
    Conv,
    /// <summary>DEPTHWISE_CONV_2D.</summary>
    Depthwise,
    /// <summary>FULLY_CONNECTED, BATCH_MATMUL and recurrent cells (LSTM, RNN, SVDF): matrix-vector work.</summary>
    FullyConnected,
    /// <summary>AVERAGE_POOL_2D, MAX_POOL_2D, L2_POOL_2D.</summary>
    Pool,
    /// <summary>Binary elementwise arithmetic and comparison (ADD, SUB, MUL, MAXIMUM, …).</summary>
    Binary,
    /// <summary>Unary elementwise maths and activations (RELU, LOGISTIC, TANH, HARD_SWISH, …).</summary>
    Unary,
    /// <summary>SOFTMAX, LOG_SOFTMAX and the normalisations.</summary>
    Softmax,
    /// <summary>MEAN, SUM, REDUCE_*, ARG_MAX/ARG_MIN.</summary>
    Reduction,
    /// <summary>QUANTIZE, DEQUANTIZE, CAST.</summary>
    Conversion,
    /// <summary>RESHAPE, SQUEEZE, EXPAND_DIMS: at most a copy of the bytes.</summary>
    Reshape,
    /// <summary>Other layout and copy operators (CONCATENATION, PAD, TRANSPOSE, SLICE, GATHER, RESIZE_*, …).</summary>
    DataMovement,
    /// <summary>The fallback for operators without a cost rule (custom, unknown): a cost per byte touched.</summary>
    Other,
}

/// <summary>Maps graph nodes to <see cref="CortexMOpClass"/> and classes to their JSON keys.</summary>
public static class CortexMOpClasses
{
    /// <summary>Number of classes (the length of a coefficient table).</summary>
    public const int Count = (int)CortexMOpClass.Other + 1;

    /// <summary>The JSON key of a class (<c>fully_connected</c>).</summary>
    public static string Key(CortexMOpClass opClass) => opClass switch
    {
        CortexMOpClass.Conv => "conv",
        CortexMOpClass.Depthwise => "depthwise",
        CortexMOpClass.FullyConnected => "fully_connected",
        CortexMOpClass.Pool => "pool",
        CortexMOpClass.Binary => "binary",
        CortexMOpClass.Unary => "unary",
        CortexMOpClass.Softmax => "softmax",
        CortexMOpClass.Reduction => "reduction",
        CortexMOpClass.Conversion => "conversion",
        CortexMOpClass.Reshape => "reshape",
        CortexMOpClass.DataMovement => "data_movement",
        CortexMOpClass.Other => "other",
        _ => throw new ArgumentOutOfRangeException(nameof(opClass), opClass, null),
    };

    /// <summary>The class a node is costed under; <see cref="CortexMOpClass.Other"/> for nodes without a
    /// cost rule (the estimator lists those as unsupported).</summary>
    public static CortexMOpClass Of(OpNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.Family switch
        {
            OpFamily.Conv2D or OpFamily.TransposeConv or OpFamily.Conv3D or OpFamily.Conv3DTranspose => CortexMOpClass.Conv,
            OpFamily.DepthwiseConv2D => CortexMOpClass.Depthwise,
            OpFamily.FullyConnected or OpFamily.BatchMatMul or OpFamily.Recurrent => CortexMOpClass.FullyConnected,
            OpFamily.Pool => CortexMOpClass.Pool,
            OpFamily.ElementwiseBinary => CortexMOpClass.Binary,
            OpFamily.ElementwiseUnary => CortexMOpClass.Unary,
            OpFamily.Normalization => CortexMOpClass.Softmax,
            OpFamily.Reduction => CortexMOpClass.Reduction,
            OpFamily.Conversion => CortexMOpClass.Conversion,
            OpFamily.DataMovement => IsReshapeLike(node.Builtin) && !node.IsCustom && !node.IsUnknown
                ? CortexMOpClass.Reshape : CortexMOpClass.DataMovement,
            _ => CortexMOpClass.Other,
        };
    }

    private static bool IsReshapeLike(BuiltinOperator op) =>
        op is BuiltinOperator.RESHAPE or BuiltinOperator.SQUEEZE or BuiltinOperator.EXPAND_DIMS;
}

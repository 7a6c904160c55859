namespace PerfSage.Graph;

/// <summary>The cost rule an operator falls under (see <see cref="OpSemantics"/>).</summary>
public enum OpFamily
{
    /// <summary>No cost rule: unknown codes, custom ops and builtins without a rule. MACs are 0 and
    /// the node is flagged <see cref="OpNode.IsSupported"/> = false.</summary>
    Unsupported = 0,
    Conv2D,
    DepthwiseConv2D,
    TransposeConv,
    Conv3D,
    Conv3DTranspose,
    FullyConnected,
    BatchMatMul,
    /// <summary>LSTM, RNN and SVDF cells (and their sequence / bidirectional forms).</summary>
    Recurrent,
    /// <summary>AVERAGE_POOL_2D, MAX_POOL_2D, L2_POOL_2D.</summary>
    Pool,
    /// <summary>Binary elementwise arithmetic and comparison (ADD, MUL, SUB, DIV, MAXIMUM, …).</summary>
    ElementwiseBinary,
    /// <summary>Unary elementwise maths and activations (RELU, LOGISTIC, HARD_SWISH, EXP, …).</summary>
    ElementwiseUnary,
    /// <summary>SOFTMAX, LOG_SOFTMAX, L2_NORMALIZATION, LOCAL_RESPONSE_NORMALIZATION.</summary>
    Normalization,
    /// <summary>MEAN, SUM, REDUCE_MAX/MIN/PROD/ANY/ALL, ARG_MAX/ARG_MIN.</summary>
    Reduction,
    /// <summary>QUANTIZE, DEQUANTIZE, CAST: one conversion per element.</summary>
    Conversion,
    /// <summary>Layout and copying ops (RESHAPE, TRANSPOSE, CONCATENATION, PAD, SLICE, GATHER, RESIZE_*, …).</summary>
    DataMovement,
}

/// <summary>What an operator input is, for costing.</summary>
public enum InputRole
{
    /// <summary>The input slot is omitted (tensor index -1).</summary>
    Omitted = 0,
    /// <summary>A non-constant tensor (activations, state, non-constant weights such as DEQUANTIZE outputs).</summary>
    Activation,
    /// <summary>A constant weight (filter, matrix, constant operand, table).</summary>
    Weight,
    /// <summary>A constant bias.</summary>
    Bias,
    /// <summary>A constant describing the op rather than data (shapes, axes, paddings, indices): not a
    /// parameter, not counted in weight bytes.</summary>
    Meta,
}

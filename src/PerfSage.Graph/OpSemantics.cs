using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Runtime.InteropServices;
using PerfSage.Tflite;

namespace PerfSage.Graph;

/// <summary>
/// What each operator means for costing: its family, which input is the activation, the weights, the
/// bias, and the formulas for its work. All formulas use tensor shapes only (never tensor data, except
/// one axis value read from a small constant).
/// <list type="bullet">
/// <item>CONV_2D: MACs = N·Ho·Wo·Co·Kh·Kw·Cf with filter [Co, Kh, Kw, Cf]; Cf is the filter depth, so grouped
/// convolutions (input depth = groups·Cf) are counted per group.</item>
/// <item>DEPTHWISE_CONV_2D: MACs = N·Ho·Wo·Co·Kh·Kw with filter [1, Kh, Kw, Co].</item>
/// <item>TRANSPOSE_CONV: MACs = N·Hi·Wi·Ci·Kh·Kw·Co with filter [Co, Kh, Kw, Ci] (every input element is
/// scattered through the whole kernel).</item>
/// <item>CONV_3D: MACs = output elements·Kd·Kh·Kw·Ci with filter [Kd, Kh, Kw, Ci, Co];
/// CONV_3D_TRANSPOSE: input elements·Kd·Kh·Kw·Co with filter [Kd, Kh, Kw, Co, Ci].</item>
/// <item>FULLY_CONNECTED: MACs = rows·units·K with weights [units, K] and rows = input elements / K.</item>
/// <item>BATCH_MATMUL: MACs = output elements·K, K the contracted dimension of the first input
/// (its last dimension, or the one before when adj_x).</item>
/// <item>LSTM / RNN / SVDF (and sequence and bidirectional forms): MACs = steps·(elements of all weight
/// matrices and vectors), steps = input elements / input depth (batch·time): each weight element is used
/// once per step. Biases and states are excluded.</item>
/// <item>Pooling: no MACs; element ops = output elements·Kh·Kw (window taps). MLPerf Tiny's and Vela's
/// conv/FC MAC totals leave pooling out, and so does <see cref="OpCost.Macs"/>.</item>
/// <item>Elementwise, activation and conversion ops: element ops = output elements. Softmax-like
/// normalisations and reductions: element ops = input elements. Data movement: 0.</item>
/// <item>Custom, unknown and builtins without a rule: no MACs, no element ops, flagged unsupported; their
/// bytes are still counted. So is an operator whose tensors do not fit its rule (a CONV_2D filter that is
/// not 4-D, as in loader test files): <see cref="OpNode.UnsupportedReason"/> says why.</item>
/// </list>
/// Bytes: activations read = bytes of non-constant inputs; written = bytes of outputs; weight and bias
/// bytes = bytes of constant inputs in those roles (see <see cref="InputRole"/>). Constant inputs outside
/// a declared weight or bias slot are weights when they hold data types (float, int8, …) and meta
/// (shapes, axes, indices) when they are INT32, INT64 or BOOL.
/// </summary>
public static class OpSemantics
{
    /// <summary>The cost family of builtin code <paramref name="opCode"/>; custom and unknown codes are
    /// <see cref="OpFamily.Unsupported"/>.</summary>
    public static OpFamily FamilyOf(int opCode)
    {
        if (opCode < 0 || opCode > OperatorCode.MaxKnownCode)
        {
            return OpFamily.Unsupported;
        }
        return (BuiltinOperator)opCode switch
        {
            BuiltinOperator.CONV_2D => OpFamily.Conv2D,
            BuiltinOperator.DEPTHWISE_CONV_2D => OpFamily.DepthwiseConv2D,
            BuiltinOperator.TRANSPOSE_CONV => OpFamily.TransposeConv,
            BuiltinOperator.CONV_3D => OpFamily.Conv3D,
            BuiltinOperator.CONV_3D_TRANSPOSE => OpFamily.Conv3DTranspose,
            BuiltinOperator.FULLY_CONNECTED => OpFamily.FullyConnected,
            BuiltinOperator.BATCH_MATMUL => OpFamily.BatchMatMul,
            BuiltinOperator.LSTM or BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM
                or BuiltinOperator.BIDIRECTIONAL_SEQUENCE_LSTM or BuiltinOperator.RNN
                or BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_RNN or BuiltinOperator.BIDIRECTIONAL_SEQUENCE_RNN
                or BuiltinOperator.SVDF => OpFamily.Recurrent,
            BuiltinOperator.AVERAGE_POOL_2D or BuiltinOperator.MAX_POOL_2D or BuiltinOperator.L2_POOL_2D => OpFamily.Pool,
            BuiltinOperator.ADD or BuiltinOperator.SUB or BuiltinOperator.MUL or BuiltinOperator.DIV
                or BuiltinOperator.FLOOR_DIV or BuiltinOperator.FLOOR_MOD or BuiltinOperator.MAXIMUM
                or BuiltinOperator.MINIMUM or BuiltinOperator.POW or BuiltinOperator.SQUARED_DIFFERENCE
                or BuiltinOperator.LESS or BuiltinOperator.LESS_EQUAL or BuiltinOperator.GREATER
                or BuiltinOperator.GREATER_EQUAL or BuiltinOperator.EQUAL or BuiltinOperator.NOT_EQUAL
                or BuiltinOperator.LOGICAL_AND or BuiltinOperator.LOGICAL_OR or BuiltinOperator.SELECT
                or BuiltinOperator.SELECT_V2 or BuiltinOperator.ADD_N or BuiltinOperator.PRELU
                or BuiltinOperator.ATAN2 or BuiltinOperator.BITWISE_XOR or BuiltinOperator.RIGHT_SHIFT
                => OpFamily.ElementwiseBinary,
            BuiltinOperator.RELU or BuiltinOperator.RELU6 or BuiltinOperator.RELU_N1_TO_1
                or BuiltinOperator.RELU_0_TO_1 or BuiltinOperator.LOGISTIC or BuiltinOperator.TANH
                or BuiltinOperator.HARD_SWISH or BuiltinOperator.LEAKY_RELU or BuiltinOperator.ELU
                or BuiltinOperator.GELU or BuiltinOperator.EXP or BuiltinOperator.LOG or BuiltinOperator.SQRT
                or BuiltinOperator.RSQRT or BuiltinOperator.SQUARE or BuiltinOperator.ABS or BuiltinOperator.NEG
                or BuiltinOperator.SIN or BuiltinOperator.COS or BuiltinOperator.FLOOR or BuiltinOperator.CEIL
                or BuiltinOperator.ROUND or BuiltinOperator.SIGN or BuiltinOperator.LOGICAL_NOT
                => OpFamily.ElementwiseUnary,
            BuiltinOperator.SOFTMAX or BuiltinOperator.LOG_SOFTMAX or BuiltinOperator.L2_NORMALIZATION
                or BuiltinOperator.LOCAL_RESPONSE_NORMALIZATION => OpFamily.Normalization,
            BuiltinOperator.MEAN or BuiltinOperator.SUM or BuiltinOperator.REDUCE_MAX or BuiltinOperator.REDUCE_MIN
                or BuiltinOperator.REDUCE_PROD or BuiltinOperator.REDUCE_ANY or BuiltinOperator.REDUCE_ALL
                or BuiltinOperator.ARG_MAX or BuiltinOperator.ARG_MIN or BuiltinOperator.CUMSUM => OpFamily.Reduction,
            BuiltinOperator.QUANTIZE or BuiltinOperator.DEQUANTIZE or BuiltinOperator.CAST
                or BuiltinOperator.FAKE_QUANT => OpFamily.Conversion,
            BuiltinOperator.RESHAPE or BuiltinOperator.SQUEEZE or BuiltinOperator.EXPAND_DIMS
                or BuiltinOperator.TRANSPOSE or BuiltinOperator.CONCATENATION or BuiltinOperator.PACK
                or BuiltinOperator.UNPACK or BuiltinOperator.SPLIT or BuiltinOperator.SPLIT_V
                or BuiltinOperator.SLICE or BuiltinOperator.STRIDED_SLICE or BuiltinOperator.PAD
                or BuiltinOperator.PADV2 or BuiltinOperator.MIRROR_PAD or BuiltinOperator.GATHER
                or BuiltinOperator.GATHER_ND or BuiltinOperator.TILE or BuiltinOperator.BROADCAST_TO
                or BuiltinOperator.RESIZE_BILINEAR or BuiltinOperator.RESIZE_NEAREST_NEIGHBOR
                or BuiltinOperator.SPACE_TO_DEPTH or BuiltinOperator.DEPTH_TO_SPACE
                or BuiltinOperator.SPACE_TO_BATCH_ND or BuiltinOperator.BATCH_TO_SPACE_ND
                or BuiltinOperator.REVERSE_V2 or BuiltinOperator.SHAPE or BuiltinOperator.RANK
                or BuiltinOperator.FILL or BuiltinOperator.ZEROS_LIKE or BuiltinOperator.EMBEDDING_LOOKUP
                or BuiltinOperator.ONE_HOT or BuiltinOperator.BROADCAST_ARGS
                or BuiltinOperator.DYNAMIC_UPDATE_SLICE or BuiltinOperator.SCATTER_ND => OpFamily.DataMovement,
            _ => OpFamily.Unsupported,
        };
    }

    /// <summary>True when a cost rule covers builtin code <paramref name="opCode"/>.</summary>
    public static bool IsSupported(int opCode) => FamilyOf(opCode) != OpFamily.Unsupported;

    /// <summary>Fills the node's family, roles, shapes, attributes and cost. Called once per node
    /// while the graph is built. Costs are summed and multiplied with overflow checks: a cost past 64 bits
    /// throws <see cref="OverflowException"/>, which the caller turns into an <see cref="OpGraphException"/>
    /// naming the operator.</summary>
    internal static void Annotate(OpNode node, ImmutableArray<GraphTensor> tensors)
    {
        OpFamily family = node.IsCustom || node.IsUnknown ? OpFamily.Unsupported : FamilyOf(node.OpCode);
        node.Family = family;
        SlotLayout layout = node.IsCustom || node.IsUnknown ? SlotLayout.Default : SlotLayout.For(node.Builtin);
        ImmutableArray<int> inputs = node.Inputs;

        // Roles, activation and constant inputs, weight and bias bytes.
        var roles = new InputRole[inputs.Length];
        int activationCount = 0;
        int constantCount = 0;
        long activationRead = 0, weightBytes = 0, biasBytes = 0, weightElements = 0, biasElements = 0;
        for (int j = 0; j < inputs.Length; j++)
        {
            int id = inputs[j];
            if (id < 0)
            {
                roles[j] = InputRole.Omitted;
                continue;
            }
            GraphTensor t = tensors[id];
            InputRole role = RoleOf(layout, j, t);
            roles[j] = role;
            switch (role)
            {
                case InputRole.Activation:
                    activationCount++;
                    activationRead = checked(activationRead + t.SizeBytes);
                    break;
                case InputRole.Weight:
                    constantCount++;
                    weightBytes = checked(weightBytes + t.SizeBytes);
                    weightElements = checked(weightElements + t.ElementCount);
                    break;
                case InputRole.Bias:
                    constantCount++;
                    biasBytes = checked(biasBytes + t.SizeBytes);
                    biasElements = checked(biasElements + t.ElementCount);
                    break;
                default:
                    constantCount++;
                    break;
            }
        }
        var activationInputs = new int[activationCount];
        var constantInputs = new int[constantCount];
        int ai = 0, ci = 0;
        for (int j = 0; j < inputs.Length; j++)
        {
            if (roles[j] == InputRole.Activation)
            {
                activationInputs[ai++] = inputs[j];
            }
            else if (roles[j] != InputRole.Omitted)
            {
                constantInputs[ci++] = inputs[j];
            }
        }
        node.InputRoles = ImmutableCollectionsMarshal.AsImmutableArray(roles);
        node.ActivationInputs = ImmutableCollectionsMarshal.AsImmutableArray(activationInputs);
        node.ConstantInputs = ImmutableCollectionsMarshal.AsImmutableArray(constantInputs);

        // Main input: the family's activation slot when it holds a non-constant tensor, else the first
        // non-constant input.
        int main = -1;
        if (layout.Main < inputs.Length && inputs[layout.Main] >= 0 && roles[layout.Main] == InputRole.Activation)
        {
            main = inputs[layout.Main];
        }
        else if (activationCount > 0)
        {
            main = activationInputs[0];
        }
        node.MainInput = main;
        node.WeightTensor = SlotLayout.FirstPresent(inputs, layout.WeightMask);
        node.BiasTensor = SlotLayout.FirstPresent(inputs, layout.BiasMask);
        int mainOut = node.MainOutput;
        node.InputShape = main >= 0 ? tensors[main].Shape : [];
        node.OutputShape = mainOut >= 0 ? tensors[mainOut].Shape : [];
        node.DType = main >= 0 ? tensors[main].Type
            : mainOut >= 0 ? tensors[mainOut].Type
            : TensorType.Float32;
        node.WeightDType = node.WeightTensor >= 0 ? tensors[node.WeightTensor].Type : null;

        long outputElements = 0, written = 0;
        ImmutableArray<int> outputs = node.Outputs;
        for (int j = 0; j < outputs.Length; j++)
        {
            int id = outputs[j];
            if (id >= 0)
            {
                outputElements = checked(outputElements + tensors[id].ElementCount);
                written = checked(written + tensors[id].SizeBytes);
            }
        }

        node.Attributes = Normalise(node, tensors, family);

        long inElements = main >= 0 ? tensors[main].ElementCount : 0;
        long mainOutElements = mainOut >= 0 ? tensors[mainOut].ElementCount : 0;
        long macs = 0, elementOps = 0;
        string? problem = null;
        ImmutableArray<int> f;
        switch (family)
        {
            case OpFamily.Conv2D:
                if ((problem = Filter(node, tensors, 4, out f)) is null)
                {
                    macs = checked(mainOutElements * f[1] * f[2] * f[3]);
                }
                break;
            case OpFamily.DepthwiseConv2D:
                if ((problem = Filter(node, tensors, 4, out f)) is null)
                {
                    macs = checked(mainOutElements * f[1] * f[2]);
                }
                break;
            case OpFamily.TransposeConv:
                if ((problem = Filter(node, tensors, 4, out f)) is null)
                {
                    macs = checked(inElements * f[0] * f[1] * f[2]);
                }
                break;
            case OpFamily.Conv3D:
                if ((problem = Filter(node, tensors, 5, out f)) is null)
                {
                    macs = checked(mainOutElements * f[0] * f[1] * f[2] * f[3]);
                }
                break;
            case OpFamily.Conv3DTranspose:
                if ((problem = Filter(node, tensors, 5, out f)) is null)
                {
                    macs = checked(inElements * f[0] * f[1] * f[2] * f[3]);
                }
                break;
            case OpFamily.FullyConnected:
                problem = FullyConnectedMacs(node, tensors, inElements, out macs);
                break;
            case OpFamily.BatchMatMul:
                macs = BatchMatMulMacs(node, tensors, mainOutElements);
                break;
            case OpFamily.Recurrent:
                macs = RecurrentMacs(node, tensors, layout, inElements);
                break;
            case OpFamily.Pool:
                elementOps = checked(mainOutElements * node.Attributes.KernelH * node.Attributes.KernelW);
                break;
            case OpFamily.ElementwiseBinary:
            case OpFamily.ElementwiseUnary:
            case OpFamily.Conversion:
                elementOps = outputElements;
                break;
            case OpFamily.Normalization:
            case OpFamily.Reduction:
                elementOps = inElements;
                break;
            default:
                break;
        }
        if (problem is not null)
        {
            // The tensors do not fit the rule (seen in loader test files that are never run): cost no work,
            // flag the node, say why.
            node.Family = OpFamily.Unsupported;
            node.UnsupportedReason = problem;
        }
        else if (family == OpFamily.Unsupported)
        {
            node.UnsupportedReason = node.IsCustom ? "custom operator"
                : node.IsUnknown ? "operator code newer than the schema this build knows"
                : "no cost rule for " + node.TypeName;
        }

        node.Cost = new OpCost(macs, elementOps, outputElements, activationRead, written,
            weightBytes, biasBytes, weightElements, checked(weightElements + biasElements));
    }

    private static InputRole RoleOf(SlotLayout layout, int slot, GraphTensor t)
    {
        if (!t.IsConstant)
        {
            return InputRole.Activation;
        }
        if (SlotLayout.Has(layout.BiasMask, slot))
        {
            return InputRole.Bias;
        }
        if (SlotLayout.Has(layout.WeightMask, slot))
        {
            return InputRole.Weight;
        }
        if (SlotLayout.Has(layout.MetaMask, slot))
        {
            return InputRole.Meta;
        }
        return t.Type is TensorType.Int32 or TensorType.Int64 or TensorType.Bool or TensorType.String
            or TensorType.Resource or TensorType.Variant
            ? InputRole.Meta
            : InputRole.Weight;
    }

    /// <summary>The filter shape of a convolution, or the reason it cannot be used.</summary>
    private static string? Filter(OpNode node, ImmutableArray<GraphTensor> tensors, int rank, out ImmutableArray<int> shape)
    {
        shape = [];
        int id = node.WeightTensor;
        if (id < 0)
        {
            return "no filter input";
        }
        shape = tensors[id].Shape;
        return shape.Length == rank ? null : $"filter tensor {id} has rank {shape.Length}, expected {rank}";
    }

    private static string? FullyConnectedMacs(OpNode node, ImmutableArray<GraphTensor> tensors, long inElements, out long macs)
    {
        macs = 0;
        int id = node.WeightTensor;
        if (id < 0)
        {
            return "no weights input";
        }
        GraphTensor w = tensors[id];
        if (w.Rank < 1)
        {
            return $"weights tensor {id} is a scalar";
        }
        long depth = w.Shape[w.Rank - 1];
        if (depth > 0)
        {
            long rows = inElements / depth;
            macs = checked(rows * w.ElementCount); // rows · units · depth
        }
        return null;
    }

    private static long BatchMatMulMacs(OpNode node, ImmutableArray<GraphTensor> tensors, long outElements)
    {
        if (node.Inputs.Length == 0 || node.Inputs[0] < 0)
        {
            return 0;
        }
        ImmutableArray<int> x = tensors[node.Inputs[0]].Shape;
        if (x.Length == 0)
        {
            return outElements;
        }
        bool adjX = node.Attributes.Options is BatchMatMulOptions { AdjX: true };
        int k = adjX && x.Length >= 2 ? x[^2] : x[^1];
        return checked(outElements * k);
    }

    private static long RecurrentMacs(OpNode node, ImmutableArray<GraphTensor> tensors, SlotLayout layout, long inElements)
    {
        if (node.MainInput < 0)
        {
            return 0;
        }
        GraphTensor input = tensors[node.MainInput];
        long depth = input.Rank > 0 ? input.Shape[input.Rank - 1] : 1;
        if (depth == 0)
        {
            return 0;
        }
        long steps = inElements / depth;
        long weightElements = 0;
        ImmutableArray<int> inputs = node.Inputs;
        for (int j = 0; j < inputs.Length && j < 64; j++)
        {
            if (inputs[j] >= 0 && SlotLayout.Has(layout.WeightMask, j))
            {
                weightElements = checked(weightElements + tensors[inputs[j]].ElementCount);
            }
        }
        return checked(steps * weightElements);
    }

    private static OpAttributes Normalise(OpNode node, ImmutableArray<GraphTensor> tensors, OpFamily family)
    {
        OperatorOptions? options = node.Attributes.Options;
        ImmutableArray<int> filter = node.WeightTensor >= 0 ? tensors[node.WeightTensor].Shape : [];
        int mainRank = node.MainInput >= 0 ? tensors[node.MainInput].Rank : 0;
        switch (options)
        {
            case Conv2DOptions o when family is OpFamily.Conv2D:
                return new OpAttributes
                {
                    KernelH = filter.Length == 4 ? filter[1] : 1,
                    KernelW = filter.Length == 4 ? filter[2] : 1,
                    StrideH = Positive(o.StrideH), StrideW = Positive(o.StrideW),
                    DilationH = Positive(o.DilationHFactor), DilationW = Positive(o.DilationWFactor),
                    Padding = ToPadding(o.Padding), FusedActivation = o.FusedActivation, Options = o,
                };
            case DepthwiseConv2DOptions o:
                return new OpAttributes
                {
                    KernelH = filter.Length == 4 ? filter[1] : 1,
                    KernelW = filter.Length == 4 ? filter[2] : 1,
                    StrideH = Positive(o.StrideH), StrideW = Positive(o.StrideW),
                    DilationH = Positive(o.DilationHFactor), DilationW = Positive(o.DilationWFactor),
                    Padding = ToPadding(o.Padding), DepthMultiplier = Positive(o.DepthMultiplier),
                    FusedActivation = o.FusedActivation, Options = o,
                };
            case TransposeConvOptions o:
                return new OpAttributes
                {
                    KernelH = filter.Length == 4 ? filter[1] : 1,
                    KernelW = filter.Length == 4 ? filter[2] : 1,
                    StrideH = Positive(o.StrideH), StrideW = Positive(o.StrideW),
                    Padding = ToPadding(o.Padding), FusedActivation = o.FusedActivation, Options = o,
                };
            case Conv3DOptions o:
                return new OpAttributes
                {
                    KernelD = filter.Length == 5 ? filter[0] : 1,
                    KernelH = filter.Length == 5 ? filter[1] : 1,
                    KernelW = filter.Length == 5 ? filter[2] : 1,
                    StrideD = Positive(o.StrideD), StrideH = Positive(o.StrideH), StrideW = Positive(o.StrideW),
                    DilationD = Positive(o.DilationDFactor), DilationH = Positive(o.DilationHFactor),
                    DilationW = Positive(o.DilationWFactor),
                    Padding = ToPadding(o.Padding), FusedActivation = o.FusedActivation, Options = o,
                };
            case Pool2DOptions o:
                return new OpAttributes
                {
                    KernelH = Positive(o.FilterHeight), KernelW = Positive(o.FilterWidth),
                    StrideH = Positive(o.StrideH), StrideW = Positive(o.StrideW),
                    Padding = ToPadding(o.Padding), FusedActivation = o.FusedActivation, Options = o,
                };
            case FullyConnectedOptions o:
                return new OpAttributes { FusedActivation = o.FusedActivation, Options = o };
            case ArithmeticOptions o:
                return new OpAttributes { FusedActivation = o.FusedActivation, Options = o };
            case ConcatenationOptions o:
                return new OpAttributes { Axis = NormaliseAxis(o.Axis, mainRank), FusedActivation = o.FusedActivation, Options = o };
            case GatherOptions o:
                return new OpAttributes { Axis = NormaliseAxis(o.Axis, mainRank), Options = o };
            case PackOptions o:
                // PACK's axis counts in the output's rank, UNPACK's in the input's.
                return new OpAttributes
                {
                    Axis = NormaliseAxis(o.Axis, node.Builtin == BuiltinOperator.PACK ? mainRank + 1 : mainRank),
                    Options = o,
                };
            case SvdfOptions o:
                return new OpAttributes { FusedActivation = o.FusedActivation, Options = o };
            case LstmOptions o:
                return new OpAttributes { FusedActivation = o.FusedActivation, Options = o };
            case UnidirectionalSequenceLstmOptions o:
                return new OpAttributes { FusedActivation = o.FusedActivation, Options = o };
            case BidirectionalSequenceLstmOptions o:
                return new OpAttributes { FusedActivation = o.FusedActivation, Options = o };
            case RnnOptions o:
                return new OpAttributes { FusedActivation = o.FusedActivation, Options = o };
            default:
                break;
        }

        // Convolutions without options still get their kernel from the filter.
        int? axis = null;
        if (family == OpFamily.Reduction && node.Inputs.Length > 1)
        {
            axis = ConstantScalar(tensors, node.Inputs[1]);
        }
        else if (node.OpCode == (int)BuiltinOperator.SPLIT && node.Inputs.Length > 0)
        {
            axis = ConstantScalar(tensors, node.Inputs[0]);
        }
        else if (node.OpCode == (int)BuiltinOperator.SPLIT_V && node.Inputs.Length > 2)
        {
            axis = ConstantScalar(tensors, node.Inputs[2]);
        }
        if (axis is int a)
        {
            axis = NormaliseAxis(a, mainRank);
        }
        return family switch
        {
            OpFamily.Conv2D or OpFamily.DepthwiseConv2D or OpFamily.TransposeConv when filter.Length == 4 =>
                new OpAttributes { KernelH = filter[1], KernelW = filter[2], Axis = axis, Options = options },
            _ when axis is null && options is null => OpAttributes.Empty,
            _ => new OpAttributes { Axis = axis, Options = options },
        };
    }

    /// <summary>The first value of a small constant INT32/INT64 tensor, or null.</summary>
    private static int? ConstantScalar(ImmutableArray<GraphTensor> tensors, int id)
    {
        if (id < 0)
        {
            return null;
        }
        GraphTensor t = tensors[id];
        ReadOnlySpan<byte> data = t.Data.Span;
        if (t.Type == TensorType.Int32 && data.Length >= 4)
        {
            return BinaryPrimitives.ReadInt32LittleEndian(data);
        }
        if (t.Type == TensorType.Int64 && data.Length >= 8)
        {
            return (int)BinaryPrimitives.ReadInt64LittleEndian(data);
        }
        return null;
    }

    private static int NormaliseAxis(int axis, int rank) => axis < 0 && rank > 0 ? axis + rank : axis;

    private static int Positive(int value) => value > 0 ? value : 1;

    private static OpPadding ToPadding(Padding p) => p switch
    {
        Tflite.Padding.Same => OpPadding.Same,
        Tflite.Padding.Valid => OpPadding.Valid,
        _ => OpPadding.None,
    };

    /// <summary>Which input slots hold what, per operator. Masks are bit sets over input slots 0..63.</summary>
    private readonly record struct SlotLayout(int Main, ulong WeightMask, ulong BiasMask, ulong MetaMask)
    {
        public static readonly SlotLayout Default = new(0, 0, 0, 0);

        private static readonly SlotLayout Conv = new(0, Bits(1), Bits(2), 0);
        private static readonly SlotLayout TransposedConv = new(2, Bits(1), Bits(3), Bits(0));
        private static readonly SlotLayout MatMul = new(0, Bits(1), 0, 0);

        // LSTM inputs: 0 input; 1-4 input-to-gate; 5-8 recurrent-to-gate; 9-11 peephole; 12-15 gate biases;
        // 16 projection weights; 17 projection bias; 18-19 states; 20-23 layer-norm coefficients.
        private static readonly SlotLayout Lstm = new(0,
            Range(1, 11) | Bits(16) | Range(20, 23), Range(12, 15) | Bits(17), 0);

        // Bidirectional LSTM: forward 1-17 as above; backward weights 18-28, biases 29-32, projection 33-34;
        // states 35-38; auxiliary input 39 and its weights 40-47.
        private static readonly SlotLayout BidiLstm = new(0,
            Range(1, 11) | Bits(16) | Range(18, 28) | Bits(33) | Range(40, 47),
            Range(12, 15) | Bits(17) | Range(29, 32) | Bits(34), 0);

        // RNN / SVDF: 0 input, 1-2 weights, 3 bias, 4 state.
        private static readonly SlotLayout Rnn = new(0, Bits(1) | Bits(2), Bits(3), 0);

        // Bidirectional RNN: fw weights 1-2, bias 3, state 4; bw weights 5-6, bias 7, state 8; aux input 9,
        // aux weights 10-11.
        private static readonly SlotLayout BidiRnn = new(0, Bits(1) | Bits(2) | Bits(5) | Bits(6) | Bits(10) | Bits(11),
            Bits(3) | Bits(7), 0);

        private static readonly SlotLayout Split = new(1, 0, 0, Bits(0));
        private static readonly SlotLayout TableLookup = new(0, Bits(1), 0, 0);

        public static SlotLayout For(BuiltinOperator op) => op switch
        {
            BuiltinOperator.CONV_2D or BuiltinOperator.DEPTHWISE_CONV_2D or BuiltinOperator.CONV_3D
                or BuiltinOperator.FULLY_CONNECTED => Conv,
            BuiltinOperator.TRANSPOSE_CONV or BuiltinOperator.CONV_3D_TRANSPOSE => TransposedConv,
            BuiltinOperator.BATCH_MATMUL or BuiltinOperator.PRELU => MatMul,
            BuiltinOperator.LSTM or BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM => Lstm,
            BuiltinOperator.BIDIRECTIONAL_SEQUENCE_LSTM => BidiLstm,
            BuiltinOperator.RNN or BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_RNN or BuiltinOperator.SVDF => Rnn,
            BuiltinOperator.BIDIRECTIONAL_SEQUENCE_RNN => BidiRnn,
            BuiltinOperator.SPLIT => Split,
            BuiltinOperator.EMBEDDING_LOOKUP => TableLookup,
            _ => Default,
        };

        public static bool Has(ulong mask, int slot) => slot < 64 && (mask & (1UL << slot)) != 0;

        /// <summary>The tensor id of the first present input among the slots of <paramref name="mask"/>, or -1.</summary>
        public static int FirstPresent(ImmutableArray<int> inputs, ulong mask)
        {
            for (int j = 0; j < inputs.Length && j < 64; j++)
            {
                if (inputs[j] >= 0 && Has(mask, j))
                {
                    return inputs[j];
                }
            }
            return -1;
        }

        private static ulong Bits(int slot) => 1UL << slot;

        private static ulong Range(int first, int last)
        {
            ulong m = 0;
            for (int s = first; s <= last; s++)
            {
                m |= 1UL << s;
            }
            return m;
        }
    }
}

namespace PerfSage.Tflite;

/// <summary>
/// Which <c>builtin_options</c> union member goes with which operator, and which
/// <see cref="OperatorOptions"/> record goes with which union member. Format facts from the official
/// schema (<c>BuiltinOptions</c> and <c>BuiltinOptions2</c> unions): a writer needs them to tag the
/// options it writes; the reader needs only the tag it finds.
/// </summary>
public static class BuiltinOptionsTags
{
    /// <summary>The union tag converters write for the options of <paramref name="op"/>, for the operators
    /// whose options the object model decodes into a record; <see cref="BuiltinOptionsType.None"/> for the
    /// others (operators without options, and option tables the project does not decode).</summary>
    public static BuiltinOptionsType ForOperator(BuiltinOperator op) => op switch
    {
        BuiltinOperator.CONV_2D => BuiltinOptionsType.Conv2DOptions,
        BuiltinOperator.DEPTHWISE_CONV_2D => BuiltinOptionsType.DepthwiseConv2DOptions,
        BuiltinOperator.TRANSPOSE_CONV => BuiltinOptionsType.TransposeConvOptions,
        BuiltinOperator.CONV_3D or BuiltinOperator.CONV_3D_TRANSPOSE => BuiltinOptionsType.Conv3DOptions,
        BuiltinOperator.AVERAGE_POOL_2D or BuiltinOperator.MAX_POOL_2D or BuiltinOperator.L2_POOL_2D => BuiltinOptionsType.Pool2DOptions,
        BuiltinOperator.FULLY_CONNECTED => BuiltinOptionsType.FullyConnectedOptions,
        BuiltinOperator.ADD => BuiltinOptionsType.AddOptions,
        BuiltinOperator.SUB => BuiltinOptionsType.SubOptions,
        BuiltinOperator.MUL => BuiltinOptionsType.MulOptions,
        BuiltinOperator.DIV => BuiltinOptionsType.DivOptions,
        BuiltinOperator.CONCATENATION => BuiltinOptionsType.ConcatenationOptions,
        BuiltinOperator.RESHAPE => BuiltinOptionsType.ReshapeOptions,
        BuiltinOperator.SOFTMAX => BuiltinOptionsType.SoftmaxOptions,
        BuiltinOperator.PAD => BuiltinOptionsType.PadOptions,
        BuiltinOperator.PADV2 => BuiltinOptionsType.PadV2Options,
        BuiltinOperator.MEAN or BuiltinOperator.SUM or BuiltinOperator.REDUCE_MAX or BuiltinOperator.REDUCE_MIN
            or BuiltinOperator.REDUCE_PROD or BuiltinOperator.REDUCE_ANY or BuiltinOperator.REDUCE_ALL => BuiltinOptionsType.ReducerOptions,
        BuiltinOperator.STRIDED_SLICE => BuiltinOptionsType.StridedSliceOptions,
        BuiltinOperator.RESIZE_BILINEAR => BuiltinOptionsType.ResizeBilinearOptions,
        BuiltinOperator.RESIZE_NEAREST_NEIGHBOR => BuiltinOptionsType.ResizeNearestNeighborOptions,
        BuiltinOperator.SPLIT => BuiltinOptionsType.SplitOptions,
        BuiltinOperator.SPLIT_V => BuiltinOptionsType.SplitVOptions,
        BuiltinOperator.GATHER => BuiltinOptionsType.GatherOptions,
        BuiltinOperator.BATCH_MATMUL => BuiltinOptionsType.BatchMatMulOptions,
        BuiltinOperator.SVDF => BuiltinOptionsType.SVDFOptions,
        BuiltinOperator.LSTM => BuiltinOptionsType.LSTMOptions,
        BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM => BuiltinOptionsType.UnidirectionalSequenceLSTMOptions,
        BuiltinOperator.BIDIRECTIONAL_SEQUENCE_LSTM => BuiltinOptionsType.BidirectionalSequenceLSTMOptions,
        BuiltinOperator.RNN => BuiltinOptionsType.RNNOptions,
        BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_RNN => BuiltinOptionsType.SequenceRNNOptions,
        BuiltinOperator.BIDIRECTIONAL_SEQUENCE_RNN => BuiltinOptionsType.BidirectionalSequenceRNNOptions,
        BuiltinOperator.SQUEEZE => BuiltinOptionsType.SqueezeOptions,
        BuiltinOperator.LEAKY_RELU => BuiltinOptionsType.LeakyReluOptions,
        BuiltinOperator.PACK => BuiltinOptionsType.PackOptions,
        BuiltinOperator.UNPACK => BuiltinOptionsType.UnpackOptions,
        BuiltinOperator.SPACE_TO_DEPTH => BuiltinOptionsType.SpaceToDepthOptions,
        BuiltinOperator.DEPTH_TO_SPACE => BuiltinOptionsType.DepthToSpaceOptions,
        BuiltinOperator.L2_NORMALIZATION => BuiltinOptionsType.L2NormOptions,
        BuiltinOperator.LOCAL_RESPONSE_NORMALIZATION => BuiltinOptionsType.LocalResponseNormalizationOptions,
        BuiltinOperator.ARG_MAX => BuiltinOptionsType.ArgMaxOptions,
        BuiltinOperator.ARG_MIN => BuiltinOptionsType.ArgMinOptions,
        BuiltinOperator.CAST => BuiltinOptionsType.CastOptions,
        BuiltinOperator.MIRROR_PAD => BuiltinOptionsType.MirrorPadOptions,
        BuiltinOperator.GELU => BuiltinOptionsType.GeluOptions,
        BuiltinOperator.CALL_ONCE => BuiltinOptionsType.CallOnceOptions,
        BuiltinOperator.WHILE => BuiltinOptionsType.WhileOptions,
        BuiltinOperator.IF => BuiltinOptionsType.IfOptions,
        BuiltinOperator.CALL => BuiltinOptionsType.CallOptions,
        _ => BuiltinOptionsType.None,
    };

    /// <summary>The <c>builtin_options_2</c> tag of <paramref name="op"/> for the StableHLO operators whose
    /// options the object model decodes (<see cref="StableHloCompositeOptions"/>, <see cref="ControlFlowOptions"/>);
    /// <see cref="BuiltinOptions2Type.None"/> otherwise.</summary>
    public static BuiltinOptions2Type ForOperator2(BuiltinOperator op) => op switch
    {
        BuiltinOperator.STABLEHLO_COMPOSITE => BuiltinOptions2Type.StableHLOCompositeOptions,
        BuiltinOperator.STABLEHLO_CUSTOM_CALL => BuiltinOptions2Type.StablehloCustomCallOptions,
        BuiltinOperator.STABLEHLO_REDUCE => BuiltinOptions2Type.StablehloReduceOptions,
        BuiltinOperator.STABLEHLO_SCATTER => BuiltinOptions2Type.StablehloScatterOptions,
        BuiltinOperator.STABLEHLO_REDUCE_WINDOW => BuiltinOptions2Type.StablehloReduceWindowOptions,
        BuiltinOperator.STABLEHLO_SORT => BuiltinOptions2Type.StablehloSortOptions,
        BuiltinOperator.STABLEHLO_WHILE => BuiltinOptions2Type.StablehloWhileOptions,
        BuiltinOperator.STABLEHLO_CASE => BuiltinOptions2Type.StablehloCaseOptions,
        _ => BuiltinOptions2Type.None,
    };

    /// <summary>True when <paramref name="options"/> is the record the reader decodes a
    /// <paramref name="tag"/> table into (e.g. <see cref="ArithmeticOptions"/> for ADD, SUB, MUL and DIV).</summary>
    public static bool Fits(BuiltinOptionsType tag, OperatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return tag switch
        {
            BuiltinOptionsType.Conv2DOptions => options is Conv2DOptions,
            BuiltinOptionsType.DepthwiseConv2DOptions => options is DepthwiseConv2DOptions,
            BuiltinOptionsType.TransposeConvOptions => options is TransposeConvOptions,
            BuiltinOptionsType.Conv3DOptions => options is Conv3DOptions,
            BuiltinOptionsType.Pool2DOptions => options is Pool2DOptions,
            BuiltinOptionsType.FullyConnectedOptions => options is FullyConnectedOptions,
            BuiltinOptionsType.AddOptions or BuiltinOptionsType.SubOptions
                or BuiltinOptionsType.MulOptions or BuiltinOptionsType.DivOptions => options is ArithmeticOptions,
            BuiltinOptionsType.ConcatenationOptions => options is ConcatenationOptions,
            BuiltinOptionsType.ReshapeOptions => options is ReshapeOptions,
            BuiltinOptionsType.SoftmaxOptions => options is SoftmaxOptions,
            BuiltinOptionsType.PadOptions or BuiltinOptionsType.PadV2Options => options is PadOptions,
            BuiltinOptionsType.ReducerOptions => options is ReducerOptions,
            BuiltinOptionsType.StridedSliceOptions => options is StridedSliceOptions,
            BuiltinOptionsType.ResizeBilinearOptions or BuiltinOptionsType.ResizeNearestNeighborOptions => options is ResizeOptions,
            BuiltinOptionsType.SplitOptions or BuiltinOptionsType.SplitVOptions => options is SplitOptions,
            BuiltinOptionsType.GatherOptions => options is GatherOptions,
            BuiltinOptionsType.BatchMatMulOptions => options is BatchMatMulOptions,
            BuiltinOptionsType.SVDFOptions => options is SvdfOptions,
            BuiltinOptionsType.LSTMOptions => options is LstmOptions,
            BuiltinOptionsType.UnidirectionalSequenceLSTMOptions => options is UnidirectionalSequenceLstmOptions,
            BuiltinOptionsType.BidirectionalSequenceLSTMOptions => options is BidirectionalSequenceLstmOptions,
            BuiltinOptionsType.RNNOptions or BuiltinOptionsType.SequenceRNNOptions => options is RnnOptions,
            BuiltinOptionsType.BidirectionalSequenceRNNOptions => options is BidirectionalSequenceRnnOptions,
            BuiltinOptionsType.SqueezeOptions => options is SqueezeOptions,
            BuiltinOptionsType.LeakyReluOptions => options is LeakyReluOptions,
            BuiltinOptionsType.PackOptions or BuiltinOptionsType.UnpackOptions => options is PackOptions,
            BuiltinOptionsType.SpaceToDepthOptions or BuiltinOptionsType.DepthToSpaceOptions => options is BlockSizeOptions,
            BuiltinOptionsType.L2NormOptions => options is L2NormOptions,
            BuiltinOptionsType.LocalResponseNormalizationOptions => options is LocalResponseNormalizationOptions,
            BuiltinOptionsType.ArgMaxOptions or BuiltinOptionsType.ArgMinOptions => options is ArgMinMaxOptions,
            BuiltinOptionsType.CastOptions => options is CastOptions,
            BuiltinOptionsType.MirrorPadOptions => options is MirrorPadOptions,
            BuiltinOptionsType.GeluOptions => options is GeluOptions,
            BuiltinOptionsType.CallOnceOptions or BuiltinOptionsType.WhileOptions
                or BuiltinOptionsType.IfOptions or BuiltinOptionsType.CallOptions => options is ControlFlowOptions,
            _ => false,
        };
    }

    /// <summary>True when <paramref name="options"/> is the record the reader decodes a
    /// <c>builtin_options_2</c> table of type <paramref name="tag"/> into.</summary>
    public static bool Fits(BuiltinOptions2Type tag, OperatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return tag switch
        {
            BuiltinOptions2Type.StableHLOCompositeOptions => options is StableHloCompositeOptions,
            BuiltinOptions2Type.StablehloCustomCallOptions or BuiltinOptions2Type.StablehloReduceOptions
                or BuiltinOptions2Type.StablehloScatterOptions or BuiltinOptions2Type.StablehloReduceWindowOptions
                or BuiltinOptions2Type.StablehloSortOptions or BuiltinOptions2Type.StablehloWhileOptions
                or BuiltinOptions2Type.StablehloCaseOptions => options is ControlFlowOptions,
            _ => false,
        };
    }
}

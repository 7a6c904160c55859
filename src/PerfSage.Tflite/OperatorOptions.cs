namespace PerfSage.Tflite;

/// <summary>Decoded <c>builtin_options</c> of an operator. Defaults are the schema's defaults
/// (absent fields read as them). One record per options table the project decodes.</summary>
public abstract record OperatorOptions;

/// <summary><c>Conv2DOptions</c>.</summary>
public sealed record Conv2DOptions(
    Padding Padding, int StrideW, int StrideH, ActivationFunctionType FusedActivation,
    int DilationWFactor, int DilationHFactor) : OperatorOptions
{
    /// <summary><c>quantized_bias_type</c> (version 8+): bias and accumulator type; <see cref="TensorType.Float32"/> (0) when unset.</summary>
    public TensorType QuantizedBiasType { get; init; }
}

/// <summary><c>DepthwiseConv2DOptions</c>.</summary>
public sealed record DepthwiseConv2DOptions(
    Padding Padding, int StrideW, int StrideH, int DepthMultiplier,
    ActivationFunctionType FusedActivation, int DilationWFactor, int DilationHFactor) : OperatorOptions;

/// <summary><c>TransposeConvOptions</c>.</summary>
public sealed record TransposeConvOptions(
    Padding Padding, int StrideW, int StrideH, ActivationFunctionType FusedActivation) : OperatorOptions
{
    /// <summary><c>quantized_bias_type</c> (version 5+); <see cref="TensorType.Float32"/> (0) when unset.</summary>
    public TensorType QuantizedBiasType { get; init; }
}

/// <summary><c>Conv3DOptions</c> (CONV_3D and CONV_3D_TRANSPOSE).</summary>
public sealed record Conv3DOptions(
    Padding Padding, int StrideD, int StrideW, int StrideH, ActivationFunctionType FusedActivation,
    int DilationDFactor, int DilationWFactor, int DilationHFactor) : OperatorOptions;

/// <summary><c>Pool2DOptions</c> (average, max and L2 pooling).</summary>
public sealed record Pool2DOptions(
    Padding Padding, int StrideW, int StrideH, int FilterWidth, int FilterHeight,
    ActivationFunctionType FusedActivation) : OperatorOptions;

/// <summary><c>FullyConnectedOptions</c>.</summary>
public sealed record FullyConnectedOptions(
    ActivationFunctionType FusedActivation, FullyConnectedWeightsFormat WeightsFormat,
    bool KeepNumDims, bool AsymmetricQuantizeInputs) : OperatorOptions
{
    /// <summary><c>quantized_bias_type</c> (version 11+); <see cref="TensorType.Float32"/> (0) when unset.</summary>
    public TensorType QuantizedBiasType { get; init; }
}

/// <summary><c>AddOptions</c>, <c>SubOptions</c>, <c>MulOptions</c>, <c>DivOptions</c>: the fused activation
/// (<see cref="PotScaleInt16"/> is only stored by ADD and SUB; true when absent, as in the schema).</summary>
public sealed record ArithmeticOptions(ActivationFunctionType FusedActivation, bool PotScaleInt16 = true) : OperatorOptions;

/// <summary><c>ConcatenationOptions</c>.</summary>
public sealed record ConcatenationOptions(int Axis, ActivationFunctionType FusedActivation) : OperatorOptions;

/// <summary><c>ReshapeOptions</c> (<c>new_shape</c>, possibly empty).</summary>
public sealed record ReshapeOptions(IReadOnlyList<int> NewShape) : OperatorOptions;

/// <summary><c>SoftmaxOptions</c>.</summary>
public sealed record SoftmaxOptions(float Beta) : OperatorOptions;

/// <summary><c>PadOptions</c> and <c>PadV2Options</c> (no fields).</summary>
public sealed record PadOptions : OperatorOptions;

/// <summary><c>ReducerOptions</c> (MEAN, SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_PROD, REDUCE_ANY, REDUCE_ALL).</summary>
public sealed record ReducerOptions(bool KeepDims) : OperatorOptions;

/// <summary><c>StridedSliceOptions</c>.</summary>
public sealed record StridedSliceOptions(
    int BeginMask, int EndMask, int EllipsisMask, int NewAxisMask, int ShrinkAxisMask, bool Offset) : OperatorOptions;

/// <summary><c>ResizeBilinearOptions</c> and <c>ResizeNearestNeighborOptions</c>.</summary>
public sealed record ResizeOptions(bool AlignCorners, bool HalfPixelCenters) : OperatorOptions;

/// <summary><c>SplitOptions</c> and <c>SplitVOptions</c>.</summary>
public sealed record SplitOptions(int NumSplits) : OperatorOptions;

/// <summary><c>GatherOptions</c>.</summary>
public sealed record GatherOptions(int Axis, int BatchDims) : OperatorOptions;

/// <summary><c>BatchMatMulOptions</c>.</summary>
public sealed record BatchMatMulOptions(bool AdjX, bool AdjY, bool AsymmetricQuantizeInputs) : OperatorOptions;

/// <summary><c>SVDFOptions</c>.</summary>
public sealed record SvdfOptions(int Rank, ActivationFunctionType FusedActivation, bool AsymmetricQuantizeInputs) : OperatorOptions;

/// <summary><c>LSTMOptions</c>.</summary>
public sealed record LstmOptions(
    ActivationFunctionType FusedActivation, float CellClip, float ProjClip, LstmKernelType KernelType,
    bool AsymmetricQuantizeInputs) : OperatorOptions;

/// <summary><c>UnidirectionalSequenceLSTMOptions</c>.</summary>
public sealed record UnidirectionalSequenceLstmOptions(
    ActivationFunctionType FusedActivation, float CellClip, float ProjClip, bool TimeMajor,
    bool AsymmetricQuantizeInputs, bool DiagonalRecurrentTensors) : OperatorOptions;

/// <summary><c>BidirectionalSequenceLSTMOptions</c>.</summary>
public sealed record BidirectionalSequenceLstmOptions(
    ActivationFunctionType FusedActivation, float CellClip, float ProjClip, bool MergeOutputs,
    bool TimeMajor, bool AsymmetricQuantizeInputs) : OperatorOptions;

/// <summary><c>RNNOptions</c>, <c>SequenceRNNOptions</c> (TimeMajor false for RNN).</summary>
public sealed record RnnOptions(ActivationFunctionType FusedActivation, bool TimeMajor, bool AsymmetricQuantizeInputs) : OperatorOptions;

/// <summary><c>SqueezeOptions</c>.</summary>
public sealed record SqueezeOptions(IReadOnlyList<int> SqueezeDims) : OperatorOptions;

/// <summary><c>LeakyReluOptions</c>.</summary>
public sealed record LeakyReluOptions(float Alpha) : OperatorOptions;

/// <summary><c>PackOptions</c> / <c>UnpackOptions</c>.</summary>
public sealed record PackOptions(int ValuesCount, int Axis) : OperatorOptions;

/// <summary><c>SpaceToDepthOptions</c> / <c>DepthToSpaceOptions</c>.</summary>
public sealed record BlockSizeOptions(int BlockSize) : OperatorOptions;

/// <summary><c>CallOnceOptions</c>, <c>WhileOptions</c>, <c>IfOptions</c>, <c>CallOptions</c>: the subgraph indices
/// they run (validated against the model's subgraph count), in schema field order (IF: then, else;
/// WHILE: cond, body). Also used for the StableHLO tables of <c>builtin_options_2</c> that name
/// subgraphs (while, reduce, reduce_window, sort, scatter, case, custom_call).</summary>
public sealed record ControlFlowOptions(IReadOnlyList<int> SubgraphIndices) : OperatorOptions;

/// <summary><c>BidirectionalSequenceRNNOptions</c>.</summary>
public sealed record BidirectionalSequenceRnnOptions(
    ActivationFunctionType FusedActivation, bool TimeMajor, bool MergeOutputs, bool AsymmetricQuantizeInputs) : OperatorOptions;

/// <summary><c>L2NormOptions</c>.</summary>
public sealed record L2NormOptions(ActivationFunctionType FusedActivation) : OperatorOptions;

/// <summary><c>LocalResponseNormalizationOptions</c>.</summary>
public sealed record LocalResponseNormalizationOptions(int Radius, float Bias, float Alpha, float Beta) : OperatorOptions;

/// <summary><c>ArgMaxOptions</c> / <c>ArgMinOptions</c>: the output index type.</summary>
public sealed record ArgMinMaxOptions(TensorType OutputType) : OperatorOptions;

/// <summary><c>CastOptions</c> (types are <see cref="TensorType.Float32"/> (0) when unset).</summary>
public sealed record CastOptions(TensorType InDataType, TensorType OutDataType) : OperatorOptions;

/// <summary><c>MirrorPadOptions</c>.</summary>
public sealed record MirrorPadOptions(MirrorPadMode Mode) : OperatorOptions;

/// <summary><c>GeluOptions</c>.</summary>
public sealed record GeluOptions(bool Approximate) : OperatorOptions;

/// <summary><c>StableHLOCompositeOptions</c> (in <c>builtin_options_2</c>): a named composite whose
/// decomposition is a subgraph (validated against the model's subgraph count).</summary>
public sealed record StableHloCompositeOptions(string Name, int DecompositionSubgraphIndex, int Version) : OperatorOptions;

using System.Text;

namespace PerfSage.Tflite.Tests.Writer;

/// <summary>
/// Object models built by hand for the writer tests. <see cref="EveryOption"/> has one operator per
/// options record and union tag (non-default values in every field the table stores), each kind of
/// quantisation (per tensor with min/max, per channel, scale without zero points, custom, block-wise,
/// multi-axis, an unknown details type), shape signatures, scalars, variables, raw unknown types and
/// operator codes, custom options, intermediates, omitted inputs, three subgraphs, signatures and metadata.
/// </summary>
public static class HandBuiltModels
{
    /// <summary>An operator of <see cref="EveryOption"/>: its code, tag and record.</summary>
    public sealed record OpCase(int Code, BuiltinOptionsType Tag, OperatorOptions? Options,
        BuiltinOptions2Type Tag2 = BuiltinOptions2Type.None, OperatorOptions? Options2 = null, string? Custom = null);

    /// <summary>The operators of <see cref="EveryOption"/>, in order.</summary>
    public static IReadOnlyList<OpCase> Cases { get; } =
    [
        Op(BuiltinOperator.CONV_2D, BuiltinOptionsType.Conv2DOptions,
            new Conv2DOptions(Padding.Valid, 2, 3, ActivationFunctionType.Relu6, 2, 4) { QuantizedBiasType = TensorType.Int32 }),
        Op(BuiltinOperator.CONV_2D, BuiltinOptionsType.Conv2DOptions,
            new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None, 1, 1)), // all defaults but strides
        Op(BuiltinOperator.DEPTHWISE_CONV_2D, BuiltinOptionsType.DepthwiseConv2DOptions,
            new DepthwiseConv2DOptions(Padding.Valid, 1, 2, 4, ActivationFunctionType.Relu, 3, 5)),
        Op(BuiltinOperator.TRANSPOSE_CONV, BuiltinOptionsType.TransposeConvOptions,
            new TransposeConvOptions(Padding.Valid, 2, 3, ActivationFunctionType.Relu) { QuantizedBiasType = TensorType.Int64 }),
        Op(BuiltinOperator.CONV_3D, BuiltinOptionsType.Conv3DOptions,
            new Conv3DOptions(Padding.Valid, 1, 2, 3, ActivationFunctionType.Tanh, 2, 3, 4)),
        Op(BuiltinOperator.AVERAGE_POOL_2D, BuiltinOptionsType.Pool2DOptions,
            new Pool2DOptions(Padding.Valid, 2, 3, 4, 5, ActivationFunctionType.ReluN1To1)),
        Op(BuiltinOperator.FULLY_CONNECTED, BuiltinOptionsType.FullyConnectedOptions,
            new FullyConnectedOptions(ActivationFunctionType.Relu, FullyConnectedWeightsFormat.Shuffled4x16Int8, true, true)
            { QuantizedBiasType = TensorType.Int32 }),
        Op(BuiltinOperator.ADD, BuiltinOptionsType.AddOptions, new ArithmeticOptions(ActivationFunctionType.Relu, PotScaleInt16: false)),
        Op(BuiltinOperator.SUB, BuiltinOptionsType.SubOptions, new ArithmeticOptions(ActivationFunctionType.SignBit)),
        Op(BuiltinOperator.MUL, BuiltinOptionsType.MulOptions, new ArithmeticOptions(ActivationFunctionType.Relu6)),
        Op(BuiltinOperator.DIV, BuiltinOptionsType.DivOptions, new ArithmeticOptions(ActivationFunctionType.None)),
        Op(BuiltinOperator.CONCATENATION, BuiltinOptionsType.ConcatenationOptions, new ConcatenationOptions(-1, ActivationFunctionType.Relu)),
        Op(BuiltinOperator.RESHAPE, BuiltinOptionsType.ReshapeOptions, new ReshapeOptions([1, -1, 4])),
        Op(BuiltinOperator.RESHAPE, BuiltinOptionsType.ReshapeOptions, new ReshapeOptions([])),
        Op(BuiltinOperator.SOFTMAX, BuiltinOptionsType.SoftmaxOptions, new SoftmaxOptions(0.5f)),
        Op(BuiltinOperator.PAD, BuiltinOptionsType.PadOptions, new PadOptions()),
        Op(BuiltinOperator.PADV2, BuiltinOptionsType.PadV2Options, new PadOptions()),
        Op(BuiltinOperator.MEAN, BuiltinOptionsType.ReducerOptions, new ReducerOptions(true)),
        Op(BuiltinOperator.STRIDED_SLICE, BuiltinOptionsType.StridedSliceOptions, new StridedSliceOptions(1, 2, 3, 4, 5, true)),
        Op(BuiltinOperator.RESIZE_BILINEAR, BuiltinOptionsType.ResizeBilinearOptions, new ResizeOptions(true, false)),
        Op(BuiltinOperator.RESIZE_NEAREST_NEIGHBOR, BuiltinOptionsType.ResizeNearestNeighborOptions, new ResizeOptions(false, true)),
        Op(BuiltinOperator.SPLIT, BuiltinOptionsType.SplitOptions, new SplitOptions(3)),
        Op(BuiltinOperator.SPLIT_V, BuiltinOptionsType.SplitVOptions, new SplitOptions(2)),
        Op(BuiltinOperator.GATHER, BuiltinOptionsType.GatherOptions, new GatherOptions(1, 2)),
        Op(BuiltinOperator.BATCH_MATMUL, BuiltinOptionsType.BatchMatMulOptions, new BatchMatMulOptions(true, false, true)),
        Op(BuiltinOperator.SVDF, BuiltinOptionsType.SVDFOptions, new SvdfOptions(2, ActivationFunctionType.Relu, true)),
        Op(BuiltinOperator.LSTM, BuiltinOptionsType.LSTMOptions,
            new LstmOptions(ActivationFunctionType.Tanh, 1.5f, 2.5f, LstmKernelType.Basic, true)),
        Op(BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM, BuiltinOptionsType.UnidirectionalSequenceLSTMOptions,
            new UnidirectionalSequenceLstmOptions(ActivationFunctionType.Tanh, 3f, 0f, true, false, true)),
        Op(BuiltinOperator.BIDIRECTIONAL_SEQUENCE_LSTM, BuiltinOptionsType.BidirectionalSequenceLSTMOptions,
            new BidirectionalSequenceLstmOptions(ActivationFunctionType.Tanh, 0f, 4f, true, false, true)),
        Op(BuiltinOperator.BIDIRECTIONAL_SEQUENCE_LSTM, BuiltinOptionsType.BidirectionalSequenceLSTMOptions,
            new BidirectionalSequenceLstmOptions(ActivationFunctionType.None, 0f, 0f, false, true, false)), // time_major default true
        Op(BuiltinOperator.RNN, BuiltinOptionsType.RNNOptions, new RnnOptions(ActivationFunctionType.Relu, false, true)),
        Op(BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_RNN, BuiltinOptionsType.SequenceRNNOptions,
            new RnnOptions(ActivationFunctionType.Tanh, true, false)),
        Op(BuiltinOperator.BIDIRECTIONAL_SEQUENCE_RNN, BuiltinOptionsType.BidirectionalSequenceRNNOptions,
            new BidirectionalSequenceRnnOptions(ActivationFunctionType.Relu, true, true, false)),
        Op(BuiltinOperator.SQUEEZE, BuiltinOptionsType.SqueezeOptions, new SqueezeOptions([0, 2])),
        Op(BuiltinOperator.LEAKY_RELU, BuiltinOptionsType.LeakyReluOptions, new LeakyReluOptions(0.2f)),
        Op(BuiltinOperator.PACK, BuiltinOptionsType.PackOptions, new PackOptions(3, 1)),
        Op(BuiltinOperator.UNPACK, BuiltinOptionsType.UnpackOptions, new PackOptions(2, -1)),
        Op(BuiltinOperator.SPACE_TO_DEPTH, BuiltinOptionsType.SpaceToDepthOptions, new BlockSizeOptions(2)),
        Op(BuiltinOperator.DEPTH_TO_SPACE, BuiltinOptionsType.DepthToSpaceOptions, new BlockSizeOptions(4)),
        Op(BuiltinOperator.L2_NORMALIZATION, BuiltinOptionsType.L2NormOptions, new L2NormOptions(ActivationFunctionType.Relu)),
        Op(BuiltinOperator.LOCAL_RESPONSE_NORMALIZATION, BuiltinOptionsType.LocalResponseNormalizationOptions,
            new LocalResponseNormalizationOptions(2, 1f, 1e-4f, 0.75f)),
        Op(BuiltinOperator.ARG_MAX, BuiltinOptionsType.ArgMaxOptions, new ArgMinMaxOptions(TensorType.Int64)),
        Op(BuiltinOperator.ARG_MIN, BuiltinOptionsType.ArgMinOptions, new ArgMinMaxOptions(TensorType.Int32)),
        Op(BuiltinOperator.CAST, BuiltinOptionsType.CastOptions, new CastOptions(TensorType.Int8, TensorType.Float16)),
        Op(BuiltinOperator.MIRROR_PAD, BuiltinOptionsType.MirrorPadOptions, new MirrorPadOptions(MirrorPadMode.Symmetric)),
        Op(BuiltinOperator.GELU, BuiltinOptionsType.GeluOptions, new GeluOptions(true)),
        Op(BuiltinOperator.CALL_ONCE, BuiltinOptionsType.CallOnceOptions, new ControlFlowOptions([1])),
        Op(BuiltinOperator.WHILE, BuiltinOptionsType.WhileOptions, new ControlFlowOptions([1, 2])),
        Op(BuiltinOperator.IF, BuiltinOptionsType.IfOptions, new ControlFlowOptions([2, 1])),
        Op(BuiltinOperator.CALL, BuiltinOptionsType.CallOptions, new ControlFlowOptions([2])),
        // Tags whose tables have no record: written empty, read back as null options.
        Op(BuiltinOperator.HARD_SWISH, BuiltinOptionsType.HardSwishOptions, null),
        Op(BuiltinOperator.TRANSPOSE, BuiltinOptionsType.TransposeOptions, null),
        Op(BuiltinOperator.LOGISTIC, BuiltinOptionsType.None, null),
        // builtin_options_2 (StableHLO).
        Op2(BuiltinOperator.STABLEHLO_COMPOSITE, BuiltinOptions2Type.StableHLOCompositeOptions,
            new StableHloCompositeOptions("odml.rms_norm", 2, 7)),
        Op2(BuiltinOperator.STABLEHLO_CUSTOM_CALL, BuiltinOptions2Type.StablehloCustomCallOptions, new ControlFlowOptions([2, 1])),
        Op2(BuiltinOperator.STABLEHLO_REDUCE, BuiltinOptions2Type.StablehloReduceOptions, new ControlFlowOptions([1])),
        Op2(BuiltinOperator.STABLEHLO_SCATTER, BuiltinOptions2Type.StablehloScatterOptions, new ControlFlowOptions([2])),
        Op2(BuiltinOperator.STABLEHLO_REDUCE_WINDOW, BuiltinOptions2Type.StablehloReduceWindowOptions, new ControlFlowOptions([1])),
        Op2(BuiltinOperator.STABLEHLO_SORT, BuiltinOptions2Type.StablehloSortOptions, new ControlFlowOptions([2])),
        Op2(BuiltinOperator.STABLEHLO_WHILE, BuiltinOptions2Type.StablehloWhileOptions, new ControlFlowOptions([1, 2])),
        Op2(BuiltinOperator.STABLEHLO_CASE, BuiltinOptions2Type.StablehloCaseOptions, new ControlFlowOptions([1, 2, 1])),
        Op2(BuiltinOperator.STABLEHLO_ADD, BuiltinOptions2Type.StablehloPadOptions, null), // a tag without a record
        // Custom and unknown codes.
        new OpCase((int)BuiltinOperator.CUSTOM, BuiltinOptionsType.None, null, Custom: "ethos-u"),
        new OpCase(250, BuiltinOptionsType.None, null),
    ];

    /// <summary>Bytes of buffer 1 (16 bytes), 2 (7 bytes: an odd length) and 3 (100 bytes).</summary>
    public static byte[] Data16 { get; } = [.. Enumerable.Range(0, 16).Select(i => (byte)(i * 7 + 1))];

    public static byte[] Data7 { get; } = [9, 8, 7, 6, 5, 4, 3];

    public static byte[] Data100 { get; } = [.. Enumerable.Range(0, 100).Select(i => (byte)(255 - i))];

    public static byte[] CustomOptionBytes { get; } = [0x01, 0x02, 0x03, 0x04, 0x05];

    /// <summary>The <see cref="Cases"/> model (see the class remarks).</summary>
    public static TfliteModel EveryOption()
    {
        var codes = new List<OperatorCode>();
        var operators = new List<Operator>();
        foreach (OpCase c in Cases)
        {
            var code = new OperatorCode(c.Code, c.Custom, c.Code == (int)BuiltinOperator.CONV_2D ? 3 : 1);
            int index = codes.IndexOf(code);
            if (index < 0)
            {
                codes.Add(code);
                index = codes.Count - 1;
            }
            bool custom = c.Custom is not null;
            operators.Add(new Operator
            {
                OpcodeIndex = (uint)index,
                Inputs = operators.Count % 5 == 0 ? [0, -1, 1] : [0, 1],
                Outputs = [2],
                Intermediates = operators.Count % 7 == 3 ? [4, 5] : [],
                OptionsType = c.Tag,
                Options = c.Options,
                Options2Type = c.Tag2,
                Options2 = c.Options2,
                CustomOptions = custom ? CustomOptionBytes : ReadOnlyMemory<byte>.Empty,
                CustomOptionsLength = custom ? CustomOptionBytes.Length : 0,
            });
        }

        Tensor[] tensors =
        [
            new Tensor
            {
                Name = "input", Shape = [1, 8, 8, 3], ShapeSignature = [-1, 8, 8, 3], Type = TensorType.Int8, Buffer = 0,
                Quantization = new QuantizationParameters([0.5f], [-3], 0, [-64f], [63.5f]),
            },
            new Tensor
            {
                Name = "weights", Shape = [4, 1, 1, 4], Type = TensorType.Int8, Buffer = 1,
                Quantization = new QuantizationParameters([0.1f, 0.2f, 0.3f, 0.4f], [0, 0, 0, 0], 0, [], []),
            },
            new Tensor
            {
                Name = "output", Shape = [1, 7], Type = TensorType.Int16, Buffer = 0,
                Quantization = new QuantizationParameters([1f / 32768], [], 0, [], []),
            },
            new Tensor
            {
                Name = "per_channel_dim3", Shape = [1, 1, 1, 3], Type = TensorType.Int8, Buffer = 2,
                Quantization = new QuantizationParameters([0.25f, 0.5f, 0.75f], [1, 2, 3], 3, [], []),
            },
            new Tensor { Name = "scalar", Shape = [], HasRank = true, Type = TensorType.Int32, Buffer = 0 },
            new Tensor { Name = "state", Shape = [1, 16], Type = TensorType.Float32, Buffer = 0, IsVariable = true },
            new Tensor
            {
                Name = "custom_q", Shape = [100], Type = TensorType.UInt8, Buffer = 3,
                Quantization = new QuantizationParameters([], [], 0, [], []) { Details = new CustomQuantization(new byte[] { 1, 2, 3 }) },
            },
            new Tensor
            {
                Name = "int4_blockwise", Shape = [2, 64], Type = TensorType.Int4, Buffer = 0,
                Quantization = new QuantizationParameters([], [], 0, [], []) { Details = new BlockwiseQuantization(8, -1, 32) },
            },
            new Tensor { Name = "scales", Shape = [2, 2], Type = TensorType.Float16, Buffer = 0 },
            new Tensor
            {
                Name = "multi_axis", Shape = [4, 6], Type = TensorType.Int8, Buffer = 0,
                Quantization = new QuantizationParameters([], [], 0, [], []) { Details = new MultiAxisQuantization(8, 4, 0, [0, 1]) },
            },
            new Tensor
            {
                Name = "unknown_details", Shape = [3], Type = TensorType.Int8, Buffer = 0,
                Quantization = new QuantizationParameters([0.5f], [0], 0, [], []) { Details = new UnknownQuantizationDetails(7) },
            },
            new Tensor { Name = "future_type", Shape = [2], Type = (TensorType)30, Buffer = 0 },
            new Tensor { Name = "", Shape = [0, 5], ShapeSignature = [0, 5], Type = TensorType.Bool, Buffer = 0 },
            new Tensor { Name = "strings", Shape = [2], Type = TensorType.String, Buffer = 0 },
        ];

        return new TfliteModel
        {
            Bytes = ReadOnlyMemory<byte>.Empty,
            SourceName = "hand-built",
            Version = 3,
            Description = "hand-built by the writer tests: ünïcödé",
            OperatorCodes = codes,
            Subgraphs =
            [
                new Subgraph { Name = "main", Tensors = tensors, Operators = operators, Inputs = [0], Outputs = [2, 3] },
                new Subgraph
                {
                    Name = "cond",
                    Tensors = [new Tensor { Name = "flag", Shape = [], Type = TensorType.Bool, Buffer = 0 }],
                    Operators = [],
                    Inputs = [0],
                    Outputs = [0],
                },
                new Subgraph { Name = null, Tensors = [], Operators = [], Inputs = [], Outputs = [] },
            ],
            Buffers =
            [
                new TfliteBuffer(ReadOnlyMemory<byte>.Empty, 0, 0),
                new TfliteBuffer(Data16, 0, 0),
                new TfliteBuffer(Data7, 0, 0),
                new TfliteBuffer(Data100, 0, 0),
                new TfliteBuffer(Encoding.ASCII.GetBytes("1.14.0\0"), 0, 0),
            ],
            SignatureDefs =
            [
                new SignatureDef("serving_default", 0, [new SignatureTensor("x", 0)], [new SignatureTensor("y", 2), new SignatureTensor("z", 3)]),
                new SignatureDef("cond", 1, [new SignatureTensor("flag", 0)], []),
            ],
            Metadata = [new MetadataEntry("min_runtime_version", 4), new MetadataEntry("CONVERSION_METADATA", 1)],
        };
    }

    /// <summary>The smallest writable model: one subgraph with one ADD of two [1, 4] float tensors.</summary>
    public static TfliteModel SingleAdd(IReadOnlyList<TfliteBuffer>? buffers = null, Tensor? extra = null,
        Operator? op = null, IReadOnlyList<OperatorCode>? codes = null) => new()
    {
        Bytes = ReadOnlyMemory<byte>.Empty,
        SourceName = "single-add",
        Version = 3,
        OperatorCodes = codes ?? [new OperatorCode((int)BuiltinOperator.ADD, null, 1)],
        Subgraphs =
        [
            new Subgraph
            {
                Name = "main",
                Tensors =
                [
                    new Tensor { Name = "a", Shape = [1, 4], Type = TensorType.Float32, Buffer = 0 },
                    new Tensor { Name = "b", Shape = [1, 4], Type = TensorType.Float32, Buffer = 1 },
                    extra ?? new Tensor { Name = "sum", Shape = [1, 4], Type = TensorType.Float32, Buffer = 0 },
                ],
                Operators =
                [
                    op ?? new Operator
                    {
                        OpcodeIndex = 0, Inputs = [0, 1], Outputs = [2],
                        OptionsType = BuiltinOptionsType.AddOptions, Options = new ArithmeticOptions(ActivationFunctionType.Relu),
                    },
                ],
                Inputs = [0],
                Outputs = [2],
            },
        ],
        Buffers = buffers ?? [new TfliteBuffer(ReadOnlyMemory<byte>.Empty, 0, 0), new TfliteBuffer(new byte[16], 0, 0)],
        SignatureDefs = [],
        Metadata = [],
    };

    private static OpCase Op(BuiltinOperator op, BuiltinOptionsType tag, OperatorOptions? options) => new((int)op, tag, options);

    private static OpCase Op2(BuiltinOperator op, BuiltinOptions2Type tag, OperatorOptions? options) =>
        new((int)op, BuiltinOptionsType.None, null, tag, options);
}

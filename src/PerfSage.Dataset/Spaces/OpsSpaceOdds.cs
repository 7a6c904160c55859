namespace PerfSage.Dataset.Spaces;

/// <summary>
/// Every probability, draw weight and small range the <see cref="OpsSpace"/> sampler uses, by name. The values
/// are our choices, made so the space covers the TFLM reference models (the 127 seanet single-op kernel tests,
/// micro_speech, the LSTM models, hello_world) in about the proportions they occur there; each property says what
/// it controls and why it has its value. The draws read them in a fixed order, so changing any value changes
/// every <c>ops</c> dataset drawn after it (<c>GoldenSampleTests</c> pins a sample). The <c>ops</c> knob
/// descriptions quote some of these numbers: keep them in step.
/// </summary>
public sealed record OpsSpaceOdds
{
    /// <summary>The odds the sampler uses.</summary>
    public static OpsSpaceOdds Default { get; } = new();

    // Graph-level draws.

    /// <summary>Weights of the <c>dtype</c> knob's int8 / int16x8 / float32: int8 is what most MCU models ship,
    /// int16x8 is what the seanet kernels test, float32 the few float MCU networks (hello_world float).</summary>
    public IReadOnlyList<double> DTypeWeights { get; init; } = [0.4, 0.35, 0.25];

    /// <summary>Weights of the <c>io</c> knob's native / float for the integer variants: most TFLM models take the
    /// quantised type directly; a fifth wrap it in QUANTIZE/DEQUANTIZE (micro_speech's float front-end style).</summary>
    public IReadOnlyList<double> IoWeights { get; init; } = [0.8, 0.2];

    /// <summary>Weights of the <c>shape</c> knob's audio / image / vector / sequence: audio-shaped tensors
    /// (H ≤ 8) are the most common in the seanet kernels, sequences the rarest (the LSTM models).</summary>
    public IReadOnlyList<double> ShapeWeights { get; init; } = [0.4, 0.25, 0.2, 0.15];

    /// <summary>Probability of a single-op graph (<see cref="OpsSpace.SingleOpProbability"/>): 127 of the 156 TFLM
    /// reference models are single-op kernel tests.</summary>
    public double SingleOp { get; init; } = OpsSpace.SingleOpProbability;

    /// <summary>Probability that an int16 chain starting with QUANTIZE (native I/O) reads an int32 input instead,
    /// the seanet int32 → int16 requantisation (<c>quantize0.tflite</c>): half of such chains.</summary>
    public double Int32Input { get; init; } = 0.5;

    /// <summary>Probability that an image-shaped input is square (W = H), as most vision models are; otherwise W
    /// is drawn on its own.</summary>
    public double SquareImage { get; init; } = 0.5;

    // Operator choice.

    /// <summary>Draw weights of <see cref="OpsSpace.OpNames"/>, in the same order: convolutions, FULLY_CONNECTED
    /// and the LSTM highest (the work in real models), data movement (PAD, STRIDED_SLICE) and LEAKY_RELU next
    /// (seanet tests them often), the remaining unary ops lowest.</summary>
    public IReadOnlyList<double> OpWeights { get; init; } =
    [
        2, 1, 1.5, 2, 1.5, 1, 1, 1.5,
        1.5, 1.5, 0.5, 0.5, 0.75, 0.75, 0.75, 1,
        0.75, 0.75, 0.75, 0.75, 0.75, 1, 0.75,
        2,
    ];

    /// <summary>Probability that a sequence input ([1, T, F]) starts with UNIDIRECTIONAL_SEQUENCE_LSTM: every TFLM
    /// sequence model starts with one; the rest start with whatever accepts a sequence.</summary>
    public double SequenceStartsWithLstm { get; init; } = 0.8;

    /// <summary>Probability that FULLY_CONNECTED follows FULLY_CONNECTED (when the tensor allows it): FC chains
    /// such as hello_world's 1→16→16→1 and the autoencoder's layers.</summary>
    public double FullyConnectedAfterFullyConnected { get; init; } = 0.5;

    /// <summary>Probability that a chain on a vector (or sequence) input starts with FULLY_CONNECTED before the
    /// weighted draw: FC is what vector models start with.</summary>
    public double StartsWithFullyConnected { get; init; } = 0.35;

    // Layer parameters.

    /// <summary>Convolution kernel sizes per axis, drawn by <see cref="KernelWeights"/>.</summary>
    public IReadOnlyList<int> Kernels { get; init; } = [1, 2, 3, 4, 5, 7, 8, 10];

    /// <summary>Weights of <see cref="Kernels"/>: 3 most, then 1 and 4, then 2 and 5 (the common sizes); the large
    /// 7, 8 and 10 (the 7-tap seanet, 10×4 KWS and 10×8 micro_speech kernels) rarely.</summary>
    public IReadOnlyList<double> KernelWeights { get; init; } = [2, 1, 3, 1.5, 1, 0.5, 0.3, 0.2];

    /// <summary>Weights of the fused activation none / relu / relu6 (convolutions, FC, binary ops): most
    /// seanet kernels have none.</summary>
    public IReadOnlyList<double> FusedWeights { get; init; } = [0.6, 0.2, 0.2];

    /// <summary>Probability of stride 2 on each axis of CONV_2D and DEPTHWISE_CONV_2D (else 1): downsampling
    /// layers are a minority in real networks.</summary>
    public double ConvStride2 { get; init; } = 0.25;

    /// <summary>Probability of stride 2 on each axis of TRANSPOSE_CONV (else 1): transposed convolutions are
    /// usually there to upsample.</summary>
    public double TransposeConvStride2 { get; init; } = 0.5;

    /// <summary>Probability of VALID padding (else SAME) on audio-like tensors (H ≤ <see cref="AudioMaxHeight"/>),
    /// as the seanet convolutions ([1,8,166,2] 7×7 VALID) mostly are.</summary>
    public double ValidPaddingAudio { get; init; } = 0.65;

    /// <summary>Probability of VALID padding (else SAME) on taller tensors: no preference.</summary>
    public double ValidPadding { get; init; } = 0.5;

    /// <summary>Tallest tensor treated as audio-like for <see cref="ValidPaddingAudio"/> (the audio shape family's
    /// largest H).</summary>
    public int AudioMaxHeight { get; init; } = 8;

    /// <summary>Probability of a depth multiplier above 1 on a shallow DEPTHWISE_CONV_2D input (at most
    /// <see cref="DepthMultiplierMaxChannels"/> channels): micro_speech takes 1 channel to 8.</summary>
    public double DepthMultiplier { get; init; } = 0.5;

    /// <summary>Deepest input that may get a depth multiplier.</summary>
    public int DepthMultiplierMaxChannels { get; init; } = 8;

    /// <summary>Largest depth multiplier (drawn uniformly from 2 up to it, then lowered to fit the tensor cap):
    /// micro_speech's 8.</summary>
    public int MaxDepthMultiplier { get; init; } = 8;

    /// <summary>Weights of the second operand of ADD / SUB / MUL: another graph input of the same shape, a
    /// per-channel input, a per-channel constant or a scalar constant. Same-shape inputs (residual adds)
    /// are the most common.</summary>
    public IReadOnlyList<double> OperandWeights { get; init; } = [0.5, 0.15, 0.2, 0.15];

    /// <summary>Probability of padding the height (each side of a rank-4 tensor) in PAD.</summary>
    public double PadHeight { get; init; } = 0.25;

    /// <summary>Most rows PAD adds on one side of the height (drawn uniformly from 1).</summary>
    public int MaxPadHeight { get; init; } = 2;

    /// <summary>Probability of padding the width (each side; the length of a vector) in PAD: seanet pads
    /// audio along time, its long axis.</summary>
    public double PadWidth { get; init; } = 0.6;

    /// <summary>Most columns PAD adds on one side of the width (drawn uniformly from 1): the seanet 7-tap
    /// convolutions need up to 6.</summary>
    public int MaxPadWidth { get; init; } = 6;

    /// <summary>Probability of stride 2 in STRIDED_SLICE (else 1).</summary>
    public double SliceStride2 { get; init; } = 0.2;

    /// <summary>Most elements STRIDED_SLICE trims at each end of the sliced axis (drawn uniformly from 0,
    /// capped so at least one element stays).</summary>
    public int MaxSliceTrim { get; init; } = 2;

    /// <summary>Probability that an int16 QUANTIZE ending a native-I/O chain outputs int32 (seanet
    /// <c>quantize1.tflite</c>).</summary>
    public double Int16ToInt32Output { get; init; } = 0.5;

    /// <summary>Probability that an integer QUANTIZE requantises within its type (a new scale) rather than
    /// switching between int8 and int16.</summary>
    public double RequantiseSameType { get; init; } = 0.6;

    /// <summary>Probability that a pooling op is global (the window is the whole H × W), as a classifier's
    /// last pooling layer.</summary>
    public double GlobalPool { get; init; } = 0.2;

    /// <summary>Smallest and largest pooling window side (uniform) for non-global pooling.</summary>
    public (int Min, int Max) PoolKernel { get; init; } = (2, 3);

    /// <summary>Smallest and largest pooling stride (uniform, both axes) for non-global pooling.</summary>
    public (int Min, int Max) PoolStride { get; init; } = (1, 2);

    /// <summary>Probability of VALID padding (else SAME) for non-global pooling.</summary>
    public double PoolValidPadding { get; init; } = 0.5;

    /// <summary>Probability that RESHAPE of a vector [1, N] gives [1, 1, 1, N] (channels) rather than [1, 1, N, 1]
    /// (width).</summary>
    public double ReshapeVectorToChannels { get; init; } = 0.5;

    /// <summary>Weights of CONCATENATION's axis on a rank-4 tensor: height, width, channels; channels most
    /// (the usual concatenation in CNNs).</summary>
    public IReadOnlyList<double> ConcatAxisWeights { get; init; } = [0.3, 0.3, 0.4];

    /// <summary>Weights of MEAN's axes on a rank-4 tensor: H and W (global average pooling, the common case),
    /// W only, H only.</summary>
    public IReadOnlyList<double> MeanAxisWeights { get; init; } = [0.6, 0.2, 0.2];

    /// <summary>Probability that MEAN over both H and W keeps the reduced dimensions (one-axis MEAN always
    /// keeps them, so the chain never holds a rank-3 image tensor).</summary>
    public double MeanKeepDims { get; init; } = 0.5;
}

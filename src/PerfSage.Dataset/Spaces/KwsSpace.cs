namespace PerfSage.Dataset.Spaces;

/// <summary>
/// Keyword spotting: DS-CNN-like networks (Zhang et al., "Hello Edge", arXiv 1711.07128; the MLPerf Tiny
/// KWS reference) on 49×10×1 MFCC features (49 frames of 10 coefficients), 12 classes. A first convolution,
/// 1–6 depthwise-separable blocks (depthwise 3×3 + pointwise 1×1, each with BN folded and a fused
/// activation), pooling, a 12-way FULLY_CONNECTED and SOFTMAX. int8, or int16 activations with int8 weights
/// (16x8, supported by TFLM and CMSIS-NN and used for audio front ends); optional float I/O behind
/// QUANTIZE/DEQUANTIZE as the TFLite converter emits when the input type is left float.
/// Meant for Cortex-M and Ethos-U boards.
/// </summary>
public sealed class KwsSpace : ISearchSpace
{
    private const int Frames = 49;
    private const int Coefficients = 10;
    private const int Classes = 12;

    private static readonly string[] FirstKernels = ["10x4", "8x4", "5x3", "3x3"];
    private static readonly string[] FirstStrides = ["2x2", "2x1", "1x1"];
    private static readonly double[] FirstStrideWeights = [0.6, 0.25, 0.15];
    private static readonly string[] Poolings = ["avg", "mean", "flatten"];
    private static readonly double[] PoolingWeights = [0.6, 0.2, 0.2];
    private static readonly string[] DTypes = ["int8", "int16x8"];
    private static readonly double[] DTypeWeights = [0.8, 0.2];
    private static readonly string[] Ios = ["int", "float"];
    private static readonly double[] IoWeights = [0.75, 0.25];
    private static readonly string[] ActivationChoices = ["relu", "relu6"];

    public string Name => "kws";

    public string Description => "DS-CNN-like keyword spotting on 49x10x1 MFCCs, 12 classes, int8 / int16x8";

    public IReadOnlyList<Knob> Knobs { get; } =
    [
        Knob.Choice("dtype", DTypes, "element types: int8, or int16 activations with int8 weights (p 0.8 / 0.2)"),
        Knob.Choice("io", Ios, "graph input/output: integer, or float behind QUANTIZE/DEQUANTIZE (p 0.75 / 0.25)"),
        Knob.Choice("first_kernel", FirstKernels, "first convolution kernel, time x frequency"),
        Knob.Choice("first_stride", FirstStrides, "first convolution stride, time x frequency (p 0.6 / 0.25 / 0.15)"),
        Knob.Numeric("blocks", 1, 6, "depthwise-separable blocks"),
        Knob.Numeric("channels", 16, 276, "output channels of the first convolution then of each block's pointwise " +
            "convolution (log-uniform; each layer keeps the previous width with p 0.5)", step: 4, isList: true),
        Knob.Numeric("strides", 1, 2, "stride of each block's depthwise convolution (2 with p 0.15)", isList: true),
        Knob.Choice("activation", ActivationChoices, "fused activation of every convolution"),
        Knob.Choice("pooling", Poolings, "before the classifier: AVERAGE_POOL_2D over the map + RESHAPE, MEAN, " +
            "or RESHAPE (flatten) only (p 0.6 / 0.2 / 0.2)"),
    ];

    public IReadOnlyList<string> IntendedFamilies { get; } = ["cortex-m", "ethos-u"];

    public MemoryBudget Budget => MemoryBudget.Microcontroller;

    public SpaceSample Sample(ulong seed, long index) => Sampling.Run(this, seed, index, Draw);

    private static Draft Draw(SampleRng rng, string id)
    {
        var knobs = new KnobValues();
        string dtype = rng.Pick(DTypes, DTypeWeights);
        string io = rng.Pick(Ios, IoWeights);
        string kernel = rng.Pick(FirstKernels);
        string stride = rng.Pick(FirstStrides, FirstStrideWeights);
        int blocks = rng.Next(1, 6);
        var channels = new int[blocks + 1];
        channels[0] = rng.NextLogMultiple(16, 276, 4);
        for (int i = 1; i <= blocks; i++)
        {
            channels[i] = rng.Chance(0.5) ? channels[i - 1] : rng.NextLogMultiple(16, 276, 4);
        }
        var strides = new int[blocks];
        for (int i = 0; i < blocks; i++)
        {
            strides[i] = rng.Chance(0.15) ? 2 : 1;
        }
        string actName = rng.Pick(ActivationChoices);
        string pooling = rng.Pick(Poolings, PoolingWeights);

        knobs.Set("dtype", dtype);
        knobs.Set("io", io);
        knobs.Set("first_kernel", kernel);
        knobs.Set("first_stride", stride);
        knobs.Set("blocks", blocks);
        knobs.SetList("channels", channels);
        knobs.SetList("strides", strides);
        knobs.Set("activation", actName);
        knobs.Set("pooling", pooling);

        DTypeVariant variant = dtype == "int8" ? DTypeVariant.Int8 : DTypeVariant.Int16x8;
        Activation act = actName == "relu" ? Activation.Relu : Activation.Relu6;
        (int kh, int kw) = SpaceParts.Pair(kernel);
        (int sh, int sw) = SpaceParts.Pair(stride);
        var graph = NetBuilder.Build(id, variant, io == "float", n =>
        {
            int x = n.Input(1, Frames, Coefficients, 1);
            x = n.Conv(x, channels[0], kh, kw, sh, sw, act);
            for (int i = 0; i < blocks; i++)
            {
                x = n.Depthwise(x, 3, 3, strides[i], strides[i], act);
                x = n.Conv(x, channels[i + 1], 1, 1, 1, 1, act);
            }
            x = SpaceParts.Classifier(n, x, pooling, Classes);
            n.Output(x);
        });
        return new Draft(graph, knobs, "kws-dscnn", DTypeVariants.Name(variant));
    }
}

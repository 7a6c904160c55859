using System.Globalization;
using PerfSage.Graph;
using PerfSage.Tflite;

namespace PerfSage.Dataset.Spaces;

/// <summary>
/// Small, diverse graphs: a chain of 1–6 operators drawn from a broad vocabulary (convolutions, transposed
/// convolutions, fully connected chains, binary and unary elementwise ops, padding, slicing, pooling,
/// reductions, conversions, sequence LSTMs), in int8, int16x8 or float32, on audio-shaped ([1, H ≤ 8, W, C]),
/// image-shaped ([1, H, W, C]), vector ([1, N]) or sequence ([1, T, F]) inputs. It covers what the architecture
/// spaces never contain: single-op graphs (the TFLM <c>seanet</c> kernel tests), PAD, STRIDED_SLICE, LEAKY_RELU,
/// TRANSPOSE_CONV, SUB, int32 ↔ int16 QUANTIZE, depthwise convolutions with a depth multiplier
/// (micro_speech), UNIDIRECTIONAL_SEQUENCE_LSTM stacks (micro_speech_lstm, trained_lstm, dtln), float32 MCU
/// networks and tiny FC chains (hello_world 1→16→16→1, autoencoder layers 640→128).
/// Each op reads the previous op's output; binary ops and CONCATENATION may add a second graph input.
/// Every tensor is kept within <see cref="MaxTensorBytes"/> and every layer's weights within
/// <see cref="MaxLayerWeightBytes"/>, so the <c>mcu-512k</c> budget is met without redraws in practice.
/// Meant for Cortex-M and Ethos-U boards.
/// </summary>
public sealed partial class OpsSpace : ISearchSpace
{
    /// <summary>Largest activation tensor the draws aim for (our choice): three such tensors live at once (two
    /// operands and an output) take 288 KiB, well inside the 448 KiB arena of <c>mcu-512k</c>.</summary>
    public const int MaxTensorBytes = 96 * 1024;

    /// <summary>Largest weight tensor of one layer (our choice): six such layers take 1.5 MiB, inside the
    /// 1,792 KiB of constants of <c>mcu-512k</c>.</summary>
    public const int MaxLayerWeightBytes = 256 * 1024;

    /// <summary>Largest op chain.</summary>
    public const int MaxOps = 6;

    /// <summary>Probability of a single-op graph: 127 of the 156 TFLM reference models are single-op kernel
    /// tests, so they get a large share (our choice).</summary>
    public const double SingleOpProbability = 0.4;

    /// <summary>The sampler's probabilities, weights and small ranges, by name.</summary>
    public static OpsSpaceOdds Odds => OpsSpaceOdds.Default;

    private static readonly string[] DTypes = ["int8", "int16x8", "float32"];
    private static readonly string[] Ios = ["native", "float"];
    private static readonly string[] ShapeFamilies = ["audio", "image", "vector", "sequence"];
    private static readonly string[] FusedChoices = ["none", "relu", "relu6"];
    private static readonly int[] ConcatAxes = [1, 2, 3];
    private static readonly int[][] MeanAxes = [[1, 2], [2], [1]];
    private static readonly string[] Operands = ["input", "channel_input", "channel_const", "scalar_const"];

    /// <summary>The op vocabulary, as knob values (lower-case TFLite builtin names); their draw weights are
    /// <see cref="OpsSpaceOdds.OpWeights"/>.</summary>
    public static IReadOnlyList<string> OpNames { get; } =
    [
        "conv_2d", "depthwise_conv_2d", "transpose_conv", "fully_connected", "add", "sub", "mul", "pad",
        "strided_slice", "leaky_relu", "relu", "relu6", "logistic", "tanh", "hard_swish", "quantize",
        "dequantize", "max_pool_2d", "average_pool_2d", "reshape", "softmax", "concatenation", "mean",
        "unidirectional_sequence_lstm",
    ];

    /// <summary>Most LSTMs stacked in one chain (micro_speech_lstm and trained_lstm have one, dtln two).</summary>
    public const int MaxLstms = 2;

    public string Name => "ops";

    public string Description => "chains of 1-6 operators from a broad vocabulary on audio, image and vector shapes, int8 / int16x8 / float32";

    public IReadOnlyList<Knob> Knobs { get; } =
    [
        Knob.Choice("dtype", DTypes, "element types: int8, int16 activations with int8 weights, or float32 (p 0.4 / 0.35 / 0.25)"),
        Knob.Choice("io", Ios, "graph inputs/output: in the activation type, or float behind QUANTIZE/DEQUANTIZE " +
            "(integer variants only, p 0.8 / 0.2; always native for float32)"),
        Knob.Choice("shape", ShapeFamilies, "input shape family: audio [1,H,W,C] with H 1-8, W 1-256; image " +
            "[1,H,W,C] with H, W 1-96 (square with p 0.5); vector [1,N] with N 1-1024; sequence [1,T,F] with " +
            "T 1-64, F 1-256 (p 0.4 / 0.25 / 0.2 / 0.15)"),
        Knob.Numeric("input_shape", 1, 1024, "the first input's dimensions; sizes log-uniform, channels capped so " +
            "the tensor stays within 96 KiB", isList: true),
        Knob.Numeric("op_count", 1, MaxOps, "operators in the chain: 1 with p 0.4, else uniform 2-6 (float I/O " +
            "adds its QUANTIZE/DEQUANTIZE ops)"),
        Knob.Choice("ops", OpNames, "each operator, drawn with fixed weights among those that accept the current " +
            "tensor (rank, type); a vector input starts with FULLY_CONNECTED with p 0.35 and after FULLY_CONNECTED " +
            "another follows with p 0.5; a sequence input starts with UNIDIRECTIONAL_SEQUENCE_LSTM with p 0.8, at " +
            "most 2 LSTMs a chain; never RESHAPE alone", isList: true),
        Knob.Text("layers", "each operator's parameters, '; ' separated (kernel, stride, padding, filters or " +
            "units, depth multiplier, fused activation, second operand, paddings, slice, axes)"),
    ];

    public IReadOnlyList<string> IntendedFamilies { get; } = ["cortex-m", "ethos-u"];

    public MemoryBudget Budget => MemoryBudget.Microcontroller;

    public SpaceSample Sample(ulong seed, long index) => Sampling.Run(this, seed, index, Draw);

    /// <summary>The family label of a graph whose first drawn operator is <paramref name="firstOp"/>:
    /// <c>ops-conv</c>, <c>ops-fc</c>, <c>ops-rnn</c>, <c>ops-binary</c>, <c>ops-unary</c> or <c>ops-data</c>.</summary>
    public static string FamilyOf(string firstOp) => firstOp switch
    {
        "unidirectional_sequence_lstm" => "ops-rnn",
        "conv_2d" or "depthwise_conv_2d" or "transpose_conv" => "ops-conv",
        "fully_connected" => "ops-fc",
        "add" or "sub" or "mul" or "concatenation" => "ops-binary",
        "leaky_relu" or "relu" or "relu6" or "logistic" or "tanh" or "hard_swish" or "quantize" or "dequantize"
            or "softmax" => "ops-unary",
        _ => "ops-data",
    };

    private static Draft Draw(SampleRng rng, string id)
    {
        string dtype = rng.Pick(DTypes, Odds.DTypeWeights);
        DTypeVariant variant = dtype switch
        {
            "int8" => DTypeVariant.Int8,
            "int16x8" => DTypeVariant.Int16x8,
            _ => DTypeVariant.Float32,
        };
        string io = DTypeVariants.IsQuantized(variant) ? rng.Pick(Ios, Odds.IoWeights) : "native";
        string family = rng.Pick(ShapeFamilies, Odds.ShapeWeights);
        int opCount = rng.Chance(Odds.SingleOp) ? 1 : rng.Next(2, MaxOps);

        TensorType activation = DTypeVariants.ActivationType(variant);
        var chain = new Chain(rng, id, activation, io == "float");
        int[] inputShape = chain.InputShape(family);
        // The first op is picked before the input exists: an int16 QUANTIZE may read an int32 input instead
        // (the seanet int32 → int16 requantisation).
        string first = chain.PickOp(inputShape, activation, [], last: opCount == 1);
        bool int32Input = first == "quantize" && activation == TensorType.Int16 && io == "native"
            && rng.Chance(Odds.Int32Input);
        int x = int32Input ? chain.Int32Input(inputShape) : chain.Input(inputShape);
        var ops = new List<string>(opCount);
        var layers = new List<string>(opCount);
        for (int i = 0; i < opCount; i++)
        {
            bool last = i == opCount - 1;
            string op = i == 0 ? first : chain.PickOp(x, ops, last);
            (x, string layer) = chain.Emit(op, x, last);
            ops.Add(op);
            layers.Add(layer);
        }
        chain.Output(x);

        var knobs = new KnobValues();
        knobs.Set("dtype", dtype);
        knobs.Set("io", io);
        knobs.Set("shape", family);
        knobs.SetList("input_shape", inputShape);
        knobs.Set("op_count", opCount);
        knobs.SetList("ops", ops);
        knobs.Set("layers", string.Join("; ", layers));
        return new Draft(chain.Build(), knobs, FamilyOf(ops[0]), dtype);
    }
}

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
public sealed class OpsSpace : ISearchSpace
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

    private static readonly string[] DTypes = ["int8", "int16x8", "float32"];
    private static readonly double[] DTypeWeights = [0.4, 0.35, 0.25];
    private static readonly string[] Ios = ["native", "float"];
    private static readonly double[] IoWeights = [0.8, 0.2];
    private static readonly string[] ShapeFamilies = ["audio", "image", "vector", "sequence"];
    private static readonly double[] ShapeWeights = [0.4, 0.25, 0.2, 0.15];
    private static readonly int[] Kernels = [1, 2, 3, 4, 5, 7, 8, 10];
    private static readonly double[] KernelWeights = [2, 1, 3, 1.5, 1, 0.5, 0.3, 0.2];
    private static readonly string[] FusedChoices = ["none", "relu", "relu6"];
    private static readonly double[] FusedWeights = [0.6, 0.2, 0.2];
    private static readonly int[] ConcatAxes = [1, 2, 3];
    private static readonly double[] ConcatAxisWeights = [0.3, 0.3, 0.4];
    private static readonly int[][] MeanAxes = [[1, 2], [2], [1]];
    private static readonly double[] MeanAxisWeights = [0.6, 0.2, 0.2];
    private static readonly string[] Operands = ["input", "channel_input", "channel_const", "scalar_const"];
    private static readonly double[] OperandWeights = [0.5, 0.15, 0.2, 0.15];

    /// <summary>The op vocabulary, as knob values (lower-case TFLite builtin names), and their draw weights.</summary>
    public static IReadOnlyList<string> OpNames { get; } =
    [
        "conv_2d", "depthwise_conv_2d", "transpose_conv", "fully_connected", "add", "sub", "mul", "pad",
        "strided_slice", "leaky_relu", "relu", "relu6", "logistic", "tanh", "hard_swish", "quantize",
        "dequantize", "max_pool_2d", "average_pool_2d", "reshape", "softmax", "concatenation", "mean",
        "unidirectional_sequence_lstm",
    ];

    private static readonly double[] OpWeights =
    [
        2, 1, 1.5, 2, 1.5, 1, 1, 1.5,
        1.5, 1.5, 0.5, 0.5, 0.75, 0.75, 0.75, 1,
        0.75, 0.75, 0.75, 0.75, 0.75, 1, 0.75,
        2,
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
        string dtype = rng.Pick(DTypes, DTypeWeights);
        DTypeVariant variant = dtype switch
        {
            "int8" => DTypeVariant.Int8,
            "int16x8" => DTypeVariant.Int16x8,
            _ => DTypeVariant.Float32,
        };
        string io = DTypeVariants.IsQuantized(variant) ? rng.Pick(Ios, IoWeights) : "native";
        string family = rng.Pick(ShapeFamilies, ShapeWeights);
        int opCount = rng.Chance(SingleOpProbability) ? 1 : rng.Next(2, MaxOps);

        TensorType activation = DTypeVariants.ActivationType(variant);
        var chain = new Chain(rng, id, activation, io == "float");
        int[] inputShape = chain.InputShape(family);
        // The first op is picked before the input exists: an int16 QUANTIZE may read an int32 input instead
        // (the seanet int32 → int16 requantisation).
        string first = chain.PickOp(inputShape, activation, [], last: opCount == 1);
        bool int32Input = first == "quantize" && activation == TensorType.Int16 && io == "native" && rng.Chance(0.5);
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

    /// <summary>The graph being drawn: the builder, the generator and the size caps.</summary>
    private sealed class Chain(SampleRng rng, string id, TensorType activation, bool floatIo)
    {
        private readonly OpGraphBuilder _b = new(id);

        public OpGraph Build() => _b.Build();

        /// <summary>The first input's shape: sizes log-uniform (probability ∝ 1/value), the channel count
        /// capped so the tensor stays within <see cref="MaxTensorBytes"/>.</summary>
        public int[] InputShape(string family)
        {
            int maxElements = MaxElements(activation);
            switch (family)
            {
                case "audio":
                {
                    int h = rng.NextLogMultiple(1, 8, 1);
                    int w = rng.NextLogMultiple(1, 256, 1);
                    int c = rng.NextLogMultiple(1, Math.Min(256, maxElements / (h * w)), 1);
                    return [1, h, w, c];
                }
                case "image":
                {
                    int h = rng.NextLogMultiple(1, 96, 1);
                    int w = rng.Chance(0.5) ? h : rng.NextLogMultiple(1, 96, 1);
                    int c = rng.NextLogMultiple(1, Math.Min(256, maxElements / (h * w)), 1);
                    return [1, h, w, c];
                }
                case "sequence":
                {
                    int steps = rng.NextLogMultiple(1, 64, 1);
                    int features = rng.NextLogMultiple(1, 256, 1);
                    return [1, steps, features];
                }
                default:
                    return [1, rng.NextLogMultiple(1, 1024, 1)];
            }
        }

        /// <summary>A graph input in the activation type; float behind QUANTIZE with float I/O.</summary>
        public int Input(int[] shape) => floatIo
            ? _b.Quantize(_b.AddInput(shape, TensorType.Float32), activation)
            : _b.AddInput(shape, activation);

        /// <summary>An int32 graph input (scale 2⁻²⁴ ≈ 1.49e-7 zero point 0, as seanet <c>quantize0.tflite</c>
        /// has), read by an int16 QUANTIZE.</summary>
        public int Int32Input(int[] shape) =>
            _b.AddInput(shape, TensorType.Int32, QuantizationSummary.PerTensor(1f / (1 << 24), 0));

        /// <summary>Marks the graph output, behind DEQUANTIZE with float I/O (when still integer).</summary>
        public void Output(int x) =>
            _b.MarkOutput(floatIo && TensorTypes.IsQuantizedInteger(_b.TypeOf(x)) ? _b.Dequantize(x) : x);

        /// <summary>An op that accepts tensor <paramref name="x"/>, by <see cref="OpWeights"/>. FC chains are
        /// favoured: after FULLY_CONNECTED another follows with p 0.5, and a vector input starts with one with
        /// p 0.35. A chain never consists of RESHAPE ops alone (Vela removes them: nothing would run).</summary>
        public string PickOp(int x, List<string> previous, bool last) =>
            PickOp(_b.ShapeOf(x), _b.TypeOf(x), previous, last);

        /// <summary>An op that accepts a tensor of shape <paramref name="s"/> and type <paramref name="t"/>
        /// (see the other overload). A sequence ([1, T, F]) starts with an LSTM with p 0.8; a chain holds at
        /// most <see cref="MaxLstms"/> LSTMs.</summary>
        public string PickOp(int[] s, TensorType t, List<string> previous, bool last)
        {
            bool lstmAllowed = previous.Count(op => op == "unidirectional_sequence_lstm") < MaxLstms;
            if (previous.Count == 0 && s.Length == 3 && rng.Chance(0.8))
            {
                return "unidirectional_sequence_lstm";
            }
            bool fcAccepted = Accepts("fully_connected", s, t);
            if (previous.Count > 0 && previous[^1] == "fully_connected" && fcAccepted && rng.Chance(0.5))
            {
                return "fully_connected";
            }
            if (previous.Count == 0 && fcAccepted && rng.Chance(0.35))
            {
                return "fully_connected";
            }
            bool reshapeAllowed = !last || previous.Any(op => op != "reshape");
            var names = new List<string>(OpNames.Count);
            var weights = new List<double>(OpNames.Count);
            for (int i = 0; i < OpNames.Count; i++)
            {
                if (Accepts(OpNames[i], s, t) && (reshapeAllowed || OpNames[i] != "reshape")
                    && (lstmAllowed || OpNames[i] != "unidirectional_sequence_lstm"))
                {
                    names.Add(OpNames[i]);
                    weights.Add(OpWeights[i]);
                }
            }
            return rng.Pick(names, weights);
        }

        /// <summary>Whether <paramref name="op"/> is drawn on a tensor of shape <paramref name="s"/> and type
        /// <paramref name="t"/>. Sequences ([1, T, F]) get LSTM, FULLY_CONNECTED (keep_num_dims), RESHAPE to a
        /// vector and elementwise ops, as in the TFLM LSTM models.</summary>
        private static bool Accepts(string op, int[] s, TensorType t) => op switch
        {
            "conv_2d" or "depthwise_conv_2d" or "transpose_conv" or "max_pool_2d" or "average_pool_2d" => s.Length == 4,
            "unidirectional_sequence_lstm" => s.Length == 3,
            "fully_connected" => s.Length is 2 or 3,
            "concatenation" or "mean" or "pad" => s.Length != 3,
            "dequantize" => TensorTypes.IsQuantizedInteger(t) && Elements(s) * 4 <= MaxTensorBytes,
            "strided_slice" => s.Skip(1).Any(d => d > 1),
            _ => true,
        };

        /// <summary>Adds <paramref name="op"/> reading <paramref name="x"/>; returns its output and its
        /// parameters as the <c>layers</c> knob writes them.</summary>
        public (int Output, string Layer) Emit(string op, int x, bool last)
        {
            int[] s = _b.ShapeOf(x);
            TensorType t = _b.TypeOf(x);
            return op switch
            {
                "conv_2d" => Conv(x, s, t, depthwise: false),
                "depthwise_conv_2d" => Conv(x, s, t, depthwise: true),
                "transpose_conv" => TransposeConv(x, s, t),
                "fully_connected" => FullyConnected(x, s, t),
                "add" or "sub" or "mul" => Binary(op, x, s, t),
                "pad" => Pad(x, s),
                "strided_slice" => Slice(x, s),
                "leaky_relu" => (_b.LeakyRelu(x), op),
                "relu" => (_b.Relu(x), op),
                "relu6" => (_b.Relu6(x), op),
                "logistic" => (_b.Logistic(x), op),
                "tanh" => (_b.Tanh(x), op),
                "hard_swish" => (_b.HardSwish(x), op),
                "quantize" => Quantize(x, t, last),
                "dequantize" => (_b.Dequantize(x), op),
                "max_pool_2d" or "average_pool_2d" => Pool(op, x, s),
                "reshape" => Reshape(x, s),
                "softmax" => (_b.Softmax(x), op),
                "concatenation" => Concatenation(x, s),
                "mean" => Mean(x, s),
                "unidirectional_sequence_lstm" => Lstm(x, s, t),
                _ => throw new InvalidOperationException($"unknown op {op}"),
            };
        }

        private (int, string) Conv(int x, int[] s, TensorType t, bool depthwise)
        {
            int kh = rng.Pick(Kernels, KernelWeights);
            int kw = rng.Pick(Kernels, KernelWeights);
            int sh = rng.Chance(0.25) ? 2 : 1;
            int sw = rng.Chance(0.25) ? 2 : 1;
            Padding padding = rng.Chance(ValidProbability(s)) ? Padding.Valid : Padding.Same;
            string fused = rng.Pick(FusedChoices, FusedWeights);
            if (padding == Padding.Valid)
            {
                kh = Math.Min(kh, s[1]);
                kw = Math.Min(kw, s[2]);
            }
            int ho = Window(s[1], kh, sh, padding), wo = Window(s[2], kw, sw, padding);
            string name = depthwise ? "depthwise_conv_2d" : "conv_2d";
            string geometry = string.Create(CultureInfo.InvariantCulture,
                $"{kh}x{kw}/{sh}x{sw} {(padding == Padding.Valid ? "valid" : "same")}");
            if (depthwise)
            {
                // A depth multiplier on shallow inputs (micro_speech: 1 channel → 8), capped by the tensor size.
                int multiplier = s[3] <= 8 && rng.Chance(0.5) ? rng.Next(2, 8) : 1;
                while (multiplier > 1 && (long)ho * wo * s[3] * multiplier > MaxElements(t))
                {
                    multiplier--;
                }
                string m = multiplier > 1 ? string.Create(CultureInfo.InvariantCulture, $" m{multiplier}") : "";
                return (_b.DepthwiseConv2D(x, kh, kw, sh, sw, padding, Fused(fused), multiplier),
                    $"{name} {geometry}{m} {fused}");
            }
            int maxFilters = Math.Min(Math.Min(256, MaxElements(t) / (ho * wo)),
                MaxLayerWeightBytes / (kh * kw * s[3] * WeightBytes(t)));
            int filters = rng.NextLogMultiple(1, Math.Max(1, maxFilters), 1);
            return (_b.Conv2D(x, filters, kh, kw, sh, sw, padding, Fused(fused)),
                string.Create(CultureInfo.InvariantCulture, $"{name} {geometry} f{filters} {fused}"));
        }

        private (int, string) TransposeConv(int x, int[] s, TensorType t)
        {
            int kh = rng.Pick(Kernels, KernelWeights);
            int kw = rng.Pick(Kernels, KernelWeights);
            int sh = rng.Chance(0.5) ? 2 : 1;
            int sw = rng.Chance(0.5) ? 2 : 1;
            Padding padding = rng.Chance(ValidProbability(s)) ? Padding.Valid : Padding.Same;
            int ho = padding == Padding.Same ? s[1] * sh : (s[1] - 1) * sh + kh;
            int wo = padding == Padding.Same ? s[2] * sw : (s[2] - 1) * sw + kw;
            if ((long)ho * wo > MaxElements(t))
            {
                // Upsampling would outgrow the tensor cap: keep the input's size (stride 1, SAME).
                (sh, sw, padding, ho, wo) = (1, 1, Padding.Same, s[1], s[2]);
            }
            int maxFilters = Math.Min(Math.Min(256, MaxElements(t) / (ho * wo)),
                MaxLayerWeightBytes / (kh * kw * s[3] * WeightBytes(t)));
            int filters = rng.NextLogMultiple(1, Math.Max(1, maxFilters), 1);
            return (_b.TransposeConv(x, filters, kh, kw, sh, sw, padding),
                string.Create(CultureInfo.InvariantCulture,
                    $"transpose_conv {kh}x{kw}/{sh}x{sw} {(padding == Padding.Valid ? "valid" : "same")} f{filters}"));
        }

        /// <summary>FULLY_CONNECTED on a vector, or on a sequence per time step (keep_num_dims, as dtln's
        /// output layer).</summary>
        private (int, string) FullyConnected(int x, int[] s, TensorType t)
        {
            int maxUnits = Math.Min(1024, MaxLayerWeightBytes / (s[^1] * WeightBytes(t)));
            if (s.Length == 3)
            {
                maxUnits = Math.Min(maxUnits, MaxElements(t) / s[1]);
            }
            int units = rng.NextLogMultiple(1, Math.Max(1, maxUnits), 1);
            string fused = rng.Pick(FusedChoices, FusedWeights);
            bool keep = s.Length == 3;
            return (_b.FullyConnected(x, units, Fused(fused), keepNumDims: keep),
                string.Create(CultureInfo.InvariantCulture, $"fully_connected u{units} {fused}{(keep ? " keep" : "")}"));
        }

        /// <summary>UNIDIRECTIONAL_SEQUENCE_LSTM (TANH, cell clip 10, as the TFLM models) with 4–256 units
        /// (log-uniform), capped so its eight gate matrices fit <see cref="MaxLayerWeightBytes"/> and its
        /// output <see cref="MaxTensorBytes"/>.</summary>
        private (int, string) Lstm(int x, int[] s, TensorType t)
        {
            int maxUnits = Math.Min(256, MaxElements(t) / s[1]);
            while (maxUnits > 1 && 4L * maxUnits * (s[2] + maxUnits) * WeightBytes(t) > MaxLayerWeightBytes)
            {
                maxUnits--;
            }
            int units = rng.NextLogMultiple(Math.Min(4, maxUnits), Math.Max(1, maxUnits), 1);
            return (_b.UnidirectionalSequenceLstm(x, units),
                string.Create(CultureInfo.InvariantCulture, $"unidirectional_sequence_lstm u{units}"));
        }

        private (int, string) Binary(string op, int x, int[] s, TensorType t)
        {
            string operand = rng.Pick(Operands, OperandWeights);
            string fused = rng.Pick(FusedChoices, FusedWeights);
            int channels = s[^1];
            int y = operand switch
            {
                "input" => Input(s),
                "channel_input" => Input([channels]),
                "channel_const" => Constant([channels], t),
                _ => Constant([], t),
            };
            ActivationFunctionType act = Fused(fused);
            int z = op switch
            {
                "add" => _b.Add(x, y, act),
                "sub" => _b.Sub(x, y, act),
                _ => _b.Mul(x, y, act),
            };
            return (z, $"{op} {operand} {fused}");
        }

        private int Constant(int[] shape, TensorType t) => TensorTypes.IsQuantizedInteger(t)
            ? _b.AddConstant(shape, t, default, QuantizationSummary.PerTensor(OpGraphBuilder.DefaultScale, 0))
            : _b.AddConstant(shape, t);

        private (int, string) Pad(int x, int[] s)
        {
            var pads = new int[2 * s.Length];
            if (s.Length == 4)
            {
                pads[2] = rng.Chance(0.25) ? rng.Next(1, 2) : 0;
                pads[3] = rng.Chance(0.25) ? rng.Next(1, 2) : 0;
                pads[4] = rng.Chance(0.6) ? rng.Next(1, 6) : 0;
                pads[5] = rng.Chance(0.6) ? rng.Next(1, 6) : 0;
            }
            else
            {
                pads[2] = rng.Chance(0.6) ? rng.Next(1, 6) : 0;
                pads[3] = rng.Chance(0.6) ? rng.Next(1, 6) : 0;
            }
            if (pads.All(p => p == 0))
            {
                pads[^1] = 1;
            }
            return (_b.Pad(x, pads), "pad " + string.Join(',', pads.Select(p => p.ToString(CultureInfo.InvariantCulture))));
        }

        private (int, string) Slice(int x, int[] s)
        {
            var dims = Enumerable.Range(1, s.Length - 1).Where(d => s[d] > 1).ToList();
            int dim = rng.Pick(dims);
            int n = s[dim];
            int begin = rng.Next(0, Math.Min(2, n - 1));
            int end = n - rng.Next(0, Math.Min(2, n - begin - 1));
            int stride = rng.Chance(0.2) ? 2 : 1;
            var b = new int[s.Length];
            int[] e = (int[])s.Clone();
            var st = Enumerable.Repeat(1, s.Length).ToArray();
            b[dim] = begin;
            e[dim] = end;
            st[dim] = stride;
            return (_b.StridedSlice(x, b, e, st),
                string.Create(CultureInfo.InvariantCulture, $"strided_slice d{dim} {begin}:{end}:{stride}"));
        }

        private (int, string) Quantize(int x, TensorType t, bool last)
        {
            if (t == TensorType.Int32)
            {
                return (_b.Quantize(x, TensorType.Int16, QuantizationSummary.PerTensor(OpGraphBuilder.DefaultScale, 0)),
                    "quantize int32_to_int16");
            }
            if (!TensorTypes.IsQuantizedInteger(t))
            {
                return (_b.Quantize(x, TensorType.Int8), "quantize to_int8");
            }
            // Requantise: a new scale in the same type, or a change between int8 and int16; int16 may also go
            // to int32 as the graph's (native) output (seanet quantize1.tflite; TFLM's QUANTIZE takes int16 to
            // int8, int16 or int32).
            if (t == TensorType.Int16 && last && !floatIo && rng.Chance(0.5))
            {
                return (_b.Quantize(x, TensorType.Int32, QuantizationSummary.PerTensor(1f / (1 << 24), 0)),
                    "quantize to_int32");
            }
            TensorType to = rng.Chance(0.6) ? t : t == TensorType.Int16 ? TensorType.Int8 : TensorType.Int16;
            return (_b.Quantize(x, to, QuantizationSummary.PerTensor(2 * OpGraphBuilder.DefaultScale, 0)),
                to == t ? "quantize requantise" : "quantize to_" + TensorTypes.Name(to));
        }

        private (int, string) Pool(string op, int x, int[] s)
        {
            bool global = rng.Chance(0.2);
            int k = rng.Next(2, 3);
            int stride = rng.Next(1, 2);
            Padding padding = rng.Chance(0.5) ? Padding.Valid : Padding.Same;
            int kh, kw, sh, sw;
            if (global)
            {
                (kh, kw, sh, sw, padding) = (s[1], s[2], s[1], s[2], Padding.Valid);
            }
            else
            {
                kh = padding == Padding.Valid ? Math.Min(k, s[1]) : k;
                kw = padding == Padding.Valid ? Math.Min(k, s[2]) : k;
                (sh, sw) = (stride, stride);
            }
            int y = op == "max_pool_2d"
                ? _b.MaxPool2D(x, kh, kw, sh, sw, padding)
                : _b.AveragePool2D(x, kh, kw, sh, sw, padding);
            return (y, string.Create(CultureInfo.InvariantCulture,
                $"{op} {kh}x{kw}/{sh}x{sw} {(padding == Padding.Valid ? "valid" : "same")}"));
        }

        private (int, string) Reshape(int x, int[] s)
        {
            int[] to = s.Length >= 3
                ? [1, (int)Elements(s)]
                : rng.Chance(0.5) ? [1, 1, 1, s[1]] : [1, 1, s[1], 1];
            return (_b.Reshape(x, to), "reshape " + string.Join('x', to.Select(d => d.ToString(CultureInfo.InvariantCulture))));
        }

        private (int, string) Concatenation(int x, int[] s)
        {
            int axis = s.Length == 4 ? rng.Pick(ConcatAxes, ConcatAxisWeights) : 1;
            int[] other = (int[])s.Clone();
            other[axis] = rng.NextLogMultiple(1, s[axis], 1);
            int y = Input(other);
            return (_b.Concatenation([x, y], axis),
                string.Create(CultureInfo.InvariantCulture, $"concatenation axis{axis} +{other[axis]}"));
        }

        private (int, string) Mean(int x, int[] s)
        {
            if (s.Length == 2)
            {
                return (_b.Mean(x, [1], keepDims: true), "mean 1 keep");
            }
            int[] axes = rng.Pick(MeanAxes, MeanAxisWeights);
            // Reducing one of H, W keeps the rank (keep_dims): the chain never holds rank-3 tensors.
            bool keep = axes.Length == 1 || rng.Chance(0.5);
            return (_b.Mean(x, axes, keep), "mean " + string.Join(',', axes.Select(a => a.ToString(CultureInfo.InvariantCulture)))
                + (keep ? " keep" : ""));
        }

        /// <summary>Elements a tensor of type <paramref name="t"/> may hold: <see cref="MaxTensorBytes"/>
        /// over its element size (over 4 with float I/O, so the float copies at the edges fit too).</summary>
        private int MaxElements(TensorType t) => MaxTensorBytes / (floatIo ? 4 : ElementBytes(t));

        private static int ElementBytes(TensorType t) => t switch
        {
            TensorType.Int8 or TensorType.UInt8 => 1,
            TensorType.Int16 => 2,
            _ => 4,
        };

        /// <summary>Bytes per weight: 1 for the integer variants (int8 weights), 4 for float32.</summary>
        private static int WeightBytes(TensorType t) => TensorTypes.IsQuantizedInteger(t) ? 1 : 4;

        /// <summary>Probability of VALID padding: 0.65 on audio-like tensors (H ≤ 8, as the seanet convolutions
        /// [1,8,166,2] 7x7 VALID), 0.5 otherwise (our choice).</summary>
        private static double ValidProbability(int[] s) => s[1] <= 8 ? 0.65 : 0.5;

        private static int Window(int input, int kernel, int stride, Padding padding) =>
            padding == Padding.Same ? (input + stride - 1) / stride : (input - kernel) / stride + 1;

        private static ActivationFunctionType Fused(string name) => name switch
        {
            "relu" => ActivationFunctionType.Relu,
            "relu6" => ActivationFunctionType.Relu6,
            _ => ActivationFunctionType.None,
        };

        private static long Elements(int[] s)
        {
            long n = 1;
            foreach (int d in s)
            {
                n *= d;
            }
            return n;
        }
    }
}

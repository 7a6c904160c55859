using System.Globalization;
using PerfSage.Graph;
using PerfSage.Tflite;

namespace PerfSage.Dataset.Spaces;

/// <content>The chain's layers: one emitter per op that draws the op's parameters (in a fixed order, from
/// <see cref="OpsSpaceOdds"/>) and adds it to the graph.</content>
public sealed partial class OpsSpace
{
    private sealed partial class Chain
    {
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

        /// <summary>A convolution window drawn in this order: kernel height and width by
        /// <see cref="OpsSpaceOdds.KernelWeights"/>, stride 2 or 1 per axis with <paramref name="stride2"/>, VALID or
        /// SAME padding (<see cref="ValidProbability"/>).</summary>
        private (int Kh, int Kw, int Sh, int Sw, Padding Padding) DrawWindow(int[] s, double stride2)
        {
            int kh = rng.Pick(Odds.Kernels, Odds.KernelWeights);
            int kw = rng.Pick(Odds.Kernels, Odds.KernelWeights);
            int sh = rng.Chance(stride2) ? 2 : 1;
            int sw = rng.Chance(stride2) ? 2 : 1;
            Padding padding = rng.Chance(ValidProbability(s)) ? Padding.Valid : Padding.Same;
            return (kh, kw, sh, sw, padding);
        }

        /// <summary>CONV_2D or DEPTHWISE_CONV_2D: the window, a fused activation, then the filters (log-uniform,
        /// capped by the tensor and weight caps) or the depth multiplier. A VALID kernel never exceeds the
        /// input.</summary>
        private (int, string) Conv(int x, int[] s, TensorType t, bool depthwise)
        {
            (int kh, int kw, int sh, int sw, Padding padding) = DrawWindow(s, Odds.ConvStride2);
            string fused = rng.Pick(FusedChoices, Odds.FusedWeights);
            if (padding == Padding.Valid)
            {
                kh = Math.Min(kh, s[1]);
                kw = Math.Min(kw, s[2]);
            }
            int ho = Window(s[1], kh, sh, padding), wo = Window(s[2], kw, sw, padding);
            string geometry = string.Create(CultureInfo.InvariantCulture,
                $"{kh}x{kw}/{sh}x{sw} {(padding == Padding.Valid ? "valid" : "same")}");
            if (depthwise)
            {
                int multiplier = DepthMultiplier(s, t, ho * wo);
                string m = multiplier > 1 ? string.Create(CultureInfo.InvariantCulture, $" m{multiplier}") : "";
                return (_b.DepthwiseConv2D(x, kh, kw, sh, sw, padding, Fused(fused), multiplier),
                    $"depthwise_conv_2d {geometry}{m} {fused}");
            }
            int filters = Filters(s, t, kh, kw, ho * wo);
            return (_b.Conv2D(x, filters, kh, kw, sh, sw, padding, Fused(fused)),
                string.Create(CultureInfo.InvariantCulture, $"conv_2d {geometry} f{filters} {fused}"));
        }

        /// <summary>A depth multiplier on shallow inputs (micro_speech: 1 channel → 8; see
        /// <see cref="OpsSpaceOdds.DepthMultiplier"/>), lowered until the output fits the tensor cap.</summary>
        private int DepthMultiplier(int[] s, TensorType t, int outputPixels)
        {
            int multiplier = s[3] <= Odds.DepthMultiplierMaxChannels && rng.Chance(Odds.DepthMultiplier)
                ? rng.Next(2, Odds.MaxDepthMultiplier)
                : 1;
            while (multiplier > 1 && (long)outputPixels * s[3] * multiplier > MaxElements(t))
            {
                multiplier--;
            }
            return multiplier;
        }

        /// <summary>Output channels of a (transposed) convolution, log-uniform from 1 to the most that keep the
        /// output within the tensor cap, the weights within <see cref="MaxLayerWeightBytes"/>, and at most
        /// 256.</summary>
        private int Filters(int[] s, TensorType t, int kh, int kw, int outputPixels)
        {
            int maxFilters = Math.Min(Math.Min(256, MaxElements(t) / outputPixels),
                MaxLayerWeightBytes / (kh * kw * s[3] * WeightBytes(t)));
            return rng.NextLogMultiple(1, Math.Max(1, maxFilters), 1);
        }

        /// <summary>TRANSPOSE_CONV: the window (upsampling by stride 2 with
        /// <see cref="OpsSpaceOdds.TransposeConvStride2"/>), then the filters.</summary>
        private (int, string) TransposeConv(int x, int[] s, TensorType t)
        {
            (int kh, int kw, int sh, int sw, Padding padding) = DrawWindow(s, Odds.TransposeConvStride2);
            int ho = padding == Padding.Same ? s[1] * sh : (s[1] - 1) * sh + kh;
            int wo = padding == Padding.Same ? s[2] * sw : (s[2] - 1) * sw + kw;
            if ((long)ho * wo > MaxElements(t))
            {
                // Upsampling would outgrow the tensor cap: keep the input's size (stride 1, SAME).
                (sh, sw, padding, ho, wo) = (1, 1, Padding.Same, s[1], s[2]);
            }
            int filters = Filters(s, t, kh, kw, ho * wo);
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
            string fused = rng.Pick(FusedChoices, Odds.FusedWeights);
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
            string operand = rng.Pick(Operands, Odds.OperandWeights);
            string fused = rng.Pick(FusedChoices, Odds.FusedWeights);
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
                pads[2] = PadAmount(Odds.PadHeight, Odds.MaxPadHeight);
                pads[3] = PadAmount(Odds.PadHeight, Odds.MaxPadHeight);
                pads[4] = PadAmount(Odds.PadWidth, Odds.MaxPadWidth);
                pads[5] = PadAmount(Odds.PadWidth, Odds.MaxPadWidth);
            }
            else
            {
                pads[2] = PadAmount(Odds.PadWidth, Odds.MaxPadWidth);
                pads[3] = PadAmount(Odds.PadWidth, Odds.MaxPadWidth);
            }
            if (pads.All(p => p == 0))
            {
                pads[^1] = 1;
            }
            return (_b.Pad(x, pads), "pad " + string.Join(',', pads.Select(p => p.ToString(CultureInfo.InvariantCulture))));
        }

        /// <summary>Padding on one side: 1 to <paramref name="max"/> with <paramref name="probability"/>, else 0.</summary>
        private int PadAmount(double probability, int max) => rng.Chance(probability) ? rng.Next(1, max) : 0;

        private (int, string) Slice(int x, int[] s)
        {
            var dims = Enumerable.Range(1, s.Length - 1).Where(d => s[d] > 1).ToList();
            int dim = rng.Pick(dims);
            int n = s[dim];
            int begin = rng.Next(0, Math.Min(Odds.MaxSliceTrim, n - 1));
            int end = n - rng.Next(0, Math.Min(Odds.MaxSliceTrim, n - begin - 1));
            int stride = rng.Chance(Odds.SliceStride2) ? 2 : 1;
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
            if (t == TensorType.Int16 && last && !floatIo && rng.Chance(Odds.Int16ToInt32Output))
            {
                return (_b.Quantize(x, TensorType.Int32, QuantizationSummary.PerTensor(1f / (1 << 24), 0)),
                    "quantize to_int32");
            }
            TensorType to = rng.Chance(Odds.RequantiseSameType) ? t : t == TensorType.Int16 ? TensorType.Int8 : TensorType.Int16;
            return (_b.Quantize(x, to, QuantizationSummary.PerTensor(2 * OpGraphBuilder.DefaultScale, 0)),
                to == t ? "quantize requantise" : "quantize to_" + TensorTypes.Name(to));
        }

        private (int, string) Pool(string op, int x, int[] s)
        {
            bool global = rng.Chance(Odds.GlobalPool);
            int k = rng.Next(Odds.PoolKernel.Min, Odds.PoolKernel.Max);
            int stride = rng.Next(Odds.PoolStride.Min, Odds.PoolStride.Max);
            Padding padding = rng.Chance(Odds.PoolValidPadding) ? Padding.Valid : Padding.Same;
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
                : rng.Chance(Odds.ReshapeVectorToChannels) ? [1, 1, 1, s[1]] : [1, 1, s[1], 1];
            return (_b.Reshape(x, to), "reshape " + string.Join('x', to.Select(d => d.ToString(CultureInfo.InvariantCulture))));
        }

        private (int, string) Concatenation(int x, int[] s)
        {
            int axis = s.Length == 4 ? rng.Pick(ConcatAxes, Odds.ConcatAxisWeights) : 1;
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
            int[] axes = rng.Pick(MeanAxes, Odds.MeanAxisWeights);
            // Reducing one of H, W keeps the rank (keep_dims): the chain never holds rank-3 tensors.
            bool keep = axes.Length == 1 || rng.Chance(Odds.MeanKeepDims);
            return (_b.Mean(x, axes, keep), "mean " + string.Join(',', axes.Select(a => a.ToString(CultureInfo.InvariantCulture)))
                + (keep ? " keep" : ""));
        }
    }
}

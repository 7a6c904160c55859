using PerfSage.Graph;
using PerfSage.Tflite;

namespace PerfSage.Dataset.Spaces;

/// <content>The chain's graph-level part: input shapes, graph inputs and output, which op comes next, and the
/// size caps. The layers themselves are in <c>OpsSpace.Layers.cs</c>.</content>
public sealed partial class OpsSpace
{
    /// <summary>The graph being drawn: the builder, the generator and the size caps.</summary>
    private sealed partial class Chain(SampleRng rng, string id, TensorType activation, bool floatIo)
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
                    int w = rng.Chance(Odds.SquareImage) ? h : rng.NextLogMultiple(1, 96, 1);
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

        /// <summary>An op that accepts tensor <paramref name="x"/>, by <see cref="OpsSpaceOdds.OpWeights"/>. FC chains are
        /// favoured: after FULLY_CONNECTED another follows with p 0.5, and a vector input starts with one with
        /// p 0.35. A chain never consists of RESHAPE ops alone (Vela removes them: nothing would run).</summary>
        public string PickOp(int x, List<string> previous, bool last) =>
            PickOp(_b.ShapeOf(x), _b.TypeOf(x), previous, last);

        /// <summary>An op that accepts a tensor of shape <paramref name="s"/> and type <paramref name="t"/>
        /// (see the other overload). A sequence ([1, T, F]) starts with an LSTM with p 0.8; a chain holds at
        /// most <see cref="MaxLstms"/> LSTMs.</summary>
        public string PickOp(int[] s, TensorType t, List<string> previous, bool last) =>
            FavouredOp(s, t, previous) ?? WeightedOp(s, t, previous, last);

        /// <summary>The op the chain's shape favours, decided before the weighted draw (in this order): an LSTM
        /// first on a sequence (<see cref="OpsSpaceOdds.SequenceStartsWithLstm"/>), FULLY_CONNECTED after
        /// FULLY_CONNECTED (<see cref="OpsSpaceOdds.FullyConnectedAfterFullyConnected"/>), FULLY_CONNECTED first
        /// (<see cref="OpsSpaceOdds.StartsWithFullyConnected"/>); null when none applies.</summary>
        private string? FavouredOp(int[] s, TensorType t, List<string> previous)
        {
            if (previous.Count == 0 && s.Length == 3 && rng.Chance(Odds.SequenceStartsWithLstm))
            {
                return "unidirectional_sequence_lstm";
            }
            bool fcAccepted = Accepts("fully_connected", s, t);
            if (previous.Count > 0 && previous[^1] == "fully_connected" && fcAccepted
                && rng.Chance(Odds.FullyConnectedAfterFullyConnected))
            {
                return "fully_connected";
            }
            if (previous.Count == 0 && fcAccepted && rng.Chance(Odds.StartsWithFullyConnected))
            {
                return "fully_connected";
            }
            return null;
        }

        /// <summary>An op drawn by <see cref="OpsSpaceOdds.OpWeights"/> among those that accept the tensor, at
        /// most <see cref="MaxLstms"/> LSTMs a chain, and never a last RESHAPE after RESHAPEs only.</summary>
        private string WeightedOp(int[] s, TensorType t, List<string> previous, bool last)
        {
            bool lstmAllowed = previous.Count(op => op == "unidirectional_sequence_lstm") < MaxLstms;
            bool reshapeAllowed = !last || previous.Any(op => op != "reshape");
            var names = new List<string>(OpNames.Count);
            var weights = new List<double>(OpNames.Count);
            for (int i = 0; i < OpNames.Count; i++)
            {
                if (Accepts(OpNames[i], s, t) && (reshapeAllowed || OpNames[i] != "reshape")
                    && (lstmAllowed || OpNames[i] != "unidirectional_sequence_lstm"))
                {
                    names.Add(OpNames[i]);
                    weights.Add(Odds.OpWeights[i]);
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

        /// <summary>Probability of VALID padding: <see cref="OpsSpaceOdds.ValidPaddingAudio"/> on audio-like
        /// tensors, <see cref="OpsSpaceOdds.ValidPadding"/> otherwise.</summary>
        private static double ValidProbability(int[] s) =>
            s[1] <= Odds.AudioMaxHeight ? Odds.ValidPaddingAudio : Odds.ValidPadding;

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

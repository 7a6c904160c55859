using PerfSage.Tflite;

namespace PerfSage.Graph.Export;

/// <summary>
/// Works out the full quantisation parameters of every tensor from the graph's
/// <see cref="QuantizationSummary"/> (which keeps only the first scale and zero point):
/// <list type="bullet">
/// <item>Per-tensor summaries are written as they are (scale, zero point).</item>
/// <item>Per-channel summaries (weights: output channels on axis 0 for CONV_2D and FULLY_CONNECTED,
/// axis 3 for DEPTHWISE_CONV_2D, as the builder sets them) get one scale per channel: channel 0 keeps the
/// summary's scale, the others are seeded draws in [0.5, 1.5) × that scale; every zero point is the
/// summary's (0 for weights).</item>
/// <item>Quantised integer tensors without a summary (INT8, UINT8, INT16, …) get the builder's default,
/// scale <see cref="OpGraphBuilder.DefaultScale"/> and zero point 0, so every such tensor carries parameters.</item>
/// <item>The INT32/INT64 bias of an operator whose input and weights are quantised gets
/// scale[c] = input_scale · weight_scale[c] and zero point 0: the TFLite quantisation spec's rule
/// (https://www.tensorflow.org/lite/performance/quantization_spec), which kernels rely on.</item>
/// </list>
/// </summary>
internal static class QuantizationPlan
{
    /// <summary>Salt of the per-channel scale streams (one stream per tensor id).</summary>
    public const ulong ScaleSalt = 0x5343414C45; // "SCALE"

    public static QuantizationParameters?[] Plan(OpGraph graph, int seed)
    {
        var plan = new QuantizationParameters?[graph.Tensors.Length];
        for (int i = 0; i < plan.Length; i++)
        {
            plan[i] = FromSummary(graph, graph.Tensors[i], seed);
        }
        foreach (OpNode node in graph.Nodes)
        {
            int bias = node.BiasTensor, weight = node.WeightTensor, input = node.MainInput;
            if (bias < 0 || weight < 0 || input < 0
                || plan[bias] is not { } biasQ || plan[weight] is not { } weightQ || plan[input] is not { } inputQ
                || graph.Tensors[bias].Type is not (TensorType.Int32 or TensorType.Int64))
            {
                continue;
            }
            float inputScale = inputQ.Scale[0];
            var scales = new float[biasQ.Scale.Count];
            for (int c = 0; c < scales.Length; c++)
            {
                scales[c] = inputScale * weightQ.Scale[c < weightQ.Scale.Count ? c : 0];
            }
            plan[bias] = new QuantizationParameters(scales, new long[scales.Length], biasQ.QuantizedDimension, [], []);
        }
        return plan;
    }

    private static QuantizationParameters? FromSummary(OpGraph graph, GraphTensor tensor, int seed)
    {
        QuantizationSummary? q = tensor.Quantization;
        if (q is null)
        {
            return TensorTypes.IsQuantizedInteger(tensor.Type)
                ? new QuantizationParameters([OpGraphBuilder.DefaultScale], [0], 0, [], [])
                : null;
        }
        if (q.IsBlockwise)
        {
            throw new OpGraphException(
                $"{graph.Name}: tensor {tensor.Id} ('{tensor.Name}') is block-wise quantised; its scale tensor is not in the graph, so it cannot be written");
        }
        if (q.ScaleCount <= 1)
        {
            return new QuantizationParameters([q.Scale], [q.ZeroPoint], q.QuantizedDimension, [], []);
        }
        int dimension = q.QuantizedDimension;
        if (dimension >= tensor.Rank || tensor.Shape[dimension] != q.ScaleCount)
        {
            throw new OpGraphException(
                $"{graph.Name}: tensor {tensor.Id} ('{tensor.Name}') has {q.ScaleCount} scales on axis {dimension} " +
                $"of shape [{string.Join(',', tensor.Shape)}]");
        }
        var rng = ExportRandom.ForStream(seed, tensor.Id, ScaleSalt);
        var scales = new float[q.ScaleCount];
        var zeroPoints = new long[q.ScaleCount];
        scales[0] = q.Scale;
        zeroPoints[0] = q.ZeroPoint;
        for (int c = 1; c < scales.Length; c++)
        {
            scales[c] = (float)(q.Scale * (0.5 + rng.NextDouble()));
            zeroPoints[c] = q.ZeroPoint;
        }
        return new QuantizationParameters(scales, zeroPoints, dimension, [], []);
    }
}

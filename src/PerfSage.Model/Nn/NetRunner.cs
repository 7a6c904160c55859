using PerfSage.Graph.Features;
using TorchSharp;
using static TorchSharp.torch;

namespace PerfSage.Model.Nn;

/// <summary>Inference passes and weight snapshots shared by training, evaluation and prediction.</summary>
internal static class NetRunner
{
    /// <summary>ln predictions [graph][head] for already-scaled graphs: no_grad, eval mode, one dispose scope per batch.</summary>
    public static float[][] PredictLog(PerfSageNet net, Device device, IReadOnlyList<GraphFeatures> scaledGraphs, int batchSize)
    {
        var result = new float[scaledGraphs.Count][];
        int h = net.Heads.Count;
        using IDisposable noGrad = no_grad();
        net.eval();
        var chunk = new List<GraphFeatures>(Math.Min(batchSize, scaledGraphs.Count));
        for (int start = 0; start < scaledGraphs.Count; start += batchSize)
        {
            int end = Math.Min(scaledGraphs.Count, start + batchSize);
            chunk.Clear();
            for (int i = start; i < end; i++)
            {
                chunk.Add(scaledGraphs[i]);
            }
            using DisposeScope scope = NewDisposeScope();
            Tensor output = net.forward(GraphBatch.Collate(chunk, device)).cpu();
            float[] flat = output.data<float>().ToArray();
            for (int i = start; i < end; i++)
            {
                result[i] = flat.AsSpan((i - start) * h, h).ToArray();
            }
        }
        return result;
    }

    /// <summary>The parameters in TorchSharp's state-dict format (what <c>weights.bin</c> holds).</summary>
    public static byte[] SaveWeights(PerfSageNet net)
    {
        using var stream = new MemoryStream();
        net.save(stream);
        return stream.ToArray();
    }

    /// <summary>Loads parameters saved by <see cref="SaveWeights"/> (every name must match: strict).</summary>
    public static void LoadWeights(PerfSageNet net, byte[] weights)
    {
        using var stream = new MemoryStream(weights, writable: false);
        net.load(stream, strict: true);
    }
}

using System.Collections.Immutable;
using System.Globalization;
using static PerfSage.Graph.Features.FeatureSchema;

namespace PerfSage.Graph.Features;

/// <summary>
/// The range each feature column may take when it enters a model; a value outside is clamped to the nearest bound
/// (and the prediction warns, see <see cref="OutOfRange"/>). The featurizer itself writes raw values, so feature caches
/// and the schema stay as they are: clamping happens where the features are standard-scaled, in training and in
/// prediction alike, and changes nothing for a graph inside the bounds.
/// <list type="bullet">
/// <item>log2 columns: 0 to <see cref="MaxLog2"/> (log2(1 + x) of a 64-bit count or size is at most 64).</item>
/// <item>one-hot columns and <c>forward</c>: 0 to 1.</item>
/// <item>ranks: 0 to <see cref="MaxRank"/>; no TFLite built-in kernel takes more than 6 dimensions.</item>
/// <item>kernel (filter or pool window): 0 to <see cref="MaxKernel"/>; the largest windows in practice are global pools
/// over a feature map (7×7 in MobileNet, 49×10 in keyword spotting).</item>
/// <item>stride, dilation: 0 to <see cref="MaxStrideOrDilation"/>; real models use 1 to 4 (the shipped model's training
/// data had dilation 1 only).</item>
/// <item>depth multiplier: 0 to <see cref="MaxDepthMultiplier"/>; real depthwise convolutions use 1 to 8.</item>
/// <item>activation inputs: 0 to <see cref="MaxActivationInputs"/> (a CONCATENATION of many tensors).</item>
/// </list>
/// Without a clamp these raw columns reach the network unbounded: a dilation of 2^31 − 1 is 2·10^9 standard
/// deviations from the training mean and drives the output to infinity.
/// </summary>
public static class FeatureBounds
{
    /// <summary>Largest log2 column value.</summary>
    public const float MaxLog2 = 64;

    /// <summary>Largest input or output rank.</summary>
    public const float MaxRank = 8;

    /// <summary>Largest kernel height or width.</summary>
    public const float MaxKernel = 256;

    /// <summary>Largest stride or dilation.</summary>
    public const float MaxStrideOrDilation = 64;

    /// <summary>Largest depth multiplier.</summary>
    public const float MaxDepthMultiplier = 64;

    /// <summary>Largest count of activation inputs of one op.</summary>
    public const float MaxActivationInputs = 64;

    /// <summary>Upper bound of each node column (the lower bound of every column is 0).</summary>
    public static ImmutableArray<float> NodeMax { get; } = BuildNodeMax();

    /// <summary>Upper bound of each edge column.</summary>
    public static ImmutableArray<float> EdgeMax { get; } = BuildEdgeMax();

    /// <summary>Upper bound of each graph column.</summary>
    public static ImmutableArray<float> GraphMax { get; } = [.. Enumerable.Repeat(MaxLog2, GraphFeatureCount)];

    /// <summary><paramref name="value"/> clamped to [0, <paramref name="max"/>]; NaN becomes 0.</summary>
    public static float Clamp(float value, float max) => value >= 0 ? Math.Min(value, max) : 0f;

    /// <summary>
    /// The columns of <paramref name="g"/> (current schema) with a value outside their bounds, each once with its most
    /// extreme value, as <c>name = value (clamped to max)</c>; empty when every value is inside.
    /// </summary>
    public static IReadOnlyList<string> OutOfRange(GraphFeatures g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var found = new SortedDictionary<string, (float Value, float Max)>(StringComparer.Ordinal);
        if (g.SchemaVersion == FeatureSchema.Version)
        {
            Scan(g.NodeFeatures, NodeMax, NodeColumns, found);
            Scan(g.EdgeFeatures, EdgeMax, EdgeColumns, found);
            Scan(g.GraphFeatureValues, GraphMax, GraphColumns, found);
        }
        return found.Select(f => string.Create(CultureInfo.InvariantCulture,
            $"{f.Key} = {(double)f.Value.Value:0.###} (clamped to {(f.Value.Value > f.Value.Max ? f.Value.Max : 0):0.###})")).ToList();
    }

    private static void Scan(float[] values, ImmutableArray<float> max, ImmutableArray<string> names,
        SortedDictionary<string, (float Value, float Max)> found)
    {
        int cols = max.Length;
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            int c = i % cols;
            if (v >= 0 && v <= max[c])
            {
                continue;
            }
            float distance = float.IsNaN(v) ? float.PositiveInfinity : v > max[c] ? v - max[c] : -v;
            if (!found.TryGetValue(names[c], out var seen) || distance > Distance(seen.Value, seen.Max))
            {
                found[names[c]] = (v, max[c]);
            }
        }
    }

    private static float Distance(float v, float max) => float.IsNaN(v) ? float.PositiveInfinity : v > max ? v - max : -v;

    private static ImmutableArray<float> BuildNodeMax()
    {
        var max = new float[NodeFeatureCount];
        Array.Fill(max, 1f); // one-hot and flag columns
        max[NodeColumn.InputRank] = max[NodeColumn.OutputRank] = MaxRank;
        for (int d = 0; d < 4; d++)
        {
            max[NodeColumn.InputDims + d] = max[NodeColumn.OutputDims + d] = MaxLog2;
        }
        max[NodeColumn.KernelH] = max[NodeColumn.KernelW] = MaxKernel;
        max[NodeColumn.StrideH] = max[NodeColumn.StrideW] = MaxStrideOrDilation;
        max[NodeColumn.DilationH] = max[NodeColumn.DilationW] = MaxStrideOrDilation;
        max[NodeColumn.DepthMultiplier] = MaxDepthMultiplier;
        for (int c = NodeColumn.MacsLog2; c <= NodeColumn.BiasBytesLog2; c++)
        {
            max[c] = MaxLog2;
        }
        max[NodeColumn.ActivationInputCount] = MaxActivationInputs;
        return [.. max];
    }

    private static ImmutableArray<float> BuildEdgeMax()
    {
        var max = new float[EdgeFeatureCount];
        Array.Fill(max, 1f);
        max[EdgeColumn.TensorBytesLog2] = MaxLog2;
        return [.. max];
    }
}

using System.Collections.Immutable;
using PerfSage.Graph.Features;

namespace PerfSage.Model;

/// <summary>
/// Standard-scaling statistics of the node, edge and graph feature columns, computed on the training
/// split and stored in the manifest: a feature x enters the network as (x − mean) / std. A column that is
/// constant in training (std below <see cref="MinStd"/>) gets std 1, so it is only centred.
/// </summary>
public sealed record FeatureStatistics
{
    /// <summary>Smallest standard deviation used for scaling.</summary>
    public const double MinStd = 1e-6;

    public required IReadOnlyList<double> NodeMean { get; init; }
    public required IReadOnlyList<double> NodeStd { get; init; }
    public required IReadOnlyList<double> EdgeMean { get; init; }
    public required IReadOnlyList<double> EdgeStd { get; init; }
    public required IReadOnlyList<double> GraphMean { get; init; }
    public required IReadOnlyList<double> GraphStd { get; init; }

    /// <summary>Statistics of the given graphs (every node row, every edge row, every graph row counts once).</summary>
    /// <exception cref="ArgumentException">No graphs, or features of another schema version.</exception>
    public static FeatureStatistics Fit(IReadOnlyCollection<GraphFeatures> graphs)
    {
        ArgumentNullException.ThrowIfNull(graphs);
        if (graphs.Count == 0)
        {
            throw new ArgumentException("cannot compute feature statistics of no graphs", nameof(graphs));
        }
        var node = new Moments(FeatureBounds.NodeMax);
        var edge = new Moments(FeatureBounds.EdgeMax);
        var graph = new Moments(FeatureBounds.GraphMax);
        foreach (GraphFeatures g in graphs)
        {
            if (g.SchemaVersion != FeatureSchema.Version)
            {
                throw new ArgumentException($"features of schema version {g.SchemaVersion}; this build uses {FeatureSchema.Version}", nameof(graphs));
            }
            node.AddRows(g.NodeFeatures);
            edge.AddRows(g.EdgeFeatures);
            graph.AddRows(g.GraphFeatureValues);
        }
        return new FeatureStatistics
        {
            NodeMean = node.Mean(), NodeStd = node.Std(),
            EdgeMean = edge.Mean(), EdgeStd = edge.Std(),
            GraphMean = graph.Mean(), GraphStd = graph.Std(),
        };
    }

    /// <summary>Throws <see cref="ModelFormatException"/> unless the column counts are the current schema's.</summary>
    internal void Validate(string source)
    {
        Check(NodeMean, NodeStd, FeatureSchema.NodeFeatureCount, "node");
        Check(EdgeMean, EdgeStd, FeatureSchema.EdgeFeatureCount, "edge");
        Check(GraphMean, GraphStd, FeatureSchema.GraphFeatureCount, "graph");

        void Check(IReadOnlyList<double>? mean, IReadOnlyList<double>? std, int count, string what)
        {
            if (mean is null || std is null || mean.Count != count || std.Count != count)
            {
                throw new ModelFormatException($"{source}: {what} normalisation statistics need {count} means and stds");
            }
            for (int i = 0; i < count; i++)
            {
                if (!double.IsFinite(mean[i]) || !double.IsFinite(std[i]) || std[i] <= 0)
                {
                    throw new ModelFormatException($"{source}: {what} normalisation column {i} has mean {mean[i]} and std {std[i]}");
                }
            }
        }
    }

    /// <summary>A copy of <paramref name="g"/> with every column clamped to <see cref="FeatureBounds"/> (a value outside
    /// them would reach the network unbounded) and then standard-scaled.</summary>
    internal GraphFeatures Scale(GraphFeatures g) => new(
        g.SchemaVersion, g.NodeCount,
        ScaleRows(g.NodeFeatures, NodeMean, NodeStd, FeatureBounds.NodeMax), g.OpIndex, g.EdgeSource, g.EdgeTarget,
        ScaleRows(g.EdgeFeatures, EdgeMean, EdgeStd, FeatureBounds.EdgeMax),
        ScaleRows(g.GraphFeatureValues, GraphMean, GraphStd, FeatureBounds.GraphMax), g.TotalMacs);

    private static float[] ScaleRows(float[] values, IReadOnlyList<double> mean, IReadOnlyList<double> std, ImmutableArray<float> max)
    {
        int cols = mean.Count;
        var m = new float[cols];
        var inv = new float[cols];
        for (int c = 0; c < cols; c++)
        {
            m[c] = (float)mean[c];
            inv[c] = (float)(1 / std[c]);
        }
        var scaled = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            int c = i % cols;
            scaled[i] = (FeatureBounds.Clamp(values[i], max[c]) - m[c]) * inv[c];
        }
        return scaled;
    }

    /// <summary>Running column sums in double of the values clamped to <see cref="FeatureBounds"/> (as <see cref="Scale"/> sees
    /// them; Welford is not needed at these magnitudes: every feature stays at or below 256).</summary>
    private sealed class Moments(ImmutableArray<float> max)
    {
        private readonly int _columns = max.Length;
        private readonly double[] _sum = new double[max.Length];
        private readonly double[] _sumSq = new double[max.Length];
        private long _rows;

        public void AddRows(float[] values)
        {
            for (int i = 0; i < values.Length; i++)
            {
                double v = FeatureBounds.Clamp(values[i], max[i % _columns]);
                _sum[i % _columns] += v;
                _sumSq[i % _columns] += v * v;
            }
            _rows += values.Length / _columns;
        }

        public double[] Mean() => _sum.Select(s => _rows == 0 ? 0 : s / _rows).ToArray();

        public double[] Std()
        {
            var std = new double[_columns];
            for (int c = 0; c < _columns; c++)
            {
                double mean = _rows == 0 ? 0 : _sum[c] / _rows;
                double variance = _rows == 0 ? 0 : Math.Max(0, (_sumSq[c] / _rows) - (mean * mean));
                double s = Math.Sqrt(variance);
                std[c] = s < MinStd ? 1 : s;
            }
            return std;
        }
    }
}

using MathNet.Numerics.LinearAlgebra;
using PerfSage.Graph.Features;
using PerfSage.Model;

namespace PerfSage.Pipeline;

/// <summary>
/// The yardstick a learned model has to beat: per target and metric, a power law in the work and the size of the graph,
/// ln y = a + b·ln(1 + MACs) + c·ln(op count), fitted by ordinary least squares (QR, MathNet.Numerics) on the training
/// split. In log-log form it is the fair baseline: a MAC-bound layer costs MACs¹ (b = 1), a fixed per-op overhead shows as
/// c, and the relative errors it leaves are comparable with the network's. A column that is constant over the training
/// graphs (every graph with the same op count) is dropped, as is the op-count column when the fit with it is singular.
/// </summary>
public sealed class MacBaseline
{
    /// <summary>The baseline in words, as the eval output states it.</summary>
    public const string Description =
        "per target and metric: least squares of ln(y) on ln(1 + MACs) and ln(op count) with an intercept, fitted on the training split";

    private readonly Dictionary<HeadKey, Fit> _fits;

    private MacBaseline(Dictionary<HeadKey, Fit> fits) => _fits = fits;

    /// <summary>Training graphs each head's fit used.</summary>
    public int TrainCount(HeadKey head) => _fits.TryGetValue(head, out Fit? f) ? f.Count : 0;

    /// <summary>Fits every head of <paramref name="heads"/> that has labelled graphs in <paramref name="train"/>.</summary>
    public static MacBaseline Train(IReadOnlyList<TrainingSample> train, IEnumerable<HeadKey> heads)
    {
        var fits = new Dictionary<HeadKey, Fit>();
        foreach (HeadKey head in heads)
        {
            var rows = new List<double[]>();
            var y = new List<double>();
            foreach (TrainingSample s in train)
            {
                if (s.Labels.TryGetValue((head.Target, head.Metric), out double v) && v > 0 && double.IsFinite(v))
                {
                    rows.Add(Regressors(s.Features));
                    y.Add(Math.Log(v));
                }
            }
            if (y.Count > 0 && FitOne(rows, y) is { } fit)
            {
                fits[head] = fit;
            }
        }
        return new MacBaseline(fits);
    }

    /// <summary>The baseline's value for <paramref name="features"/>, or null when the head had no training graphs.</summary>
    public double? Predict(HeadKey head, GraphFeatures features) =>
        _fits.TryGetValue(head, out Fit? f) ? Math.Exp(f.Evaluate(Regressors(features))) : null;

    /// <summary>[ln(1 + MACs), ln(op count)].</summary>
    internal static double[] Regressors(GraphFeatures g) => [Math.Log(1.0 + g.TotalMacs), Math.Log(Math.Max(1, g.NodeCount))];

    /// <summary>Least squares with an intercept over the usable columns; tries all, then without the op count, then
    /// the intercept alone (the mean of ln y).</summary>
    internal static Fit? FitOne(IReadOnlyList<double[]> x, IReadOnlyList<double> y)
    {
        int[][] candidates = [[0, 1], [0], []];
        foreach (int[] wanted in candidates)
        {
            int[] columns = wanted.Where(c => !IsConstant(x, c)).ToArray();
            if (columns.Length + 1 > y.Count)
            {
                continue;
            }
            Matrix<double> design = Matrix<double>.Build.Dense(y.Count, columns.Length + 1, (i, j) => j == 0 ? 1.0 : x[i][columns[j - 1]]);
            Vector<double> target = Vector<double>.Build.DenseOfEnumerable(y);
            Vector<double> beta = columns.Length == 0
                ? Vector<double>.Build.Dense(1, y.Average())
                : design.QR().Solve(target);
            if (beta.All(double.IsFinite))
            {
                return new Fit(columns, beta.ToArray(), y.Count);
            }
        }
        return null;
    }

    private static bool IsConstant(IReadOnlyList<double[]> x, int column)
    {
        double first = x[0][column];
        return x.All(row => Math.Abs(row[column] - first) < 1e-12);
    }

    /// <summary>A fitted law: intercept <c>Beta[0]</c>, then one coefficient per used regressor column.</summary>
    internal sealed record Fit(int[] Columns, double[] Beta, int Count)
    {
        public double Evaluate(double[] regressors)
        {
            double v = Beta[0];
            for (int j = 0; j < Columns.Length; j++)
            {
                v += Beta[j + 1] * regressors[Columns[j]];
            }
            return v;
        }
    }
}

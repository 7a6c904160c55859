using MathNet.Numerics.Statistics;

namespace PerfSage.Model;

/// <summary>Accuracy measures of predictions against true values (all positive).</summary>
public static class AccuracyStatistics
{
    /// <summary>MAPE, ±5 %/±10 % shares, Spearman and Kendall of <paramref name="predicted"/> against <paramref name="actual"/>.</summary>
    /// <exception cref="ArgumentException">Lists of different lengths, or a true value that is not positive.</exception>
    public static HeadAccuracy Compute(HeadKey head, IReadOnlyList<double> predicted, IReadOnlyList<double> actual)
    {
        RelativeErrors e = Relative(predicted, actual);
        int n = actual.Count;
        return new HeadAccuracy
        {
            Key = head.Key,
            Target = head.Target,
            Metric = MetricNames.Name(head.Metric),
            Count = n,
            MapePercent = n == 0 ? 0 : e.MapePercent,
            Within5PctPercent = n == 0 ? 0 : e.Within5Percent,
            Within10PctPercent = n == 0 ? 0 : e.Within10Percent,
            Spearman = Finite(n < 2 ? double.NaN : Correlation.Spearman(predicted, actual)),
            KendallTau = Finite(KendallTauB(predicted, actual)),
        };
    }

    /// <summary>Mean absolute percentage error and the shares within ±5 % and ±10 % (NaN for empty lists).</summary>
    internal readonly record struct RelativeErrors(double MapePercent, double Within5Percent, double Within10Percent);

    /// <summary><see cref="RelativeErrors"/> of <paramref name="predicted"/> against <paramref name="actual"/>.</summary>
    /// <exception cref="ArgumentException">Lists of different lengths, or a true value that is not positive.</exception>
    internal static RelativeErrors Relative(IReadOnlyList<double> predicted, IReadOnlyList<double> actual)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(actual);
        if (predicted.Count != actual.Count)
        {
            throw new ArgumentException($"{predicted.Count} predictions for {actual.Count} true values", nameof(predicted));
        }
        int n = actual.Count;
        double sumApe = 0;
        int within5 = 0, within10 = 0;
        for (int i = 0; i < n; i++)
        {
            if (!(actual[i] > 0) || !double.IsFinite(actual[i]))
            {
                throw new ArgumentException($"true value {i} is {actual[i]}; relative errors need positive values", nameof(actual));
            }
            double ape = Math.Abs(predicted[i] - actual[i]) / actual[i];
            sumApe += ape;
            // A small tolerance keeps exact boundary cases (ŷ = 1.05·y in floating point) inside.
            within5 += ape <= 0.05 + 1e-12 ? 1 : 0;
            within10 += ape <= 0.10 + 1e-12 ? 1 : 0;
        }
        return n == 0
            ? new RelativeErrors(double.NaN, double.NaN, double.NaN)
            : new RelativeErrors(100 * sumApe / n, 100.0 * within5 / n, 100.0 * within10 / n);
    }

    /// <summary>
    /// Kendall's τ-b = (C − D) / √((n₀ − n₁)(n₀ − n₂)) over all pairs, where C and D count concordant and
    /// discordant pairs, n₀ = n(n−1)/2 and n₁, n₂ count pairs tied in x and in y. NaN below two values or
    /// when either side is constant. O(n²), fine for held-out sets of a few thousand graphs.
    /// </summary>
    public static double KendallTauB(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count)
        {
            throw new ArgumentException($"{x.Count} x values for {y.Count} y values", nameof(x));
        }
        int n = x.Count;
        long concordant = 0, discordant = 0, tiedX = 0, tiedY = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                int dx = x[i].CompareTo(x[j]);
                int dy = y[i].CompareTo(y[j]);
                if (dx == 0)
                {
                    tiedX++;
                }
                if (dy == 0)
                {
                    tiedY++;
                }
                if (dx != 0 && dy != 0)
                {
                    if (dx == dy)
                    {
                        concordant++;
                    }
                    else
                    {
                        discordant++;
                    }
                }
            }
        }
        double pairs = n * (n - 1) / 2.0;
        double denominator = Math.Sqrt((pairs - tiedX) * (pairs - tiedY));
        return denominator > 0 ? (concordant - discordant) / denominator : double.NaN;
    }

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;
}

using MathNet.Numerics.Statistics;
using PerfSage.Graph.Features;

namespace PerfSage.Model;

/// <summary>Settings of <see cref="FewShot.Run"/>.</summary>
public sealed record FewShotOptions
{
    /// <summary>The numbers of labelled graphs a head is fitted on.</summary>
    public required IReadOnlyList<int> Ks { get; init; }

    /// <summary>Random draws per k.</summary>
    public int Repeats { get; init; } = 5;

    /// <summary>Seeds the draws (SplitMix64): the same seed draws the same graphs.</summary>
    public long Seed { get; init; }

    /// <summary>How each head is fitted.</summary>
    public HeadFitOptions Fit { get; init; } = new();
}

/// <summary>One draw: the graphs a head was fitted on, the rest it was scored on, and the predictions for the rest.</summary>
/// <param name="K">Graphs fitted on.</param>
/// <param name="Repeat">0-based repeat.</param>
/// <param name="Train">Indices into <see cref="FewShotResult.Actual"/> of the fitted graphs.</param>
/// <param name="Test">Indices of the scored graphs (all the others).</param>
/// <param name="Predicted">The fitted head's value for each graph of <paramref name="Test"/>.</param>
/// <param name="Baseline">The baseline's value for each graph of <paramref name="Test"/> (fitted on the same graphs), or null.</param>
/// <param name="Donor">The base head the fit started from.</param>
public sealed record FewShotDraw(int K, int Repeat, int[] Train, int[] Test, double[] Predicted, double[]? Baseline, string Donor);

/// <summary>The outcome of <see cref="FewShot.Run"/>.</summary>
public sealed record FewShotResult
{
    public required HeadKey Head { get; init; }

    /// <summary>Ids of the labelled graphs with operators that were drawn from.</summary>
    public required IReadOnlyList<string> Ids { get; init; }

    /// <summary>Their true values.</summary>
    public required IReadOnlyList<double> Actual { get; init; }

    /// <summary>Graphs labelled for the head but without operators (left out: nothing for the trunk to embed).</summary>
    public required int SkippedWithoutOps { get; init; }

    /// <summary>Distinct feature sets among the labelled graphs (the trunk ran once per distinct set).</summary>
    public required int UniqueGraphs { get; init; }

    public required IReadOnlyList<FewShotDraw> Draws { get; init; }
}

/// <summary>Accuracy of predictions on one set of graphs (no Kendall τ: it is O(n²) and the sets are large).</summary>
/// <param name="Count">Graphs scored.</param>
/// <param name="MapePercent">100 · mean |ŷ − y| / y.</param>
/// <param name="Acc10Percent">Share of graphs with |ŷ − y| ≤ 10 % of y, in percent.</param>
/// <param name="Spearman">Spearman rank correlation (MathNet.Numerics); NaN below 2 graphs or for constant values.</param>
public sealed record FewShotScore(int Count, double MapePercent, double Acc10Percent, double Spearman);

/// <summary>Mean and standard deviation (over the repeats, n − 1 in the denominator; 0 for one repeat) of the scores at one k.</summary>
public sealed record FewShotSummary(
    int K, int Repeats, double MeanCount,
    double MapePercent, double MapePercentStd, double Acc10Percent, double Acc10PercentStd, double Spearman, double SpearmanStd);

/// <summary>
/// Few-shot evaluation of new heads: for each k and repeat, k random labelled graphs (seeded) are drawn, a new head is
/// fitted on them over the model's frozen trunk (<see cref="HeadFitter"/>), and it is scored on all the other labelled
/// graphs. The trunk runs once for all draws (<see cref="TrunkCache"/>).
/// </summary>
public static class FewShot
{
    /// <summary>
    /// Runs every draw. <paramref name="baseline"/>, when given, is fitted on the same draw: it gets the training
    /// indices and the test indices (into <see cref="FewShotResult.Actual"/>) and returns a value per test graph.
    /// </summary>
    /// <exception cref="ArgumentException">No labelled graphs, a k below 1 or above the labelled count − 1, fewer than 1 repeat.</exception>
    public static FewShotResult Run(TrainedModel model, IReadOnlyList<TrainingSample> samples, HeadKey head, FewShotOptions options,
        Func<int[], int[], double[]>? baseline = null, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(options);
        var ids = new List<string>();
        var graphs = new List<GraphFeatures>();
        var actual = new List<double>();
        int withoutOps = 0;
        foreach (TrainingSample s in samples)
        {
            if (s.Labels.TryGetValue((head.Target, head.Metric), out double y) && y > 0 && double.IsFinite(y))
            {
                if (s.Features.NodeCount == 0)
                {
                    withoutOps++;
                    continue;
                }
                ids.Add(s.ModelId);
                graphs.Add(s.Features);
                actual.Add(y);
            }
        }
        CheckOptions(options, head, graphs.Count);
        HeadFitter.EnsureLoaded(options.Fit);
        using TrunkCache cache = TrunkCache.Build(model, graphs);
        return RunDraws(cache, [.. Enumerable.Range(0, graphs.Count)], ids, actual, withoutOps, head, options, baseline, progress, cancellationToken);
    }

    /// <summary>Checks the draw settings against <paramref name="labelled"/> graphs of <paramref name="head"/>.</summary>
    internal static void CheckOptions(FewShotOptions options, HeadKey head, int labelled)
    {
        options.Fit.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Repeats, 1, nameof(options.Repeats));
        if (labelled < 2)
        {
            throw new ArgumentException($"{head.Key}: {labelled} labelled graphs with operators; few-shot evaluation needs at least 2", nameof(labelled));
        }
        foreach (int k in options.Ks)
        {
            if (k < 1 || k > labelled - 1)
            {
                throw new ArgumentException(
                    $"k = {k}: must be between 1 and {labelled - 1} (the {labelled} labelled graphs of {head.Key} less one to score on)", nameof(options));
            }
        }
    }

    /// <summary>
    /// Every draw of <paramref name="options"/> over the labelled graphs whose cached trunk outputs are rows
    /// <paramref name="cacheRows"/> of <paramref name="cache"/> (graph i of <paramref name="ids"/> and <paramref name="actual"/>
    /// is cache row <paramref name="cacheRows"/>[i]). The new head's donor may be any head of the cache's model.
    /// </summary>
    internal static FewShotResult RunDraws(TrunkCache cache, int[] cacheRows, IReadOnlyList<string> ids, IReadOnlyList<double> actual, int withoutOps,
        HeadKey head, FewShotOptions options, Func<int[], int[], double[]>? baseline, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        double[] logY = actual.Select(v => Math.Log(v)).ToArray();
        var draws = new List<FewShotDraw>();
        foreach (int k in options.Ks)
        {
            for (int r = 0; r < options.Repeats; r++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int[] order = Draw(actual.Count, options.Seed, k, r);
                int[] train = order[..k];
                int[] test = order[k..];
                FittedHead fitted = HeadFitter.Fit(cache, train.Select(i => cacheRows[i]).ToArray(), train.Select(i => logY[i]).ToArray(), head, options.Fit);
                double[] predicted = HeadFitter.PredictLog(cache, fitted, test.Select(i => cacheRows[i]).ToArray()).Select(v => Math.Exp(v)).ToArray();
                double[]? base_ = baseline?.Invoke(train, test);
                draws.Add(new FewShotDraw(k, r, train, test, predicted, base_, fitted.Donor));
                progress?.Report($"k = {k}, repeat {r + 1}/{options.Repeats}: donor {fitted.Donor}, fit loss {fitted.TrainLoss:F4}");
            }
        }
        return new FewShotResult
        {
            Head = head,
            Ids = ids,
            Actual = actual,
            SkippedWithoutOps = withoutOps,
            UniqueGraphs = cache.UniqueCountOf(cacheRows),
            Draws = draws,
        };
    }

    /// <summary>The graphs of draw (k, repeat): a SplitMix64 Fisher–Yates permutation of 0..n−1 seeded by (seed, k, repeat);
    /// the first k are fitted on.</summary>
    internal static int[] Draw(int n, long seed, int k, int repeat)
    {
        int[] order = Enumerable.Range(0, n).ToArray();
        ulong state = SplitMix64.Mix((ulong)seed) ^ SplitMix64.Mix(((ulong)(uint)k << 32) | (uint)repeat);
        new SplitMix64(state).Shuffle(order);
        return order;
    }

    /// <summary>Scores of <paramref name="predicted"/> against <paramref name="actual"/>.</summary>
    public static FewShotScore Score(IReadOnlyList<double> predicted, IReadOnlyList<double> actual)
    {
        AccuracyStatistics.RelativeErrors e = AccuracyStatistics.Relative(predicted, actual);
        int n = actual.Count;
        double spearman = n < 2 ? double.NaN : Correlation.Spearman(predicted, actual);
        return new FewShotScore(n, e.MapePercent, e.Within10Percent, spearman);
    }

    /// <summary>
    /// Per k: the scores of every repeat on the test graphs that <paramref name="include"/> accepts (by true value; all
    /// when null), averaged. <paramref name="useBaseline"/> scores the baseline's predictions instead of the head's.
    /// </summary>
    public static IReadOnlyList<FewShotSummary> Summarise(FewShotResult result, bool useBaseline = false, Func<double, bool>? include = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var summaries = new List<FewShotSummary>();
        foreach (IGrouping<int, FewShotDraw> group in result.Draws.GroupBy(d => d.K))
        {
            var scores = new List<FewShotScore>();
            foreach (FewShotDraw d in group)
            {
                double[]? values = useBaseline ? d.Baseline : d.Predicted;
                if (values is null)
                {
                    continue;
                }
                var p = new List<double>();
                var y = new List<double>();
                for (int i = 0; i < d.Test.Length; i++)
                {
                    double truth = result.Actual[d.Test[i]];
                    if (include is null || include(truth))
                    {
                        p.Add(values[i]);
                        y.Add(truth);
                    }
                }
                if (y.Count > 0)
                {
                    scores.Add(Score(p, y));
                }
            }
            if (scores.Count == 0)
            {
                continue;
            }
            (double m, double ms) = MeanStd(scores.Select(s => s.MapePercent));
            (double a, double @as) = MeanStd(scores.Select(s => s.Acc10Percent));
            (double r, double rs) = MeanStd(scores.Select(s => s.Spearman));
            summaries.Add(new FewShotSummary(group.Key, scores.Count, scores.Average(s => s.Count), m, ms, a, @as, r, rs));
        }
        return summaries;
    }

    private static (double Mean, double Std) MeanStd(IEnumerable<double> values)
    {
        double[] v = values.ToArray();
        double mean = v.Average();
        double std = v.Length < 2 ? 0 : Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
        return (mean, std);
    }
}

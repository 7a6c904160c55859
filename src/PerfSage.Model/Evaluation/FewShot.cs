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
/// <param name="Train">Indices into <see cref="FewShotResult.Actual"/> of the fitted measurements (those of the k drawn with a graph
/// in the chosen variant).</param>
/// <param name="Test">Indices of the scored measurements (all the others with a graph in the chosen variant).</param>
/// <param name="Predicted">The fitted head's value for each graph of <paramref name="Test"/>.</param>
/// <param name="Baseline">The baseline's value for each graph of <paramref name="Test"/> (fitted on the same graphs), or null.</param>
/// <param name="Donor">The base head the fit started from.</param>
public sealed record FewShotDraw(int K, int Repeat, int[] Train, int[] Test, double[] Predicted, double[]? Baseline, string Donor)
{
    /// <summary>The graph variant the head was fitted and scored on, chosen from the k training labels
    /// (<see cref="GraphChooser"/>), or null when each measurement has one graph.</summary>
    public GraphChoice? Graph { get; init; }
}

/// <summary>The outcome of <see cref="FewShot.Run"/>.</summary>
public sealed record FewShotResult
{
    public required HeadKey Head { get; init; }

    /// <summary>Ids of the labelled measurements with operators that were drawn from (the model id, or with graph variants
    /// the measurement id shared by the variants).</summary>
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
    /// Runs every draw. <paramref name="baseline"/>, when given, is fitted on the same draw: it gets the indices into
    /// <paramref name="samples"/> of the training graphs and of the test graphs and returns a value per test graph. Where the
    /// samples hold graph variants (<see cref="TrainingSample.GraphVariant"/>), a measurement is drawn once, and each draw
    /// fits and scores the variant <see cref="GraphChooser"/> picks from its k training labels.
    /// </summary>
    /// <exception cref="ArgumentException">No labelled graphs, a k below 1 or above the labelled count − 1, fewer than 1 repeat.</exception>
    public static FewShotResult Run(TrainedModel model, IReadOnlyList<TrainingSample> samples, HeadKey head, FewShotOptions options,
        Func<int[], int[], double[]>? baseline = null, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(options);
        var cacheRow = new int[samples.Count];
        var graphs = new List<GraphFeatures>();
        for (int i = 0; i < samples.Count; i++)
        {
            TrainingSample s = samples[i];
            bool use = s.Features.NodeCount > 0 && s.Labels.TryGetValue((head.Target, head.Metric), out double y) && y > 0 && double.IsFinite(y);
            cacheRow[i] = use ? graphs.Count : -1;
            if (use)
            {
                graphs.Add(s.Features);
            }
        }
        DrawItems items = DrawItems.Of(samples, head, i => cacheRow[i]);
        CheckOptions(options, head, items.Count);
        HeadFitter.EnsureLoaded(options.Fit);
        using TrunkCache cache = TrunkCache.Build(model, graphs);
        return RunDraws(cache, items, head, options, baseline, progress, cancellationToken);
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
    /// Every draw of <paramref name="options"/> over <paramref name="items"/> (labelled measurements whose graphs are rows of
    /// <paramref name="cache"/>). The new head's donor may be any head of the cache's model. With graph variants, each draw
    /// chooses one from its training labels (<see cref="GraphChooser"/>), then fits and scores that variant's graphs.
    /// </summary>
    internal static FewShotResult RunDraws(TrunkCache cache, DrawItems items, HeadKey head, FewShotOptions options,
        Func<int[], int[], double[]>? baseline, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        double[] logY = items.Actual.Select(v => Math.Log(v)).ToArray();
        var draws = new List<FewShotDraw>();
        foreach (int k in options.Ks)
        {
            for (int r = 0; r < options.Repeats; r++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int[] order = Draw(items.Count, options.Seed, k, r);
                int v = 0;
                GraphChoice? choice = items.Variants is [string only] ? new GraphChoice(only, 0, []) : null;
                if (items.Variants.Count > 1)
                {
                    int[] drawn = order[..k];
                    choice = GraphChooser.Choose(cache, [.. items.Variants.Select(x => x!)],
                        [.. items.Rows.Select(rows => drawn.Select(i => rows[i]).ToArray())], [.. drawn.Select(i => logY[i])], head, options.Fit,
                        cancellationToken);
                    v = items.Variants.IndexOf(choice.Graph);
                }
                int[] rowsOf = items.Rows[v];
                int[] train = [.. order[..k].Where(i => rowsOf[i] >= 0)];
                int[] test = [.. order[k..].Where(i => rowsOf[i] >= 0)];
                FittedHead fitted = HeadFitter.Fit(cache, train.Select(i => rowsOf[i]).ToArray(), train.Select(i => logY[i]).ToArray(), head, options.Fit);
                double[] predicted = HeadFitter.PredictLog(cache, fitted, test.Select(i => rowsOf[i]).ToArray()).Select(x => Math.Exp(x)).ToArray();
                int[] sampleOf = items.SampleIndex[v];
                double[]? base_ = baseline?.Invoke([.. train.Select(i => sampleOf[i])], [.. test.Select(i => sampleOf[i])]);
                draws.Add(new FewShotDraw(k, r, train, test, predicted, base_, fitted.Donor) { Graph = choice });
                progress?.Report($"k = {k}, repeat {r + 1}/{options.Repeats}: "
                    + (choice is not { Folds: > 0 } ? "" : $"graph {choice.Describe()}, ")
                    + $"donor {fitted.Donor}, fit loss {fitted.TrainLoss:F4}");
            }
        }
        return new FewShotResult
        {
            Head = head,
            Ids = items.Ids,
            Actual = items.Actual,
            SkippedWithoutOps = items.WithoutOps,
            UniqueGraphs = cache.UniqueCountOf([.. items.Rows.SelectMany(r => r).Where(r => r >= 0).Distinct()]),
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

/// <summary>
/// The labelled measurements a few-shot evaluation draws from: one per measurement of the head's target (the graph
/// variants of one measured architecture share it, <see cref="TrainingSample.MeasurementId"/>), with its value and, per
/// variant, the cache row and sample index of its graph (−1 where that variant's graph has no operators). Without variants,
/// one "variant" (null) and one measurement per labelled graph with operators, in sample order.
/// </summary>
internal sealed class DrawItems
{
    public required List<string> Ids { get; init; }

    public required List<double> Actual { get; init; }

    /// <summary>The variants, sorted (a single null without variants).</summary>
    public required List<string?> Variants { get; init; }

    /// <summary>[variant][measurement]: the cache row of its graph, or −1.</summary>
    public required int[][] Rows { get; init; }

    /// <summary>[variant][measurement]: the index of its graph in the samples, or −1.</summary>
    public required int[][] SampleIndex { get; init; }

    /// <summary>Labelled measurements with no graph with operators in any variant (left out).</summary>
    public required int WithoutOps { get; init; }

    public int Count => Ids.Count;

    /// <summary>The measurements of <paramref name="samples"/> labelled (positive, finite) for <paramref name="head"/>;
    /// <paramref name="cacheRow"/> gives a sample's cache row (−1 for none: a graph without operators).</summary>
    public static DrawItems Of(IReadOnlyList<TrainingSample> samples, HeadKey head, Func<int, int> cacheRow)
    {
        List<string?> variants = [.. samples.Select(s => s.GraphVariant).Distinct().Order(StringComparer.Ordinal)];
        if (variants.Count == 0)
        {
            variants.Add(null);
        }
        var at = new Dictionary<string, int>(StringComparer.Ordinal);
        var ids = new List<string>();
        var actual = new List<double>();
        var rows = new List<int[]>();
        var index = new List<int[]>();
        var hasOps = new List<bool>();
        for (int i = 0; i < samples.Count; i++)
        {
            TrainingSample s = samples[i];
            if (!(s.Labels.TryGetValue((head.Target, head.Metric), out double y) && y > 0 && double.IsFinite(y)))
            {
                continue;
            }
            // Without variants every graph is its own measurement (two graphs may share an id across folders' renames).
            string key = variants.Count > 1 ? s.MeasurementId : i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!at.TryGetValue(key, out int m))
            {
                at[key] = m = ids.Count;
                ids.Add(variants.Count > 1 ? s.MeasurementId : s.ModelId);
                actual.Add(y);
                rows.Add([.. variants.Select(_ => -1)]);
                index.Add([.. variants.Select(_ => -1)]);
                hasOps.Add(false);
            }
            int v = variants.IndexOf(s.GraphVariant);
            int row = cacheRow(i);
            if (row >= 0)
            {
                rows[m][v] = row;
                index[m][v] = i;
                hasOps[m] = true;
            }
        }
        var keep = Enumerable.Range(0, ids.Count).Where(m => hasOps[m]).ToArray();
        return new DrawItems
        {
            Ids = [.. keep.Select(m => ids[m])],
            Actual = [.. keep.Select(m => actual[m])],
            Variants = variants,
            Rows = [.. variants.Select((_, v) => keep.Select(m => rows[m][v]).ToArray())],
            SampleIndex = [.. variants.Select((_, v) => keep.Select(m => index[m][v]).ToArray())],
            WithoutOps = ids.Count - keep.Length,
        };
    }
}

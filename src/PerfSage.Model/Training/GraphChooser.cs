namespace PerfSage.Model;

/// <summary>How well a head fitted on one graph variant predicted the training labels it was not fitted on.</summary>
/// <param name="Graph">The variant.</param>
/// <param name="Graphs">Training labels whose measurement has a graph with operators in this variant (the ones cross-validated).</param>
/// <param name="CvLogError">Mean |ln ŷ − ln y| of the out-of-fold predictions (infinite when too few graphs).</param>
public sealed record GraphVariantScore(string Graph, int Graphs, double CvLogError);

/// <summary>The graph variant chosen for a head (<see cref="GraphChooser"/>) and the score of every variant.</summary>
/// <param name="Graph">The chosen variant.</param>
/// <param name="Folds">Folds of the cross-validation; 0 when the variant was not chosen (the only one given, e.g. by <c>--graph</c>).</param>
/// <param name="Scores">Every variant's score, in the order tried.</param>
public sealed record GraphChoice(string Graph, int Folds, IReadOnlyList<GraphVariantScore> Scores)
{
    /// <summary><c>pruned (5-fold mean |ln ratio| 0.041; converted 0.093, eager 0.052)</c>.</summary>
    public string Describe()
    {
        if (Folds == 0)
        {
            return $"{Graph} (the only variant given)";
        }
        string others = string.Join(", ", Scores.Where(s => s.Graph != Graph).Select(s => FormattableString.Invariant($"{s.Graph} {s.CvLogError:F3}")));
        return FormattableString.Invariant($"{Graph} ({Folds}-fold mean |ln ratio| {Scores.Single(s => s.Graph == Graph).CvLogError:F3}; {others})");
    }
}

/// <summary>
/// Picks, for a new head, the graph variant whose head fits the training labels best: for each variant, k-fold
/// cross-validation on the training labels only (a head fitted on k − k/folds of them as <see cref="HeadFitter"/> fits it,
/// scored on the rest, every label out of fold once), and the variant with the smallest mean |ln ŷ − ln y| wins (ties:
/// the first). No test label is looked at: the caller passes the training labels alone. Above <see cref="MaxGraphs"/>
/// labels, a fixed, seeded subset of that many is cross-validated (the choice needs far fewer labels than the fit).
/// </summary>
public static class GraphChooser
{
    /// <summary>Folds of the cross-validation (fewer when there are fewer labels).</summary>
    public const int Folds = 5;

    /// <summary>The most labels cross-validated.</summary>
    public const int MaxGraphs = 100;

    /// <summary>
    /// Chooses among <paramref name="variants"/> for head <paramref name="key"/>: training label i (ln value
    /// <paramref name="logY"/>[i]) has its graph of variant v at cache row <paramref name="rows"/>[v][i], or −1 where that
    /// variant's graph has no operators (the label is then left out of that variant's score).
    /// </summary>
    internal static GraphChoice Choose(TrunkCache cache, IReadOnlyList<string> variants, IReadOnlyList<int[]> rows, double[] logY, HeadKey key,
        HeadFitOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(variants);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(logY);
        if (variants.Count == 0 || rows.Count != variants.Count || rows.Any(r => r.Length != logY.Length))
        {
            throw new ArgumentException($"{variants.Count} variants, {rows.Count} row lists for {logY.Length} labels", nameof(rows));
        }
        int[] order = Enumerable.Range(0, logY.Length).ToArray();
        if (order.Length > MaxGraphs)
        {
            // A fixed permutation (seed 0), so the same labels always give the same choice.
            new SplitMix64(SplitMix64.Mix(0x6772617068UL)).Shuffle(order);
            order = order[..MaxGraphs];
        }
        int folds = Math.Min(Folds, order.Length);
        var scores = new List<GraphVariantScore>();
        for (int v = 0; v < variants.Count; v++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int[] items = [.. order.Where(i => rows[v][i] >= 0)];
            scores.Add(new GraphVariantScore(variants[v], items.Length, CrossValidate(cache, rows[v], logY, items, Math.Min(folds, items.Length), key, options)));
        }
        GraphVariantScore best = scores[0];
        foreach (GraphVariantScore s in scores.Skip(1))
        {
            if (s.CvLogError < best.CvLogError || (double.IsNaN(best.CvLogError) && !double.IsNaN(s.CvLogError)))
            {
                best = s;
            }
        }
        return new GraphChoice(best.Graph, folds, scores);
    }

    /// <summary>Mean |ln ŷ − ln y| over <paramref name="items"/>, each predicted by a head fitted on the other folds; infinite
    /// below two labels.</summary>
    private static double CrossValidate(TrunkCache cache, int[] rows, double[] logY, int[] items, int folds, HeadKey key, HeadFitOptions options)
    {
        if (items.Length < 2 || folds < 2)
        {
            return double.PositiveInfinity;
        }
        double sum = 0;
        for (int f = 0; f < folds; f++)
        {
            int[] train = [.. items.Where((_, j) => j % folds != f)];
            int[] held = [.. items.Where((_, j) => j % folds == f)];
            FittedHead head = HeadFitter.Fit(cache, [.. train.Select(i => rows[i])], [.. train.Select(i => logY[i])], key, options);
            double[] predicted = HeadFitter.PredictLog(cache, head, [.. held.Select(i => rows[i])]);
            for (int j = 0; j < held.Length; j++)
            {
                sum += Math.Abs(predicted[j] - logY[held[j]]);
            }
        }
        return sum / items.Length;
    }
}

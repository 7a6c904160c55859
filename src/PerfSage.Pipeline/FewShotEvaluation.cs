using PerfSage.Model;
using Serilog;

namespace PerfSage.Pipeline;

/// <summary>What a few-shot evaluation is asked for.</summary>
/// <param name="Target">The measured target of the data that new heads are fitted for (its latency).</param>
/// <param name="Ks">Numbers of labelled graphs to fit on, ascending.</param>
/// <param name="Repeats">Random draws per k.</param>
/// <param name="Seed">Seed of the draws.</param>
/// <param name="SmallBelowMs">When set, the graphs measured below and at or above this latency are also scored apart.</param>
/// <param name="Fit">How each new head is fitted.</param>
public sealed record FewShotPlan(string Target, IReadOnlyList<int> Ks, int Repeats, long Seed, double? SmallBelowMs, HeadFitOptions Fit);

/// <summary>One k of a few-shot evaluation: the new head and the MAC baseline over all scored graphs and, with
/// <see cref="FewShotPlan.SmallBelowMs"/>, over the graphs at or above and below it (null where none were).</summary>
public sealed record FewShotRow(
    FewShotSummary All, FewShotSummary Baseline, FewShotSummary? Below, FewShotSummary? BelowBaseline, FewShotSummary? Above,
    FewShotSummary? AboveBaseline);

/// <summary>What <see cref="FewShotEvaluation"/> gives: the raw result and one row per k.</summary>
public sealed record FewShotOutcome(FewShotResult Result, IReadOnlyList<FewShotRow> Rows);

/// <summary>
/// <c>perfsage eval --few-shot</c>: per k and repeat, a new head for TARGET/latency_ms is fitted on k random labelled
/// graphs over the model's frozen trunk (<see cref="FewShot"/>) and scored on all the rest, beside the MAC-count baseline
/// (<see cref="MacBaseline"/>) fitted on the same k graphs. Mean and standard deviation over the repeats.
/// </summary>
public static class FewShotEvaluation
{
    /// <summary>Runs <paramref name="plan"/> on <paramref name="labelled"/> over the model <paramref name="model"/> gives
    /// (called once the data is known to fit the plan). Throws <see cref="UserInputException"/> when the data has no labels for
    /// the target or too few for the largest k.</summary>
    public static FewShotOutcome Run(Func<TrainedModel> model, LabelledData labelled, FewShotPlan plan, IReadOnlyList<string> dataDirs,
        ILogger log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(labelled);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(dataDirs);
        if (!labelled.Targets.Contains(plan.Target, StringComparer.Ordinal))
        {
            throw new UserInputException(
                $"--target {plan.Target}: {string.Join(", ", dataDirs)} has no labels for it; its targets: {string.Join(", ", labelled.Targets)}");
        }
        return Run(model, labelled.Samples, plan, log, cancellationToken);
    }

    /// <summary>Runs <paramref name="plan"/> on the graphs of <paramref name="data"/> labelled for its target, over the model
    /// <paramref name="model"/> gives (called once the data is known to fit the plan). Throws <see cref="UserInputException"/>
    /// when too few graphs are labelled for the largest k.</summary>
    public static FewShotOutcome Run(Func<TrainedModel> model, IReadOnlyList<TrainingSample> data, FewShotPlan plan, ILogger log,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(log);
        var head = new HeadKey(plan.Target, Metric.LatencyMs);
        List<TrainingSample> samples = data
            .Where(s => s.Labels.TryGetValue((head.Target, head.Metric), out double y) && y > 0 && double.IsFinite(y)).ToList();
        int usable = samples.Where(s => s.Features.NodeCount > 0).Select(s => s.MeasurementId).Distinct(StringComparer.Ordinal).Count();
        int largest = plan.Ks.Max();
        if (largest > usable - 1)
        {
            throw new UserInputException(
                $"--few-shot {largest}: {plan.Target} has {usable} labelled graphs with operators, so k can be at most {usable - 1} (one graph at least is left to score on)");
        }

        TrainedModel trained = model();
        var options = new FewShotOptions { Ks = plan.Ks, Repeats = plan.Repeats, Seed = plan.Seed, Fit = plan.Fit };
        var progress = new Progress<string>(m => log.Information("few-shot {Target}: {Message}", plan.Target, m));
        FewShotResult result = FewShot.Run(trained, samples, head, options, Baseline(samples, head), progress, cancellationToken);
        return new FewShotOutcome(result, Rows(result, plan.SmallBelowMs));
    }

    /// <summary>The MAC-count baseline of a draw (<see cref="MacBaseline"/>, fitted on its training graphs): it gets the
    /// indices into <paramref name="samples"/> of the training and the test graphs (the contract of <see cref="FewShot.Run"/>)
    /// and gives a value per test graph, from the graphs' own MACs (with graph variants, the variant the draw chose).</summary>
    internal static Func<int[], int[], double[]> Baseline(IReadOnlyList<TrainingSample> samples, HeadKey head)
    {
        var regressors = new double[]?[samples.Count];
        double[] Regressors(int i) => regressors[i] ??= MacBaseline.Regressors(samples[i].Features);
        return (train, test) =>
        {
            MacBaseline.Fit? fit = MacBaseline.FitOne(train.Select(Regressors).ToList(),
                train.Select(i => Math.Log(samples[i].Labels[(head.Target, head.Metric)])).ToList());
            return test.Select(i => fit is null ? double.NaN : Math.Exp(fit.Evaluate(Regressors(i)))).ToArray();
        };
    }

    /// <summary>One row per k of <paramref name="result"/>: the head and the baseline, and with <paramref name="smallBelowMs"/>
    /// the same below and at or above it.</summary>
    internal static IReadOnlyList<FewShotRow> Rows(FewShotResult result, double? smallBelowMs)
    {
        var rows = new List<FewShotRow>();
        IReadOnlyList<FewShotSummary> all = FewShot.Summarise(result);
        IReadOnlyList<FewShotSummary> allBase = FewShot.Summarise(result, useBaseline: true);
        IReadOnlyList<FewShotSummary>? below = null, belowBase = null, above = null, aboveBase = null;
        if (smallBelowMs is double x)
        {
            below = FewShot.Summarise(result, false, y => y < x);
            belowBase = FewShot.Summarise(result, true, y => y < x);
            above = FewShot.Summarise(result, false, y => y >= x);
            aboveBase = FewShot.Summarise(result, true, y => y >= x);
        }
        foreach (FewShotSummary s in all)
        {
            rows.Add(new FewShotRow(s, allBase.Single(b => b.K == s.K),
                below?.SingleOrDefault(b => b.K == s.K), belowBase?.SingleOrDefault(b => b.K == s.K),
                above?.SingleOrDefault(b => b.K == s.K), aboveBase?.SingleOrDefault(b => b.K == s.K)));
        }
        return rows;
    }
}

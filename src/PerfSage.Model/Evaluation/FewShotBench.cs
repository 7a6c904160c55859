using System.Diagnostics;
using System.Globalization;

namespace PerfSage.Model;

/// <summary>
/// Many few-shot evaluations over one model's frozen trunk on one set of labelled graphs (a search space measured on many
/// devices), with the trunk run once for all of them. A run names source targets (measured devices a predictor may learn
/// from) and a new target: the model gets a head for each source, fitted on every graph labelled for it exactly as
/// <see cref="HeadFitter.AddHeads(TrainedModel, IReadOnlyList{TrainingSample}, IReadOnlyList{string}, HeadFitOptions?)"/>
/// fits it (from the base model's donors, so the head of a source is the same in every run and is fitted once), then
/// the new target's draws run as in <see cref="FewShot.Run"/>, their donor chosen among all heads, the sources' included.
/// <para>Owns the cached trunk outputs (native memory): dispose it.</para>
/// </summary>
public sealed class FewShotBench : IDisposable
{
    private readonly TrainedModel _model;
    private readonly IReadOnlyList<TrainingSample> _all;
    private readonly int[] _rowOfAll;
    private readonly IReadOnlyList<TrainingSample> _samples;
    private readonly HeadFitOptions _fit;
    private readonly TrunkCache _cache;
    private readonly Dictionary<string, IReadOnlyList<FittedHead>> _sourceHeads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double[]> _sourceLog = new(StringComparer.Ordinal);

    private FewShotBench(TrainedModel model, IReadOnlyList<TrainingSample> all, int[] rowOfAll, IReadOnlyList<TrainingSample> samples, HeadFitOptions fit,
        TrunkCache cache)
    {
        _model = model;
        _all = all;
        _rowOfAll = rowOfAll;
        _samples = samples;
        _fit = fit;
        _cache = cache;
    }

    /// <summary>Graphs with operators the trunk ran on (cache row i is graph i).</summary>
    public int GraphCount => _samples.Count;

    /// <summary>Runs the trunk of <paramref name="model"/> (not owned; it must outlive the bench) once over every graph of
    /// <paramref name="samples"/> with operators; <paramref name="fit"/> is how every head is fitted.</summary>
    public static FewShotBench Build(TrainedModel model, IReadOnlyList<TrainingSample> samples, HeadFitOptions fit)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(fit);
        fit.Validate();
        var rowOf = new int[samples.Count];
        var withOps = new List<TrainingSample>();
        for (int i = 0; i < samples.Count; i++)
        {
            rowOf[i] = samples[i].Features.NodeCount > 0 ? withOps.Count : -1;
            if (rowOf[i] >= 0)
            {
                withOps.Add(samples[i]);
            }
        }
        HeadFitter.EnsureLoaded(fit);
        TrunkCache cache = TrunkCache.Build(model, withOps.Select(s => s.Features).ToList());
        return new FewShotBench(model, samples, rowOf, withOps, fit, cache);
    }

    /// <summary>
    /// Few-shot draws for <paramref name="head"/> over the model with heads for <paramref name="sources"/> (each fitted on
    /// all its labelled graphs, once per bench). <paramref name="baseline"/>, when given, gets each draw's training and test
    /// graphs as indices into the samples the bench was built from, as in <see cref="FewShot.Run"/>. With graph variants,
    /// every source and every draw picks its variant (<see cref="GraphChooser"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A source the base model has, or with too few labels; <paramref name="head"/>'s
    /// target among the sources or the base model's targets; k out of range.</exception>
    public FewShotResult Run(IReadOnlyList<string> sources, HeadKey head, FewShotOptions options,
        Func<int[], int[], double[]>? baseline = null, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(options);
        if (sources.Contains(head.Target, StringComparer.Ordinal) || _model.Targets.Contains(head.Target, StringComparer.Ordinal))
        {
            throw new ArgumentException($"{head.Target} has a head already: a few-shot head for it would start from its own", nameof(head));
        }
        DrawItems items = DrawItems.Of(_all, head, i => _rowOfAll[i]);
        FewShot.CheckOptions(options, head, items.Count);

        List<FittedHead> added = [.. sources.SelectMany(s => SourceHeads(s, progress, cancellationToken))];
        if (added.Count == 0)
        {
            return FewShot.RunDraws(_cache, items, head, options, baseline, progress, cancellationToken);
        }
        var labelled = sources.ToDictionary(s => s, s => _samples.Count(x => x.Labels.Keys.Any(k => k.Target == s)), StringComparer.Ordinal);
        using TrainedModel withSources = HeadFitter.WithHeads(_model, added, labelled);
        using TrunkCache view = _cache.WithHeads(withSources, _sourceLog);
        return FewShot.RunDraws(view, items, head, options, baseline, progress, cancellationToken);
    }

    /// <summary>The heads of source <paramref name="target"/>, fitted on first use (with their ln predictions for every graph,
    /// what a donor is chosen by).</summary>
    private IReadOnlyList<FittedHead> SourceHeads(string target, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        if (_sourceHeads.TryGetValue(target, out IReadOnlyList<FittedHead>? heads))
        {
            return heads;
        }
        cancellationToken.ThrowIfCancellationRequested();
        if (_model.Targets.Contains(target, StringComparer.Ordinal))
        {
            throw new ArgumentException($"the base model already has target '{target}'", nameof(target));
        }
        var clock = Stopwatch.StartNew();
        GraphChoice? choice = ChooseGraph(target, cancellationToken);
        var fitted = new List<FittedHead>();
        var counts = new List<string>();
        foreach (Metric metric in MetricNames.All)
        {
            var rows = new List<int>();
            var logs = new List<double>();
            for (int i = 0; i < _samples.Count; i++)
            {
                if ((choice is null || _samples[i].GraphVariant == choice.Graph)
                    && _samples[i].Labels.TryGetValue((target, metric), out double y) && y > 0 && double.IsFinite(y))
                {
                    rows.Add(i);
                    logs.Add(Math.Log(y));
                }
            }
            if (rows.Count == 0)
            {
                continue;
            }
            counts.Add($"{MetricNames.Name(metric)}: {rows.Count}");
            if (rows.Count >= HeadFitter.MinimumLabels)
            {
                fitted.Add(HeadFitter.Fit(_cache, [.. rows], [.. logs], new HeadKey(target, metric), _fit) with { Graph = choice });
            }
        }
        if (fitted.Count == 0)
        {
            throw new ArgumentException(
                $"target '{target}' needs at least {HeadFitter.MinimumLabels} labelled graphs with operators for one metric; it has "
                + (counts.Count == 0 ? "none" : string.Join(", ", counts)), nameof(target));
        }
        int[] all = [.. Enumerable.Range(0, _samples.Count)];
        foreach (FittedHead f in fitted)
        {
            _sourceLog[f.Key.Key] = HeadFitter.PredictLog(_cache, f, all);
        }
        _sourceHeads[target] = fitted;
        string graph = choice is null ? "" : $"graph {choice.Describe()}, ";
        progress?.Report(string.Create(CultureInfo.InvariantCulture,
            $"source {target}: {graph}{string.Join(", ", fitted.Select(f => $"{f.Key.Key} from {f.TrainCount} graphs (donor {f.Donor})"))} in {clock.Elapsed.TotalSeconds:F1} s"));
        return fitted;
    }

    /// <summary>The graph variant of source <paramref name="target"/>'s heads, chosen from all its latency labels, or null
    /// without variants.</summary>
    private GraphChoice? ChooseGraph(string target, CancellationToken cancellationToken)
    {
        DrawItems items = DrawItems.Of(_all, new HeadKey(target, Metric.LatencyMs), i => _rowOfAll[i]);
        if (items.Variants.Count < 2 || items.Count == 0)
        {
            return null;
        }
        return GraphChooser.Choose(_cache, [.. items.Variants.Select(v => v!)], items.Rows, [.. items.Actual.Select(y => Math.Log(y))],
            new HeadKey(target, Metric.LatencyMs), _fit, cancellationToken);
    }

    public void Dispose() => _cache.Dispose();
}

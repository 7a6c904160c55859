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
    private readonly IReadOnlyList<TrainingSample> _samples;
    private readonly IReadOnlyList<TrainingSample> _withoutOps;
    private readonly HeadFitOptions _fit;
    private readonly TrunkCache _cache;
    private readonly Dictionary<string, IReadOnlyList<FittedHead>> _sourceHeads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double[]> _sourceLog = new(StringComparer.Ordinal);

    private FewShotBench(TrainedModel model, IReadOnlyList<TrainingSample> samples, IReadOnlyList<TrainingSample> withoutOps, HeadFitOptions fit,
        TrunkCache cache)
    {
        _model = model;
        _samples = samples;
        _withoutOps = withoutOps;
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
        List<TrainingSample> withOps = [.. samples.Where(s => s.Features.NodeCount > 0)];
        HeadFitter.EnsureLoaded(fit);
        TrunkCache cache = TrunkCache.Build(model, withOps.Select(s => s.Features).ToList());
        return new FewShotBench(model, withOps, [.. samples.Where(s => s.Features.NodeCount == 0)], fit, cache);
    }

    /// <summary>
    /// Few-shot draws for <paramref name="head"/> over the model with heads for <paramref name="sources"/> (each fitted on
    /// all its labelled graphs, once per bench). <paramref name="baseline"/>, when given, gets each draw's training and test
    /// indices (into the result's <see cref="FewShotResult.Actual"/>), as in <see cref="FewShot.Run"/>.
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
        var rows = new List<int>();
        var ids = new List<string>();
        var actual = new List<double>();
        for (int i = 0; i < _samples.Count; i++)
        {
            if (_samples[i].Labels.TryGetValue((head.Target, head.Metric), out double y) && y > 0 && double.IsFinite(y))
            {
                rows.Add(i);
                ids.Add(_samples[i].ModelId);
                actual.Add(y);
            }
        }
        FewShot.CheckOptions(options, head, rows.Count);
        int withoutOps = _withoutOps.Count(s => s.Labels.TryGetValue((head.Target, head.Metric), out double y) && y > 0 && double.IsFinite(y));

        List<FittedHead> added = [.. sources.SelectMany(s => SourceHeads(s, progress, cancellationToken))];
        if (added.Count == 0)
        {
            return FewShot.RunDraws(_cache, [.. rows], ids, actual, withoutOps, head, options, baseline, progress, cancellationToken);
        }
        var labelled = sources.ToDictionary(s => s, s => _samples.Count(x => x.Labels.Keys.Any(k => k.Target == s)), StringComparer.Ordinal);
        using TrainedModel withSources = HeadFitter.WithHeads(_model, added, labelled);
        using TrunkCache view = _cache.WithHeads(withSources, _sourceLog);
        return FewShot.RunDraws(view, [.. rows], ids, actual, withoutOps, head, options, baseline, progress, cancellationToken);
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
        var fitted = new List<FittedHead>();
        var counts = new List<string>();
        foreach (Metric metric in MetricNames.All)
        {
            var rows = new List<int>();
            var logs = new List<double>();
            for (int i = 0; i < _samples.Count; i++)
            {
                if (_samples[i].Labels.TryGetValue((target, metric), out double y) && y > 0 && double.IsFinite(y))
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
                fitted.Add(HeadFitter.Fit(_cache, [.. rows], [.. logs], new HeadKey(target, metric), _fit));
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
        progress?.Report(string.Create(CultureInfo.InvariantCulture,
            $"source {target}: {string.Join(", ", fitted.Select(f => $"{f.Key.Key} from {f.TrainCount} graphs (donor {f.Donor})"))} in {clock.Elapsed.TotalSeconds:F1} s"));
        return fitted;
    }

    public void Dispose() => _cache.Dispose();
}

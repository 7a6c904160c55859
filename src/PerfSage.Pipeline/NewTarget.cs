using PerfSage.Model;

namespace PerfSage.Pipeline;

/// <summary>A copy of a model with heads for new targets, and the model it was made from (both owned: disposing
/// this disposes the copy, then the base).</summary>
public sealed class NewTargetResult : IDisposable
{
    internal NewTargetResult(TrainedModel model, TrainedModel baseModel, IReadOnlyDictionary<string, int> withoutOpsByTarget,
        string? heldOutSplit = null, IReadOnlyList<HeadAccuracy>? heldOut = null, bool heldOutRecorded = false)
    {
        Model = model;
        BaseModel = baseModel;
        WithoutOpsByTarget = withoutOpsByTarget;
        HeldOutSplit = heldOutSplit;
        HeldOut = heldOut ?? [];
        HeldOutRecorded = heldOutRecorded;
    }

    /// <summary>With a fit on one split: the split the new heads were scored on (<c>test</c>, else <c>val</c>), or null.</summary>
    public string? HeldOutSplit { get; }

    /// <summary>The new heads' accuracy on <see cref="HeldOutSplit"/> (empty without one).</summary>
    public IReadOnlyList<HeadAccuracy> HeldOut { get; }

    /// <summary>True when <see cref="HeldOut"/> was written into the model's metrics (false when the base model's
    /// metrics are from another split).</summary>
    public bool HeldOutRecorded { get; }

    /// <summary>The base model with the new heads.</summary>
    public TrainedModel Model { get; }

    /// <summary>The model the new heads were fitted over (unchanged).</summary>
    public TrainedModel BaseModel { get; }

    /// <summary>Per new target: graphs labelled for it that have no operators (or no usable label), left out of its fit.</summary>
    public IReadOnlyDictionary<string, int> WithoutOpsByTarget { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        Model.Dispose();
        BaseModel.Dispose();
    }
}

/// <summary>
/// <c>perfsage train --from MODEL --new-target NAME [--new-target NAME2 ...]</c>: heads NAME/metric fitted over the frozen
/// trunk of a model on every graph of the data labelled for NAME (or on one split of it), for each NAME; the trunk runs
/// once for all of them (<see cref="HeadFitter.AddHeads(TrainedModel, IReadOnlyList{TrainingSample}, IReadOnlyList{string}, HeadFitOptions?)"/>).
/// Fitted on one split, the new heads are then scored on the held-out graphs (the test split, else val) and their
/// accuracy joins the model's <c>metrics.json</c>, as a full training run's heads do.
/// </summary>
public static class NewTarget
{
    /// <summary>Fits heads for <paramref name="name"/> (see the overload for several targets).</summary>
    public static NewTargetResult Fit(LabelledData labelled, string name, Func<TrainedModel> loadBase, string fromDir,
        IReadOnlyList<string> dataDirs, int threads) =>
        Fit(labelled, [name], loadBase, fromDir, dataDirs, threads);

    /// <summary>Fits heads for every target of <paramref name="names"/> over the model <paramref name="loadBase"/> loads
    /// (called once the data is known to have labels for them), on the graphs of <paramref name="split"/> only when given
    /// (so the other splits stay held out), else on every labelled graph. Throws <see cref="UserInputException"/> when a
    /// name is given twice, the data has no labels for a target or too few, or the model has a target already.</summary>
    public static NewTargetResult Fit(LabelledData labelled, IReadOnlyList<string> names, Func<TrainedModel> loadBase, string fromDir,
        IReadOnlyList<string> dataDirs, int threads, Split? split = null, Action<string>? progress = null, HeadFitOptions? recipe = null)
    {
        ArgumentNullException.ThrowIfNull(labelled);
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(loadBase);
        ArgumentNullException.ThrowIfNull(dataDirs);
        if (names.Count == 0)
        {
            throw new UserInputException("--new-target: give the name of a measured target of the data");
        }
        foreach (string twice in names.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key))
        {
            throw new UserInputException($"--new-target {twice}: given twice; name each new target once");
        }
        foreach (string name in names.Where(n => !labelled.Targets.Contains(n, StringComparer.Ordinal)))
        {
            throw new UserInputException(
                $"--new-target {name}: {string.Join(", ", dataDirs)} has no labels for it; its targets: {string.Join(", ", labelled.Targets)}");
        }
        TrainedModel baseModel = loadBase();
        try
        {
            foreach (string name in names.Where(n => baseModel.Targets.Contains(n, StringComparer.Ordinal)))
            {
                throw new UserInputException($"--new-target {name}: the model in {fromDir} already has this target; give the new board another name");
            }
            var wanted = new HashSet<string>(names, StringComparer.Ordinal);
            List<TrainingSample> mine = labelled.Samples
                .Where(s => (split is null || s.Split == split) && s.Labels.Keys.Any(k => wanted.Contains(k.Target))).ToList();
            var withoutOps = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (string name in names)
            {
                List<TrainingSample> labelledForName = mine.Where(s => s.Labels.Keys.Any(k => k.Target == name)).ToList();
                int withOps = labelledForName.Where(s => s.Features.NodeCount > 0
                    && s.Labels.Any(l => l.Key.Target == name && l.Value > 0 && double.IsFinite(l.Value))).Select(s => s.MeasurementId).Distinct(StringComparer.Ordinal).Count();
                if (withOps < HeadFitter.MinimumLabels)
                {
                    throw new UserInputException(
                        $"--new-target {name}: {withOps} labelled graph(s) with operators in {(split is Split sp ? "the " + Splits.Name(sp) + " split of " : "")}{string.Join(", ", dataDirs)}; a new target needs at least "
                        + $"{HeadFitter.MinimumLabels} (measure more models: see 'perfsage dataset build')");
                }
                withoutOps[name] = labelledForName.Select(s => s.MeasurementId).Distinct(StringComparer.Ordinal).Count() - withOps;
            }
            TrainedModel model;
            try
            {
                model = HeadFitter.AddHeads(baseModel, mine, names, (recipe ?? new HeadFitOptions()) with { Threads = threads, Progress = progress });
            }
            catch (ArgumentException e)
            {
                string reason = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
                throw new UserInputException($"--new-target {string.Join(", ", names)}: {reason}", e);
            }
            if (split is null)
            {
                return new NewTargetResult(model, baseModel, withoutOps);
            }
            try
            {
                (string? heldOutSplit, IReadOnlyList<HeadAccuracy> heldOut, bool recorded) = ScoreHeldOut(model, labelled, names, split.Value);
                return new NewTargetResult(model, baseModel, withoutOps, heldOutSplit, heldOut, recorded);
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }
        catch
        {
            baseModel.Dispose();
            throw;
        }
    }

    /// <summary>Scores the new heads of <paramref name="names"/> on the held-out graphs labelled for them: the test split,
    /// else val (never <paramref name="fitted"/>, the split they were fitted on); with graph variants, the variant each
    /// target's heads chose.</summary>
    private static (string? Split, IReadOnlyList<HeadAccuracy> HeldOut, bool Recorded) ScoreHeldOut(TrainedModel model, LabelledData labelled,
        IReadOnlyList<string> names, Split fitted)
    {
        foreach (Split held in new[] { Split.Test, Split.Validation }.Where(s => s != fitted))
        {
            var perTarget = new Dictionary<string, IReadOnlyList<TrainingSample>>(StringComparer.Ordinal);
            foreach (string name in names)
            {
                string? graph = model.Manifest.Heads.FirstOrDefault(h => h.Target == name)?.Graph;
                perTarget[name] = labelled.Samples.Where(s => s.Split == held && s.Features.NodeCount > 0
                    && (graph is null || s.GraphVariant is null || s.GraphVariant == graph)
                    && s.Labels.Keys.Any(k => k.Target == name)).ToList();
            }
            if (perTarget.Values.Any(v => v.Count > 0))
            {
                string name = Splits.Name(held);
                bool recorded = Evaluation.RecordHeldOut(model, perTarget, name, out IReadOnlyList<HeadAccuracy> heldOut);
                return (name, heldOut, recorded);
            }
        }
        return (null, [], false);
    }
}

using PerfSage.Model;

namespace PerfSage.Pipeline;

/// <summary>A copy of a model with heads for a new target, and the model it was made from (both owned: disposing
/// this disposes the copy, then the base).</summary>
public sealed class NewTargetResult : IDisposable
{
    internal NewTargetResult(TrainedModel model, TrainedModel baseModel, int withoutOps)
    {
        Model = model;
        BaseModel = baseModel;
        WithoutOps = withoutOps;
    }

    /// <summary>The base model with the new heads.</summary>
    public TrainedModel Model { get; }

    /// <summary>The model the new heads were fitted over (unchanged).</summary>
    public TrainedModel BaseModel { get; }

    /// <summary>Graphs labelled for the target that have no operators (or no usable label), left out of the fit.</summary>
    public int WithoutOps { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        Model.Dispose();
        BaseModel.Dispose();
    }
}

/// <summary>
/// <c>perfsage train --from MODEL --new-target NAME</c>: heads NAME/metric fitted over the frozen trunk of a model on every
/// graph of the data labelled for NAME, whatever its split (<see cref="HeadFitter.AddHeads"/>).
/// </summary>
public static class NewTarget
{
    /// <summary>Fits heads for <paramref name="name"/> over the model <paramref name="loadBase"/> loads (called once the data
    /// is known to have labels for it). Throws <see cref="UserInputException"/> when the data has no labels for the target or
    /// too few, or the model has the target already.</summary>
    public static NewTargetResult Fit(LabelledData labelled, string name, Func<TrainedModel> loadBase, string fromDir,
        IReadOnlyList<string> dataDirs, int threads)
    {
        ArgumentNullException.ThrowIfNull(labelled);
        ArgumentNullException.ThrowIfNull(loadBase);
        ArgumentNullException.ThrowIfNull(dataDirs);
        if (!labelled.Targets.Contains(name, StringComparer.Ordinal))
        {
            throw new UserInputException(
                $"--new-target {name}: {string.Join(", ", dataDirs)} has no labels for it; its targets: {string.Join(", ", labelled.Targets)}");
        }
        TrainedModel baseModel = loadBase();
        try
        {
            if (baseModel.Targets.Contains(name, StringComparer.Ordinal))
            {
                throw new UserInputException($"--new-target {name}: the model in {fromDir} already has this target; give the new board another name");
            }
            List<TrainingSample> mine = labelled.Samples.Where(s => s.Labels.Keys.Any(k => k.Target == name)).ToList();
            int withOps = mine.Count(s => s.Features.NodeCount > 0 && s.Labels.Any(l => l.Key.Target == name && l.Value > 0 && double.IsFinite(l.Value)));
            if (withOps < HeadFitter.MinimumLabels)
            {
                throw new UserInputException(
                    $"--new-target {name}: {withOps} labelled graph(s) with operators in {string.Join(", ", dataDirs)}; a new target needs at least "
                    + $"{HeadFitter.MinimumLabels} (measure more models: see 'perfsage dataset build')");
            }
            TrainedModel model;
            try
            {
                model = HeadFitter.AddHeads(baseModel, mine, name, new HeadFitOptions { Threads = threads });
            }
            catch (ArgumentException e)
            {
                string reason = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
                throw new UserInputException($"--new-target {name}: {reason}", e);
            }
            return new NewTargetResult(model, baseModel, mine.Count - withOps);
        }
        catch
        {
            baseModel.Dispose();
            throw;
        }
    }
}

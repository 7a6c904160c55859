using PerfSage.Graph;
using PerfSage.Model;
using PerfSage.Targets;

namespace PerfSage.Pipeline;

/// <summary>Target selection against what a model has heads for, and the reference estimate shown beside a
/// prediction.</summary>
public static class ModelTargets
{
    /// <summary>The targets to predict: those named (each must have a head; matched exactly, else ignoring case),
    /// or with <paramref name="all"/> every target of the model. <paramref name="requestedFor"/> gives, per id, the name
    /// the user gave (a family name such as <c>ethos-u85</c>), for the error line.</summary>
    public static IReadOnlyList<string> Resolve(Predictor predictor, string[] named, bool all, string modelDir,
        Func<string, string>? requestedFor = null)
    {
        string known = string.Join(", ", predictor.Targets);
        if (all && named.Length > 0)
        {
            throw new UserInputException("give either --target or --all-targets, not both");
        }
        if (all)
        {
            return predictor.Targets;
        }
        if (named.Length == 0)
        {
            throw new UserInputException($"no target: give --target ID (one or more) or --all-targets; the model {modelDir} has heads for: {known}");
        }
        var chosen = new List<string>();
        foreach (string id in named)
        {
            string? match = predictor.HasTarget(id) ? id
                : predictor.Targets.FirstOrDefault(t => string.Equals(t, id, StringComparison.OrdinalIgnoreCase));
            if (match is null)
            {
                string asked = requestedFor?.Invoke(id) ?? id;
                string name = string.Equals(asked, id, StringComparison.Ordinal) ? $"'{id}'" : $"'{asked}' ({id})";
                throw new UserInputException($"target {name}: the model {modelDir} has no heads for it; its targets: {known}");
            }
            if (!chosen.Contains(match, StringComparer.Ordinal))
            {
                chosen.Add(match);
            }
        }
        return chosen;
    }

    /// <summary>The reference estimate of <paramref name="graph"/> on <paramref name="target"/>, or null when the
    /// target is not in the catalog (a measured board) or its estimator cannot cost the graph.</summary>
    public static TargetEstimate? Reference(TargetCatalog catalog, string target, OpGraph graph)
    {
        if (!catalog.TryGet(target, out TargetSpec? spec))
        {
            return null;
        }
        try
        {
            return Estimator.For(spec).Estimate(graph);
        }
        catch (TargetException)
        {
            return null;
        }
    }

    /// <summary>The value of <paramref name="metric"/> in the reference estimate <paramref name="e"/>.</summary>
    public static double ReferenceValue(TargetEstimate e, Metric metric)
    {
        ArgumentNullException.ThrowIfNull(e);
        return metric switch
        {
            Metric.LatencyMs => e.LatencyMs,
            Metric.EnergyMj => e.EnergyMj,
            Metric.PeakRamKb => e.PeakRamKb,
            _ => e.FlashKb,
        };
    }
}

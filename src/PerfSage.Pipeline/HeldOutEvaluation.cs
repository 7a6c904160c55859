using PerfSage.Model;

namespace PerfSage.Pipeline;

/// <summary>The accuracy of one head on the evaluated graphs, beside the MAC baseline's.</summary>
/// <param name="Head">The head.</param>
/// <param name="Model">The model's accuracy.</param>
/// <param name="Baseline">The MAC baseline's accuracy on the same graphs, or null when it had no training graphs for the head.</param>
/// <param name="BaselineTrainCount">Training graphs the baseline's fit used.</param>
public sealed record EvalRow(HeadKey Head, HeadAccuracy Model, HeadAccuracy? Baseline, int BaselineTrainCount);

/// <summary>What <see cref="HeldOutEvaluation.Run"/> gives.</summary>
/// <param name="Split">The split evaluated (<c>test</c>, <c>val</c>, <c>train</c> or <c>all</c>).</param>
/// <param name="GraphCount">Graphs of that split.</param>
/// <param name="Rows">One row per head the data has labels for, in the order of the model's metrics.</param>
/// <param name="Points">Every (predicted, true) pair, for a scatter plot.</param>
public sealed record HeldOutResult(string Split, int GraphCount, IReadOnlyList<EvalRow> Rows, IReadOnlyList<EvaluatedLabel> Points)
{
    /// <summary>Why the split may not be held out from the model's training (one sentence each; empty when none).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>
/// <c>perfsage eval</c> without <c>--few-shot</c>: the model's accuracy per head on one split of labelled data, beside a
/// <see cref="MacBaseline"/> fitted on the data's training split and scored on the same graphs.
/// </summary>
public static class HeldOutEvaluation
{
    /// <summary>The split names <see cref="Run"/> takes.</summary>
    public static IReadOnlyList<string> SplitNames { get; } = ["test", "val", "train", "all"];

    /// <summary>Evaluates the model <paramref name="model"/> gives (a <see cref="Predictor"/>: the managed engine unless it was
    /// loaded for TorchSharp) (called once the split is known to hold graphs) on the
    /// <paramref name="splitName"/> split of <paramref name="labelled"/>. Throws <see cref="UserInputException"/> when the split
    /// is empty or the data has no labels the model predicts.</summary>
    public static HeldOutResult Run(Func<Predictor> model, LabelledData labelled, string splitName, IReadOnlyList<string> dataDirs,
        int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(labelled);
        ArgumentNullException.ThrowIfNull(dataDirs);
        List<TrainingSample> samples = splitName == "all"
            ? [.. labelled.Samples]
            : [.. labelled.InSplit(Splits.TryParse(splitName, out Split s) ? s : Split.Test)];
        if (samples.Count == 0)
        {
            throw new UserInputException($"the {splitName} split of {string.Join(", ", dataDirs)} holds no graphs; try --split all");
        }
        List<TrainingSample> train = [.. labelled.InSplit(Split.Train)];

        Predictor trained = model();
        EvaluationResult result = Evaluation.Evaluate(trained, samples, splitName, threads: threads);
        if (result.Metrics.Heads.Count == 0)
        {
            throw new UserInputException(
                $"the data has no labels the model predicts: the data's targets are {string.Join(", ", labelled.Targets)}, "
                + $"the model's {string.Join(", ", trained.Targets)}");
        }
        List<HeadKey> heads = result.Metrics.Heads.Select(h => HeadKey.Parse(h.Key)).ToList();
        MacBaseline baseline = MacBaseline.Train(train, heads);
        var rows = new List<EvalRow>();
        foreach (HeadAccuracy a in result.Metrics.Heads)
        {
            HeadKey head = HeadKey.Parse(a.Key);
            rows.Add(new EvalRow(head, a, BaselineAccuracy(baseline, head, samples), baseline.TrainCount(head)));
        }
        var warnings = new List<string>();
        if (trained.Manifest.Data.SplitRule is null && labelled.HashSplitFolders.Count > 0 && splitName is "test" or "val")
        {
            // Before the split rule was recorded, training split a folder without splits.csv by another hash.
            warnings.Add($"the model records no split rule (it was trained before PerfSage recorded one) and "
                + $"{string.Join(", ", labelled.HashSplitFolders)} has no splits.csv: if the model was trained on it, "
                + $"its held-out graphs were chosen by another rule and this {splitName} split may include graphs it was trained on");
        }
        return new HeldOutResult(splitName, samples.Count, rows, result.Points) { Warnings = warnings };
    }

    private static HeadAccuracy? BaselineAccuracy(MacBaseline baseline, HeadKey head, List<TrainingSample> samples)
    {
        var predicted = new List<double>();
        var actual = new List<double>();
        foreach (TrainingSample s in samples)
        {
            if (s.Labels.TryGetValue((head.Target, head.Metric), out double y) && y > 0 && double.IsFinite(y)
                && baseline.Predict(head, s.Features) is double p)
            {
                predicted.Add(p);
                actual.Add(y);
            }
        }
        return actual.Count == 0 ? null : AccuracyStatistics.Compute(head, predicted, actual);
    }
}

namespace PerfSage.Model;

/// <summary>One labelled value and what the model predicted for it.</summary>
public sealed record EvaluatedLabel(string ModelId, HeadKey Head, double Actual, double Predicted);

/// <summary>Accuracy per head and the points it was computed from (for plots).</summary>
public sealed record EvaluationResult(ModelMetrics Metrics, IReadOnlyList<EvaluatedLabel> Points);

/// <summary>Held-out accuracy of a model on labelled samples.</summary>
public static class Evaluation
{
    /// <summary>
    /// Predicts every sample once and scores each head of <paramref name="model"/> on the samples that carry a
    /// positive label for it (heads without any such label are left out). The samples' <see cref="Split"/> is
    /// not looked at: pass the held-out ones.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="samples">Labelled samples.</param>
    /// <param name="name">What the samples are, for <see cref="ModelMetrics.Split"/> (<c>test</c>, a data set name).</param>
    /// <param name="batchSize">Graphs per forward pass.</param>
    /// <exception cref="ModelFormatException">A prediction is not finite or not plausible (see <see cref="Prediction.IsPlausible"/>).</exception>
    public static EvaluationResult Evaluate(TrainedModel model, IReadOnlyList<TrainingSample> samples, string name, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(name);
        return Score(model.Heads, model.PredictLog(samples.Select(s => s.Features).ToList(), batchSize), samples, name);
    }

    /// <summary>As <see cref="Evaluate(TrainedModel, IReadOnlyList{TrainingSample}, string, int)"/>, with the predictor's engine
    /// (the managed one unless it was loaded for TorchSharp), graphs on up to <paramref name="threads"/> threads.</summary>
    public static EvaluationResult Evaluate(Predictor predictor, IReadOnlyList<TrainingSample> samples, string name, int batchSize = 256,
        int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(name);
        return Score(predictor.Heads, predictor.PredictLogAll(samples.Select(s => s.Features).ToList(), batchSize, threads), samples, name);
    }

    /// <summary>
    /// Scores the heads of the targets of <paramref name="heldOut"/> (heads added to <paramref name="model"/>, e.g. by
    /// <see cref="HeadFitter.AddHeads(TrainedModel, IReadOnlyList{TrainingSample}, IReadOnlyList{string}, HeadFitOptions?)"/>)
    /// on held-out samples and records them in the model's metrics beside the other heads' (replacing earlier numbers
    /// for those targets). <paramref name="heldOut"/> maps each target to its held-out samples. The model's metrics
    /// keep one split name: when they are from another split than <paramref name="split"/>, nothing is recorded and
    /// false is returned. Returns the new heads' accuracy through <paramref name="added"/>.
    /// </summary>
    public static bool RecordHeldOut(TrainedModel model, IReadOnlyDictionary<string, IReadOnlyList<TrainingSample>> heldOut, string split,
        out IReadOnlyList<HeadAccuracy> added, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(heldOut);
        ArgumentNullException.ThrowIfNull(split);
        var scored = new List<HeadAccuracy>();
        foreach ((string target, IReadOnlyList<TrainingSample> samples) in heldOut.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (samples.Count == 0)
            {
                continue;
            }
            scored.AddRange(Evaluate(model, samples, split, batchSize).Metrics.Heads.Where(h => h.Target == target));
        }
        added = scored;
        if (model.Metrics is { } existing && existing.Split != split)
        {
            return false;
        }
        var targets = new HashSet<string>(heldOut.Keys, StringComparer.Ordinal);
        model.Metrics = new ModelMetrics
        {
            Split = split,
            Heads = [.. (model.Metrics?.Heads ?? []).Where(h => !targets.Contains(h.Target)).Concat(scored).OrderBy(h => h.Key, StringComparer.Ordinal)],
        };
        return true;
    }

    private static EvaluationResult Score(IReadOnlyList<HeadKey> modelHeads, float[][] log, IReadOnlyList<TrainingSample> samples, string name)
    {
        var heads = new List<HeadAccuracy>();
        var points = new List<EvaluatedLabel>();
        for (int k = 0; k < modelHeads.Count; k++)
        {
            HeadKey head = modelHeads[k];
            var predicted = new List<double>();
            var actual = new List<double>();
            for (int i = 0; i < samples.Count; i++)
            {
                if (samples[i].Labels.TryGetValue((head.Target, head.Metric), out double y) && y > 0 && double.IsFinite(y))
                {
                    double p = Math.Exp(log[i][k]);
                    if (!Prediction.IsPlausible(p))
                    {
                        throw new ModelFormatException(FormattableString.Invariant(
                            $"{samples[i].ModelId}: the model's {head.Key} prediction is not finite or not plausible ({p:G4}; reported values lie in {Prediction.MinPlausible:0E+0}..{Prediction.MaxPlausible:0E+0}), so it cannot be scored"));
                    }
                    predicted.Add(p);
                    actual.Add(y);
                    points.Add(new EvaluatedLabel(samples[i].ModelId, head, y, p));
                }
            }
            if (actual.Count > 0)
            {
                heads.Add(AccuracyStatistics.Compute(head, predicted, actual));
            }
        }
        return new EvaluationResult(new ModelMetrics { Split = name, Heads = heads }, points);
    }
}

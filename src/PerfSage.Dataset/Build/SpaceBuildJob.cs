using System.Globalization;
using PerfSage.Dataset.Spaces;
using PerfSage.Graph;
using PerfSage.Targets;
using PerfSage.Tflite;

namespace PerfSage.Dataset;

/// <summary>
/// Builds models of a search space: sample → <c>.tflite</c> bytes → parse them back → graph → one estimate per
/// target. The labels come from the graph read back from the bytes that are written, so training sees exactly
/// the graph a user's copy of the file gives.
/// </summary>
internal sealed class SpaceBuildJob : BuildJob
{
    private readonly ISearchSpace _space;
    private readonly IReadOnlyList<IEstimator> _estimators;

    public SpaceBuildJob(ISearchSpace space, IReadOnlyList<IEstimator> estimators, BuildInfo info)
    {
        _space = space;
        _estimators = estimators;
        Info = info;
        Items = ItemsOf(space, info);
    }

    public override BuildInfo Info { get; }

    public override IReadOnlyList<JobItem> Items { get; }

    /// <summary>The models of <paramref name="info"/> (a <c>space</c> build): indices 0 … count−1 in its shards.</summary>
    public static IReadOnlyList<JobItem> ItemsOf(ISearchSpace space, BuildInfo info)
    {
        var items = new List<JobItem>();
        for (long i = 0; i < info.Count!.Value; i++)
        {
            if (info.Shards is null || info.Shards.Contains(i))
            {
                items.Add(new JobItem(i, Sampling.ModelId(space.Name, info.Seed!.Value, i)));
            }
        }
        return items;
    }

    /// <summary>Estimated labels: exactly one per target, in the request's order.</summary>
    public override bool Accepts(ModelRecord record) =>
        record.Labels.Select(l => l.Target).SequenceEqual(Info.Targets, StringComparer.Ordinal);

    /// <summary>The seed of the random weights of sample <paramref name="modelId"/>'s file.</summary>
    public static int ExportSeed(string modelId) => (int)(Hashing.Sha256Prefix64("export:" + modelId) & int.MaxValue);

    /// <summary>The file of <paramref name="graph"/> for model <paramref name="modelId"/> of build
    /// <paramref name="info"/>: weightless when the build says so, else with seeded random weights.</summary>
    public static byte[] Export(OpGraph graph, string modelId, BuildInfo info) =>
        info.Weights == BuildInfo.NoWeights ? GraphExporter.WriteWeightless(graph, ExportSeed(modelId))
            : GraphExporter.Write(graph, ExportSeed(modelId));

    public override ProducedModel Produce(JobItem item)
    {
        try
        {
            SpaceSample sample = _space.Sample(Info.Seed!.Value, item.Order);
            if (sample.ModelId != item.ModelId)
            {
                throw new InvalidOperationException($"sample {item.Order} of {_space.Name} is '{sample.ModelId}', expected '{item.ModelId}'");
            }
            byte[] bytes = Export(sample.Graph, item.ModelId, Info);
            OpGraph graph = OpGraph.FromModel(TfliteReader.Parse(bytes, item.ModelId + ".tflite"));
            var labels = new LabelRow[_estimators.Count];
            for (int t = 0; t < labels.Length; t++)
            {
                TargetEstimate e = _estimators[t].Estimate(graph);
                labels[t] = Labels.Checked(new LabelRow(item.ModelId, e.TargetId, e.LatencyMs, e.EnergyMj, e.PeakRamKb, e.FlashKb,
                    LabelRow.EstimateSource));
            }
            string origin = string.Create(CultureInfo.InvariantCulture, $"{_space.Name} seed {sample.Seed} index {sample.Index}");
            var record = new ModelRecord(item.ModelId, item.Order, sample.Family, sample.Variant, origin, sample.Knobs,
                bytes.Length, Hashing.Sha256Hex(bytes), labels);
            return new ProducedModel(record, bytes);
        }
        catch (Exception e) when (e is SearchSpaceException or OpGraphException or TfliteFormatException or TargetException)
        {
            throw new DatasetException($"{item.ModelId}: {e.Message}", e);
        }
    }
}

/// <summary>Checks on label values.</summary>
internal static class Labels
{
    /// <summary>Returns <paramref name="label"/> when every value is finite and not negative; throws otherwise
    /// (an estimator bug: a NaN must never reach a training set).</summary>
    public static LabelRow Checked(LabelRow label)
    {
        foreach (Metric m in MetricNames.All)
        {
            if (label.Get(m) is double v && (!double.IsFinite(v) || v < 0))
            {
                throw new DatasetException(
                    $"{label.ModelId}: {MetricNames.Name(m)} on {label.Target} is {v.ToString(CultureInfo.InvariantCulture)}, not a finite non-negative number");
            }
        }
        return label;
    }
}

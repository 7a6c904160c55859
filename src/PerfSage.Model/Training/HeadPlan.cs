using PerfSage.Model.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PerfSage.Model;

/// <summary>
/// The heads of a training run and how each starts. Heads: every head of the base model (when there is one) and one per
/// (target, metric) with positive labels in the training split, filtered by <see cref="TrainOptions.Targets"/> and
/// <see cref="TrainOptions.Metrics"/>, in key order. Each labelled head is trained; its offset is its ln-label mean less
/// ln(mean node count + 2), except that a head new to a base model starts from a donor: the base head of the same
/// metric whose predictions differ from its labels by the most constant ln ratio, shifted by the mean ratio (a new board
/// is mostly a rescaled known one, and few labels suffice).
/// </summary>
internal sealed class HeadPlan
{
    private readonly HashSet<string> _trained;
    private readonly Dictionary<string, string> _donors;

    private HeadPlan(List<HeadManifest> heads, HashSet<string> trained, Dictionary<string, string> donors, int skippedLabels)
    {
        Heads = heads;
        _trained = trained;
        _donors = donors;
        SkippedLabels = skippedLabels;
    }

    /// <summary>The heads in network output order.</summary>
    public IReadOnlyList<HeadManifest> Heads { get; }

    /// <summary>Training labels of wanted heads left out for not being positive and finite.</summary>
    public int SkippedLabels { get; }

    /// <summary>Works out the heads of a run on <paramref name="samples"/>.</summary>
    /// <exception cref="ArgumentException">No positive label for the wanted targets and metrics; a bad target name.</exception>
    public static HeadPlan Build(TrainingData samples, TrainOptions options)
    {
        TrainedModel? baseModel = options.BaseModel;
        int skipped = 0;
        var logs = new SortedDictionary<HeadKey, List<double>>();
        foreach (TrainingSample s in samples.Train)
        {
            foreach (((string target, Metric metric), double value) in s.Labels)
            {
                if (!Wanted(options, target, metric))
                {
                    continue;
                }
                if (!(value > 0) || !double.IsFinite(value))
                {
                    skipped++;
                    continue;
                }
                HeadKey.ValidateTarget(target);
                var key = new HeadKey(target, metric);
                if (!logs.TryGetValue(key, out List<double>? list))
                {
                    logs[key] = list = [];
                }
                list.Add(Math.Log(value));
            }
        }
        if (logs.Count == 0)
        {
            throw new ArgumentException("the training split has no positive labels for the requested targets and metrics", nameof(samples));
        }

        var heads = new SortedDictionary<string, HeadManifest>(StringComparer.Ordinal);
        foreach (HeadManifest h in baseModel?.Manifest.Heads ?? [])
        {
            heads[h.Key] = h;
        }
        var trained = new HashSet<string>(StringComparer.Ordinal);
        var donors = new Dictionary<string, string>(StringComparer.Ordinal);
        var donorFinder = baseModel is null ? null : new DonorFinder(baseModel, samples.Train, options.EvaluationBatchSize);
        foreach ((HeadKey key, List<double> values) in logs)
        {
            double mean = values.Average();
            double std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
            double offset = mean - Math.Log(samples.MeanNodeCount + 2);
            if (donorFinder is not null && !heads.ContainsKey(key.Key) && donorFinder.Best(key) is (string donor, double shift))
            {
                donors[key.Key] = donor;
                offset = heads[donor].LogOffset + shift;
            }
            heads[key.Key] = new HeadManifest
            {
                Key = key.Key,
                Target = key.Target,
                Metric = MetricNames.Name(key.Metric),
                LogMean = mean,
                LogStd = std,
                LogOffset = offset,
                TrainCount = values.Count,
            };
            trained.Add(key.Key);
        }
        return new HeadPlan([.. heads.Values], trained, donors, skipped);
    }

    /// <summary>Whether network parameter <paramref name="name"/> (<c>heads.&lt;key&gt;.…</c>) belongs to a trained head.</summary>
    public bool IsTrainedHeadParameter(string name) => _trained.Contains(HeadKeyOfParameter(name));

    /// <summary>Copies each donor head's parameters of <paramref name="baseModel"/> into the new head of <paramref name="net"/> it starts.</summary>
    public void CopyDonorHeads(PerfSageNet net, TrainedModel baseModel)
    {
        if (_donors.Count == 0)
        {
            return;
        }
        Dictionary<string, Tensor> source = baseModel.Net.state_dict();
        using IDisposable noGrad = no_grad();
        foreach ((string name, Parameter p) in net.named_parameters())
        {
            if (name.StartsWith("heads.", StringComparison.Ordinal) && _donors.TryGetValue(HeadKeyOfParameter(name), out string? donor))
            {
                string suffix = name[("heads." + HeadKeyOfParameter(name)).Length..];
                p.copy_(source["heads." + donor + suffix]);
            }
        }
    }

    /// <summary>ln labels of a sample in head order; NaN where the head is not trained or the label is absent or unusable.</summary>
    public float[] LogLabels(TrainingSample s)
    {
        var row = new float[Heads.Count];
        for (int k = 0; k < row.Length; k++)
        {
            HeadManifest h = Heads[k];
            row[k] = float.NaN;
            if (_trained.Contains(h.Key)
                && s.Labels.TryGetValue((h.Target, MetricNames.Parse(h.Metric)), out double value)
                && value > 0 && double.IsFinite(value))
            {
                row[k] = (float)Math.Log(value);
            }
        }
        return row;
    }

    private static bool Wanted(TrainOptions options, string target, Metric metric) =>
        (options.Targets is null || options.Targets.Contains(target)) && (options.Metrics is null || options.Metrics.Contains(metric));

    private static string HeadKeyOfParameter(string name)
    {
        // heads.<target/metric>.<module path>: the key holds no '.', so it ends at the next dot.
        int start = "heads.".Length;
        int dot = name.IndexOf('.', start);
        return dot < 0 ? name[start..] : name[start..dot];
    }

    /// <summary>Picks donor heads of a base model; runs the base model on the training split once, on first use.</summary>
    private sealed class DonorFinder(TrainedModel baseModel, IReadOnlyList<TrainingSample> train, int batchSize)
    {
        private float[][]? _basePredictions;

        /// <summary>
        /// The base head of <paramref name="head"/>'s metric whose predictions on the training split differ from the new
        /// labels by the most constant ln ratio (smallest variance), with that mean ratio; null when the base has no head of
        /// the metric.
        /// </summary>
        public (string Donor, double Shift)? Best(HeadKey head)
        {
            var candidates = new List<int>();
            for (int k = 0; k < baseModel.Heads.Count; k++)
            {
                if (baseModel.Heads[k].Metric == head.Metric)
                {
                    candidates.Add(k);
                }
            }
            if (candidates.Count == 0)
            {
                return null;
            }
            var labelled = new List<(int Sample, double LogY)>();
            for (int i = 0; i < train.Count; i++)
            {
                if (train[i].Labels.TryGetValue((head.Target, head.Metric), out double y) && y > 0 && double.IsFinite(y))
                {
                    labelled.Add((i, Math.Log(y)));
                }
            }
            float[][] basePredictions = _basePredictions ??= baseModel.PredictLog(train.Select(s => s.Features).ToList(), batchSize);
            double[] logY = labelled.Select(l => l.LogY).ToArray();
            int best = HeadFitter.LowestResidualVariance(candidates, logY, (i, k) => basePredictions[labelled[i].Sample][k]);
            if (best < 0)
            {
                return null;
            }
            double shift = labelled.Average(l => l.LogY - basePredictions[l.Sample][best]);
            return (baseModel.Heads[best].Key, shift);
        }
    }
}

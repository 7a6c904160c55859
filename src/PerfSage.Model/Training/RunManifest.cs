using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PerfSage.Graph.Features;
using TorchSharp;
using static TorchSharp.torch;

namespace PerfSage.Model;

/// <summary>What a training run records about itself: the model manifest (schema, normalisation, heads, settings, data
/// summary) and the fingerprint that ties checkpoints to the run.</summary>
internal static class RunManifest
{
    /// <summary>The manifest of a model trained with <paramref name="options"/> on <paramref name="data"/>.</summary>
    public static ModelManifest Build(TrainOptions options, int threads, Device device, TrainingData data, HeadPlan heads,
        EpochLoop.Outcome outcome)
    {
        TrainedModel? baseModel = options.BaseModel;
        TrainingDataSummary? prior = baseModel?.Manifest.Data;
        var perTarget = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var perSpace = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (TrainingSample s in data.All)
        {
            foreach (string target in s.Labels.Where(l => l.Value > 0 && double.IsFinite(l.Value)).Select(l => l.Key.Target).Distinct())
            {
                perTarget[target] = perTarget.GetValueOrDefault(target) + 1;
            }
            string space = s.Space ?? "unknown";
            perSpace[space] = perSpace.GetValueOrDefault(space) + 1;
        }
        var ops = new SortedSet<string>(prior?.OpsSeen ?? [], StringComparer.Ordinal);
        foreach (TrainingSample s in data.Train)
        {
            foreach (int op in s.Features.OpIndex)
            {
                ops.Add(OpVocabulary.NameOf(op));
            }
        }
        IReadOnlyList<EpochReport> history = outcome.History;
        double best = outcome.BestValidationLoss;
        IReadOnlyList<TrainingSample> train = data.Train;
        return new ModelManifest
        {
            FeatureSchemaVersion = FeatureSchema.Version,
            NodeFeatureCount = FeatureSchema.NodeFeatureCount,
            EdgeFeatureCount = FeatureSchema.EdgeFeatureCount,
            GraphFeatureCount = FeatureSchema.GraphFeatureCount,
            OpVocabularySize = OpVocabulary.Size,
            Normalisation = data.Normalisation,
            Heads = heads.Heads,
            Network = baseModel?.Manifest.Network ?? options.Network,
            Training = new TrainingManifest
            {
                Seed = options.Seed,
                Epochs = options.Epochs,
                EpochsRun = history.Count == 0 ? 0 : history[^1].Epoch,
                BestEpoch = outcome.BestEpoch,
                BatchSize = options.BatchSize,
                LearningRate = options.LearningRate,
                MinLearningRate = options.MinLearningRate,
                WeightDecay = options.WeightDecay,
                Patience = options.Patience,
                GradientClipNorm = options.GradientClipNorm,
                Threads = threads,
                Device = device.type == DeviceType.CUDA ? Devices.Cuda : Devices.Cpu,
                BestValidationLoss = double.IsFinite(best) ? best : null,
                MeanNodeCount = data.MeanNodeCount,
                FrozenTrunk = options.FreezeTrunk,
                BaseModelHeads = baseModel?.Manifest.Heads.Select(h => h.Key).ToList() ?? [],
            },
            Data = new TrainingDataSummary
            {
                SplitRule = SplitRule.Name,
                SampleCount = data.All.Count,
                TrainCount = train.Count,
                ValidationCount = data.Validation.Count,
                TestCount = data.Test.Count,
                SamplesPerTarget = perTarget,
                SamplesPerSpace = perSpace,
                SkippedLabelCount = heads.SkippedLabels,
                MacsMin = Math.Min(prior?.MacsMin ?? long.MaxValue, train.Min(s => s.Features.TotalMacs)),
                MacsMax = Math.Max(prior?.MacsMax ?? 0, train.Max(s => s.Features.TotalMacs)),
                NodeCountMin = Math.Min(prior?.NodeCountMin ?? int.MaxValue, train.Min(s => s.Features.NodeCount)),
                NodeCountMax = Math.Max(prior?.NodeCountMax ?? 0, train.Max(s => s.Features.NodeCount)),
                OpsSeen = ops.ToList(),
            },
        };
    }

    /// <summary>SHA-256 of everything that decides the run's result: options, heads and the samples in order.</summary>
    public static string Fingerprint(TrainOptions options, HeadPlan heads, TrainingData data)
    {
        var text = new StringBuilder();
        CultureInfo inv = CultureInfo.InvariantCulture;
        TrainOptions o = options;
        TrainedModel? baseModel = options.BaseModel;
        text.Append(inv, $"schema={FeatureSchema.Version};seed={o.Seed};epochs={o.Epochs};batch={o.BatchSize};")
            .Append(inv, $"lr={o.LearningRate:R};min_lr={o.MinLearningRate:R};wd={o.WeightDecay:R};clip={o.GradientClipNorm:R};")
            .Append(inv, $"patience={o.Patience};device={o.Device};network={baseModel?.Manifest.Network ?? o.Network};")
            .Append(inv, $"freeze={o.FreezeTrunk};base={baseModel?.Manifest.WeightsSha256 ?? (baseModel is null ? "none" : "unsaved")};")
            .Append("heads=").AppendJoin(',', heads.Heads.Select(h => h.Key)).Append('\n');
        foreach (TrainingSample s in data.All)
        {
            text.Append(s.ModelId).Append('|').Append(Splits.Name(s.Split)).Append('|')
                .Append(s.Features.NodeCount).Append('|').Append(s.Features.TotalMacs);
            foreach (var label in s.Labels.OrderBy(l => l.Key.Target, StringComparer.Ordinal).ThenBy(l => l.Key.Metric))
            {
                text.Append('|').Append(label.Key.Target).Append('/').Append(MetricNames.Name(label.Key.Metric))
                    .Append('=').Append(label.Value.ToString("R", inv));
            }
            text.Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}

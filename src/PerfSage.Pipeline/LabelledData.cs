using PerfSage.Dataset;
using PerfSage.Graph.Features;
using PerfSage.Model;
using Serilog;

namespace PerfSage.Pipeline;

/// <summary>
/// One or more dataset folders read as training samples: labels from <c>labels.csv</c>, features through the
/// folder's feature cache (<see cref="DatasetFeatures"/>), and each model's split from <c>splits.csv</c>, or, for
/// a folder without one, from a stable hash of the model id (80 % train, 10 % val, 10 % test; <see cref="SplitRule"/>,
/// the rule <c>dataset split</c> writes),
/// so <c>train</c> and <c>eval</c> agree on which models were held out.
/// </summary>
public sealed class LabelledData
{
    private LabelledData(IReadOnlyList<TrainingSample> samples, IReadOnlyList<FeatureLoadStats> features, IReadOnlyList<string> hashSplit)
    {
        Samples = samples;
        Features = features;
        HashSplitFolders = hashSplit;
        Targets = [.. samples.SelectMany(s => s.Labels.Keys.Select(k => k.Target)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>Every model of every folder, in folder order.</summary>
    public IReadOnlyList<TrainingSample> Samples { get; }

    /// <summary>Targets with at least one label, sorted.</summary>
    public IReadOnlyList<string> Targets { get; }

    /// <summary>Per folder: how many graphs came from the feature cache and how many were parsed.</summary>
    public IReadOnlyList<FeatureLoadStats> Features { get; }

    /// <summary>Folders without <c>splits.csv</c>, split by a hash of the model id.</summary>
    public IReadOnlyList<string> HashSplitFolders { get; }

    /// <summary>The samples of <paramref name="split"/>, in order.</summary>
    public IEnumerable<TrainingSample> InSplit(Split split) => Samples.Where(s => s.Split == split);

    /// <summary>How many samples <paramref name="split"/> holds.</summary>
    public int Count(Split split) => Samples.Count(s => s.Split == split);

    /// <summary>Graph variants among the samples (<see cref="GraphVariants"/>), sorted; empty when every sample is its
    /// measurement's only graph.</summary>
    public IReadOnlyList<string> Variants => [.. Samples.Select(s => s.GraphVariant).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>Reads <paramref name="directories"/> (featurizing with <paramref name="jobs"/> threads where the cache
    /// cannot serve); throws <see cref="UserInputException"/> when none is given or one is missing, and the dataset library's
    /// <see cref="DatasetException"/> for a folder that is not a dataset.
    /// <para>A folder with graph variants (<see cref="GraphVariants"/>) gives the variant <paramref name="graph"/> names
    /// (a <see cref="UserInputException"/> when it has no such variant); without it, every variant when
    /// <paramref name="keepVariants"/> (for the commands that choose one per target), else its default variant
    /// (<see cref="GraphVariants.DefaultOf"/>, logged). A folder without variants refuses <paramref name="graph"/> unless it
    /// was built as that graph.</para></summary>
    public static LabelledData Load(IReadOnlyList<string> directories, int jobs, ILogger log, CancellationToken cancellationToken,
        string? graph = null, bool keepVariants = false)
    {
        if (directories.Count == 0)
        {
            throw new UserInputException("no data: give --data DIR (a dataset folder made by 'perfsage dataset build' or 'dataset import')");
        }
        var samples = new List<TrainingSample>();
        var stats = new List<FeatureLoadStats>();
        var hashSplit = new List<string>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (string dir in directories)
        {
            if (!Directory.Exists(dir))
            {
                throw new UserInputException($"{dir}: dataset folder not found");
            }
            DatasetFolder data = DatasetFolder.Load(dir);
            if (!data.HasSplits)
            {
                hashSplit.Add(data.Directory);
                log.Information(
                    "{Dir} has no splits.csv: splitting its models 80/10/10 (train/val/test) by a stable hash of the model id "
                    + "(run 'perfsage dataset split' to choose another split)", dir);
            }
            (GraphFeatures[] features, FeatureLoadStats loaded) = DatasetFeatures.Load(data, jobs, log, cancellationToken);
            stats.Add(loaded);
            log.Information("{Dir}: {Count} graphs, {Cached} features from the cache, {Parsed} parsed",
                dir, data.Models.Count, loaded.FromCache, loaded.Parsed);
            string folderName = Path.GetFileName(data.Directory);
            string[] variants = [.. (data.Manifest.Builds ?? []).SelectMany(b => b.GraphVariants ?? []).Distinct(StringComparer.Ordinal)];
            string? only = ChooseVariant(dir, data, variants, graph, keepVariants, log);
            for (int i = 0; i < data.Models.Count; i++)
            {
                DatasetModel model = data.Models[i];
                string? variant = variants.Length > 0 && model.Info.Knobs.TryGetValue(GraphVariants.Knob, out string? v) ? v : null;
                if (only is not null && variant is not null && variant != only)
                {
                    continue;
                }
                var labels = new Dictionary<(string Target, Metric Metric), double>();
                foreach ((string target, LabelRow row) in model.Labels)
                {
                    foreach (Metric m in MetricNames.All)
                    {
                        if (row.Get(m) is double value)
                        {
                            labels[(target, m)] = value;
                        }
                    }
                }
                Split split = model.Split ?? SplitRule.Assign(model.Id);
                // Two folders may use the same ids (two builds with the same seed): keep both, named apart.
                bool renamed = !ids.Add(model.Id);
                string id = renamed ? folderName + "/" + model.Id : model.Id;
                ids.Add(id);
                string measurement = GraphVariants.MeasurementId(model.Id, variant);
                samples.Add(new TrainingSample(id, features[i], labels, split)
                {
                    Space = model.Info.Family.Length > 0 ? model.Info.Family : null,
                    GraphVariant = variant,
                    MeasurementId = renamed ? folderName + "/" + measurement : measurement,
                });
            }
        }
        return new LabelledData(samples, stats, hashSplit);
    }

    /// <summary>The one variant of <paramref name="data"/> to read, or null for all of them (or a folder without variants).</summary>
    private static string? ChooseVariant(string dir, DatasetFolder data, string[] variants, string? graph, bool keepVariants, ILogger log)
    {
        if (variants.Length == 0)
        {
            if (graph is not null)
            {
                string[] built = [.. (data.Manifest.Builds ?? []).Select(b => b.Network ?? (b.Kind == "nb201" ? "converted" : null)).OfType<string>().Distinct(StringComparer.Ordinal)];
                if (!(built.Length == 1 && built[0] == graph))
                {
                    throw new UserInputException(
                        $"--graph {graph}: {dir} has one graph per architecture" + (built.Length == 1 ? $" ({built[0]})" : "")
                        + "; import the table without --graph to get every variant");
                }
            }
            return null;
        }
        if (graph is not null)
        {
            if (!variants.Contains(graph, StringComparer.Ordinal))
            {
                throw new UserInputException($"--graph {graph}: {dir} has no such graph variant; its variants: {string.Join(", ", variants)}");
            }
            return graph;
        }
        if (keepVariants)
        {
            return null;
        }
        string chosen = GraphVariants.DefaultOf(variants);
        log.Information("{Dir} holds {Count} graph variants per architecture ({Variants}): using {Chosen} (choose with --graph)",
            dir, variants.Length, string.Join(", ", variants), chosen);
        return chosen;
    }
}

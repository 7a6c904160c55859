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

    /// <summary>Reads <paramref name="directories"/> (featurizing with <paramref name="jobs"/> threads where the cache
    /// cannot serve); throws <see cref="UserInputException"/> when none is given or one is missing, and the dataset library's
    /// <see cref="DatasetException"/> for a folder that is not a dataset.</summary>
    public static LabelledData Load(IReadOnlyList<string> directories, int jobs, ILogger log, CancellationToken cancellationToken)
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
            for (int i = 0; i < data.Models.Count; i++)
            {
                DatasetModel model = data.Models[i];
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
                string id = ids.Add(model.Id) ? model.Id : folderName + "/" + model.Id;
                ids.Add(id);
                samples.Add(new TrainingSample(id, features[i], labels, split)
                {
                    Space = model.Info.Family.Length > 0 ? model.Info.Family : null,
                });
            }
        }
        return new LabelledData(samples, stats, hashSplit);
    }
}

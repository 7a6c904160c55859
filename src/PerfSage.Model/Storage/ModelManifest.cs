namespace PerfSage.Model;

/// <summary>
/// <c>manifest.json</c> of a model folder: everything needed to rebuild the network and use it honestly,
/// the feature schema version, the normalisation statistics, the heads, the hyper-parameters, the seed and
/// a summary of the training data (what ranges a prediction can be trusted in).
/// </summary>
public sealed record ModelManifest
{
    /// <summary>The value of <see cref="Format"/>.</summary>
    public const string FormatName = "perfsage-model";

    /// <summary>The manifest layout this build writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>File name of the weights in the folder.</summary>
    public const string DefaultWeightsFile = "weights.bin";

    public string Format { get; init; } = FormatName;
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>The <see cref="PerfSage.Graph.Features.FeatureSchema.Version"/> the model was trained on.</summary>
    public required int FeatureSchemaVersion { get; init; }
    public required int NodeFeatureCount { get; init; }
    public required int EdgeFeatureCount { get; init; }
    public required int GraphFeatureCount { get; init; }
    public required int OpVocabularySize { get; init; }

    /// <summary>Standard-scaling statistics of the training split.</summary>
    public required FeatureStatistics Normalisation { get; init; }

    /// <summary>The heads, in the network's output order.</summary>
    public required IReadOnlyList<HeadManifest> Heads { get; init; }

    public required NetworkOptions Network { get; init; }
    public required TrainingManifest Training { get; init; }
    public required TrainingDataSummary Data { get; init; }

    /// <summary>The weights file, relative to the folder.</summary>
    public string WeightsFile { get; init; } = DefaultWeightsFile;

    /// <summary>SHA-256 of the weights file (lower-case hex); loading checks it.</summary>
    public string? WeightsSha256 { get; init; }

    /// <summary>The targets the model has heads for, ordinal order.</summary>
    public IReadOnlyList<string> Targets() => Heads.Select(h => h.Target).Distinct().Order(StringComparer.Ordinal).ToList();
}

/// <summary>One head: target × metric and its ln-space label statistics.</summary>
public sealed record HeadManifest
{
    /// <summary><c>target/metric</c>.</summary>
    public required string Key { get; init; }
    public required string Target { get; init; }

    /// <summary>Metric column name (<c>latency_ms</c>).</summary>
    public required string Metric { get; init; }

    /// <summary>Mean of ln(label) over the training labels of this head.</summary>
    public required double LogMean { get; init; }

    /// <summary>Standard deviation of ln(label) over the training labels.</summary>
    public required double LogStd { get; init; }

    /// <summary>The constant added to the readout's ln value: <see cref="LogMean"/> − ln(mean node count + 2)
    /// for a head trained from scratch (see <c>PerfSageNet</c>).</summary>
    public required double LogOffset { get; init; }

    /// <summary>Training labels the head learned from.</summary>
    public required int TrainCount { get; init; }

    /// <summary>The graph variant a measured head was fitted on, chosen from its training labels (a table measured on
    /// graphs that can mean more than one network, e.g. NAS-Bench-201's eager, pruned or converted), or null.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Graph { get; init; }

    /// <summary>How <see cref="Graph"/> was chosen: each variant's cross-validated error (<c>GraphChoice.Describe</c>), or
    /// <c>forced</c> when the user named it; null without variants.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? GraphChoice { get; init; }
}

/// <summary>How the model was trained.</summary>
public sealed record TrainingManifest
{
    public required long Seed { get; init; }
    public required int Epochs { get; init; }
    public required int EpochsRun { get; init; }

    /// <summary>The epoch whose weights were kept (lowest validation loss; the last epoch without validation data).</summary>
    public required int BestEpoch { get; init; }
    public required int BatchSize { get; init; }
    public required double LearningRate { get; init; }
    public required double MinLearningRate { get; init; }
    public required double WeightDecay { get; init; }
    public required int Patience { get; init; }
    public required double GradientClipNorm { get; init; }
    public required int Threads { get; init; }
    public required string Device { get; init; }

    /// <summary>The training loss, in words.</summary>
    public string Loss { get; init; } = "mean |ln(predicted) - ln(true)| over all labelled (graph, head) pairs";

    /// <summary>Mean |ln error| on the validation split at <see cref="BestEpoch"/>; null without validation data.</summary>
    public double? BestValidationLoss { get; init; }

    /// <summary>Mean node count of the training graphs (used in the sum heads' offset).</summary>
    public required double MeanNodeCount { get; init; }

    /// <summary>True when only heads were trained over a frozen trunk taken from <see cref="BaseModelHeads"/>'s model.</summary>
    public bool FrozenTrunk { get; init; }

    /// <summary>Heads of the model this one was fine-tuned from (empty when trained from scratch).</summary>
    public IReadOnlyList<string> BaseModelHeads { get; init; } = [];
}

/// <summary>What the training data covered: predictions outside these ranges extrapolate.</summary>
public sealed record TrainingDataSummary
{
    public required int SampleCount { get; init; }
    public required int TrainCount { get; init; }
    public required int ValidationCount { get; init; }
    public required int TestCount { get; init; }

    /// <summary>Samples with at least one label per target (all splits).</summary>
    public required IReadOnlyDictionary<string, int> SamplesPerTarget { get; init; }

    /// <summary>Samples per search space (all splits; <c>unknown</c> when a sample names none).</summary>
    public required IReadOnlyDictionary<string, int> SamplesPerSpace { get; init; }

    /// <summary>Labels ignored because they were not positive finite numbers.</summary>
    public required int SkippedLabelCount { get; init; }

    public required long MacsMin { get; init; }
    public required long MacsMax { get; init; }
    public required int NodeCountMin { get; init; }
    public required int NodeCountMax { get; init; }

    /// <summary>Op vocabulary names seen in the training split.</summary>
    public required IReadOnlyList<string> OpsSeen { get; init; }

    /// <summary>The rule that drew the train/validation/test split (<see cref="PerfSage.SplitRule.Name"/>), whether
    /// it came from <c>splits.csv</c> or was applied by training to a folder without one; null in manifests written
    /// before the rule was recorded.</summary>
    public string? SplitRule { get; init; }
}

using PerfSage.Graph.Features;

namespace PerfSage.Model;

/// <summary>
/// The samples of a training run split by their <see cref="TrainingSample.Split"/>, with what is computed from the
/// training split once: the feature normalisation and the mean node count (both taken from the base model when there
/// is one, so its trunk sees features scaled as it was trained on).
/// </summary>
internal sealed class TrainingData
{
    private TrainingData(IReadOnlyList<TrainingSample> all, List<TrainingSample> train, List<TrainingSample> validation,
        List<TrainingSample> test, TrainedModel? baseModel)
    {
        All = all;
        Train = train;
        Validation = validation;
        Test = test;
        Normalisation = baseModel?.Manifest.Normalisation ?? FeatureStatistics.Fit(train.Select(s => s.Features).ToList());
        MeanNodeCount = baseModel?.Manifest.Training.MeanNodeCount ?? train.Average(s => (double)s.Features.NodeCount);
    }

    /// <summary>Every sample, in the order given (the fingerprint and the data summary read them all).</summary>
    public IReadOnlyList<TrainingSample> All { get; }

    public IReadOnlyList<TrainingSample> Train { get; }

    public IReadOnlyList<TrainingSample> Validation { get; }

    public IReadOnlyList<TrainingSample> Test { get; }

    /// <summary>Standard scaling of the feature columns.</summary>
    public FeatureStatistics Normalisation { get; }

    /// <summary>Mean operator count of a training graph (part of each head's initial offset).</summary>
    public double MeanNodeCount { get; }

    /// <summary>Splits <paramref name="samples"/> by the split each carries (the one place a run assigns splits) and fits the normalisation.</summary>
    /// <exception cref="ArgumentException">A null sample; no sample in the training split.</exception>
    /// <exception cref="ModelFormatException">Features, or a base model, of another feature schema version.</exception>
    public static TrainingData Prepare(IReadOnlyList<TrainingSample> samples, TrainedModel? baseModel)
    {
        var train = new List<TrainingSample>();
        var validation = new List<TrainingSample>();
        var test = new List<TrainingSample>();
        foreach (TrainingSample s in samples)
        {
            ArgumentNullException.ThrowIfNull(s, nameof(samples));
            if (s.Features.SchemaVersion != FeatureSchema.Version)
            {
                throw new ModelFormatException(
                    $"{s.ModelId}: features of schema version {s.Features.SchemaVersion}, this build uses feature schema version {FeatureSchema.Version}");
            }
            (s.Split switch { Split.Train => train, Split.Validation => validation, _ => test }).Add(s);
        }
        if (train.Count == 0)
        {
            throw new ArgumentException($"none of the {samples.Count} samples is in the training split", nameof(samples));
        }
        if (baseModel is not null && baseModel.Manifest.FeatureSchemaVersion != FeatureSchema.Version)
        {
            throw new ModelFormatException($"the base model uses feature schema version {baseModel.Manifest.FeatureSchemaVersion}, this build {FeatureSchema.Version}");
        }
        return new TrainingData(samples, train, validation, test, baseModel);
    }
}

using PerfSage.Graph.Features;

namespace PerfSage.Model;

/// <summary>
/// One labelled graph for training or evaluation. <see cref="Labels"/> holds the measured or estimated
/// values per (target, metric); a metric that was not measured is simply absent (as an empty cell in
/// <c>labels.csv</c>). Values must be positive to be used (the loss is on their logarithm); others are
/// ignored and counted.
/// </summary>
/// <param name="ModelId">The data set's id of the model.</param>
/// <param name="Features">Its features (<see cref="Featurizer.Featurize"/>).</param>
/// <param name="Labels">Known values per (target, metric), in the metric's unit.</param>
/// <param name="Split">Train, validation or test (the caller decides; see <see cref="SplitRule"/>).</param>
public sealed record TrainingSample(
    string ModelId,
    GraphFeatures Features,
    IReadOnlyDictionary<(string Target, Metric Metric), double> Labels,
    Split Split)
{
    /// <summary>The search space the model came from, when known (for the manifest's data summary).</summary>
    public string? Space { get; init; }

    /// <summary>The graph variant this sample is (a measured architecture built as several graphs, e.g. NAS-Bench-201's
    /// <c>eager</c>, <c>pruned</c>, <c>converted</c>), or null for a sample that is its measurement's only graph.</summary>
    public string? GraphVariant { get; init; }

    /// <summary>The measurement this sample's labels come from: the same for every variant of one measured architecture
    /// (and batch); the model id for a sample without variants.</summary>
    public string MeasurementId { get => field ?? ModelId; init; }
}

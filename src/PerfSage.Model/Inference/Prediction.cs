namespace PerfSage.Model;

/// <summary>
/// What the model predicts for one graph on one target. A metric is null when the model has no head for
/// it on that target. <see cref="Warnings"/> say when the prediction deserves less trust (the graph is
/// outside what training covered, or holds ops the features cannot describe).
/// </summary>
public sealed record Prediction
{
    public required string Target { get; init; }
    public double? LatencyMs { get; init; }
    public double? EnergyMj { get; init; }
    public double? PeakRamKb { get; init; }
    public double? FlashKb { get; init; }
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>The value of <paramref name="metric"/>, or null.</summary>
    public double? Get(Metric metric) => metric switch
    {
        Metric.LatencyMs => LatencyMs,
        Metric.EnergyMj => EnergyMj,
        Metric.PeakRamKb => PeakRamKb,
        Metric.FlashKb => FlashKb,
        _ => null,
    };
}

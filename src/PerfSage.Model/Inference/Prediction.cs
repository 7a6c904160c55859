namespace PerfSage.Model;

/// <summary>
/// What the model predicts for one graph on one target. A metric is null when the model has no head for
/// it on that target. <see cref="Warnings"/> say when the prediction deserves less trust (the graph is
/// outside what training covered, or holds ops the features cannot describe). When the network gives a value that is
/// not finite or outside [<see cref="MinPlausible"/>, <see cref="MaxPlausible"/>], no metric is reported: every value is
/// null and <see cref="Error"/> says why.
/// </summary>
public sealed record Prediction
{
    /// <summary>Smallest value reported, in any metric's unit (1e-12 ms is a femtosecond, 1e-12 kB a hundredth of a bit):
    /// a model predicting less has broken down, usually on a graph far outside its training data.</summary>
    public const double MinPlausible = 1e-12;

    /// <summary>Largest value reported, in any metric's unit (1e12 ms is 30 years, 1e12 kB a petabyte).</summary>
    public const double MaxPlausible = 1e12;


    public required string Target { get; init; }
    public double? LatencyMs { get; init; }
    public double? EnergyMj { get; init; }
    public double? PeakRamKb { get; init; }
    public double? FlashKb { get; init; }
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>Why there is no prediction (the network's output was not a plausible number), or null.</summary>
    public string? Error { get; init; }

    /// <summary>True when <paramref name="value"/> is a number a prediction may report: finite and within
    /// [<see cref="MinPlausible"/>, <see cref="MaxPlausible"/>].</summary>
    public static bool IsPlausible(double value) => value is >= MinPlausible and <= MaxPlausible;

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

namespace PerfSage.Model;

/// <summary>What a head predicts. Names carry units: latency of one inference at batch 1 in
/// milliseconds, energy of one inference in millijoules, peak working memory in KiB, model storage in KiB.</summary>
public enum Metric
{
    LatencyMs = 0,
    EnergyMj = 1,
    PeakRamKb = 2,
    FlashKb = 3,
}

/// <summary>The column names of <see cref="Metric"/> (as in <c>labels.csv</c>) and back.</summary>
public static class MetricNames
{
    /// <summary>Every metric, in column order.</summary>
    public static IReadOnlyList<Metric> All { get; } = [Metric.LatencyMs, Metric.EnergyMj, Metric.PeakRamKb, Metric.FlashKb];

    /// <summary><c>latency_ms</c>, <c>energy_mj</c>, <c>peak_ram_kb</c> or <c>flash_kb</c>.</summary>
    public static string Name(Metric metric) => metric switch
    {
        Metric.LatencyMs => "latency_ms",
        Metric.EnergyMj => "energy_mj",
        Metric.PeakRamKb => "peak_ram_kb",
        Metric.FlashKb => "flash_kb",
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "not a metric"),
    };

    /// <summary>Parses a column name (exact, lower case).</summary>
    public static bool TryParse(string? name, out Metric metric)
    {
        foreach (Metric m in All)
        {
            if (string.Equals(Name(m), name, StringComparison.Ordinal))
            {
                metric = m;
                return true;
            }
        }
        metric = default;
        return false;
    }

    /// <summary>Parses a column name or throws <see cref="ArgumentException"/> listing the valid names.</summary>
    public static Metric Parse(string name) => TryParse(name, out Metric m) ? m
        : throw new ArgumentException($"unknown metric '{name}' (expected one of {string.Join(", ", All.Select(Name))})", nameof(name));
}

namespace PerfSage;

/// <summary>What a label holds and a head predicts. Names carry units: latency of one inference in milliseconds,
/// energy of one inference in millijoules, peak working memory in KiB, model storage in KiB.</summary>
public enum Metric
{
    /// <summary><c>latency_ms</c>: one inference.</summary>
    LatencyMs = 0,

    /// <summary><c>energy_mj</c>: one inference.</summary>
    EnergyMj = 1,

    /// <summary><c>peak_ram_kb</c>: working memory at its peak.</summary>
    PeakRamKb = 2,

    /// <summary><c>flash_kb</c>: model storage (plus runtime where the target says so).</summary>
    FlashKb = 3,
}

/// <summary>The names of <see cref="Metric"/> as every file and option spells them (<c>labels.csv</c> columns,
/// head keys, <c>--budget</c>), and back.</summary>
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

    /// <summary>The names of all metrics, comma-separated, for messages.</summary>
    public static string List => string.Join(", ", All.Select(Name));

    /// <summary>Parses a name (exact, lower case).</summary>
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

    /// <summary>Parses a name or throws <see cref="ArgumentException"/> listing the valid names.</summary>
    public static Metric Parse(string name) => TryParse(name, out Metric m) ? m
        : throw new ArgumentException($"unknown metric '{name}' (expected one of {List})", nameof(name));
}

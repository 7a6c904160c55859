namespace PerfSage.Model;

/// <summary>
/// One output head of the network: a target and a metric. Its <see cref="Key"/> (<c>cortex-m7/latency_ms</c>)
/// names the head in the module dictionary, the weights file and the manifest.
/// </summary>
public readonly record struct HeadKey(string Target, Metric Metric) : IComparable<HeadKey>
{
    /// <summary><c>target/metric</c>.</summary>
    public string Key => Target + "/" + MetricNames.Name(Metric);

    /// <summary>Parses <c>target/metric</c>.</summary>
    /// <exception cref="ArgumentException">Not of that form, or an unknown metric.</exception>
    public static HeadKey Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        int slash = key.LastIndexOf('/');
        if (slash <= 0 || slash == key.Length - 1)
        {
            throw new ArgumentException($"head key '{key}' is not of the form target/metric", nameof(key));
        }
        return new HeadKey(key[..slash], MetricNames.Parse(key[(slash + 1)..]));
    }

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="target"/> breaks the one target-name
    /// rule (<see cref="TargetName"/>), which keeps out '/' and '.' (the separators of head keys and of parameter
    /// names in the weights).</summary>
    public static void ValidateTarget(string target)
    {
        if (TargetName.Problem(target) is string problem)
        {
            throw new ArgumentException(problem + "; it cannot name a head", nameof(target));
        }
    }

    /// <summary>Orders by target (ordinal), then metric.</summary>
    public int CompareTo(HeadKey other)
    {
        int c = string.CompareOrdinal(Target, other.Target);
        return c != 0 ? c : Metric.CompareTo(other.Metric);
    }

    public static bool operator <(HeadKey left, HeadKey right) => left.CompareTo(right) < 0;

    public static bool operator <=(HeadKey left, HeadKey right) => left.CompareTo(right) <= 0;

    public static bool operator >(HeadKey left, HeadKey right) => left.CompareTo(right) > 0;

    public static bool operator >=(HeadKey left, HeadKey right) => left.CompareTo(right) >= 0;

    public override string ToString() => Key;
}

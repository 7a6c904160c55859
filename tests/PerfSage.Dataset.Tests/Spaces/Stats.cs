using System.Globalization;
using System.Text;

namespace PerfSage.Dataset.Tests;

/// <summary>Min, quartiles and max of a sample of numbers, for printing.</summary>
internal readonly record struct Stats(long Min, long P25, long Median, long P75, long Max)
{
    public static Stats Of(IEnumerable<long> values)
    {
        long[] v = [.. values.Order()];
        return new Stats(v[0], v[v.Length / 4], v[v.Length / 2], v[3 * v.Length / 4], v[^1]);
    }

    public static string Table(string space, int count, IReadOnlyList<(string Name, Stats S)> rows)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{space}: {count} samples\n");
        sb.Append(CultureInfo.InvariantCulture, $"| {"metric",-16} | {"min",14} | {"p25",14} | {"median",14} | {"p75",14} | {"max",14} |\n");
        foreach ((string name, Stats s) in rows)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"| {name,-16} | {s.Min,14:N0} | {s.P25,14:N0} | {s.Median,14:N0} | {s.P75,14:N0} | {s.Max,14:N0} |\n");
        }
        return sb.ToString();
    }
}

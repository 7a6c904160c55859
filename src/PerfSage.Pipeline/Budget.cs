using System.Globalization;
using System.Text.RegularExpressions;
using PerfSage.Model;

namespace PerfSage.Pipeline;

/// <summary>
/// A limit on one predicted metric, as <c>--budget</c> spells it: <c>latency_ms&lt;=20</c>, <c>peak_ram_kb&lt;256</c>,
/// <c>flash_kb&lt;=1024</c>, also <c>&gt;=</c> and <c>&gt;</c>. Metric names are those of the CSV columns, with units.
/// </summary>
public sealed partial record Budget(Metric Metric, string Operator, double Limit)
{
    /// <summary>The metric's CSV column name, e.g. <c>latency_ms</c>.</summary>
    public string MetricName => MetricNames.Name(Metric);

    /// <summary>The budget as written back: <c>latency_ms&lt;=20</c>.</summary>
    public override string ToString() => MetricName + Operator + Limit.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Parses <paramref name="text"/>; throws <see cref="UserInputException"/> naming what is wrong.</summary>
    public static Budget Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Match m = Syntax().Match(text);
        if (!m.Success)
        {
            throw new UserInputException(
                $"--budget '{text}': expected METRIC<=VALUE (or <, >=, >), e.g. 'latency_ms<=20' (quote it: the shell reads < and > as redirections)");
        }
        string name = m.Groups["metric"].Value;
        if (!MetricNames.TryParse(name, out Metric metric))
        {
            throw new UserInputException(
                $"--budget '{text}': unknown metric '{name}'; valid: {string.Join(", ", MetricNames.All.Select(MetricNames.Name))}");
        }
        string value = m.Groups["value"].Value;
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double limit) || !double.IsFinite(limit))
        {
            throw new UserInputException($"--budget '{text}': '{value}' is not a number");
        }
        return new Budget(metric, m.Groups["op"].Value, limit);
    }

    /// <summary>True when <paramref name="value"/> keeps to the budget.</summary>
    public bool Allows(double value) => Operator switch
    {
        "<=" => value <= Limit,
        "<" => value < Limit,
        ">=" => value >= Limit,
        _ => value > Limit,
    };

    /// <summary>How <paramref name="value"/> breaks the budget, e.g. <c>latency_ms 25.3 &gt; 20</c>.</summary>
    public string Violation(double value)
    {
        string broken = Operator switch
        {
            "<=" => ">",
            "<" => ">=",
            ">=" => "<",
            _ => "<=",
        };
        return string.Create(CultureInfo.InvariantCulture, $"{MetricName} {value:G4} {broken} {Limit:G6}");
    }

    [GeneratedRegex(@"^\s*(?<metric>[A-Za-z_]+)\s*(?<op><=|>=|<|>)\s*(?<value>[^\s]+)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex Syntax();
}

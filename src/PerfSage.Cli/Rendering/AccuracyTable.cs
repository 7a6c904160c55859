using System.Globalization;
using System.Text.Json;
using PerfSage.Model;
using Spectre.Console;

namespace PerfSage.Cli.Rendering;

/// <summary>Renders held-out accuracy (<see cref="HeadAccuracy"/>) as a table or JSON, the same way for
/// <c>train</c> and <c>eval</c>.</summary>
internal static class AccuracyTable
{
    public static readonly string[] Columns =
        ["graphs", "MAPE [%]", "within 5% [%]", "within 10% [%]", "Spearman", "Kendall tau"];

    public static string[] Cells(HeadAccuracy? a) => a is null
        ? ["-", "-", "-", "-", "-", "-"]
        :
        [
            a.Count.ToString(CultureInfo.InvariantCulture), Output.Num(a.MapePercent, 2), Output.Num(a.Within5PctPercent, 1),
            Output.Num(a.Within10PctPercent, 1), Correlation(a.Spearman), Correlation(a.KendallTau),
        ];

    public static string Correlation(double? value) => value is double v ? Output.Num(v, 3) : "-";

    /// <summary>One row per head: target, metric and the accuracy columns.</summary>
    public static void Write(TextWriter writer, ModelMetrics metrics)
    {
        Table table = Output.NewTable(["target", "metric", .. Columns]);
        foreach (HeadAccuracy a in metrics.Heads)
        {
            Output.AddRow(table, [a.Target, a.Metric, .. Cells(a)]);
        }
        Output.Write(writer, table);
    }

    /// <summary>The statistics of one head as JSON properties (snake_case, units in the names).</summary>
    public static void WriteProperties(Utf8JsonWriter json, HeadAccuracy a)
    {
        json.WriteNumber("count", a.Count);
        WriteNullable(json, "mape_percent", a.MapePercent);
        WriteNullable(json, "within5_pct_percent", a.Within5PctPercent);
        WriteNullable(json, "within10_pct_percent", a.Within10PctPercent);
        WriteNullable(json, "spearman", a.Spearman);
        WriteNullable(json, "kendall_tau", a.KendallTau);
    }

    /// <summary>Writes <paramref name="value"/>, or null when there is none or it is not finite (JSON has no NaN or infinity;
    /// a MAPE overflows on labels near 0).</summary>
    private static void WriteNullable(Utf8JsonWriter json, string name, double? value)
    {
        if (value is double v && double.IsFinite(v))
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}

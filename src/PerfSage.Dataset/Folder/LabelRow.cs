using System.Text.Json.Serialization;

namespace PerfSage.Dataset;

/// <summary>
/// One row of <c>labels.csv</c>: what one model costs on one target, and where the numbers come from.
/// A metric a source did not provide (a board measured without an energy meter) is null, an empty field.
/// </summary>
/// <param name="ModelId">The model (<c>graphs/&lt;id&gt;.tflite</c>).</param>
/// <param name="Target">A catalog target id (<c>cortex-m7</c>) or a measured device's name (<c>raspi4</c>).</param>
/// <param name="LatencyMs">One inference, batch 1.</param>
/// <param name="EnergyMj">One inference.</param>
/// <param name="PeakRamKb">Working memory at its peak.</param>
/// <param name="FlashKb">Model storage.</param>
/// <param name="Source"><c>estimate</c> (PerfSage's reference estimators) or <c>measured:&lt;where&gt;</c>.</param>
public sealed record LabelRow(
    string ModelId,
    string Target,
    double LatencyMs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? EnergyMj,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? PeakRamKb,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? FlashKb,
    string Source)
{
    /// <summary>The source of labels computed by PerfSage's reference estimators.</summary>
    public const string EstimateSource = "estimate";

    /// <summary>The value of <paramref name="metric"/>, or null when the source did not give it.</summary>
    public double? Get(Metric metric) => metric switch
    {
        Metric.LatencyMs => LatencyMs,
        Metric.EnergyMj => EnergyMj,
        Metric.PeakRamKb => PeakRamKb,
        Metric.FlashKb => FlashKb,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, null),
    };

    /// <summary>True for labels measured on a device (source <c>measured:…</c>).</summary>
    [JsonIgnore]
    public bool IsMeasured => Source.StartsWith("measured", StringComparison.Ordinal);
}

/// <summary>Reads and writes <c>labels.csv</c>.</summary>
internal static class LabelsCsv
{
    public static readonly string[] Header =
        ["model_id", "target", "latency_ms", "energy_mj", "peak_ram_kb", "flash_kb", "source"];

    public static byte[] Write(IEnumerable<LabelRow> rows) =>
        CsvFile.Write(Header, rows.Select(r => (IReadOnlyList<string?>)
        [
            r.ModelId, r.Target, CsvFile.Number(r.LatencyMs), CsvFile.Number(r.EnergyMj),
            CsvFile.Number(r.PeakRamKb), CsvFile.Number(r.FlashKb), r.Source,
        ]));

    /// <summary>Reads <paramref name="path"/>; throws <see cref="DatasetException"/> naming the line of the
    /// first bad row (wrong field count, a number that is not a finite non-negative number, an empty id).</summary>
    public static List<LabelRow> Read(string path)
    {
        (string[] header, List<CsvRow> rows) = CsvFile.ReadFile(path, "labels file");
        CsvFile.RequireHeader(path, header, Header);
        var labels = new List<LabelRow>(rows.Count);
        foreach (CsvRow row in rows)
        {
            string[] f = row.Fields;
            if (row.Malformed)
            {
                throw new DatasetException($"{path}: line {row.Line}: malformed CSV quoting (an unclosed or stray quote)");
            }
            if (f.Length != Header.Length)
            {
                throw new DatasetException($"{path}: line {row.Line}: expected {Header.Length} fields, found {f.Length}");
            }
            if (f[0].Length > 0 && DatasetLayout.BadModelId(f[0]) is string bad)
            {
                throw new DatasetException($"{path}: line {row.Line}: {bad}");
            }
            if (f[0].Length == 0 || f[1].Length == 0 || f[6].Length == 0)
            {
                throw new DatasetException($"{path}: line {row.Line}: model_id, target and source must not be empty");
            }
            labels.Add(new LabelRow(f[0], f[1],
                Required(path, row.Line, "latency_ms", f[2]),
                Optional(path, row.Line, "energy_mj", f[3]),
                Optional(path, row.Line, "peak_ram_kb", f[4]),
                Optional(path, row.Line, "flash_kb", f[5]),
                f[6]));
        }
        return labels;
    }

    private static double Required(string path, long line, string column, string text) =>
        Optional(path, line, column, text)
        ?? throw new DatasetException($"{path}: line {line}: {column} is empty");

    private static double? Optional(string path, long line, string column, string text)
    {
        if (text.Length == 0)
        {
            return null;
        }
        if (!CsvFile.TryNumber(text, out double value) || value < 0)
        {
            throw new DatasetException($"{path}: line {line}: {column} '{Limits.Echo(text)}' is not a finite non-negative number");
        }
        return value;
    }
}

using System.Globalization;
using PerfSage.Targets;

namespace PerfSage.Dataset;

/// <summary>
/// Reads Arm Vela's performance output (ethos-u-vela 3.x, <c>ethosu/vela/stats_writer.py</c>,
/// <c>write_summary_metrics_csv</c>; <c>ethosu/vela/npu_performance.py</c>, <c>print_performance</c>; PERFORMANCE.md):
/// <list type="bullet">
/// <item>the summary <c>&lt;network&gt;_summary_&lt;system config&gt;.csv</c>: a header and one row per network with,
/// among many others, <c>network</c>, <c>accelerator_configuration</c> (the enum name, <c>Ethos_U55_128</c>; Vela 2.x
/// wrote <c>ethos-u55-128</c>), <c>core_clock</c> (Hz; Vela 2.x: <c>npu_clock</c>), <c>batch_size</c>,
/// <c>sram_memory_used</c>, <c>on_chip_flash_memory_used</c>, <c>off_chip_flash_memory_used</c> (KiB: bytes / 1024) and
/// <c>cycles_total</c> (cycles per batch);</item>
/// <item>the per-layer <c>&lt;network&gt;_per-layer.csv</c> (<c>--verbose-performance</c>): one row per operator with
/// <c>Op Cycles</c> among its columns, the header repeated before each NPU subgraph.</item>
/// </list>
/// Labels: latency_ms = cycles_total / core_clock × 1000 (Vela's own <c>inference_time</c> is cycles_total / core_clock
/// seconds); peak_ram_kb = sram_memory_used; flash_kb = on-chip + off-chip flash used (empty where both are 0, as when
/// weights live in DRAM). The target is the accelerator configuration (<c>ethos-u55-128</c>, which must be in the target
/// catalog) unless <c>--target</c> names it. A per-layer file is checked against its network's summary: its
/// <c>Op Cycles</c> must add up to <c>cycles_total</c> (Vela sums the same per-operator cycles).
/// </summary>
internal static class VelaReader
{
    private const string PerLayerSuffix = "_per-layer.csv";

    /// <summary>Lowest and highest accelerator clock accepted, in Hz (the <c>--clock-mhz</c> range: 1–10,000 MHz).</summary>
    private const double MinClockHz = 1e6, MaxClockHz = 1e10;

    private sealed record Summary(ToolRecord Record, double CyclesTotal);

    public static ToolReading Read(ToolImportRequest request)
    {
        var reading = new ToolReading();
        var summaries = new List<string>();
        var perLayer = new List<string>();
        foreach (string input in request.Inputs)
        {
            foreach (string file in ToolImporter.Expand(input,
                n => n.EndsWith(PerLayerSuffix, StringComparison.Ordinal)
                     || (n.Contains("_summary_", StringComparison.Ordinal) && n.EndsWith(".csv", StringComparison.Ordinal)),
                "Vela summary (*_summary_*.csv) or per-layer (*_per-layer.csv) file"))
            {
                (Path.GetFileName(file).EndsWith(PerLayerSuffix, StringComparison.Ordinal) ? perLayer : summaries).Add(file);
            }
        }
        if (summaries.Count == 0)
        {
            throw new DatasetException($"{request.Inputs[0]}: no Vela summary CSV among the inputs (<network>_summary_<config>.csv); "
                + "a per-layer file is only checked against its summary");
        }
        var parsed = new List<Summary>();
        foreach (string file in summaries)
        {
            ReadSummary(file, request.Target, reading, parsed);
        }
        foreach (string file in perLayer)
        {
            CheckPerLayer(file, reading, parsed);
        }
        reading.Records.AddRange(parsed.Select(s => s.Record));
        return reading;
    }

    private static void ReadSummary(string file, string? targetOverride, ToolReading reading, List<Summary> parsed)
    {
        (string[] header, List<CsvRow> rows) = CsvFile.Read(file, reading.Read(file, "Vela summary CSV"));
        int Column(params string[] names)
        {
            foreach (string name in names)
            {
                int i = Array.IndexOf(header, name);
                if (i >= 0)
                {
                    return i;
                }
            }
            return -1;
        }
        int network = Column("network"), config = Column("accelerator_configuration"), clock = Column("core_clock", "npu_clock");
        int cycles = Column("cycles_total"), batch = Column("batch_size"), sram = Column("sram_memory_used");
        int onFlash = Column("on_chip_flash_memory_used"), offFlash = Column("off_chip_flash_memory_used");
        foreach ((int at, string name) in new[] { (network, "network"), (config, "accelerator_configuration"), (clock, "core_clock"), (cycles, "cycles_total") })
        {
            if (at < 0)
            {
                throw new DatasetException($"{file}: required column '{name}' is missing; not a Vela summary CSV (header: {Limits.Echo(string.Join(',', header))})");
            }
        }
        if (rows.Count == 0)
        {
            throw new DatasetException($"{file}: has a header but no data row (a truncated Vela summary?)");
        }
        foreach (CsvRow row in rows)
        {
            string? reason = Row(row, header.Length, file, targetOverride, network, config, clock, cycles, batch, sram, onFlash, offFlash,
                out Summary? summary);
            if (reason is not null)
            {
                reading.AddBad(file, row.Line, reason);
            }
            else
            {
                parsed.Add(summary!);
            }
        }
    }

    private static string? Row(CsvRow row, int width, string file, string? targetOverride, int network, int config, int clock,
        int cycles, int batch, int sram, int onFlash, int offFlash, out Summary? summary)
    {
        summary = null;
        string[] f = row.Fields;
        if (row.Malformed)
        {
            return "malformed CSV quoting (an unclosed or stray quote; a quoted field ends at its line)";
        }
        if (f.Length != width)
        {
            return $"has {f.Length} fields, the header has {width} (a truncated file?)";
        }
        string name = f[network];
        if (name.Length == 0)
        {
            return "network is empty";
        }
        if (ConfigId(f[config]) is not string configId)
        {
            return $"accelerator_configuration '{Limits.Echo(f[config])}' is not an Ethos-U configuration (Ethos_U55_128, ethos-u65-256, ...)";
        }
        string target = targetOverride ?? configId;
        if (targetOverride is null && !TargetCatalog.LoadDefault().TryGet(configId, out _))
        {
            return $"accelerator configuration {configId} is not in PerfSage's target catalog ({string.Join(", ", TargetCatalog.LoadDefault().Ids.Where(i => i.StartsWith("ethos-", StringComparison.Ordinal)))}); "
                + "give the labels a target name with --target";
        }
        if (Positive(f[clock], "core_clock", out double clockHz) is string badClock)
        {
            return badClock;
        }
        if (clockHz is < MinClockHz or > MaxClockHz)
        {
            return string.Create(CultureInfo.InvariantCulture, $"core_clock {clockHz} Hz is outside 1 MHz to 10 GHz (Vela writes the clock in Hz)");
        }
        if (Positive(f[cycles], "cycles_total", out double cyclesTotal) is string badCycles)
        {
            return badCycles;
        }
        if (batch >= 0 && f[batch].Length > 0 && f[batch] != "1")
        {
            return $"batch_size is {Limits.Echo(f[batch])}; PerfSage labels one inference at batch 1 (Vela's cycles are per batch)";
        }
        double? ram = null, flash = null;
        if (sram >= 0)
        {
            if (NonNegative(f[sram], "sram_memory_used", out double sramKib) is string badSram)
            {
                return badSram;
            }
            ram = sramKib > 0 ? sramKib : null;
        }
        double flashKib = 0;
        foreach ((int at, string column) in new[] { (onFlash, "on_chip_flash_memory_used"), (offFlash, "off_chip_flash_memory_used") })
        {
            if (at < 0)
            {
                continue;
            }
            if (NonNegative(f[at], column, out double kib) is string badFlash)
            {
                return badFlash;
            }
            flashKib += kib;
        }
        if (flashKib > 0)
        {
            flash = flashKib;
        }
        double latencyMs = cyclesTotal / clockHz * 1000;
        summary = new Summary(new ToolRecord(file, row.Line, name, target, [latencyMs, null, ram, flash]), cyclesTotal);
        return null;
    }

    /// <summary>Checks a per-layer file against the summary of its network: the sum of its <c>Op Cycles</c> must be the
    /// summary's <c>cycles_total</c> (up to a cycle per layer of rounding). A file that does not add up marks the
    /// summary's record bad; a file with no summary among the inputs is bad itself.</summary>
    private static void CheckPerLayer(string file, ToolReading reading, List<Summary> parsed)
    {
        string network = Path.GetFileName(file)[..^PerLayerSuffix.Length];
        (string[] header, List<CsvRow> rows) = CsvFile.Read(file, reading.Read(file, "Vela per-layer CSV"));
        int opCycles = Array.IndexOf(header, "Op Cycles");
        if (opCycles < 0)
        {
            throw new DatasetException($"{file}: required column 'Op Cycles' is missing; not a Vela per-layer CSV (header: {Limits.Echo(string.Join(',', header))})");
        }
        List<Summary> mine = parsed.Where(s => s.Record.ModelName == network).ToList();
        if (mine.Count == 0)
        {
            reading.AddBad(file, 1, $"no summary of network '{Limits.Echo(network)}' among the inputs; a per-layer file is checked against its summary");
            return;
        }
        double sum = 0;
        int layers = 0;
        foreach (CsvRow row in rows)
        {
            if (row.Fields.SequenceEqual(header, StringComparer.Ordinal))
            {
                continue; // Vela writes the header again before each NPU subgraph
            }
            string? reason = row.Malformed ? "malformed CSV quoting"
                : row.Fields.Length != header.Length ? $"has {row.Fields.Length} fields, the header has {header.Length} (a truncated file?)"
                : NonNegative(row.Fields[opCycles], "Op Cycles", out _) is string bad ? bad
                : null;
            if (reason is not null)
            {
                reading.AddBad(file, row.Line, reason);
                return;
            }
            sum += double.Parse(row.Fields[opCycles], NumberStyles.Float, CultureInfo.InvariantCulture);
            layers++;
        }
        foreach (Summary s in mine)
        {
            if (Math.Abs(sum - s.CyclesTotal) > layers + 1e-6 * s.CyclesTotal)
            {
                parsed.Remove(s);
                reading.AddBad(s.Record.File, s.Record.Line, string.Create(CultureInfo.InvariantCulture,
                    $"cycles_total {s.CyclesTotal} disagrees with {file}, whose {layers} layers add up to {sum} Op Cycles (outputs of different Vela runs?)"));
            }
        }
    }

    /// <summary><c>ethos-u55-128</c> for <c>Ethos_U55_128</c> (Vela 3.x's enum name) or <c>ethos-u55-128</c> (Vela 2.x);
    /// null for anything else.</summary>
    internal static string? ConfigId(string text)
    {
        string id = text.Trim().ToLowerInvariant().Replace('_', '-');
        string[] parts = id.Split('-');
        return parts.Length == 3 && parts[0] == "ethos" && parts[1] is "u55" or "u65" or "u85"
               && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int macs) && macs > 0
            ? id : null;
    }

    private static string? Positive(string text, string column, out double value) =>
        !CsvFile.TryNumber(text, out value) ? $"{column} '{Limits.Echo(text)}' is not a number"
        : value <= 0 ? $"{column} {Limits.Echo(text)} is not positive"
        : null;

    private static string? NonNegative(string text, string column, out double value) =>
        !CsvFile.TryNumber(text, out value) ? $"{column} '{Limits.Echo(text)}' is not a number"
        : value < 0 ? $"{column} {Limits.Echo(text)} is negative"
        : null;
}

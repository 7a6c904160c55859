using PerfSage.Tests.Common;
using Xunit;

namespace PerfSage.Dataset.Tests.Import.Tools;

/// <summary><c>dataset import --from vela</c> on the fixtures of Fixtures/vela (README there: Vela 3.x's summary and
/// per-layer CSVs).</summary>
public class VelaImportTests
{
    private static MeasurementImportResult Import(ToolFixture f, IReadOnlyList<string>? inputs = null, string? target = null, bool skip = false) =>
        ToolImporter.Import(new ToolImportRequest(ToolFormat.Vela, inputs ?? [f.Input])
        {
            ModelsDirectory = f.Models,
            Target = target,
            SkipBadRows = skip,
        }, f.Out);

    private static string Summary(ToolFixture f, int i) => Path.Combine(f.Input, $"net{i:D2}_summary_internal-default.csv");

    /// <summary>Rewrites one field of a summary's data row.</summary>
    private static void SetField(string file, string column, string value)
    {
        string[] lines = File.ReadAllText(file).Split("\r\n");
        int at = Array.IndexOf(lines[0].Split(','), column);
        string[] row = lines[1].Split(',');
        row[at] = value;
        lines[1] = string.Join(',', row);
        File.WriteAllText(file, string.Join("\r\n", lines));
    }

    [Fact]
    public void Summaries_become_labels_on_the_accelerator_configuration_with_latency_from_cycles_and_clock()
    {
        using var f = new ToolFixture("vela");
        f.WriteModels(ToolFixture.Nets(12));
        MeasurementImportResult r = Import(f);
        Assert.Empty(r.BadRows);
        Assert.Equal((12, 12, 12), (r.Rows, r.ModelsAdded, r.LabelsAdded));
        Assert.Equal("vela", r.Source);

        DatasetFolder folder = DatasetFolder.Load(f.Out, verifyGraphs: true);
        Assert.Equal(["ethos-u55-128"], folder.Targets);
        DatasetModel net00 = folder.Models.Single(m => m.Id.StartsWith("net00-", StringComparison.Ordinal));
        // net00: cycles_total 114098 at core_clock 500000000 Hz: 114098 / 5e8 s = 0.000228196 s = 0.228196 ms
        // (PERFORMANCE.md's example prints "Batch Inference time 0.23 ms" for these numbers).
        Assert.Equal(0.228196, net00.Label("ethos-u55-128", Metric.LatencyMs)!.Value, 12);
        Assert.Equal(0.95, net00.Label("ethos-u55-128", Metric.PeakRamKb));   // sram_memory_used, KiB
        Assert.Equal(106.98, net00.Label("ethos-u55-128", Metric.FlashKb));   // 0 on-chip + 106.98 off-chip flash, KiB
        Assert.Null(net00.Label("ethos-u55-128", Metric.EnergyMj));          // Vela estimates no energy
        // net05: cycles_total 114098 + 5 × 20011 = 214153 → 214153 / 5e8 × 1000 = 0.428306 ms; SRAM 0.95 + 5 × 7.25 = 37.2 KiB;
        // flash 106.98 + 5 × 13.5 = 174.48 KiB.
        DatasetModel net05 = folder.Models.Single(m => m.Id.StartsWith("net05-", StringComparison.Ordinal));
        Assert.Equal(0.428306, net05.Label("ethos-u55-128", Metric.LatencyMs)!.Value, 12);
        Assert.Equal(37.2, net05.Label("ethos-u55-128", Metric.PeakRamKb)!.Value, 12);
        Assert.Equal(174.48, net05.Label("ethos-u55-128", Metric.FlashKb)!.Value, 12);
        Assert.All(folder.Labels, l => Assert.Equal("vela", l.Source));

        ImportInfo import = Assert.Single(folder.Manifest.Imports);
        Assert.Equal("vela", import.Tool);
        Assert.Equal(13, import.Files!.Count); // 12 summaries and net00's per-layer file
        Assert.EndsWith("net00_per-layer.csv", import.Files![^1].Name, StringComparison.Ordinal);
    }

    [Fact]
    public void Target_option_names_the_labels_and_files_can_be_given_one_by_one()
    {
        using var f = new ToolFixture("vela");
        f.WriteModels(ToolFixture.Nets(2));
        MeasurementImportResult r = Import(f, [Summary(f, 0), Summary(f, 1), Path.Combine(f.Input, "net00_per-layer.csv")], target: "u55-128-vela");
        Assert.Empty(r.BadRows);
        Assert.Equal(["u55-128-vela"], DatasetFolder.Load(f.Out).Targets);
    }

    [Fact]
    public void A_per_layer_file_that_does_not_add_up_to_the_summary_marks_the_summary_bad_and_nothing_is_written()
    {
        using var f = new ToolFixture("vela");
        f.WriteModels(ToolFixture.Nets(12));
        string perLayer = Path.Combine(f.Input, "net00_per-layer.csv");
        File.WriteAllText(perLayer, File.ReadAllText(perLayer).Replace(",10000.0,8.76440,", ",12000.0,8.76440,", StringComparison.Ordinal));
        MeasurementImportResult r = Import(f);
        BadRow bad = Assert.Single(r.BadRows);
        Assert.Equal((Summary(f, 0), 2L), (bad.File, bad.Row));
        // 60000 + 44098 + 12000 = 116098, not 114098
        Assert.Contains("cycles_total 114098 disagrees with", bad.Reason, StringComparison.Ordinal);
        Assert.Contains("add up to 116098 Op Cycles", bad.Reason, StringComparison.Ordinal);
        Assert.False(r.Written);
        Assert.False(Directory.Exists(f.Out));

        r = Import(f, skip: true);
        Assert.Equal(11, r.LabelsAdded);
    }

    [Fact]
    public void Bad_values_are_bad_rows_naming_file_and_line()
    {
        using var f = new ToolFixture("vela");
        f.WriteModels(ToolFixture.Nets(12));
        SetField(Summary(f, 1), "cycles_total", "abc");
        SetField(Summary(f, 2), "cycles_total", "-5.0");
        SetField(Summary(f, 3), "cycles_total", "nan");
        SetField(Summary(f, 4), "accelerator_configuration", "Ethos_U99_7");
        SetField(Summary(f, 5), "accelerator_configuration", "Ethos_U65_128"); // a U65 size the catalog lacks (it has 256 and 512)
        SetField(Summary(f, 6), "sram_memory_used", "-1.0");
        SetField(Summary(f, 7), "core_clock", "500.0"); // MHz where Vela writes Hz
        SetField(Summary(f, 8), "batch_size", "4");
        string truncated = Summary(f, 9);
        string[] lines = File.ReadAllText(truncated).Split("\r\n");
        File.WriteAllText(truncated, lines[0] + "\r\n" + string.Join(',', lines[1].Split(',')[..20])); // cut inside the data row

        MeasurementImportResult r = Import(f);
        Assert.False(r.Written);
        Assert.False(Directory.Exists(f.Out));
        Assert.Equal(
        [
            (Summary(f, 1), 2L, "cycles_total 'abc' is not a number"),
            (Summary(f, 2), 2L, "cycles_total -5.0 is not positive"),
            (Summary(f, 3), 2L, "cycles_total 'nan' is not a number"),
            (Summary(f, 4), 2L, "accelerator_configuration 'Ethos_U99_7' is not an Ethos-U configuration (Ethos_U55_128, ethos-u65-256, ...)"),
            (Summary(f, 6), 2L, "sram_memory_used -1.0 is negative"),
            (Summary(f, 7), 2L, "core_clock 500 Hz is outside 1 MHz to 10 GHz (Vela writes the clock in Hz)"),
            (Summary(f, 8), 2L, "batch_size is 4; PerfSage labels one inference at batch 1 (Vela's cycles are per batch)"),
            (Summary(f, 9), 2L, "has 20 fields, the header has 52 (a truncated file?)"),
        ], r.BadRows.Where(b => b.File != Summary(f, 5)).Select(b => (b.File, b.Row, b.Reason)));
        BadRow missing = r.BadRows.Single(b => b.File == Summary(f, 5));
        Assert.StartsWith("accelerator configuration ethos-u65-128 is not in PerfSage's target catalog (", missing.Reason, StringComparison.Ordinal);
        Assert.EndsWith("give the labels a target name with --target", missing.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Repeated_summaries_merge_and_conflicting_ones_are_all_listed()
    {
        using var f = new ToolFixture("vela");
        f.WriteModels(ToolFixture.Nets(12));
        string copy = Path.Combine(f.Input, "net01_summary_other-config.csv");
        File.Copy(Summary(f, 1), copy);
        MeasurementImportResult r = Import(f);
        Assert.Empty(r.BadRows);
        Assert.Equal((13, 12, 1), (r.Rows, r.LabelsAdded, r.DuplicateRowsMerged));

        using var g = new ToolFixture("vela");
        g.WriteModels(ToolFixture.Nets(12));
        string other = Path.Combine(g.Input, "net01_summary_other-config.csv");
        File.Copy(Summary(g, 1), other);
        SetField(other, "cycles_total", "200000.0");
        r = Import(g);
        Assert.Equal([Summary(g, 1), other], r.BadRows.Select(b => b.File).Order(StringComparer.Ordinal));
        Assert.All(r.BadRows, b => Assert.Contains("conflicting measurements of", b.Reason, StringComparison.Ordinal));
        Assert.False(Directory.Exists(g.Out));
    }

    [Fact]
    public void Whole_file_problems_throw_naming_the_file()
    {
        using var f = new ToolFixture("vela");
        f.WriteModels(ToolFixture.Nets(12));
        string header = Summary(f, 0);
        File.WriteAllText(header, File.ReadAllText(header).Split("\r\n")[0] + "\r\n");
        DatasetException e = Assert.Throws<DatasetException>(() => Import(f));
        Assert.Equal($"{header}: has a header but no data row (a truncated Vela summary?)", e.Message);

        using var g = new ToolFixture("vela");
        string noCycles = Summary(g, 0);
        File.WriteAllText(noCycles, File.ReadAllText(noCycles).Replace("cycles_total", "cycles_sum", StringComparison.Ordinal));
        e = Assert.Throws<DatasetException>(() => Import(g));
        Assert.StartsWith($"{noCycles}: required column 'cycles_total' is missing; not a Vela summary CSV", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<DatasetException>(() => Import(g, [g.Models]));
        Assert.Equal($"{g.Models}: holds no Vela summary (*_summary_*.csv) or per-layer (*_per-layer.csv) file", e.Message);
    }

    [SkippableFact]
    public void A_named_pipe_is_refused_at_once()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "mkfifo");
        using var f = new ToolFixture("vela");
        string fifo = f.Sub("pipe_summary_x.csv");
        HostileFiles.MakeFifo(fifo);
        Exception? e = HostileFiles.WithoutHang(() => Record.Exception(() => Import(f, [fifo])), "importing a named pipe");
        Assert.Equal($"{fifo}: is a named pipe (FIFO), not a regular file; a Vela summary (*_summary_*.csv) or per-layer (*_per-layer.csv) file must be a regular file",
            Assert.IsType<DatasetException>(e).Message);
    }

    [Fact]
    public void A_missing_model_is_a_bad_row_that_says_how_to_give_it()
    {
        using var f = new ToolFixture("vela");
        f.WriteModels(ToolFixture.Nets(11)); // no net11.tflite
        MeasurementImportResult r = Import(f);
        BadRow bad = Assert.Single(r.BadRows);
        Assert.Equal(Summary(f, 11), bad.File);
        Assert.StartsWith("model '", bad.Reason, StringComparison.Ordinal);
        Assert.Contains("net11.tflite", bad.Reason, StringComparison.Ordinal);

        r = ToolImporter.Import(new ToolImportRequest(ToolFormat.Vela, [Summary(f, 0)]), f.Out);
        Assert.Equal("no model for 'net00': give --models DIR holding net00.tflite, or --model net00=PATH", Assert.Single(r.BadRows).Reason);
    }
}

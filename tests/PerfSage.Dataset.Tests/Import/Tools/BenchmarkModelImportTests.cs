using System.Globalization;
using PerfSage.Tests.Common;
using Xunit;

namespace PerfSage.Dataset.Tests.Import.Tools;

/// <summary><c>dataset import --from benchmark-model</c> on the logs of Fixtures/benchmark-model (README there).</summary>
public class BenchmarkModelImportTests
{
    private static MeasurementImportResult Import(ToolFixture f, IReadOnlyList<string>? inputs = null, string? target = "pixel4-cpu",
        Dictionary<string, string>? models = null, bool skip = false) =>
        ToolImporter.Import(new ToolImportRequest(ToolFormat.BenchmarkModel, inputs ?? [f.Input])
        {
            ModelsDirectory = models is null ? f.Models : null,
            Models = models ?? new Dictionary<string, string>(StringComparer.Ordinal),
            Target = target,
            SkipBadRows = skip,
        }, f.Out);

    private static string Log(ToolFixture f, int i) => Path.Combine(f.Input, $"net{i:D2}.log");

    private static void Replace(string file, string from, string to)
    {
        string text = File.ReadAllText(file);
        Assert.Contains(from, text, StringComparison.Ordinal);
        File.WriteAllText(file, text.Replace(from, to, StringComparison.Ordinal));
    }

    [Fact]
    public void Logs_become_labels_with_the_timed_average_and_the_overall_memory_delta()
    {
        using var f = new ToolFixture("benchmark-model");
        f.WriteModels(ToolFixture.Nets(12));
        MeasurementImportResult r = Import(f);
        Assert.Empty(r.BadRows);
        Assert.Equal((12, 12, 12), (r.Rows, r.ModelsAdded, r.LabelsAdded));
        Assert.Equal("measured:benchmark-model", r.Source);

        DatasetFolder folder = DatasetFolder.Load(f.Out, verifyGraphs: true);
        Assert.Equal(["pixel4-cpu"], folder.Targets);
        // net00: "Inference (avg): 1234.5" us → 1.2345 ms (warm-up avg 1333.26 and first inference 3826.95 are left out);
        // "overall=2.5" MB (KiB / 1024) → 2.5 × 1024 = 2560 KiB.
        DatasetModel net00 = folder.Models.Single(m => m.Id.StartsWith("net00-", StringComparison.Ordinal));
        Assert.Equal(1.2345, net00.Label("pixel4-cpu", Metric.LatencyMs)!.Value, 12);
        Assert.Equal(2560, net00.Label("pixel4-cpu", Metric.PeakRamKb));
        Assert.Null(net00.Label("pixel4-cpu", Metric.EnergyMj));
        Assert.Null(net00.Label("pixel4-cpu", Metric.FlashKb));
        // net03: 1234.5 + 3 × 211.25 = 1868.25 us → 1.86825 ms; 2.5 + 3 × 0.375 = 3.625 MB → 3712 KiB.
        DatasetModel net03 = folder.Models.Single(m => m.Id.StartsWith("net03-", StringComparison.Ordinal));
        Assert.Equal(1.86825, net03.Label("pixel4-cpu", Metric.LatencyMs)!.Value, 12);
        Assert.Equal(3712, net03.Label("pixel4-cpu", Metric.PeakRamKb));
        Assert.Equal("benchmark-model", Assert.Single(folder.Manifest.Imports).Tool);
    }

    [Fact]
    public void One_log_may_hold_several_runs_and_the_file_size_line_must_match_the_model()
    {
        using var f = new ToolFixture("benchmark-model");
        f.WriteModels(ToolFixture.Nets(2));
        long bytes = new FileInfo(Path.Combine(f.Models, "net01.tflite")).Length;
        string both = f.Sub("both.log");
        string second = File.ReadAllText(Log(f, 1)).Replace("INFO: Initialized session",
            string.Create(CultureInfo.InvariantCulture, $"INFO: The input model file size (MB): {bytes / 1e6:G6}\nINFO: Initialized session"), StringComparison.Ordinal);
        File.WriteAllText(both, File.ReadAllText(Log(f, 0)) + second);
        MeasurementImportResult r = Import(f, [both]);
        Assert.Empty(r.BadRows);
        Assert.Equal(2, r.LabelsAdded);

        // The same log paired with the other model: its size is not the logged one.
        r = Import(f, [both], models: new(StringComparer.Ordinal) { ["net00"] = Path.Combine(f.Models, "net00.tflite"), ["net01"] = Path.Combine(f.Models, "net00.tflite") });
        BadRow bad = Assert.Single(r.BadRows);
        Assert.Equal(both, bad.File);
        Assert.Contains("but the log", bad.Reason, StringComparison.Ordinal);
        Assert.Contains("another model?", bad.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_logs_are_bad_records_naming_file_and_line()
    {
        using var f = new ToolFixture("benchmark-model");
        f.WriteModels(ToolFixture.Nets(12));
        Replace(Log(f, 1), "Inference (avg): 1445.75", "Inference (avg): nan");
        Replace(Log(f, 2), "Inference (avg): 1657", "Inference (avg): -1657");
        Replace(Log(f, 3), "Inference (avg): 1868.25", "Inference (avg): fast");
        Replace(Log(f, 4), "overall=4", "overall=lots");
        string[] cut = File.ReadAllLines(Log(f, 5));
        File.WriteAllLines(Log(f, 5), cut[..12]); // killed during the warm-up: no timings line
        File.WriteAllText(Log(f, 6), "Segmentation fault\n");

        MeasurementImportResult r = Import(f);
        Assert.False(r.Written);
        Assert.False(Directory.Exists(f.Out));
        Assert.Equal(
        [
            (Log(f, 1), 17L, "Inference (avg) 'nan' is not a number"),
            (Log(f, 2), 17L, "Inference (avg) -1657 us is not positive"),
            (Log(f, 3), 17L, "Inference (avg) 'fast' is not a number"),
            (Log(f, 4), 19L, "memory footprint overall='lots' is not a number"),
            (Log(f, 5), 4L, "the run of '/data/local/tmp/net05.tflite' has no 'Inference timings in us' line: the log is truncated or the run failed"),
            (Log(f, 6), 1L, "no 'Graph: [...]' line: not a benchmark_model log, or one cut before the run"),
        ], r.BadRows.Select(b => (b.File!, b.Row, b.Reason)));

        r = Import(f, skip: true);
        Assert.Equal(6, r.LabelsAdded);
    }

    [Fact]
    public void A_repeated_run_merges_and_a_different_one_conflicts()
    {
        using var f = new ToolFixture("benchmark-model");
        f.WriteModels(ToolFixture.Nets(12));
        File.Copy(Log(f, 0), Path.Combine(f.Input, "net00-again.log"));
        MeasurementImportResult r = Import(f);
        Assert.Empty(r.BadRows);
        Assert.Equal(1, r.DuplicateRowsMerged);

        string other = Path.Combine(f.Input, "net00-again.log");
        Replace(other, "Inference (avg): 1234.5", "Inference (avg): 1500");
        using var g = new ToolFixture("benchmark-model");
        g.WriteModels(ToolFixture.Nets(12));
        File.Copy(other, Path.Combine(g.Input, "net00-again.log"));
        r = Import(g);
        Assert.Equal(2, r.BadRows.Count);
        Assert.All(r.BadRows, b => Assert.Contains("conflicting measurements of", b.Reason, StringComparison.Ordinal));
        Assert.All(r.BadRows, b => Assert.Contains("latency_ms 1.5 (", b.Reason, StringComparison.Ordinal));
        Assert.All(r.BadRows, b => Assert.Contains("vs 1.2345 (", b.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void The_target_is_required_and_checked_and_a_pipe_is_refused()
    {
        using var f = new ToolFixture("benchmark-model");
        DatasetException e = Assert.Throws<DatasetException>(() => Import(f, target: null));
        Assert.Equal("--from benchmark-model needs --target NAME: the device the logs were measured on (one per import)", e.Message);
        e = Assert.Throws<DatasetException>(() => Import(f, target: "pixel.4"));
        Assert.StartsWith("target 'pixel.4' is not a valid target name", e.Message, StringComparison.Ordinal);
        if (OperatingSystem.IsLinux())
        {
            string fifo = f.Sub("pipe.log");
            HostileFiles.MakeFifo(fifo);
            Exception? x = HostileFiles.WithoutHang(() => Record.Exception(() => Import(f, [fifo])), "importing a named pipe");
            Assert.Equal($"{fifo}: is a named pipe (FIFO), not a regular file; a benchmark_model log (*.log, *.txt) must be a regular file", Assert.IsType<DatasetException>(x).Message);
        }
    }
}

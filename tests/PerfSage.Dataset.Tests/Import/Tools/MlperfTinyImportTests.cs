using PerfSage.Tests.Common;
using Xunit;

namespace PerfSage.Dataset.Tests.Import.Tools;

/// <summary><c>dataset import --from mlperf-tiny</c> on Fixtures/mlperf-tiny (README there: tinyMLPerf results layout).</summary>
public class MlperfTinyImportTests
{
    private static string Results(ToolFixture f, int round) => Path.Combine(f.Input, "open", "Acme", "results", $"acme-board_round{round}");

    private static string System(ToolFixture f) => Path.Combine(f.Input, "open", "Acme", "systems", "acme-board.json");

    private static MeasurementImportResult Import(ToolFixture f, int round = 1, string? system = "", string? target = null, bool skip = false,
        IReadOnlyList<string>? inputs = null) =>
        ToolImporter.Import(new ToolImportRequest(ToolFormat.MlperfTiny, inputs ?? [Results(f, round)])
        {
            ModelsDirectory = f.Sub($"models-r{round}"),
            SystemFile = system == "" ? System(f) : system,
            Target = target,
            SkipBadRows = skip,
        }, f.Out);

    private static ToolFixture WithModels()
    {
        var f = new ToolFixture("mlperf-tiny");
        for (int r = 1; r <= 3; r++)
        {
            f.WriteModels(["ad", "ic", "kws", "vww"], seed: (ulong)r, dir: f.Sub($"models-r{r}"));
        }
        return f;
    }

    [Fact]
    public void A_system_result_set_becomes_labels_on_the_board_at_its_clock()
    {
        using ToolFixture f = WithModels();
        MeasurementImportResult r = Import(f);
        Assert.Empty(r.BadRows);
        Assert.Equal((4, 4, 4), (r.Rows, r.ModelsAdded, r.LabelsAdded));
        Assert.Equal("measured:mlperf-tiny", r.Source);

        DatasetFolder folder = DatasetFolder.Load(f.Out, verifyGraphs: true);
        // "Board Name": "NUCLEO-H7A3ZI-Q", "Processor(s) Frequencies": "280 MHz" → nucleo-h7a3zi-q-280mhz
        const string Board = "nucleo-h7a3zi-q-280mhz";
        Assert.Equal([Board], folder.Targets);
        DatasetModel kws = folder.Models.Single(m => m.Id.StartsWith("kws-", StringComparison.Ordinal));
        // "Median throughput is 59.788 inf./sec." → 1000 / 59.788 = 16.725764367431592 ms;
        // "Median energy cost is 2367.474 uJ/inf." → 2.367474 mJ.
        Assert.Equal(16.725764367431592, kws.Label(Board, Metric.LatencyMs)!.Value, 12);
        Assert.Equal(2.367474, kws.Label(Board, Metric.EnergyMj)!.Value, 12);
        Assert.Null(kws.Label(Board, Metric.PeakRamKb));
        // ad: 1000 / 245.125 = 4.07955124936257 ms; round 1 has no energy run for ad, so no energy label.
        DatasetModel ad = folder.Models.Single(m => m.Id.StartsWith("ad-", StringComparison.Ordinal));
        Assert.Equal(4.07955124936257, ad.Label(Board, Metric.LatencyMs)!.Value, 12);
        Assert.Null(ad.Label(Board, Metric.EnergyMj));

        ImportInfo import = Assert.Single(folder.Manifest.Imports);
        Assert.Equal(("mlperf-tiny", 280.0), (import.Tool, import.ClockMhz));
        Assert.Equal(8, import.Files!.Count); // the system description, 4 performance and 3 energy results
    }

    [Fact]
    public void Rounds_with_their_own_models_add_up_and_the_same_round_twice_changes_nothing()
    {
        using ToolFixture f = WithModels();
        Import(f, 1);
        Import(f, 2);
        MeasurementImportResult r = Import(f, 3);
        Assert.Equal((12, 12), (r.Models, r.Labels));
        // round 2: kws throughput 59.788 × 1.25 = 74.735 → 1000 / 74.735 = 13.380611493945274 ms; energy 2367.474 / 1.25 = 1893.979 uJ.
        DatasetFolder folder = DatasetFolder.Load(f.Out);
        string kws2 = folder.Models.Single(m => m.Info.Origin.Contains("round2", StringComparison.Ordinal) && m.Info.Origin.Contains("kws", StringComparison.Ordinal)).Id;
        Assert.Equal(13.380611493945274, folder.Find(kws2)!.Label("nucleo-h7a3zi-q-280mhz", Metric.LatencyMs)!.Value, 12);
        Assert.Equal(1.893979, folder.Find(kws2)!.Label("nucleo-h7a3zi-q-280mhz", Metric.EnergyMj)!.Value, 12);

        r = Import(f, 3);
        Assert.False(r.Written);
        Assert.Equal(4, r.LabelsUnchanged);
    }

    [Fact]
    public void Bad_results_are_bad_records_naming_file_and_line()
    {
        using ToolFixture f = WithModels();
        string kws = Path.Combine(Results(f, 1), "kws", "performance", "results.txt");
        File.WriteAllText(kws, File.ReadAllText(kws).Replace("Median throughput is 59.788", "Median throughput is -59.788", StringComparison.Ordinal));
        string vww = Path.Combine(Results(f, 1), "vww", "performance", "results.txt");
        File.WriteAllLines(vww, File.ReadAllLines(vww)[..20]); // cut before the median
        string ic = Path.Combine(Results(f, 1), "ic", "energy", "results.txt");
        File.WriteAllText(ic, File.ReadAllText(ic).Replace("Median energy cost is 18874.250", "Median energy cost is NaN", StringComparison.Ordinal));

        MeasurementImportResult r = Import(f);
        Assert.False(Directory.Exists(f.Out));
        Assert.Equal(
        [
            (ic, 22L, "'NaN' is not a number"),
            (kws, 27L, "-59.788 is not positive"),
            (vww, 20L, "no 'Median throughput is X inf./sec.' line: the results are truncated or the run did not finish"),
        ], r.BadRows.Select(b => (b.File!, b.Row, b.Reason)));
        Assert.Equal(1, Import(f, skip: true).LabelsAdded); // ad alone
    }

    [Fact]
    public void An_energy_folder_without_its_results_is_a_bad_record()
    {
        using ToolFixture f = WithModels();
        string energy = Path.Combine(Results(f, 1), "kws", "energy", "results.txt");
        File.Delete(energy);
        BadRow bad = Assert.Single(Import(f).BadRows);
        Assert.Equal((energy, 1L), (bad.File, bad.Row));
        Assert.StartsWith("the energy folder has no results.txt", bad.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_system_description_and_the_inputs_are_checked()
    {
        using ToolFixture f = WithModels();
        DatasetException e = Assert.Throws<DatasetException>(() => Import(f, system: null));
        Assert.Equal("--from mlperf-tiny needs --system SYSTEM.json (the board and its clock name the target) or --target NAME", e.Message);
        Assert.Equal(["my-board"], DatasetFolder.Load(Import(f, system: null, target: "my-board").Directory).Targets);

        string bad = f.Sub("bad.json");
        File.WriteAllText(bad, "{\"Board Name\": \"X\", \"Processor(s) Frequencies\": \"fast\"}");
        e = Assert.Throws<DatasetException>(() => Import(f, system: bad));
        Assert.Equal($"{bad}: \"Processor(s) Frequencies\" 'fast' gives no frequency with a unit (such as 280 MHz)", e.Message);
        File.WriteAllText(bad, "{\"Board Name\": \"X\", ");
        e = Assert.Throws<DatasetException>(() => Import(f, system: bad));
        Assert.StartsWith($"{bad}: not valid JSON", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<DatasetException>(() => Import(f, inputs: [System(f)]));
        Assert.StartsWith($"{System(f)}: is a file; give the results folder of one system", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<DatasetException>(() => Import(f, inputs: [f.Input]));
        Assert.StartsWith($"{f.Input}: holds no benchmark folder", e.Message, StringComparison.Ordinal);

        if (OperatingSystem.IsLinux())
        {
            string fifo = f.Sub("system.json");
            HostileFiles.MakeFifo(fifo);
            Exception? x = HostileFiles.WithoutHang(() => Record.Exception(() => Import(f, system: fifo)), "reading a named pipe");
            Assert.Equal($"{fifo}: is a named pipe (FIFO), not a regular file; a MLPerf Tiny system description must be a regular file",
                Assert.IsType<DatasetException>(x).Message);
        }
    }
}

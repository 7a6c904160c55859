using System.Security.Cryptography;
using PerfSage.Dataset.Spaces;
using PerfSage.Dataset.Tests.Build;
using PerfSage.Graph;
using Xunit;

namespace PerfSage.Dataset.Tests.Import;

public class MeasurementImportTests
{
    /// <summary>A folder with three real models (kws samples written as .tflite) under models/.</summary>
    private sealed class Board : IDisposable
    {
        private readonly TempFolder _root = new("import");

        public Board()
        {
            Directory.CreateDirectory(Path.Combine(Root, "models"));
            for (int i = 0; i < 3; i++)
            {
                File.WriteAllBytes(Model(i), GraphExporter.Write(SearchSpaces.Get("kws").Sample(1, i).Graph, 1));
            }
        }

        public string Root => _root.Path;

        public string Out => Path.Combine(Root, "out");

        public static string Name(int i) => $"models/net{i}.tflite";

        public string Model(int i) => Path.Combine(Root, Name(i));

        public string Sha(int i) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Model(i))));

        public string Id(int i) => $"net{i}-{Sha(i)[..12]}";

        public string Csv(string name, params string[] lines)
        {
            string path = Path.Combine(Root, name);
            File.WriteAllLines(path, lines);
            return path;
        }

        public MeasurementImportResult Import(string csv, string? target = null, bool skip = false) =>
            MeasurementImporter.Import(new MeasurementImportRequest(csv) { Target = target, SkipBadRows = skip }, Out);

        public void Dispose() => _root.Dispose();
    }

    [Fact]
    public void Rows_become_a_dataset_with_copied_graphs_and_measured_labels()
    {
        using var b = new Board();
        string csv = b.Csv("board.csv",
            "model,target,latency_ms,energy_mj,peak_ram_kb",
            $"{Board.Name(0)},myboard,12.5,0.75,96",
            $"{Board.Name(1)},myboard,3.25,,",
            $"{b.Model(2)},myboard,7,1.5,40.5"); // an absolute path works too
        MeasurementImportResult r = b.Import(csv);
        Assert.True(r.Written);
        Assert.Empty(r.BadRows);
        Assert.Equal((3, 3, 3, 3), (r.Rows, r.ModelsAdded, r.LabelsAdded, r.Models));
        Assert.Equal("measured:board", r.Source);

        DatasetFolder folder = DatasetFolder.Load(b.Out, verifyGraphs: true);
        Assert.Equal([b.Id(0), b.Id(1), b.Id(2)], folder.Models.Select(m => m.Id));
        Assert.Equal(File.ReadAllBytes(b.Model(1)), File.ReadAllBytes(folder.Models[1].GraphPath));
        Assert.Equal(12.5, folder.Models[0].Label("myboard", LabelMetric.LatencyMs));
        Assert.Equal(0.75, folder.Models[0].Label("myboard", LabelMetric.EnergyMj));
        Assert.Equal(96, folder.Models[0].Label("myboard", LabelMetric.PeakRamKb));
        Assert.Null(folder.Models[0].Label("myboard", LabelMetric.FlashKb));
        Assert.Null(folder.Models[1].Label("myboard", LabelMetric.EnergyMj));
        Assert.Equal(40.5, folder.Models[2].Label("myboard", LabelMetric.PeakRamKb));
        Assert.All(folder.Labels, l => Assert.Equal("measured:board", l.Source));
        Assert.Equal($"{b.Id(1)},myboard,3.25,,,,measured:board", File.ReadAllLines(Path.Combine(b.Out, "labels.csv"))[2]);
        ImportInfo import = Assert.Single(folder.Manifest.Imports);
        Assert.Equal(("board.csv", 3, 3, 3), (import.Csv, import.Rows, import.ModelsAdded, import.LabelsAdded));
        Assert.Equal(["myboard"], folder.Manifest.Targets);
        Assert.Equal(["measured:board"], folder.Manifest.LabelSources);
    }

    [Fact]
    public void Reimporting_the_same_rows_changes_nothing()
    {
        using var b = new Board();
        string csv = b.Csv("board.csv", "model,target,latency_ms", $"{Board.Name(0)},myboard,12.5", $"{Board.Name(1)},myboard,3");
        Assert.True(b.Import(csv).Written);
        SortedDictionary<string, byte[]> before = FolderSnapshot.Of(b.Out);
        MeasurementImportResult again = b.Import(csv);
        Assert.False(again.Written);
        Assert.Equal((0, 0, 2), (again.LabelsAdded, again.ModelsAdded, again.LabelsUnchanged));
        SortedDictionary<string, byte[]> after = FolderSnapshot.Of(b.Out);
        Assert.Equal(before.Keys, after.Keys);
        Assert.All(before, kv => Assert.Equal(kv.Value, after[kv.Key]));
    }

    [Fact]
    public void A_second_import_adds_to_the_folder_and_keeps_what_was_there()
    {
        using var b = new Board();
        b.Import(b.Csv("a.csv", "model,target,latency_ms", $"{Board.Name(0)},board-a,10"));
        MeasurementImportResult r = b.Import(b.Csv("b.csv", "model,target,latency_ms,energy_mj",
            $"{Board.Name(0)},board-b,20,2",   // same model, new target
            $"{Board.Name(1)},board-b,30,3",   // new model
            $"{Board.Name(0)},board-a,10,1")); // known label: gains an energy value
        Assert.Equal((1, 2, 1), (r.ModelsAdded, r.LabelsAdded, r.LabelsUpdated));
        DatasetFolder folder = DatasetFolder.Load(b.Out);
        Assert.Equal(2, folder.Models.Count);
        Assert.Equal(10, folder.Find(b.Id(0))!.Label("board-a", LabelMetric.LatencyMs));
        Assert.Equal(1, folder.Find(b.Id(0))!.Label("board-a", LabelMetric.EnergyMj));
        Assert.Equal("measured:a", folder.Find(b.Id(0))!.Labels["board-a"].Source);
        Assert.Equal(20, folder.Find(b.Id(0))!.Label("board-b", LabelMetric.LatencyMs));
        Assert.Equal(30, folder.Find(b.Id(1))!.Label("board-b", LabelMetric.LatencyMs));
        Assert.Equal(["a.csv", "b.csv"], folder.Manifest.Imports.Select(i => i.Csv));
        Assert.Equal(["measured:a", "measured:b"], folder.Manifest.LabelSources);
    }

    [Fact]
    public void Target_option_fills_or_overrides_the_target_column()
    {
        using var b = new Board();
        MeasurementImportResult r = b.Import(b.Csv("t.csv", "model,latency_ms", $"{Board.Name(0)},4"), target: "stm32f7");
        Assert.True(r.Written);
        Assert.Equal(["stm32f7"], DatasetFolder.Load(b.Out).Targets);
        b.Import(b.Csv("u.csv", "model,target,latency_ms", $"{Board.Name(1)},ignored,5"), target: "stm32h7");
        Assert.Equal(["stm32f7", "stm32h7"], DatasetFolder.Load(b.Out).Targets);
    }

    [Fact]
    public void Identical_content_is_one_model_and_repeated_rows_merge()
    {
        using var b = new Board();
        File.Copy(b.Model(0), Path.Combine(b.Root, "models", "copy.tflite"));
        MeasurementImportResult r = b.Import(b.Csv("d.csv", "model,target,latency_ms,energy_mj",
            $"{Board.Name(0)},x,5,",
            "models/copy.tflite,x,5,0.5",   // same content, same target: merges (adds energy)
            $"{Board.Name(0)},x,5.0,0.5")); // same values written differently
        Assert.Empty(r.BadRows);
        Assert.Equal((1, 1, 2), (r.ModelsAdded, r.LabelsAdded, r.DuplicateRowsMerged));
        LabelRow label = Assert.Single(DatasetFolder.Load(b.Out).Labels);
        Assert.Equal((b.Id(0), 5.0, (double?)0.5), (label.ModelId, label.LatencyMs, label.EnergyMj));
    }

    [Fact]
    public void Every_kind_of_bad_row_is_reported_with_its_row_number_and_nothing_is_written()
    {
        using var b = new Board();
        File.WriteAllText(Path.Combine(b.Root, "models", "text.tflite"), "this is a text file, not a flatbuffer model\n");
        string csv = b.Csv("bad.csv",
            "model,target,latency_ms,energy_mj",       // row 1: header
            $"{Board.Name(0)},x,1.5,",                 // row 2: good
            "models/missing.tflite,x,1,",              // row 3: file not found
            "models/text.tflite,x,1,",                 // row 4: not a model
            $"{Board.Name(1)},x,fast,",                // row 5: not a number
            $"{Board.Name(1)},x,0,",                   // row 6: not positive
            $"{Board.Name(1)},x,-2,",                  // row 7: negative
            $"{Board.Name(1)},x,2,-0.1",               // row 8: negative optional value
            $"{Board.Name(2)},x,3,",                   // row 9: conflicts with row 11
            $"{Board.Name(1)},x,2",                    // row 10: too few fields
            $"{Board.Name(2)},x,3.5,",                 // row 11: conflicts with row 9
            $"{Board.Name(1)},,2,",                    // row 12: empty target
            ",x,2,",                                   // row 13: empty model
            $"{Board.Name(1)},x,,");                   // row 14: empty latency
        MeasurementImportResult r = b.Import(csv);
        Assert.True(r.Written); // bad rows are skipped, the good one goes in
        Assert.Equal(13, r.Rows);
        Assert.Equal([3L, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14], r.BadRows.Select(x => x.Row));
        string Reason(long row) => r.BadRows.Single(x => x.Row == row).Reason;
        Assert.Contains("'models/missing.tflite' not found", Reason(3));
        Assert.Contains("'models/text.tflite' is not a valid .tflite file", Reason(4));
        Assert.Contains("latency_ms 'fast' is not a number", Reason(5));
        Assert.Contains("latency_ms 0 is not positive", Reason(6));
        Assert.Contains("latency_ms -2 is not positive", Reason(7));
        Assert.Contains("energy_mj -0.1 is not positive", Reason(8));
        Assert.Contains("conflicting measurements", Reason(9));
        Assert.Contains("rows 9, 11", Reason(9));
        Assert.Contains("latency_ms 3 (row 9) vs 3.5 (row 11)", Reason(11));
        Assert.Contains("has 3 fields, the header has 4", Reason(10));
        Assert.Contains("target is empty", Reason(12));
        Assert.Contains("model is empty", Reason(13));
        Assert.Contains("latency_ms is empty", Reason(14));

        LabelRow only = Assert.Single(DatasetFolder.Load(b.Out).Labels);
        Assert.Equal((b.Id(0), 1.5), (only.ModelId, only.LatencyMs));
        Assert.Equal(12, Assert.Single(DatasetFolder.Load(b.Out).Manifest.Imports).BadRowsSkipped);

        // Again with --skip-bad-rows: nothing new to write, the bad rows are still reported.
        MeasurementImportResult again = b.Import(csv, skip: true);
        Assert.False(again.Written);
        Assert.Equal(12, again.BadRows.Count);
        Assert.Single(DatasetFolder.Load(b.Out).Labels);
    }

    [Fact]
    public void A_row_that_contradicts_the_folder_is_bad()
    {
        using var b = new Board();
        b.Import(b.Csv("a.csv", "model,target,latency_ms", $"{Board.Name(0)},x,10"));
        MeasurementImportResult r = b.Import(b.Csv("b.csv", "model,target,latency_ms", $"{Board.Name(1)},x,4", $"{Board.Name(0)},x,11"));
        BadRow bad = Assert.Single(r.BadRows);
        Assert.Equal(3, bad.Row);
        Assert.Contains("latency_ms 10 (the folder) vs 11 (this row)", bad.Reason);
        Assert.True(r.Written); // the good row 2 goes in; the folder's value for model 0 is kept
        Assert.Equal(2, DatasetFolder.Load(b.Out).Labels.Count);
        Assert.Equal(10, DatasetFolder.Load(b.Out).Labels.Single(l => l.ModelId == b.Id(0)).LatencyMs);
    }

    [Fact]
    public void Measurements_cannot_share_a_target_with_estimated_labels()
    {
        using var b = new Board();
        Builds.Run(Builds.Kws(1), b.Out);
        File.Copy(DatasetLayout.GraphPath(b.Out, "kws-s3-000000"), Path.Combine(b.Root, "models", "built.tflite"));
        MeasurementImportResult r = b.Import(b.Csv("m.csv", "model,target,latency_ms", "models/built.tflite,cortex-m4,3"));
        Assert.Contains("cortex-m4 already has estimated labels", Assert.Single(r.BadRows).Reason);

        // Under its own target name the measurement joins the built model (same content, same id).
        MeasurementImportResult ok = b.Import(b.Csv("m.csv", "model,target,latency_ms", "models/built.tflite,my-m4-board,3"));
        Assert.Equal((0, 1), (ok.ModelsAdded, ok.LabelsAdded));
        DatasetFolder folder = DatasetFolder.Load(b.Out);
        Assert.Equal(3, folder.Find("kws-s3-000000")!.Label("my-m4-board", LabelMetric.LatencyMs));
        Assert.Equal(["cortex-m4", "ethos-u55-128", "my-m4-board"], folder.Targets);
        // A later re-run of the build would drop the measurements, so it is refused.
        var e = Assert.Throws<DatasetException>(() => Builds.Run(Builds.Kws(1), b.Out));
        Assert.Contains("measurements were imported", e.Message);
    }

    [Theory]
    [InlineData("model,target,latency_us", "unknown column 'latency_us'")]
    [InlineData("model,target", "required column 'latency_ms' is missing")]
    [InlineData("model,latency_ms", "no 'target' column; add one or give --target")]
    [InlineData("model,target,latency_ms,latency_ms", "column 'latency_ms' appears twice")]
    public void A_bad_header_fails_the_whole_file(string header, string expected)
    {
        using var b = new Board();
        string csv = b.Csv("h.csv", header, $"{Board.Name(0)},x,1");
        var e = Assert.Throws<DatasetException>(() => b.Import(csv));
        Assert.Contains(expected, e.Message);
        Assert.Contains("h.csv", e.Message);
    }

    [Fact]
    public void A_missing_csv_or_a_bad_target_option_fails()
    {
        using var b = new Board();
        Assert.Contains("file not found", Assert.Throws<DatasetException>(() => b.Import(Path.Combine(b.Root, "none.csv"))).Message);
        string csv = b.Csv("ok.csv", "model,latency_ms", $"{Board.Name(0)},1");
        Assert.Contains("'my board'", Assert.Throws<DatasetException>(() => b.Import(csv, target: "my board")).Message);
    }

    [Fact]
    public void A_folder_that_is_not_a_dataset_is_left_untouched()
    {
        using var b = new Board();
        Directory.CreateDirectory(b.Out);
        File.WriteAllText(Path.Combine(b.Out, "notes.txt"), "mine");
        var e = Assert.Throws<DatasetException>(() => b.Import(b.Csv("a.csv", "model,target,latency_ms", $"{Board.Name(0)},x,1")));
        Assert.Contains("not empty and is not a dataset folder (it holds notes.txt)", e.Message);
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(b.Out).Select(Path.GetFileName));

        using var unfinished = new TempFolder();
        using (var cancel = new CancellationTokenSource())
        {
            cancel.Cancel();
            Assert.ThrowsAny<OperationCanceledException>(() => Builds.Run(Builds.Kws(2), unfinished.Path, cancel: cancel.Token));
        }
        var u = Assert.Throws<DatasetException>(() => MeasurementImporter.Import(
            new MeasurementImportRequest(b.Csv("a.csv", "model,target,latency_ms", $"{Board.Name(0)},x,1")), unfinished.Path));
        Assert.Contains("holds an unfinished build", u.Message);
    }

    [Fact]
    public void A_split_folder_stays_split_after_an_import()
    {
        using var b = new Board();
        b.Import(b.Csv("a.csv", "model,target,latency_ms", $"{Board.Name(0)},x,1", $"{Board.Name(1)},x,2"));
        DatasetSplitter.Split(b.Out, new SplitSettings { Val = 0.3, Test = 0.3, Seed = 1 });
        b.Import(b.Csv("b.csv", "model,target,latency_ms", $"{Board.Name(2)},x,3"));
        DatasetFolder folder = DatasetFolder.Load(b.Out);
        Assert.True(folder.HasSplits);
        Assert.All(folder.Models, m => Assert.NotNull(m.Split));
        Assert.Equal(3, folder.Manifest.Split!.Counts.Values.Sum());
    }
}

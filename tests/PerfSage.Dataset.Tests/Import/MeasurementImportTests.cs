using System.Security.Cryptography;
using System.Text;
using PerfSage.Dataset.Spaces;
using PerfSage.Dataset.Tests.Build;
using PerfSage.Graph;
using PerfSage.Tests.Common;
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
        Assert.Equal(12.5, folder.Models[0].Label("myboard", Metric.LatencyMs));
        Assert.Equal(0.75, folder.Models[0].Label("myboard", Metric.EnergyMj));
        Assert.Equal(96, folder.Models[0].Label("myboard", Metric.PeakRamKb));
        Assert.Null(folder.Models[0].Label("myboard", Metric.FlashKb));
        Assert.Null(folder.Models[1].Label("myboard", Metric.EnergyMj));
        Assert.Equal(40.5, folder.Models[2].Label("myboard", Metric.PeakRamKb));
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
        Assert.Equal(10, folder.Find(b.Id(0))!.Label("board-a", Metric.LatencyMs));
        Assert.Equal(1, folder.Find(b.Id(0))!.Label("board-a", Metric.EnergyMj));
        Assert.Equal("measured:a", folder.Find(b.Id(0))!.Labels["board-a"].Source);
        Assert.Equal(20, folder.Find(b.Id(0))!.Label("board-b", Metric.LatencyMs));
        Assert.Equal(30, folder.Find(b.Id(1))!.Label("board-b", Metric.LatencyMs));
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
        Assert.False(r.Written); // all or nothing: without --skip-bad-rows a bad row stops the import
        Assert.False(Directory.Exists(b.Out));
        Assert.Equal((0, 0), (r.ModelsAdded, r.LabelsAdded));
        Assert.Equal(13, r.Rows);
        Assert.Equal([3L, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14], r.BadRows.Select(x => x.Row));
        string Reason(long row) => r.BadRows.Single(x => x.Row == row).Reason;
        Assert.Equal($"model 'models/missing.tflite': {Path.Combine(b.Root, "models", "missing.tflite")}: no such file", Reason(3));
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

        // With --skip-bad-rows the good row goes in, the bad ones are still reported.
        MeasurementImportResult skipped = b.Import(csv, skip: true);
        Assert.True(skipped.Written);
        Assert.Equal(r.BadRows, skipped.BadRows);
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
        SortedDictionary<string, byte[]> before = FolderSnapshot.Of(b.Out);
        string csv = b.Csv("b.csv", "model,target,latency_ms", $"{Board.Name(1)},x,4", $"{Board.Name(0)},x,11");
        MeasurementImportResult r = b.Import(csv);
        BadRow bad = Assert.Single(r.BadRows);
        Assert.Equal(3, bad.Row);
        Assert.Contains("latency_ms 10 (the folder) vs 11 (this row)", bad.Reason);
        Assert.False(r.Written); // all or nothing: the folder is untouched, byte for byte
        SortedDictionary<string, byte[]> after = FolderSnapshot.Of(b.Out);
        Assert.Equal(before.Keys, after.Keys);
        Assert.All(before, kv => Assert.Equal(kv.Value, after[kv.Key]));

        r = b.Import(csv, skip: true);
        Assert.Equal(3, Assert.Single(r.BadRows).Row);
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
        Assert.Equal(3, folder.Find("kws-s3-000000")!.Label("my-m4-board", Metric.LatencyMs));
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
        Assert.Equal($"{Path.Combine(b.Root, "none.csv")}: no such file",
            Assert.Throws<DatasetException>(() => b.Import(Path.Combine(b.Root, "none.csv"))).Message);
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

    [Fact]
    public void An_unbalanced_quote_spoils_only_its_own_line()
    {
        using var b = new Board();
        string csv = b.Csv("q.csv",
            "model,target,latency_ms",
            $"\"{Board.Name(0)},x,1",          // row 2: a quote that is never closed
            $"{Board.Name(0)},x,2",             // rows 3-5: good
            $"{Board.Name(1)},x,3",
            $"{Board.Name(2)},x,4",
            $"{Board.Name(2)},y,\"5");          // row 6: a quote opened in the last field

        MeasurementImportResult r = b.Import(csv);
        Assert.Equal(5, r.Rows);
        Assert.Equal([2L, 6], r.BadRows.Select(x => x.Row));
        Assert.All(r.BadRows, x => Assert.StartsWith("malformed CSV quoting", x.Reason, StringComparison.Ordinal));
        Assert.False(r.Written);
        Assert.False(Directory.Exists(b.Out));

        r = b.Import(csv, skip: true);
        Assert.Equal([2L, 6], r.BadRows.Select(x => x.Row));
        Assert.Equal((3, 3), (r.ModelsAdded, r.LabelsAdded)); // every row is imported or listed
        DatasetFolder folder = DatasetFolder.Load(b.Out);
        Assert.Equal([2.0, 3.0, 4.0], folder.Models.Select(m => m.Label("x", Metric.LatencyMs)!.Value));
    }

    [SkippableFact]
    public void A_named_pipe_or_a_device_as_the_csv_is_refused_before_it_is_read()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "named pipes and /dev/zero are checked on Linux");
        using var b = new Board();
        string fifo = Path.Combine(b.Root, "pipe.csv");
        HostileFiles.MakeFifo(fifo);
        Exception? e = HostileFiles.WithoutHang(() => Record.Exception(() => b.Import(fifo)), "importing a named pipe");
        Assert.Equal($"{fifo}: is a named pipe (FIFO), not a regular file; a measurement CSV must be a regular file",
            Assert.IsType<DatasetException>(e).Message);
        e = HostileFiles.WithoutHang(() => Record.Exception(() => b.Import("/dev/zero", skip: true)), "importing /dev/zero");
        Assert.Equal("/dev/zero: is a character device, not a regular file; a measurement CSV must be a regular file",
            Assert.IsType<DatasetException>(e).Message);
        Assert.False(Directory.Exists(b.Out));
    }

    [SkippableFact]
    public void A_row_naming_a_pipe_a_device_or_a_folder_is_a_bad_row_with_the_reason()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "named pipes and /dev/zero are checked on Linux");
        using var b = new Board();
        string fifo = Path.Combine(b.Root, "models", "pipe.tflite");
        HostileFiles.MakeFifo(fifo);
        string csv = b.Csv("m.csv",
            "model,target,latency_ms",
            "models/pipe.tflite,x,1",
            "/dev/zero,x,1",
            "models,x,1",
            $"{Board.Name(1)},x,2");
        MeasurementImportResult r = HostileFiles.WithoutHang(() => b.Import(csv, skip: true), "importing rows naming a pipe and /dev/zero");
        Assert.Equal([2L, 3, 4], r.BadRows.Select(x => x.Row));
        Assert.Equal($"model 'models/pipe.tflite': {fifo}: is a named pipe (FIFO), not a regular file; a model must be a regular file", r.BadRows[0].Reason);
        Assert.Equal("model '/dev/zero': /dev/zero: is a character device, not a regular file; a model must be a regular file", r.BadRows[1].Reason);
        Assert.Equal($"model 'models': {Path.Combine(b.Root, "models")}: is a folder, not a regular file; a model must be a regular file", r.BadRows[2].Reason);
        Assert.Equal([b.Id(1)], DatasetFolder.Load(b.Out).Models.Select(m => m.Id));
    }

    [Fact]
    public void A_row_naming_a_file_that_is_no_model_never_quotes_its_bytes()
    {
        using var b = new Board();
        // Like a row naming /etc/passwd or a key: the reason says what is wrong, never what is inside.
        File.WriteAllText(Path.Combine(b.Root, "secret"), "root:x:0:0:SECRET-PASSWORD-1234\n");
        MeasurementImportResult r = b.Import(b.Csv("s.csv", "model,target,latency_ms", "secret,x,1"));
        string reason = Assert.Single(r.BadRows).Reason;
        Assert.StartsWith("model 'secret' is not a valid .tflite file: ", reason, StringComparison.Ordinal);
        Assert.Contains("no \"TFL3\" file identifier at bytes 4..8: not a TFLite model", reason, StringComparison.Ordinal);
        foreach (string piece in new[] { "root", ":x:0", "x:0:", "SECRET", "1234" })
        {
            Assert.DoesNotContain(piece, reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_target_name_training_could_not_use_is_refused_at_import()
    {
        // Regression: import accepted "my.board", then `train --new-target my.board` refused it ('.' separates the
        // parts of parameter names in the weights). One rule now: the import refuses it, naming the rule.
        using var b = new Board();
        string csv = b.Csv("m.csv", "model,target,latency_ms", $"{Board.Name(0)},my.board,3.5", $"{Board.Name(1)},my-board,4.5");
        MeasurementImportResult r = b.Import(csv, skip: true);
        BadRow bad = Assert.Single(r.BadRows);
        Assert.Equal(2L, bad.Row);
        Assert.Equal("target 'my.board' is not a valid target name (letters, digits, '_' and '-', starting with a letter or digit, at most 64 characters)", bad.Reason);
        var e = Assert.Throws<DatasetException>(() => b.Import(b.Csv("n.csv", "model,latency_ms", $"{Board.Name(0)},3.5"), target: "my.board"));
        Assert.Contains("target 'my.board' is not a valid target name", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_huge_field_is_cut_short_in_the_reason()
    {
        using var b = new Board();
        string letters = new('z', 10 << 20); // 10 MB
        string huge = new('7', 10 << 20);     // 10 MB of digits: past any double
        string csv = b.Csv("h.csv", "model,target,latency_ms",
            $"{Board.Name(0)},x,{letters}",   // row 2: not a number
            $"{Board.Name(0)},{letters},1",   // row 3: not a target name
            $"{letters},x,1",                 // row 4: a path no file system takes
            $"{Board.Name(1)},x,{huge}");     // row 5: a number too large for a double
        MeasurementImportResult r = b.Import(csv);
        string cut = new string('z', 80) + "…";
        Assert.Equal([2L, 3, 4, 5], r.BadRows.Select(x => x.Row));
        Assert.Equal($"latency_ms '{cut}' is not a number", r.BadRows[0].Reason);
        Assert.Equal($"target '{cut}' is not a valid target name (letters, digits, '_' and '-', starting with a letter or digit, at most 64 characters)", r.BadRows[1].Reason);
        Assert.Equal($"model '{cut}': the path is {10 << 20} characters long, longer than a file system takes", r.BadRows[2].Reason);
        Assert.Equal($"latency_ms '{new string('7', 80)}…' is not a number", r.BadRows[3].Reason);
    }

    [SkippableFact]
    public void A_model_whose_name_is_not_utf8_is_named_as_such()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "file names are bytes on Linux");
        using var b = new Board();
        string decoded = HostileFiles.MakeNonUtf8Name(Path.Combine(b.Root, "models"), ".tflite", File.ReadAllBytes(b.Model(0)));
        Assert.False(File.Exists(decoded)); // the name .NET decodes opens nothing
        string csv = Path.Combine(b.Root, "u.csv");
        File.WriteAllBytes(csv, [.. Encoding.UTF8.GetBytes("model,target,latency_ms\nmodels/"), 0xFF, .. Encoding.UTF8.GetBytes(".tflite,x,1\n")]);
        MeasurementImportResult r = b.Import(csv);
        Assert.Equal($"model 'models/\uFFFD.tflite': {decoded}: the file name is not valid UTF-8, which PerfSage cannot open; rename the file",
            Assert.Single(r.BadRows).Reason);
    }
}

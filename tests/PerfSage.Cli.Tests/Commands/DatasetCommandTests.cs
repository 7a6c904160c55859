using System.Globalization;
using PerfSage.Dataset;
using PerfSage.Dataset.Spaces;
using PerfSage.Graph;
using PerfSage.Targets;
using PerfSage.Tests.Common;

namespace PerfSage.Cli.Tests;

public class DatasetCommandTests
{
    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static void AssertOneErrorLine(string stderr, string expected)
    {
        string error = Assert.Single(Lines(stderr), l => l.StartsWith("perfsage: error: ", StringComparison.Ordinal));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Build_writes_the_folder_and_one_summary_line_on_stdout()
    {
        using var tmp = new ScratchFolder();
        string dir = tmp.Sub("kws");
        (int code, string stdout, string stderr) = CliRunner.Run(
            "dataset", "build", "--space", "kws", "--count", "4", "--target", "cortex-m4", "ethos-u55-128", "--out", dir, "--seed", "2", "--jobs", "2");
        Assert.True(code == 0, stderr);
        string summary = Assert.Single(Lines(stdout)); // progress and logs go to stderr only
        Assert.StartsWith($"built {dir}: 4 models (4 built, 0 already done), 8 labels", summary);
        Assert.DoesNotContain("error", stderr);
        Assert.Equal(9, File.ReadAllLines(Path.Combine(dir, "labels.csv")).Length);
        Assert.Equal(4, Directory.GetFiles(Path.Combine(dir, "graphs")).Length);
        DatasetManifest manifest = DatasetJson.ReadManifest(dir);
        Assert.Equal(2UL, manifest.Seeds.Single());
        Assert.Equal(["kws"], manifest.Spaces);
        Assert.Equal(4, manifest.Counts.Models);
        Assert.Equal(8, manifest.Counts.Labels);
        Assert.Equal(4, manifest.Counts.LabelsPerTarget["cortex-m4"]);
        Assert.Equal(4, manifest.Counts.LabelsPerTarget["ethos-u55-128"]);
        Assert.Equal(Enumerable.Range(0, 4).Select(i => $"kws-s2-{i:D6}"), DatasetFolder.Load(dir, verifyGraphs: true).Models.Select(m => m.Id));

        (int again, string stdout2, _) = CliRunner.Run(
            "dataset", "build", "--space", "kws", "--count", "4", "--target", "ethos-u55-128", "cortex-m4", "--out", dir, "--seed", "2", "-q");
        Assert.Equal(0, again);
        Assert.StartsWith($"built {dir}: 4 models (0 built, 4 already done)", stdout2);
    }

    [Fact]
    public void All_targets_labels_every_catalog_target()
    {
        using var tmp = new ScratchFolder();
        (int code, _, string stderr) = CliRunner.Run("dataset", "build", "--space", "ad", "--count", "1", "--all-targets", "--out", tmp.Sub("ad"), "-q");
        Assert.True(code == 0, stderr);
        Assert.Equal(TargetCatalog.LoadDefault().Ids, DatasetFolder.Load(tmp.Sub("ad")).Targets);
    }

    [Theory]
    [InlineData("no targets: give --target T (one or more) or --all-targets", "--space", "kws", "--count", "2")]
    [InlineData("give --target or --all-targets, not both", "--space", "kws", "--count", "2", "--target", "cortex-m4", "--all-targets")]
    [InlineData("unknown search space 'cifar' (valid: kws, vww", "--space", "cifar", "--count", "2", "--target", "cortex-m4")]
    [InlineData("unknown target 'cortex-m99'", "--space", "kws", "--count", "2", "--target", "cortex-m99")]
    [InlineData("shard 3/2: expected i/n with 0 <= i < n", "--space", "kws", "--count", "2", "--target", "cortex-m4", "--shard", "3/2")]
    [InlineData("--jobs 0: must be at least 1", "--space", "kws", "--count", "2", "--target", "cortex-m4", "--jobs", "0")]
    [InlineData("count 0: a build needs at least 1 model", "--space", "kws", "--count", "0", "--target", "cortex-m4")]
    public void Bad_build_arguments_exit_2_with_one_line(string expected, params string[] args)
    {
        using var tmp = new ScratchFolder();
        (int code, string stdout, string stderr) = CliRunner.Run(["dataset", "build", "--out", tmp.Sub("x"), .. args]);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        AssertOneErrorLine(stderr, expected);
        Assert.False(Directory.Exists(tmp.Sub("x")));
    }

    [Fact]
    public void Rebuilding_with_other_arguments_exits_2_naming_the_difference()
    {
        using var tmp = new ScratchFolder();
        string dir = tmp.Sub("d");
        Assert.Equal(0, CliRunner.Run("dataset", "build", "--space", "kws", "--count", "2", "--target", "cortex-m4", "--out", dir, "-q").ExitCode);
        (int code, string stdout, string stderr) = CliRunner.Run("dataset", "build", "--space", "kws", "--count", "3", "--target", "cortex-m4", "--out", dir);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        AssertOneErrorLine(stderr, $"{dir} holds another build (count: 2 vs 3");
    }

    [Fact]
    public void Shards_built_apart_merge_into_the_whole_build()
    {
        using var tmp = new ScratchFolder();
        string[] common = ["dataset", "build", "--space", "kws", "--count", "5", "--target", "cortex-m4", "-q"];
        Assert.Equal(0, CliRunner.Run([.. common, "--out", tmp.Sub("whole")]).ExitCode);
        Assert.Equal(0, CliRunner.Run([.. common, "--out", tmp.Sub("s0"), "--shard", "0/2"]).ExitCode);
        Assert.Equal(0, CliRunner.Run([.. common, "--out", tmp.Sub("s1"), "--shard", "1/2"]).ExitCode);
        (int code, string stdout, string stderr) = CliRunner.Run("dataset", "merge", "--out", tmp.Sub("m"), tmp.Sub("s1"), tmp.Sub("s0"));
        Assert.True(code == 0, stderr);
        Assert.StartsWith($"merged {tmp.Sub("m")}: 5 models", Assert.Single(Lines(stdout)));
        foreach (string file in new[] { "labels.csv", "models.csv", "dataset.json" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(tmp.Sub("whole"), file)), File.ReadAllBytes(Path.Combine(tmp.Sub("m"), file)));
        }
        (int dup, _, string dupErr) = CliRunner.Run("dataset", "merge", "--out", tmp.Sub("m2"), tmp.Sub("s1"), tmp.Sub("s1"));
        Assert.Equal(2, dup);
        AssertOneErrorLine(dupErr, "shard 1/2 is in both");
    }

    private static string WriteModel(string dir, string name, long index)
    {
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, name);
        File.WriteAllBytes(path, GraphExporter.Write(SearchSpaces.Get("kws").Sample(5, index).Graph, 1));
        return path;
    }

    [Fact]
    public void Import_lists_bad_rows_with_their_number_and_exits_2_unless_told_to_skip()
    {
        using var tmp = new ScratchFolder();
        WriteModel(tmp.Sub("models"), "a.tflite", 0);
        WriteModel(tmp.Sub("models"), "b.tflite", 1);
        string csv = tmp.Sub("board.csv");
        File.WriteAllLines(csv, ["model,target,latency_ms", "models/a.tflite,board,3.5", "models/nope.tflite,board,1", "models/b.tflite,board,-4"]);
        string dir = tmp.Sub("data");

        // All or nothing (docs/DATASETS.md): every bad row listed, nothing written, exit 2.
        (int code, string stdout, string stderr) = CliRunner.Run("dataset", "import", "--measurements", csv, "--out", dir);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal(
        [
            $"perfsage: {csv}: row 3: model 'models/nope.tflite': {tmp.Sub("models/nope.tflite")}: no such file",
            $"perfsage: {csv}: row 4: latency_ms -4 is not positive",
            $"perfsage: error: {csv}: 2 bad row(s) of 3, so nothing was imported (fix them, or pass --skip-bad-rows to import the good rows without them)",
        ], Lines(stderr));
        Assert.False(Directory.Exists(dir));

        // With --skip-bad-rows the good row is imported and the bad ones still listed (exit 0).
        (code, stdout, stderr) = CliRunner.Run("dataset", "import", "--measurements", csv, "--out", dir, "--skip-bad-rows");
        Assert.True(code == 0, stderr);
        Assert.Contains("row 3", stderr);
        Assert.Contains("1 new models", stdout);
        Assert.Contains("2 bad rows skipped", stdout);
        DatasetModel m = Assert.Single(DatasetFolder.Load(dir).Models);
        Assert.Equal(3.5, m.Label("board", Metric.LatencyMs));

        // Again: nothing new; without the option the bad rows still stop it, and the folder stays as it was.
        (code, stdout, _) = CliRunner.Run("dataset", "import", "--measurements", csv, "--out", dir, "--skip-bad-rows");
        Assert.Equal(0, code);
        Assert.StartsWith("nothing new in", stdout);
        byte[] labels = File.ReadAllBytes(Path.Combine(dir, "labels.csv"));
        File.WriteAllLines(csv, ["model,target,latency_ms", "models/b.tflite,board,4", "models/b.tflite,board,-4"]);
        (code, _, _) = CliRunner.Run("dataset", "import", "--measurements", csv, "--out", dir);
        Assert.Equal(2, code);
        Assert.Equal(labels, File.ReadAllBytes(Path.Combine(dir, "labels.csv")));
        Assert.Single(DatasetFolder.Load(dir).Models);
    }

    [Fact]
    public void Import_with_an_unbalanced_quote_imports_the_rows_after_it()
    {
        using var tmp = new ScratchFolder();
        for (int i = 0; i < 3; i++)
        {
            WriteModel(tmp.Sub("models"), $"m{i}.tflite", i);
        }
        string csv = tmp.Sub("board.csv");
        File.WriteAllLines(csv, ["model,target,latency_ms", "\"models/m0.tflite,board,1", "models/m0.tflite,board,2", "models/m1.tflite,board,3", "models/m2.tflite,board,4"]);
        string dir = tmp.Sub("data");
        (int code, string stdout, string stderr) = CliRunner.Run("dataset", "import", "--measurements", csv, "--out", dir, "--skip-bad-rows");
        Assert.True(code == 0, stderr);
        Assert.Equal($"perfsage: {csv}: row 2: malformed CSV quoting (an unclosed or stray quote; a quoted field ends at its line)", Lines(stderr).Single());
        Assert.Contains("3 new models, 3 new labels", stdout);
        Assert.Contains("1 bad rows skipped", stdout);
        Assert.Equal([2.0, 3.0, 4.0], DatasetFolder.Load(dir).Models.Select(m => m.Label("board", Metric.LatencyMs)!.Value));
    }

    [Fact]
    public void Import_quotes_no_bytes_of_a_file_a_row_names_and_cuts_a_huge_field()
    {
        using var tmp = new ScratchFolder();
        WriteModel(tmp.Sub("models"), "a.tflite", 0);
        File.WriteAllText(tmp.Sub("passwd"), "root:x:0:0:root:/root:/bin/bash\n");
        string csv = tmp.Sub("board.csv");
        string huge = new('x', 10 << 20); // 10 MB
        File.WriteAllLines(csv, ["model,target,latency_ms", "passwd,board,1", $"models/a.tflite,board,{huge}"]);
        (int code, string stdout, string stderr) = CliRunner.Run("dataset", "import", "--measurements", csv, "--out", tmp.Sub("data"));
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        string[] lines = Lines(stderr);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith($"perfsage: {csv}: row 2: model 'passwd' is not a valid .tflite file: ", lines[0], StringComparison.Ordinal);
        Assert.Contains("not a TFLite model", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("root", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("x:0", lines[0], StringComparison.Ordinal);
        Assert.Equal($"perfsage: {csv}: row 3: latency_ms '{new string('x', 80)}…' is not a number", lines[1]);
        Assert.True(stderr.Length < 2000, $"stderr holds {stderr.Length} characters");
    }

    [SkippableFact]
    public void Import_of_a_pipe_or_dev_zero_exits_2_at_once()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "named pipes and /dev/zero are checked on Linux");
        using var tmp = new ScratchFolder();
        string fifo = tmp.Sub("pipe.csv");
        HostileFiles.MakeFifo(fifo);
        foreach (string[] args in new[]
        {
            new[] { "dataset", "import", "--measurements", fifo, "--out", tmp.Sub("a"), "--skip-bad-rows" },
            new[] { "dataset", "import", "--measurements", "/dev/zero", "--out", tmp.Sub("a") },
            new[] { "dataset", "import-nb201", "--csv", fifo, "--out", tmp.Sub("b") },
            new[] { "dataset", "import-nb201", "--csv", "/dev/zero", "--out", tmp.Sub("b") },
        })
        {
            (int code, string stdout, string stderr) = HostileFiles.WithoutHang(() => CliRunner.Run(args), string.Join(' ', args));
            Assert.Equal(2, code);
            Assert.Equal("", stdout);
            string file = args[3];
            string kind = file == fifo ? "a named pipe (FIFO)" : "a character device";
            AssertOneErrorLine(stderr, $"{file}: is {kind}, not a regular file; a ");
        }
        Assert.False(Directory.Exists(tmp.Sub("a")));
        Assert.False(Directory.Exists(tmp.Sub("b")));

        // A row naming the pipe as its model is a bad row, not a hang.
        WriteModel(tmp.Sub("models"), "a.tflite", 0);
        string model = tmp.Sub("models/pipe.tflite");
        HostileFiles.MakeFifo(model);
        string csv = tmp.Sub("rows.csv");
        File.WriteAllLines(csv, ["model,target,latency_ms", "models/pipe.tflite,board,1", "models/a.tflite,board,2"]);
        (int c, string o, string e) = HostileFiles.WithoutHang(
            () => CliRunner.Run("dataset", "import", "--measurements", csv, "--out", tmp.Sub("c"), "--skip-bad-rows"), "import of a pipe row");
        Assert.True(c == 0, e);
        Assert.Contains("1 new models", o);
        Assert.Equal($"perfsage: {csv}: row 2: model 'models/pipe.tflite': {model}: is a named pipe (FIFO), not a regular file; a model must be a regular file", Lines(e).Single());
    }

    [SkippableFact]
    public void Import_says_when_a_model_name_is_not_utf8()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "file names are bytes on Linux");
        using var tmp = new ScratchFolder();
        string good = WriteModel(tmp.Sub("models"), "a.tflite", 0);
        string decoded = HostileFiles.MakeNonUtf8Name(tmp.Sub("models"), ".tflite", File.ReadAllBytes(good));
        string csv = tmp.Sub("board.csv");
        File.WriteAllBytes(csv, [.. "model,target,latency_ms\nmodels/"u8, 0xFF, .. ".tflite,board,1\n"u8]);
        (int code, _, string stderr) = CliRunner.Run("dataset", "import", "--measurements", csv, "--out", tmp.Sub("data"));
        Assert.Equal(2, code);
        Assert.Equal($"perfsage: {csv}: row 2: model 'models/\uFFFD.tflite': {decoded}: the file name is not valid UTF-8, which PerfSage cannot open; rename the file",
            Lines(stderr)[0]);
        Assert.DoesNotContain("Could not find file", stderr);
    }

    [Fact]
    public void Import_with_a_target_option_and_a_bad_header()
    {
        using var tmp = new ScratchFolder();
        WriteModel(tmp.Sub("m"), "a.tflite", 2);
        string csv = tmp.Sub("t.csv");
        File.WriteAllLines(csv, ["model,latency_ms", "m/a.tflite,7"]);
        (int code, string stdout, string stderr) = CliRunner.Run("dataset", "import", "--measurements", csv, "--out", tmp.Sub("d"), "--target", "rpi-pico");
        Assert.True(code == 0, stderr);
        Assert.Equal(["rpi-pico"], DatasetFolder.Load(tmp.Sub("d")).Targets);
        Assert.Contains("1 new models", stdout);

        File.WriteAllLines(csv, ["model,target,latency_us", "m/a.tflite,x,7"]);
        (code, stdout, stderr) = CliRunner.Run("dataset", "import", "--measurements", csv, "--out", tmp.Sub("d"));
        Assert.Equal(2, code);
        AssertOneErrorLine(stderr, "unknown column 'latency_us'");
    }

    [Fact]
    public void Import_nb201_and_split_from_the_command_line()
    {
        using var tmp = new ScratchFolder();
        string csv = tmp.Sub("nb.csv");
        File.WriteAllLines(csv,
        [
            "nb201_index,arch,raspi4",
            "1,|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|,54.8",
            "4,|skip_connect~0|+|skip_connect~0|nor_conv_1x1~1|+|skip_connect~0|skip_connect~1|nor_conv_1x1~2|,7.6",
            "8,|nor_conv_1x1~0|+|avg_pool_3x3~0|skip_connect~1|+|skip_connect~0|none~1|nor_conv_3x3~2|,24.8",
        ]);
        string dir = tmp.Sub("nb");
        (int code, string stdout, string stderr) = CliRunner.Run("dataset", "import-nb201", "--csv", csv, "--out", dir, "--limit", "2", "-q");
        Assert.True(code == 0, stderr);
        // Without --graph, each architecture as its three graph variants, each with the row's labels.
        Assert.StartsWith($"imported NAS-Bench-201 into {dir}: 6 models (6 built, 0 already done), 6 labels", stdout);
        Assert.Equal(7.6, DatasetFolder.Load(dir).Find("nb201-00004-pruned")!.Label("raspi4", Metric.LatencyMs));

        (code, stdout, stderr) = CliRunner.Run("dataset", "split", dir, "--val", "0.25", "--test", "0.25", "--seed", "3");
        Assert.True(code == 0, stderr);
        SplitInfo split = DatasetJson.ReadManifest(dir).Split!;
        string expected = string.Create(CultureInfo.InvariantCulture,
            $"split {dir} by hash (seed 3): train {split.Counts["train"]}, val {split.Counts["val"]}, test {split.Counts["test"]}");
        Assert.Equal(expected, stdout.TrimEnd('\n'));
        Assert.Equal(6, split.Counts.Values.Sum());

        (code, _, stderr) = CliRunner.Run("dataset", "split", tmp.Sub("none"));
        Assert.Equal(2, code);
        AssertOneErrorLine(stderr, "dataset folder not found");
        (code, _, stderr) = CliRunner.Run("dataset", "split", dir, "--val", "0.6", "--test", "0.6");
        Assert.Equal(2, code);
        AssertOneErrorLine(stderr, "val + test < 1");
    }

    [Fact]
    public void Import_fbnet_writes_weightless_graphs_per_batch_and_inspect_says_so()
    {
        using var tmp = new ScratchFolder();
        string csv = tmp.Sub("fb.csv");
        string skip = string.Join('|', Enumerable.Repeat("skip", 22));
        File.WriteAllLines(csv, ["fbnet_index,arch,1080ti_1,1080ti_32,gold_6226", $"5,{skip},3.5,9,12.25"]);
        string dir = tmp.Sub("fb");
        (int code, string stdout, string stderr) = CliRunner.Run("dataset", "import-fbnet", "--csv", csv, "--out", dir, "-q");
        Assert.True(code == 0, stderr);
        // One architecture, two batch sizes (1: 1080ti_1 and gold_6226; 32: 1080ti_32), three labels.
        Assert.StartsWith($"imported FBNet into {dir}: 2 models (2 built, 0 already done), 3 labels", stdout);
        DatasetFolder folder = DatasetFolder.Load(dir);
        Assert.Equal(9, folder.Find("fbnet-00005-b32")!.Label("1080ti_32", Metric.LatencyMs));

        string graph = folder.Find("fbnet-00005-b32")!.GraphPath;
        (code, stdout, stderr) = CliRunner.Run("inspect", graph);
        Assert.True(code == 0, stderr);
        Assert.Contains("weights", stdout);
        Assert.Contains("none (flash bytes: the size declared for the file with weights)", stdout);
        // 32 × 11,608,960 MACs (the all-skip network, FbnetNetworkTests) = 371,486,720.
        Assert.Contains("371,486,720", stdout);
        (code, stdout, stderr) = CliRunner.Run("inspect", graph, "--format", "json");
        Assert.True(code == 0, stderr);
        using var json = System.Text.Json.JsonDocument.Parse(stdout);
        Assert.Equal("none", json.RootElement.GetProperty("weights").GetString());
        Assert.Equal(371_486_720, json.RootElement.GetProperty("macs").GetInt64());
        Assert.True(json.RootElement.GetProperty("flash_bytes").GetInt64() > new FileInfo(graph).Length);

        (code, _, stderr) = CliRunner.Run("dataset", "import-fbnet", "--csv", csv, "--out", tmp.Sub("x"), "--input", "mnist");
        Assert.Equal(2, code);
        Assert.Contains("mnist", stderr);
    }
}

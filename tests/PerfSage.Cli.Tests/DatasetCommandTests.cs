using System.Globalization;
using PerfSage.Dataset;
using PerfSage.Dataset.Spaces;
using PerfSage.Graph;
using PerfSage.Targets;

namespace PerfSage.Cli.Tests;

/// <summary>A fresh temporary folder, deleted on dispose.</summary>
internal sealed class ScratchFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"perfsage-cli-{Guid.NewGuid():N}");

    public ScratchFolder() => Directory.CreateDirectory(Path);

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

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
        Assert.Contains("[INF] build kws: 4/4 models", stderr);
        Assert.Equal(9, File.ReadAllLines(Path.Combine(dir, "labels.csv")).Length);
        Assert.Equal(4, Directory.GetFiles(Path.Combine(dir, "graphs")).Length);
        Assert.Equal(2UL, DatasetJson.ReadManifest(dir).Seeds.Single());

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

        (int code, string stdout, string stderr) = CliRunner.Run("dataset", "import", "--measurements", csv, "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains("1 new models", stdout); // the good row is imported, the bad ones skipped
        string[] lines = Lines(stderr);
        Assert.Contains($"perfsage: {csv}: row 3: model file 'models/nope.tflite' not found", lines[0]);
        Assert.Equal($"perfsage: {csv}: row 4: latency_ms -4 is not positive", lines[1]);
        AssertOneErrorLine(stderr, $"{csv}: 2 bad row(s) of 3 skipped, the good rows imported");
        Assert.True(Directory.Exists(dir));

        DatasetModel m = Assert.Single(DatasetFolder.Load(dir).Models);
        Assert.Equal(3.5, m.Label("board", LabelMetric.LatencyMs));

        // With --skip-bad-rows the same file is accepted (exit 0); it brings nothing new now.
        (code, stdout, stderr) = CliRunner.Run("dataset", "import", "--measurements", csv, "--out", dir, "--skip-bad-rows");
        Assert.True(code == 0, stderr);
        Assert.Contains("row 3", stderr);
        Assert.StartsWith("nothing new in", stdout);
        Assert.Contains("2 bad rows skipped", stdout);
        Assert.Single(DatasetFolder.Load(dir).Models);
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
        Assert.StartsWith($"imported NAS-Bench-201 into {dir}: 2 models (2 built, 0 already done), 2 labels", stdout);
        Assert.Equal(7.6, DatasetFolder.Load(dir).Find("nb201-00004")!.Label("raspi4", LabelMetric.LatencyMs));

        (code, stdout, stderr) = CliRunner.Run("dataset", "split", dir, "--val", "0.25", "--test", "0.25", "--seed", "3");
        Assert.True(code == 0, stderr);
        SplitInfo split = DatasetJson.ReadManifest(dir).Split!;
        string expected = string.Create(CultureInfo.InvariantCulture,
            $"split {dir} by hash (seed 3): train {split.Counts["train"]}, val {split.Counts["val"]}, test {split.Counts["test"]}");
        Assert.Equal(expected, stdout.TrimEnd('\n'));
        Assert.Equal(2, split.Counts.Values.Sum());

        (code, _, stderr) = CliRunner.Run("dataset", "split", tmp.Sub("none"));
        Assert.Equal(2, code);
        AssertOneErrorLine(stderr, "dataset folder not found");
        (code, _, stderr) = CliRunner.Run("dataset", "split", dir, "--val", "0.6", "--test", "0.6");
        Assert.Equal(2, code);
        AssertOneErrorLine(stderr, "val + test < 1");
    }
}

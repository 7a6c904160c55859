using System.Text.Json;
using PerfSage.Dataset;
using PerfSage.Dataset.Spaces;
using PerfSage.Graph;
using PerfSage.Tests.Common;

namespace PerfSage.Cli.Tests;

/// <summary>
/// <c>dataset import --from vela|benchmark-model|mlperf-tiny</c> end to end: each importer's fixture (Fixtures/&lt;tool&gt;,
/// README there) with models written by the exporter is imported through the CLI, and the folder feeds
/// <c>train --from models/perfsage-default --new-target NAME</c> and <c>eval --few-shot</c> unchanged. The values of the
/// labels are checked in PerfSage.Dataset.Tests (Import/Tools); here the whole path must run and report what it read.
/// </summary>
public class ToolImportCommandTests
{
    private static string DefaultModel => Path.Combine(SharedData.RepoRoot, "models", "perfsage-default");

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>A copy of Fixtures/<paramref name="tool"/> under <paramref name="tmp"/>.</summary>
    private static string CopyFixture(ScratchFolder tmp, string tool)
    {
        string source = Path.Combine(AppContext.BaseDirectory, "Fixtures", tool);
        Assert.True(Directory.Exists(source), $"fixture folder {source} is missing");
        string to = tmp.Sub(tool);
        foreach (string file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return to;
    }

    /// <summary>Writes NAME.tflite for each name (kws samples of <paramref name="seed"/>) into <paramref name="dir"/>.</summary>
    private static string WriteModels(string dir, IEnumerable<string> names, int seed = 1)
    {
        Directory.CreateDirectory(dir);
        int i = 0;
        foreach (string name in names)
        {
            File.WriteAllBytes(Path.Combine(dir, name + ".tflite"), GraphExporter.Write(SearchSpaces.Get("kws").Sample((ulong)seed, i++).Graph, seed));
        }
        return dir;
    }

    private static IEnumerable<string> Nets => Enumerable.Range(0, 12).Select(i => $"net{i:D2}");

    /// <summary>train --new-target and eval --few-shot on an imported folder of 12 labelled models.</summary>
    private static void TrainAndEvaluate(ScratchFolder tmp, string data, string target)
    {
        Assert.Equal(12, DatasetFolder.Load(data, verifyGraphs: true).Models.Count);
        string model = tmp.Sub("with-" + target);
        (int code, string stdout, string stderr) = CliRunner.Run("train", "--from", DefaultModel, "--new-target", target, "--data", data, "--out", model, "--jobs", "2");
        Assert.True(code == 0, stderr);
        Assert.Contains($"new head(s) for {target}", stdout, StringComparison.Ordinal);

        (code, stdout, stderr) = CliRunner.Run("eval", "--few-shot", "5,10", "--repeats", "1", "--data", data, "--target", target,
            "--from", DefaultModel, "--seed", "3", "--format", "json", "--fit-steps", "60", "--jobs", "2");
        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        Assert.Equal(target, doc.RootElement.GetProperty("target").GetString());
        Assert.Equal(12, doc.RootElement.GetProperty("labelled_count").GetInt32());
        Assert.Equal([5, 10], doc.RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("k").GetInt32()));
        Assert.All(doc.RootElement.GetProperty("results").EnumerateArray(), r => Assert.True(double.IsFinite(r.GetProperty("mape_pct").GetDouble())));
    }

    [SkippableFact]
    public void Vela_output_feeds_new_target_training_and_few_shot_evaluation()
    {
        Skip.IfNot(File.Exists(Path.Combine(DefaultModel, "manifest.json")), "models/perfsage-default is not trained yet");
        using var tmp = new ScratchFolder();
        string input = CopyFixture(tmp, "vela");
        string models = WriteModels(tmp.Sub("models"), Nets);
        string data = tmp.Sub("vela-data");
        // The shipped model already has an ethos-u55-128 head (PerfSage's own estimate), so Vela's figures get their own name.
        (int code, string stdout, string stderr) = CliRunner.Run("dataset", "import", "--from", "vela", "--input", input, "--models", models,
            "--target", "ethos-u55-128-vela", "--out", data);
        Assert.True(code == 0, stderr);
        Assert.Equal($"imported vela output into {data}: 12 new models, 12 new labels, 0 updated, 0 unchanged, 0 duplicate rows merged; "
            + "the folder holds 12 models and 12 labels", Assert.Single(Lines(stdout)));
        TrainAndEvaluate(tmp, data, "ethos-u55-128-vela");
    }

    [SkippableFact]
    public void Benchmark_model_logs_feed_new_target_training_and_few_shot_evaluation()
    {
        Skip.IfNot(File.Exists(Path.Combine(DefaultModel, "manifest.json")), "models/perfsage-default is not trained yet");
        using var tmp = new ScratchFolder();
        string input = CopyFixture(tmp, "benchmark-model");
        string models = WriteModels(tmp.Sub("models"), Nets);
        string data = tmp.Sub("bm-data");
        (int code, string stdout, string stderr) = CliRunner.Run("dataset", "import", "--from", "benchmark-model", "--input", input,
            "--models", models, "--target", "pixel4-cpu", "--out", data);
        Assert.True(code == 0, stderr);
        Assert.StartsWith($"imported benchmark-model output into {data}: 12 new models, 12 new labels", Assert.Single(Lines(stdout)), StringComparison.Ordinal);
        TrainAndEvaluate(tmp, data, "pixel4-cpu");
    }

    [SkippableFact]
    public void Mlperf_tiny_rounds_feed_new_target_training_and_few_shot_evaluation()
    {
        Skip.IfNot(File.Exists(Path.Combine(DefaultModel, "manifest.json")), "models/perfsage-default is not trained yet");
        using var tmp = new ScratchFolder();
        string input = CopyFixture(tmp, "mlperf-tiny");
        string system = Path.Combine(input, "open", "Acme", "systems", "acme-board.json");
        string data = tmp.Sub("tiny-data");
        for (int round = 1; round <= 3; round++)
        {
            // Each open-division round ran its own four models; the model of a benchmark is given by name.
            string models = WriteModels(tmp.Sub($"models-r{round}"), ["kws", "vww", "ic", "ad"], seed: round);
            (int code, string stdout, string stderr) = CliRunner.Run("dataset", "import", "--from", "mlperf-tiny",
                "--input", Path.Combine(input, "open", "Acme", "results", $"acme-board_round{round}"), "--system", system,
                "--model", $"kws={Path.Combine(models, "kws.tflite")}", "--models", models, "--out", data);
            Assert.True(code == 0, stderr);
            Assert.StartsWith($"imported mlperf-tiny output into {data}: 4 new models, 4 new labels", Assert.Single(Lines(stdout)), StringComparison.Ordinal);
        }
        TrainAndEvaluate(tmp, data, "nucleo-h7a3zi-q-280mhz");
    }

    [Fact]
    public void Bad_records_are_listed_by_file_and_line_and_nothing_is_written()
    {
        using var tmp = new ScratchFolder();
        string input = CopyFixture(tmp, "vela");
        string models = WriteModels(tmp.Sub("models"), Nets);
        string summary = Path.Combine(input, "net03_summary_internal-default.csv");
        File.WriteAllText(summary, File.ReadAllText(summary).Replace("Ethos_U55_128", "Ethos_U99_7", StringComparison.Ordinal));
        string data = tmp.Sub("data");

        (int code, string stdout, string stderr) = CliRunner.Run("dataset", "import", "--from", "vela", "--input", input, "--models", models, "--out", data);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal(
        [
            $"perfsage: {summary}: line 2: accelerator_configuration 'Ethos_U99_7' is not an Ethos-U configuration (Ethos_U55_128, ethos-u65-256, ...)",
            $"perfsage: error: {input}: 1 bad record(s) of 12, so nothing was imported (fix them, or pass --skip-bad-rows to import the good ones without them)",
        ], Lines(stderr));
        Assert.False(Directory.Exists(data));

        (code, stdout, _) = CliRunner.Run("dataset", "import", "--from", "vela", "--input", input, "--models", models, "--out", data, "--skip-bad-rows");
        Assert.Equal(0, code);
        Assert.Contains("11 new labels", stdout, StringComparison.Ordinal);
        Assert.Contains("1 bad rows skipped", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dataset import: give --measurements CSV, or --from vela|benchmark-model|mlperf-tiny with --input")]
    [InlineData("dataset import: --measurements and --from exclude each other", "--measurements", "m.csv", "--from", "vela", "--input", "x")]
    [InlineData("dataset import: --input, --models, --model and --system go with --from", "--measurements", "m.csv", "--models", "x")]
    [InlineData("--model 'kws': expected NAME=PATH", "--from", "mlperf-tiny", "--input", "x", "--model", "kws")]
    [InlineData("--from benchmark-model: give the tool's output with --input FILE|DIR", "--from", "benchmark-model", "--target", "b")]
    [InlineData("--from benchmark-model needs --target NAME", "--from", "benchmark-model", "--input", ".")]
    public void Option_mistakes_exit_2_with_one_line(string expected, params string[] args)
    {
        using var tmp = new ScratchFolder();
        (int code, _, string stderr) = CliRunner.Run(["dataset", "import", "--out", tmp.Sub("o"), .. args]);
        Assert.Equal(2, code);
        string line = Assert.Single(Lines(stderr));
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_named_pipe_as_input_exits_2_with_one_line()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "mkfifo");
        using var tmp = new ScratchFolder();
        string fifo = tmp.Sub("run.log");
        HostileFiles.MakeFifo(fifo);
        (int code, string stdout, string stderr) = HostileFiles.WithoutHang(
            () => CliRunner.Run("dataset", "import", "--from", "benchmark-model", "--input", fifo, "--target", "b", "--out", tmp.Sub("o")), "a pipe as input");
        Assert.Equal((2, ""), (code, stdout));
        Assert.Equal($"perfsage: error: {fifo}: is a named pipe (FIFO), not a regular file; a benchmark_model log (*.log, *.txt) must be a regular file",
            Assert.Single(Lines(stderr)));
    }
}

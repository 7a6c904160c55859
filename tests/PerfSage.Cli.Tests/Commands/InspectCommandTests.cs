using System.Text.Json;
using PerfSage.Tests.Common;

namespace PerfSage.Cli.Tests;

public class InspectCommandTests
{
    [Fact]
    public void Missing_file_exits_2_naming_the_file()
    {
        string path = Path.Combine(Path.GetTempPath(), "perfsage-no-such-model.tflite");
        (int code, string stdout, string stderr) = CliRunner.Run("inspect", path);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        string line = Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Equal($"perfsage: error: {path}: no such file", line); // the wording of PerfSage.IO.InputFile
    }

    [Fact]
    public void Text_file_exits_2_with_one_line_naming_file_and_cause()
    {
        string path = Path.Combine(Path.GetTempPath(), $"perfsage-text-{Guid.NewGuid():N}.tflite");
        File.WriteAllText(path, "this is not a flatbuffer, just some text that is long enough\n");
        try
        {
            (int code, string stdout, string stderr) = CliRunner.Run("inspect", path, "--format", "json");
            Assert.Equal(2, code);
            Assert.Equal("", stdout);
            string line = Assert.Single(stderr.TrimEnd('\n').Split('\n'));
            Assert.StartsWith("perfsage: error: ", line);
            Assert.Contains(path, line);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Empty_file_exits_2()
    {
        string path = Path.Combine(Path.GetTempPath(), $"perfsage-empty-{Guid.NewGuid():N}.tflite");
        File.WriteAllBytes(path, []);
        try
        {
            (int code, _, string stderr) = CliRunner.Run("inspect", path);
            Assert.Equal(2, code);
            Assert.Contains(path, stderr);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [SkippableFact]
    public void Json_totals_of_the_mlperf_kws_model_match_published_counts()
    {
        string path = SharedData.Require("models/mlperf_tiny/kws_ref_model.tflite");
        (int code, string stdout, string stderr) = CliRunner.Run("inspect", path, "--format", "json", "--verbose");
        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout); // stdout carries only the result, even with --verbose
        JsonElement root = doc.RootElement;
        // TARGETS.md section 4: KWS DS-CNN has 2,656,768 MACs and 13 ops (5 conv, 4 depthwise).
        Assert.Equal(2_656_768, root.GetProperty("macs").GetInt64());
        Assert.Equal(1, root.GetProperty("subgraphs").GetInt32());
        Assert.Equal(13, root.GetProperty("operators").GetInt32());
        Assert.Equal(13, root.GetProperty("ops").GetArrayLength());
        Assert.Equal(5, root.GetProperty("op_counts").GetProperty("CONV_2D").GetInt32());
        Assert.Equal(4, root.GetProperty("op_counts").GetProperty("DEPTHWISE_CONV_2D").GetInt32());
        Assert.Equal(new FileInfo(path).Length, root.GetProperty("flash_bytes").GetInt64());
        // Every layer after the first reads one 25·5·64 int8 activation (8,000 B) and writes another: two live at once.
        Assert.Equal(2 * 25 * 5 * 64, root.GetProperty("arena_peak_bytes").GetInt64());
        // 22,016 weight elements (10·4·1·64 + 4·3·3·64 + 4·64·64 + 64·12) plus the biases of 9 layers of 64 and of the 12 outputs.
        Assert.Equal(22_016 + (9 * 64) + 12, root.GetProperty("parameters").GetInt64());
        Assert.Equal("perfsage.inspect/1", root.GetProperty("schema").GetString());
    }

    [SkippableFact]
    public void Table_output_shows_totals_and_every_op()
    {
        string path = SharedData.Require("models/mlperf_tiny/kws_ref_model.tflite");
        (int code, string stdout, string stderr) = CliRunner.Run("inspect", path);
        Assert.True(code == 0, stderr);
        Assert.Contains("2,656,768", stdout);
        Assert.Contains("DEPTHWISE_CONV_2D", stdout);
        Assert.Contains("arena peak bytes", stdout);
    }

    [SkippableFact]
    public void Log_file_receives_compact_json_events()
    {
        string path = SharedData.Require("models/mlperf_tiny/kws_ref_model.tflite");
        string log = Path.Combine(Path.GetTempPath(), $"perfsage-log-{Guid.NewGuid():N}.jsonl");
        try
        {
            (int code, _, string stderr) = CliRunner.Run("inspect", path, "--quiet", "--log-file", log);
            Assert.True(code == 0, stderr);
            Assert.Equal("", stderr); // --quiet: nothing below error level on stderr
            string[] lines = File.ReadAllLines(log);
            Assert.NotEmpty(lines);
            foreach (string line in lines)
            {
                using JsonDocument e = JsonDocument.Parse(line);
                Assert.True(e.RootElement.TryGetProperty("@t", out _));
            }
        }
        finally
        {
            File.Delete(log);
        }
    }
}

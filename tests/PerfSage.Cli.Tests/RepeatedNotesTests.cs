using System.Text.Json;
using PerfSage.Graph;
using PerfSage.Tflite;

namespace PerfSage.Cli.Tests;

/// <summary>
/// <c>estimate</c>'s text output gives one line per (target, op type, reason, fallback) with a count, not one per
/// operator (issue #11, item 15: a 50,000-op chain printed 130,000 fallback lines); JSON keeps every operator.
/// </summary>
public sealed class RepeatedNotesTests : IDisposable
{
    private const int Gelus = 300;
    private readonly string _dir = Directory.CreateTempSubdirectory("perfsage-notes-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>300 GELU (in neither Vela's NPU list nor the GPU delegate's) then one SQUARE (in neither either).</summary>
    private string WriteChain()
    {
        var b = new OpGraphBuilder("gelu_chain");
        int x = b.AddInput([1, 8], TensorType.Int8, QuantizationSummary.PerTensor(OpGraphBuilder.DefaultScale, 0), "input");
        for (int i = 0; i < Gelus; i++)
        {
            x = b.AddOperator(BuiltinOperator.GELU, [x], new GeluOptions(false), outputShape: [1, 8]);
        }
        x = b.AddOperator(BuiltinOperator.SQUARE, [x], null, outputShape: [1, 8]);
        b.MarkOutput(x);
        string path = Path.Combine(_dir, "gelu_chain.tflite");
        File.WriteAllBytes(path, GraphExporter.Write(b.Build(), 1));
        return path;
    }

    [Fact]
    public void Text_output_prints_one_counted_line_per_op_type_and_reason()
    {
        string path = WriteChain();
        (int code, string stdout, string stderr) = CliRunner.Run("estimate", path, "-t", "ethos-u55-128", "-t", "mali-g76");
        Assert.True(code == 0, stderr);
        string[] lines = stdout.Split('\n');

        string[] npu = [.. lines.Where(l => l.StartsWith("  ethos-u55-128: ", StringComparison.Ordinal) && !l.Contains("note:", StringComparison.Ordinal))];
        Assert.Equal(2, npu.Length);
        Assert.StartsWith("  ethos-u55-128: 300 × GELU (ops 0, 1, 2, …): operator not in Vela 3.10's NPU list (SUPPORTED_OPS.md); costed as on the host CPU: ", npu[0]);
        Assert.StartsWith("  ethos-u55-128: op 300 SQUARE: operator not in Vela 3.10's NPU list (SUPPORTED_OPS.md); costed as on the host CPU: ", npu[1]);

        string[] gpu = [.. lines.Where(l => l.StartsWith("  mali-g76: ", StringComparison.Ordinal) && !l.Contains("note:", StringComparison.Ordinal))];
        Assert.Equal(2, gpu.Length);
        Assert.StartsWith("  mali-g76: 300 × GELU (ops 0, 1, 2, …): operator not supported by the TFLite GPU delegate; costed as on the CPU", gpu[0]);
        Assert.StartsWith("  mali-g76: op 300 SQUARE: operator not supported by the TFLite GPU delegate; costed as on the CPU", gpu[1]);

        // The summary table still counts every operator.
        Assert.Contains(lines, l => l.Contains("ethos-u55-128", StringComparison.Ordinal)
            && !l.StartsWith("  ethos-u55-128:", StringComparison.Ordinal) && System.Text.RegularExpressions.Regex.IsMatch(l, @"\s301(\s|$)"));
    }

    [Fact]
    public void Json_output_keeps_every_unsupported_operator()
    {
        string path = WriteChain();
        (int code, string stdout, string stderr) = CliRunner.Run("estimate", path, "-t", "ethos-u55-128", "--format", "json");
        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement[] ops = [.. doc.RootElement[0].GetProperty("unsupported_ops").EnumerateArray()];
        Assert.Equal(Gelus + 1, ops.Length);
        Assert.Equal(Enumerable.Range(0, Gelus + 1), ops.Select(o => o.GetProperty("index").GetInt32()));
        Assert.All(ops.Take(Gelus), o => Assert.Equal("GELU", o.GetProperty("type").GetString()));
        Assert.Equal("SQUARE", ops[Gelus].GetProperty("type").GetString());
    }
}

using System.Text.Json;
using PerfSage.Tflite;

namespace PerfSage.Cli.Tests;

/// <summary>
/// Issue #11: hostile models through <c>inspect</c>, <c>estimate --all-targets</c> and <c>predict --all-targets</c>.
/// Each model is built in the test with the project's writer; each run exits 2 with one stderr line that names the
/// file and the place, and nothing on stdout (it used to be exit 3, a hang or a 0-byte tensor).
/// </summary>
[Collection(TinyModelGroup.Name)]
public sealed class HostileModelTests(TinyModelFixture tiny) : IDisposable
{
    private readonly ScratchFolder _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private static Tensor F32(string name, int[] shape, uint buffer = 0) =>
        new() { Name = name, Shape = shape, Type = TensorType.Float32, Buffer = buffer };

    private static Operator Op(int[] inputs, int[] outputs, uint code = 0) => new()
    {
        OpcodeIndex = code, Inputs = inputs, Outputs = outputs, OptionsType = BuiltinOptionsType.AddOptions,
        Options = new ArithmeticOptions(ActivationFunctionType.None),
    };

    /// <summary>Writes a one-subgraph model of ADD operators (and MAX_POOL_2D as code 1) to <paramref name="name"/>.</summary>
    private string Write(string name, Tensor[] tensors, Operator[] ops, int[] inputs, int[] outputs, byte[][]? constants = null)
    {
        var buffers = new List<TfliteBuffer> { new(ReadOnlyMemory<byte>.Empty, 0, 0) };
        foreach (byte[] data in constants ?? [])
        {
            buffers.Add(new TfliteBuffer(data, 0, 0));
        }
        var model = new TfliteModel
        {
            Bytes = ReadOnlyMemory<byte>.Empty,
            SourceName = name,
            Version = 3,
            OperatorCodes = [new OperatorCode((int)BuiltinOperator.ADD, null, 1), new OperatorCode((int)BuiltinOperator.MAX_POOL_2D, null, 1)],
            Subgraphs = [new Subgraph { Name = "main", Tensors = tensors, Operators = ops, Inputs = inputs, Outputs = outputs }],
            Buffers = buffers,
            SignatureDefs = [],
            Metadata = [],
        };
        string path = _scratch.Sub(name);
        File.WriteAllBytes(path, TfliteWriter.Write(model));
        return path;
    }

    private void AssertRefusedEverywhere(string path, params string[] expectedParts)
    {
        string[][] runs =
        [
            ["inspect", path, "--format", "json"],
            ["inspect", path],
            ["estimate", path, "--all-targets"],
            ["predict", path, "--all-targets", "--model", tiny.Model],
        ];
        foreach (string[] args in runs)
        {
            (int code, string stdout, string stderr) = CliRunner.Run(args);
            string command = string.Join(' ', args.Take(2));
            Assert.True(code == 2, $"{command}: exit {code}: {stderr}");
            Assert.Equal("", stdout);
            string line = Assert.Single(stderr.TrimEnd('\n').Split('\n'));
            Assert.StartsWith("perfsage: error: " + path + ": ", line, StringComparison.Ordinal);
            Assert.Equal(1, CountOf(line, path)); // named once, not "path: path: ..."
            foreach (string part in expectedParts)
            {
                Assert.Contains(part, line, StringComparison.Ordinal);
            }
        }
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    [Fact]
    public void A_nan_quantisation_scale_exits_2_naming_the_tensor()
    {
        Tensor input = F32("x", [1, 4]);
        Tensor nan = new()
        {
            Name = "q", Shape = [1, 4], Type = TensorType.Int8, Buffer = 0,
            Quantization = new QuantizationParameters([float.NaN], [0], 0, [], []),
        };
        string path = Write("nan-scale.tflite", [input, nan, F32("y", [1, 4])], [Op([0, 1], [2])], [0, 1], [2]);
        AssertRefusedEverywhere(path, "quantization scale NaN is not a finite non-negative number",
            "at subgraphs[0].tensors[1].quantization.scale[0]");
    }

    [Fact]
    public void A_shape_whose_element_count_wraps_to_zero_exits_2()
    {
        string path = Write("wrap.tflite", [F32("x", [65536, 65536, 65536, 65536, 65536, 65536]), F32("y", [1])],
            [Op([0, 0], [1])], [0], [1]);
        AssertRefusedEverywhere(path, "has more than 2,147,483,647 elements", "at subgraphs[0].tensors[0].shape");
    }

    [Fact]
    public void A_fully_connected_sized_weight_of_two_int_max_dimensions_exits_2()
    {
        string path = Write("fc.tflite", [F32("x", [1, int.MaxValue]), F32("w", [int.MaxValue, int.MaxValue]), F32("y", [1, int.MaxValue])],
            [Op([0, 1], [2])], [0, 1], [2]);
        AssertRefusedEverywhere(path, "has more than 2,147,483,647 elements", "at subgraphs[0].tensors[1].shape");
    }

    [Fact]
    public void An_operator_reading_its_own_output_exits_2()
    {
        string path = Write("self.tflite", [F32("x", [1, 4]), F32("y", [1, 4])], [Op([0, 1], [1])], [0], [1]);
        AssertRefusedEverywhere(path, "subgraphs[0].operators[0].inputs[1]: reads tensor 1 ('y'), which the operator itself writes");
    }

    [Fact]
    public void A_two_operator_cycle_exits_2()
    {
        string path = Write("cycle.tflite", [F32("x", [1, 4]), F32("y", [1, 4]), F32("z", [1, 4])],
            [Op([0, 2], [1]), Op([1, 0], [2])], [0], [2]);
        AssertRefusedEverywhere(path, "subgraphs[0].operators[0].inputs[1]: reads tensor 2 ('z'), which the later operators[1] writes");
    }

    [Fact]
    public void A_constant_shorter_than_its_shape_exits_2()
    {
        string path = Write("short.tflite", [F32("x", [1, 4]), F32("w", [1, 4], buffer: 1), F32("y", [1, 4])],
            [Op([0, 1], [2])], [0], [2], [new byte[8]]);
        AssertRefusedEverywhere(path, "subgraphs[0].tensors[1] ('w'): its buffer 1 holds 8 bytes, fewer than the 16 bytes");
    }

    [Fact]
    public void Work_past_64_bits_exits_2_naming_the_operator()
    {
        Operator pool = new()
        {
            OpcodeIndex = 1, Inputs = [0], Outputs = [1], OptionsType = BuiltinOptionsType.Pool2DOptions,
            Options = new Pool2DOptions(Padding.Same, 1, 1, int.MaxValue, int.MaxValue, ActivationFunctionType.None),
        };
        string path = Write("pool.tflite", [F32("x", [1, 32768, 32768, 1]), F32("y", [1, 32768, 32768, 1])], [pool], [0], [1]);
        AssertRefusedEverywhere(path, "subgraphs[0].operators[0] (MAX_POOL_2D): its work or bytes do not fit in 64 bits");
    }

    [SkippableFact]
    public void Dev_zero_and_a_fifo_exit_2_without_reading()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "/dev/zero and mkfifo");
        string fifo = _scratch.Sub("pipe.tflite");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        foreach ((string path, string kind) in new[] { ("/dev/zero", "a character device"), (fifo, "a named pipe (FIFO)") })
        {
            Task<(int, string, string)> run = Task.Run(() => CliRunner.Run("inspect", path));
            Assert.True(run.Wait(TimeSpan.FromMinutes(2)), $"inspect {path} hung");
            (int code, string stdout, string stderr) = run.Result;
            Assert.Equal(2, code);
            Assert.Equal("", stdout);
            Assert.Equal($"perfsage: error: {path}: is {kind}, not a regular file; a model must be a regular file", stderr.TrimEnd('\n'));
        }
    }

    [Fact]
    public void A_tensor_at_the_bound_is_estimated_with_finite_numbers()
    {
        // One dimension of 2^31 − 1: allowed, and every size is exact in 64 bits.
        string path = Write("bound.tflite", [F32("x", [int.MaxValue]), F32("y", [int.MaxValue])], [Op([0, 0], [1])], [0], [1]);
        (int code, string stdout, string stderr) = CliRunner.Run("inspect", path, "--format", "json");
        Assert.True(code == 0, stderr);
        using (JsonDocument doc = JsonDocument.Parse(stdout))
        {
            JsonElement op = doc.RootElement.GetProperty("ops")[0];
            Assert.Equal(2L * 4 * int.MaxValue, op.GetProperty("activation_bytes_read").GetInt64());
            Assert.Equal(4L * int.MaxValue, op.GetProperty("activation_bytes_written").GetInt64());
        }
        (code, stdout, stderr) = CliRunner.Run("estimate", path, "--all-targets", "--format", "json");
        Assert.True(code == 0, stderr);
        using JsonDocument estimates = JsonDocument.Parse(stdout);
        foreach (JsonElement e in estimates.RootElement.EnumerateArray())
        {
            double latency = e.GetProperty("latency_ms").GetDouble();
            Assert.True(double.IsFinite(latency) && latency > 0, $"{e.GetProperty("target")}: latency {latency}");
        }
    }
}

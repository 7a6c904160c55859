using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using PerfSage.Tests.Common;

namespace PerfSage.Tflite.Tests.Writer;

/// <summary>
/// An independent oracle: the official schema compiled by <c>flatc</c> dumps a written model to JSON, and
/// the values there are the ones the object model held. Skips (with the reason) when <c>flatc</c> is not on
/// the PATH or <c>../shared</c> is absent. Debian 12's flatc 2.0.8 needs a scratch copy of the schema
/// without its two <c>(deprecated)</c> markers (see <c>../shared/reference/tflite/README.md</c>).
/// </summary>
public sealed partial class TfliteWriterFlatcTests
{
    [SkippableFact]
    public void Flatc_reads_a_written_model_with_the_official_schema_and_sees_the_values_written()
    {
        string schema = SharedData.Require("reference/tflite/schema.fbs");
        string? flatc = FindOnPath("flatc");
        Skip.If(flatc is null, "flatc is not installed (apt-get install -y flatbuffers-compiler)");

        string dir = Directory.CreateTempSubdirectory("perfsage-flatc-").FullName;
        try
        {
            string scratch = Path.Combine(dir, "schema_flatc208.fbs");
            File.WriteAllText(scratch, WithoutDeprecatedMarkers(File.ReadAllText(schema)));
            string modelPath = Path.Combine(dir, "model.tflite");
            File.WriteAllBytes(modelPath, TfliteWriter.Write(FlatcModel()));

            string output = Path.Combine(dir, "out");
            (int exitCode, string messages) = Run(flatc!, "--json", "--strict-json", "--raw-binary", "--defaults-json",
                "-o", output, scratch, "--", modelPath);
            Assert.True(exitCode == 0, $"flatc failed ({exitCode}): {messages}");

            using JsonDocument json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "model.json")));
            JsonElement root = json.RootElement;

            Assert.Equal(3, root.GetProperty("version").GetInt32());
            Assert.Equal("hand-built by the writer tests: ünïcödé", root.GetProperty("description").GetString());

            JsonElement[] codes = [.. root.GetProperty("operator_codes").EnumerateArray()];
            JsonElement conv = codes.Single(c => c.GetProperty("builtin_code").GetString() == "CONV_2D");
            Assert.Equal(3, conv.GetProperty("deprecated_builtin_code").GetInt32());
            Assert.Equal(3, conv.GetProperty("version").GetInt32());
            JsonElement gelu = codes.Single(c => c.GetProperty("builtin_code").GetString() == "GELU");
            Assert.Equal(127, gelu.GetProperty("deprecated_builtin_code").GetInt32()); // 150 does not fit the byte
            JsonElement custom = codes.Single(c => c.GetProperty("builtin_code").GetString() == "CUSTOM");
            Assert.Equal("ethos-u", custom.GetProperty("custom_code").GetString());
            Assert.Equal(32, custom.GetProperty("deprecated_builtin_code").GetInt32());

            JsonElement main = root.GetProperty("subgraphs")[0];
            Assert.Equal("main", main.GetProperty("name").GetString());
            JsonElement input = main.GetProperty("tensors")[0];
            Assert.Equal("input", input.GetProperty("name").GetString());
            Assert.Equal("INT8", input.GetProperty("type").GetString());
            Assert.Equal([1, 8, 8, 3], Ints(input.GetProperty("shape")));
            Assert.Equal([-1, 8, 8, 3], Ints(input.GetProperty("shape_signature")));
            JsonElement q = input.GetProperty("quantization");
            Assert.Equal(0.5, q.GetProperty("scale")[0].GetDouble());
            Assert.Equal(-3, q.GetProperty("zero_point")[0].GetInt64());
            Assert.Equal(-64.0, q.GetProperty("min")[0].GetDouble());
            Assert.Equal(63.5, q.GetProperty("max")[0].GetDouble());
            JsonElement perChannel = main.GetProperty("tensors")[3].GetProperty("quantization");
            Assert.Equal(3, perChannel.GetProperty("quantized_dimension").GetInt32());
            Assert.Equal([1L, 2L, 3L], perChannel.GetProperty("zero_point").EnumerateArray().Select(e => e.GetInt64()));
            Assert.True(main.GetProperty("tensors")[4].GetProperty("has_rank").GetBoolean());
            Assert.True(main.GetProperty("tensors")[5].GetProperty("is_variable").GetBoolean());
            Assert.Equal(2u, main.GetProperty("tensors")[3].GetProperty("buffer").GetUInt32());

            JsonElement[] ops = [.. main.GetProperty("operators").EnumerateArray()];
            JsonElement convOp = ops[0];
            Assert.Equal("Conv2DOptions", convOp.GetProperty("builtin_options_type").GetString());
            JsonElement convOptions = convOp.GetProperty("builtin_options");
            Assert.Equal("VALID", convOptions.GetProperty("padding").GetString());
            Assert.Equal(2, convOptions.GetProperty("stride_w").GetInt32());
            Assert.Equal(3, convOptions.GetProperty("stride_h").GetInt32());
            Assert.Equal("RELU6", convOptions.GetProperty("fused_activation_function").GetString());
            Assert.Equal(2, convOptions.GetProperty("dilation_w_factor").GetInt32());
            Assert.Equal(4, convOptions.GetProperty("dilation_h_factor").GetInt32());
            Assert.Equal("INT32", convOptions.GetProperty("quantized_bias_type").GetString());
            Assert.Equal([0, -1, 1], Ints(convOp.GetProperty("inputs")));

            JsonElement add = OptionsOf(ops, "AddOptions");
            Assert.False(add.GetProperty("pot_scale_int16").GetBoolean());
            Assert.Equal("RELU", add.GetProperty("fused_activation_function").GetString());
            JsonElement fc = OptionsOf(ops, "FullyConnectedOptions");
            Assert.Equal("SHUFFLED4x16INT8", fc.GetProperty("weights_format").GetString());
            Assert.True(fc.GetProperty("keep_num_dims").GetBoolean());
            Assert.Equal([1, -1, 4], Ints(OptionsOf(ops, "ReshapeOptions").GetProperty("new_shape")));
            Assert.Equal(0.5, OptionsOf(ops, "SoftmaxOptions").GetProperty("beta").GetDouble());
            Assert.True(OptionsOf(ops, "ResizeBilinearOptions").GetProperty("align_corners").GetBoolean());
            Assert.Equal("SYMMETRIC", OptionsOf(ops, "MirrorPadOptions").GetProperty("mode").GetString());
            JsonElement whileOptions = OptionsOf(ops, "WhileOptions");
            Assert.Equal(1, whileOptions.GetProperty("cond_subgraph_index").GetInt32());
            Assert.Equal(2, whileOptions.GetProperty("body_subgraph_index").GetInt32());
            JsonElement lrn = OptionsOf(ops, "LocalResponseNormalizationOptions");
            Assert.Equal(0.75, lrn.GetProperty("beta").GetDouble());

            JsonElement composite = ops.First(o => o.GetProperty("builtin_options_2_type").GetString() == "StableHLOCompositeOptions")
                .GetProperty("builtin_options_2");
            Assert.Equal("odml.rms_norm", composite.GetProperty("name").GetString());
            Assert.Equal(2, composite.GetProperty("decomposition_subgraph_index").GetInt32());
            Assert.Equal(7, composite.GetProperty("version").GetInt32());

            JsonElement customOp = ops.Single(o => o.TryGetProperty("custom_options", out _));
            Assert.Equal(HandBuiltModels.CustomOptionBytes.Select(b => (int)b), Ints(customOp.GetProperty("custom_options")));

            JsonElement buffers = root.GetProperty("buffers");
            Assert.False(buffers[0].TryGetProperty("data", out _));
            Assert.Equal(HandBuiltModels.Data16.Select(b => (int)b), Ints(buffers[1].GetProperty("data")));
            Assert.Equal(HandBuiltModels.Data7.Select(b => (int)b), Ints(buffers[2].GetProperty("data")));

            JsonElement signature = root.GetProperty("signature_defs")[0];
            Assert.Equal("serving_default", signature.GetProperty("signature_key").GetString());
            Assert.Equal("y", signature.GetProperty("outputs")[0].GetProperty("name").GetString());
            Assert.Equal(2, signature.GetProperty("outputs")[0].GetProperty("tensor_index").GetInt32());
            Assert.Equal("min_runtime_version", root.GetProperty("metadata")[0].GetProperty("name").GetString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary><see cref="HandBuiltModels.EveryOption"/> without what only a newer schema names (an unknown
    /// quantisation details type, tensor type and operator code): flatc cannot print those.</summary>
    private static TfliteModel FlatcModel()
    {
        TfliteModel m = HandBuiltModels.EveryOption();
        Subgraph main = m.Subgraphs[0];
        Tensor[] tensors = [.. main.Tensors.Select(t => t.Name switch
        {
            "unknown_details" => new Tensor { Name = t.Name, Shape = t.Shape, Type = t.Type, Buffer = 0 },
            "future_type" => new Tensor { Name = t.Name, Shape = t.Shape, Type = TensorType.UInt16, Buffer = 0 },
            _ => t,
        })];
        int unknownCode = m.OperatorCodes.ToList().FindIndex(c => c.Code == 250);
        Operator[] operators = [.. main.Operators.Where(o => o.OpcodeIndex != unknownCode)];
        OperatorCode[] codes = [.. m.OperatorCodes.Select(c => c.Code == 250 ? new OperatorCode((int)BuiltinOperator.ABS, null, 1) : c)];
        return new TfliteModel
        {
            Bytes = m.Bytes, SourceName = m.SourceName, Version = m.Version, Description = m.Description,
            OperatorCodes = codes, Buffers = m.Buffers, SignatureDefs = m.SignatureDefs, Metadata = m.Metadata,
            Subgraphs =
            [
                new Subgraph { Name = main.Name, Tensors = tensors, Operators = operators, Inputs = main.Inputs, Outputs = main.Outputs },
                .. m.Subgraphs.Skip(1),
            ],
        };
    }

    private static JsonElement OptionsOf(JsonElement[] ops, string tag) =>
        ops.First(o => o.GetProperty("builtin_options_type").GetString() == tag).GetProperty("builtin_options");

    private static int[] Ints(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetInt32())];

    /// <summary>Drops the two <c>(deprecated)</c> attributes flatc 2.0.8 rejects; nothing else changes.</summary>
    private static string WithoutDeprecatedMarkers(string schema)
    {
        string edited = DeprecatedEnumValue().Replace(schema, "$1,");
        edited = DeprecatedUnionMember().Replace(edited, "$1,");
        Assert.Equal(schema.Length - 2 * " (deprecated)".Length, edited.Length);
        return edited;
    }

    [GeneratedRegex(@"^(\s*REDUCE_WINDOW = 205) \(deprecated\),", RegexOptions.Multiline)]
    private static partial Regex DeprecatedEnumValue();

    [GeneratedRegex(@"^(\s*ReduceWindowOptions) \(deprecated\),", RegexOptions.Multiline)]
    private static partial Regex DeprecatedUnionMember();

    private static string? FindOnPath(string program)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            string candidate = Path.Combine(dir, program);
            if (dir.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static (int ExitCode, string Messages) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            return (-1, "flatc did not finish in 60 s");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}

using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using PerfSage.Graph;
using PerfSage.Pipeline;
using PerfSage.Tflite;
using Spectre.Console;

namespace PerfSage.Cli.Commands;

/// <summary><c>perfsage inspect MODEL [--format table|json]</c>: the graph, its work and its memory.
/// The JSON form is documented in <c>docs/inspect-json.md</c> and versioned by its <c>schema</c> key.</summary>
internal static class InspectCommand
{
    /// <summary>The JSON schema id; bump the number on any incompatible change.</summary>
    public const string JsonSchema = "perfsage.inspect/1";

    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("model") { Description = "Path to a .tflite file." };
        var format = new Option<string>("--format", "-f")
        {
            Description = "Output format: table or json.",
            DefaultValueFactory = _ => "table",
        };
        format.AcceptOnlyFromAmong("table", "json");

        var command = new Command("inspect", "Show a model's graph: inputs, outputs, operators, MACs, parameters, tensors and the arena plan.")
        {
            model,
            format,
        };
        command.SetAction(parse => PerfSageApp.Execute(context, parse, () =>
        {
            string path = parse.GetValue(model)!;
            if (context.DebugEnabled)
            {
                context.Log.Debug("Inspecting {Path}", path);
            }
            (TfliteModel m, OpGraph g) = ModelLoader.Load(path);
            ArenaPlan arena = ArenaPlanner.Plan(g);
            if (parse.GetValue(format) == "json")
            {
                Output.WriteJson(context.Stdout, json => WriteJson(json, path, m, g, arena));
            }
            else
            {
                WriteTable(context.Stdout, path, m, g, arena);
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static string Attrs(OpNode node)
    {
        OpAttributes a = node.Attributes;
        var parts = new List<string>();
        if (node.Family is OpFamily.Conv2D or OpFamily.DepthwiseConv2D or OpFamily.TransposeConv or OpFamily.Pool or OpFamily.Conv3D)
        {
            parts.Add($"k{a.KernelH}x{a.KernelW}");
            parts.Add($"s{a.StrideH}x{a.StrideW}");
            if (a.DilationH != 1 || a.DilationW != 1)
            {
                parts.Add($"d{a.DilationH}x{a.DilationW}");
            }
            parts.Add(a.Padding.ToString().ToUpperInvariant());
            if (a.DepthMultiplier != 1)
            {
                parts.Add($"dm{a.DepthMultiplier}");
            }
        }
        if (a.FusedActivation != ActivationFunctionType.None)
        {
            parts.Add(a.FusedActivation.ToString().ToUpperInvariant());
        }
        if (a.Axis is int axis)
        {
            parts.Add($"axis={axis}");
        }
        return string.Join(' ', parts);
    }

    private static string DType(TensorType type) => TensorTypes.Name(type);

    private static void WriteTable(TextWriter stdout, string path, TfliteModel m, OpGraph g, ArenaPlan arena)
    {
        IAnsiConsole console = Output.Console(stdout);
        console.WriteLine($"Model: {path}");
        console.WriteLine($"Schema version {m.Version}; {Output.Num(g.FileBytes)} bytes; {g.SubgraphCount} subgraph(s), " +
                          $"{g.TotalTensorCount} tensors, {g.TotalOperatorCount} operators in all");
        if (g.SubgraphCount > 1)
        {
            console.WriteLine($"Analysed: subgraph 0 ({g.Nodes.Length} operators, {g.Tensors.Length} tensors); control-flow subgraphs are not expanded");
        }
        console.WriteLine();

        Table io = Output.NewTable("role", "name", "shape", "dtype", "quantisation");
        foreach ((string role, IReadOnlyList<int> ids) in new[] { ("input", (IReadOnlyList<int>)g.Inputs), ("output", g.Outputs) })
        {
            foreach (int id in ids)
            {
                GraphTensor t = g.Tensors[id];
                Output.AddRow(io, role, t.Name, Output.Shape(t.Shape), DType(t.Type), Quant(t.Quantization));
            }
        }
        console.Write(io);

        Table totals = Output.NewTable("total", "value");
        Output.AddRow(totals, "MACs", Output.Num(g.TotalMacs));
        Output.AddRow(totals, "parameters", Output.Num(g.TotalParameters));
        Output.AddRow(totals, "weight bytes", Output.Num(g.TotalWeightBytes));
        Output.AddRow(totals, "bias bytes", Output.Num(g.TotalBiasBytes));
        Output.AddRow(totals, "arena peak bytes (TFLM plan)", Output.Num(arena.PeakBytes));
        if (g.IsWeightless)
        {
            // A weightless file (dataset imports, `dataset build --weights none`): shapes without data.
            Output.AddRow(totals, "weights", "none (flash bytes: the size declared for the file with weights)");
        }
        Output.AddRow(totals, "flash bytes (file)", Output.Num(g.FileBytes));
        Output.AddRow(totals, "operators (subgraph 0)", Output.Num(g.Nodes.Length));
        Output.AddRow(totals, "tensors (subgraph 0)", Output.Num(g.Tensors.Length));
        Output.AddRow(totals, "unknown ops", Output.Num(g.UnknownOpCount));
        Output.AddRow(totals, "custom ops", Output.Num(g.CustomOpCount));
        Output.AddRow(totals, "ops without a cost rule", Output.Num(g.UnsupportedOpCount));
        console.Write(totals);

        Table byType = Output.NewTable("operator type", "count");
        foreach (KeyValuePair<string, int> kv in g.OpCounts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal))
        {
            Output.AddRow(byType, kv.Key, Output.Num(kv.Value));
        }
        console.Write(byType);

        Table ops = Output.NewTable("#", "type", "output shape", "dtype", "MACs", "params", "weights [B]", "read [B]", "written [B]", "attributes");
        foreach (OpNode n in g.Nodes)
        {
            string type = n.IsSupported ? n.TypeName : n.TypeName + " (no cost rule)";
            Output.AddRow(ops, n.Index.ToString(CultureInfo.InvariantCulture), type, Output.Shape(n.OutputShape), DType(n.DType),
                Output.Num(n.Cost.Macs), Output.Num(n.Cost.Parameters), Output.Num(n.Cost.WeightBytes + n.Cost.BiasBytes),
                Output.Num(n.Cost.ActivationBytesRead), Output.Num(n.Cost.ActivationBytesWritten), Attrs(n));
        }
        console.Write(ops);
    }

    private static string Quant(QuantizationSummary? q) => q is null ? "" :
        q.IsPerChannel ? $"per-channel ({q.ScaleCount} scales, axis {q.QuantizedDimension})"
        : string.Create(CultureInfo.InvariantCulture, $"scale {q.Scale:G6}, zero point {q.ZeroPoint}");

    private static void WriteTensorRef(Utf8JsonWriter json, GraphTensor t)
    {
        json.WriteStartObject();
        json.WriteNumber("index", t.Id);
        json.WriteString("name", t.Name);
        WriteIntArray(json, "shape", t.Shape);
        json.WriteString("dtype", DType(t.Type));
        json.WriteNumber("bytes", t.SizeBytes);
        if (t.Quantization is { } q)
        {
            json.WriteStartObject("quantization");
            json.WriteNumber("scales", q.ScaleCount);
            json.WriteNumber("axis", q.QuantizedDimension);
            // The reader refuses non-finite scales; a graph built in code could still carry one, and
            // Utf8JsonWriter throws on NaN and infinities, so such a value is written as null.
            if (float.IsFinite(q.Scale))
            {
                json.WriteNumber("scale", q.Scale);
            }
            else
            {
                json.WriteNull("scale");
            }
            json.WriteNumber("zero_point", q.ZeroPoint);
            json.WriteEndObject();
        }
        json.WriteEndObject();
        Output.FlushIfLarge(json);
    }

    private static void WriteIntArray(Utf8JsonWriter json, string name, IEnumerable<int> values)
    {
        json.WriteStartArray(name);
        foreach (int v in values)
        {
            json.WriteNumberValue(v);
        }
        json.WriteEndArray();
    }

    private static void WriteJson(Utf8JsonWriter json, string path, TfliteModel m, OpGraph g, ArenaPlan arena)
    {
        json.WriteStartObject();
        json.WriteString("schema", JsonSchema);
        json.WriteString("model", path);
        json.WriteNumber("version", m.Version);
        if (m.Description is not null)
        {
            json.WriteString("description", m.Description);
        }
        json.WriteNumber("subgraphs", g.SubgraphCount);
        json.WriteNumber("tensors", g.TotalTensorCount);
        json.WriteNumber("operators", g.TotalOperatorCount);
        json.WriteNumber("analysed_subgraph", g.SubgraphIndex);
        json.WriteNumber("macs", g.TotalMacs);
        json.WriteNumber("parameters", g.TotalParameters);
        json.WriteNumber("weight_bytes", g.TotalWeightBytes);
        json.WriteNumber("bias_bytes", g.TotalBiasBytes);
        json.WriteNumber("arena_peak_bytes", arena.PeakBytes);
        json.WriteNumber("flash_bytes", g.FileBytes);
        if (g.IsWeightless)
        {
            json.WriteString("weights", "none");
        }
        json.WriteNumber("unknown_ops", g.UnknownOpCount);
        json.WriteNumber("custom_ops", g.CustomOpCount);
        json.WriteNumber("unsupported_ops", g.UnsupportedOpCount);
        json.WriteBoolean("dynamic_shapes", g.HasDynamicShape);

        json.WriteStartArray("inputs");
        foreach (int id in g.Inputs)
        {
            WriteTensorRef(json, g.Tensors[id]);
        }
        json.WriteEndArray();
        json.WriteStartArray("outputs");
        foreach (int id in g.Outputs)
        {
            WriteTensorRef(json, g.Tensors[id]);
        }
        json.WriteEndArray();

        json.WriteStartObject("op_counts");
        foreach (KeyValuePair<string, int> kv in g.OpCounts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            json.WriteNumber(kv.Key, kv.Value);
        }
        json.WriteEndObject();

        json.WriteStartArray("signatures");
        foreach (SignatureDef s in m.SignatureDefs)
        {
            json.WriteStringValue(s.SignatureKey);
        }
        json.WriteEndArray();
        json.WriteStartArray("metadata");
        foreach (MetadataEntry e in m.Metadata)
        {
            json.WriteStringValue(e.Name);
        }
        json.WriteEndArray();

        json.WriteStartArray("ops");
        foreach (OpNode n in g.Nodes)
        {
            json.WriteStartObject();
            json.WriteNumber("index", n.Index);
            json.WriteString("type", n.TypeName);
            json.WriteNumber("opcode", n.OpCode);
            json.WriteBoolean("supported", n.IsSupported);
            json.WriteBoolean("custom", n.IsCustom);
            json.WriteBoolean("unknown", n.IsUnknown);
            json.WriteString("dtype", DType(n.DType));
            WriteIntArray(json, "inputs", n.Inputs);
            WriteIntArray(json, "outputs", n.Outputs);
            WriteIntArray(json, "input_shape", n.InputShape);
            WriteIntArray(json, "output_shape", n.OutputShape);
            json.WriteNumber("macs", n.Cost.Macs);
            json.WriteNumber("element_ops", n.Cost.ElementOps);
            json.WriteNumber("output_elements", n.Cost.OutputElements);
            json.WriteNumber("activation_bytes_read", n.Cost.ActivationBytesRead);
            json.WriteNumber("activation_bytes_written", n.Cost.ActivationBytesWritten);
            json.WriteNumber("weight_bytes", n.Cost.WeightBytes);
            json.WriteNumber("bias_bytes", n.Cost.BiasBytes);
            json.WriteNumber("parameters", n.Cost.Parameters);
            OpAttributes a = n.Attributes;
            json.WriteStartObject("attributes");
            json.WriteNumber("kernel_h", a.KernelH);
            json.WriteNumber("kernel_w", a.KernelW);
            json.WriteNumber("stride_h", a.StrideH);
            json.WriteNumber("stride_w", a.StrideW);
            json.WriteNumber("dilation_h", a.DilationH);
            json.WriteNumber("dilation_w", a.DilationW);
            json.WriteString("padding", a.Padding.ToString().ToUpperInvariant());
            json.WriteNumber("depth_multiplier", a.DepthMultiplier);
            json.WriteString("fused_activation", a.FusedActivation.ToString().ToUpperInvariant());
            if (a.Axis is int axis)
            {
                json.WriteNumber("axis", axis);
            }
            json.WriteEndObject();
            json.WriteEndObject();
            Output.FlushIfLarge(json);
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }
}

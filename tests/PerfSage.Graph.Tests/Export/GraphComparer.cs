using Xunit;
using System.Collections;
using System.Reflection;
using PerfSage.Tflite;

namespace PerfSage.Graph.Tests.Export;

/// <summary>
/// Compares a graph with the graph read back from its export: every public property of the graph, of each
/// node (type, version, inputs, outputs, roles, shapes, dtypes, attributes with their options, cost) and of
/// each tensor (shape, type, constness, producer, consumers, sizes, quantisation), structurally (lists element
/// by element, records property by property). Three things are compared by rule instead of equality:
/// <list type="bullet">
/// <item>Tensor data: constants that had data keep the same bytes; constants without data come back with
/// exactly <see cref="GraphTensor.SizeBytes"/> bytes.</item>
/// <item>Quantisation: see <see cref="ExpectedQuantization"/>.</item>
/// <item>MUL and DIV options: their tables have no <c>pot_scale_int16</c> field, so the reader gives the record's
/// default (true) whatever the graph held.</item>
/// </list>
/// <see cref="OpGraph.FileBytes"/> is compared with the written length.
/// </summary>
public static class GraphComparer
{
    private static readonly HashSet<string> RuleProperties = ["Data", "Quantization", "Attributes", "FileBytes"];

    public static void AssertSameGraph(OpGraph expected, OpGraph actual, long writtenBytes)
    {
        List<string> d = Differences(expected, actual, writtenBytes);
        Assert.True(d.Count == 0, $"{d.Count} differences in {expected.Name}:\n" + string.Join("\n", d.Take(40)));
    }

    public static List<string> Differences(OpGraph expected, OpGraph actual, long writtenBytes)
    {
        var d = new List<string>();
        CompareProperties(d, "graph", expected, actual);
        if (actual.FileBytes != writtenBytes)
        {
            d.Add($"graph.FileBytes: expected {writtenBytes}, got {actual.FileBytes}");
        }

        for (int i = 0; i < Math.Min(expected.Tensors.Length, actual.Tensors.Length); i++)
        {
            GraphTensor e = expected.Tensors[i], a = actual.Tensors[i];
            string p = $"tensors[{i}] '{e.Name}'";
            if (!e.Data.IsEmpty)
            {
                if (!e.Data.Span.SequenceEqual(a.Data.Span))
                {
                    d.Add($"{p}.Data: the constant's bytes changed");
                }
            }
            else if (e.IsConstant && a.Data.Length != e.SizeBytes)
            {
                d.Add($"{p}.Data: {a.Data.Length} bytes for a {e.SizeBytes}-byte constant");
            }
            else if (!e.IsConstant && !a.Data.IsEmpty)
            {
                d.Add($"{p}.Data: a non-constant tensor came back with data");
            }
            Diff(d, p + ".Quantization", ExpectedQuantization(expected, e), a.Quantization);
        }

        for (int n = 0; n < Math.Min(expected.Nodes.Length, actual.Nodes.Length); n++)
        {
            OpNode e = expected.Nodes[n], a = actual.Nodes[n];
            Diff(d, $"nodes[{n}] {e.TypeName}.Attributes", e.Attributes, a.Attributes);
        }
        return d;
    }

    /// <summary>
    /// What the export promises for a tensor's quantisation: the graph's summary; the per-tensor default
    /// (<see cref="OpGraphBuilder.DefaultScale"/>, 0) for a quantised integer tensor without one; and for the
    /// INT32/INT64 bias of a node with quantised input and weights, first scale = input scale · weight scale
    /// (the TFLite quantisation spec), zero point 0.
    /// </summary>
    public static QuantizationSummary? ExpectedQuantization(OpGraph graph, GraphTensor tensor)
    {
        QuantizationSummary? q = tensor.Quantization
            ?? (TensorTypes.IsQuantizedInteger(tensor.Type) ? QuantizationSummary.PerTensor(OpGraphBuilder.DefaultScale, 0) : null);
        if (q is null || tensor.Type is not (TensorType.Int32 or TensorType.Int64))
        {
            return q;
        }
        foreach (OpNode node in graph.Nodes)
        {
            if (node.BiasTensor == tensor.Id && node.MainInput >= 0 && node.WeightTensor >= 0
                && ExpectedQuantization(graph, graph.Tensors[node.MainInput]) is { } input
                && ExpectedQuantization(graph, graph.Tensors[node.WeightTensor]) is { } weight)
            {
                return q with { Scale = input.Scale * weight.Scale, ZeroPoint = 0 };
            }
        }
        return q;
    }

    private static void CompareProperties(List<string> d, string path, object e, object a)
    {
        foreach (PropertyInfo property in e.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0 && !RuleProperties.Contains(property.Name))
            {
                Diff(d, path + "." + property.Name, property.GetValue(e), property.GetValue(a));
            }
        }
    }

    /// <summary>Structural difference: lists element by element (nodes and tensors property by property,
    /// skipping the rule properties), records property by property, values by equality.</summary>
    public static void Diff(List<string> d, string path, object? e, object? a)
    {
        if (e is null || a is null)
        {
            if (e is not null || a is not null)
            {
                d.Add($"{path}: expected {e ?? "null"}, got {a ?? "null"}");
            }
            return;
        }
        if (e is IEnumerable list && e is not string && a is IEnumerable other && a is not string)
        {
            object?[] ee = list.Cast<object?>().ToArray(), aa = other.Cast<object?>().ToArray();
            if (ee.Length != aa.Length)
            {
                d.Add($"{path}.Count: expected {ee.Length}, got {aa.Length}");
            }
            for (int i = 0; i < Math.Min(ee.Length, aa.Length); i++)
            {
                Diff(d, $"{path}[{i}]", ee[i], aa[i]);
            }
            return;
        }
        if (e.GetType() != a.GetType())
        {
            d.Add($"{path}: expected a {e.GetType().Name}, got a {a.GetType().Name}");
            return;
        }
        if (e is string || e.GetType().IsPrimitive || e.GetType().IsEnum || e is decimal)
        {
            if (!e.Equals(a))
            {
                d.Add($"{path}: expected {e}, got {a}");
            }
            return;
        }
        if (e is GraphTensor or OpNode)
        {
            CompareProperties(d, path, e, a);
            return;
        }
        if (e is ReadOnlyMemory<byte> bytes)
        {
            if (!bytes.Span.SequenceEqual(((ReadOnlyMemory<byte>)a).Span))
            {
                d.Add($"{path}: bytes differ");
            }
            return;
        }
        foreach (PropertyInfo property in e.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0)
            {
                Diff(d, path + "." + property.Name, property.GetValue(e), property.GetValue(a));
            }
        }
    }
}

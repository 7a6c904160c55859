using System.Collections;
using System.Reflection;

namespace PerfSage.Tflite.Tests.Writer;

/// <summary>
/// Field-by-field comparison of two <see cref="TfliteModel"/>s: everything the object model holds, with
/// buffer and custom-option bytes compared by content. Differences are collected with their field path and
/// reported together. What the writer changes on purpose is not compared: the schema version (2 is written
/// as 3) and where buffer data live (outside the flatbuffer is written inline: only the bytes are compared).
/// </summary>
public static class ModelComparer
{
    public static void AssertSame(TfliteModel expected, TfliteModel actual)
    {
        List<string> differences = Differences(expected, actual);
        Assert.True(differences.Count == 0,
            $"{differences.Count} differences between {expected.SourceName} and {actual.SourceName}:\n"
            + string.Join("\n", differences.Take(40)));
    }

    public static List<string> Differences(TfliteModel expected, TfliteModel actual)
    {
        var d = new List<string>();
        Check(d, "description", expected.Description, actual.Description);

        Check(d, "operator_codes.count", expected.OperatorCodes.Count, actual.OperatorCodes.Count);
        for (int i = 0; i < Math.Min(expected.OperatorCodes.Count, actual.OperatorCodes.Count); i++)
        {
            OperatorCode e = expected.OperatorCodes[i], a = actual.OperatorCodes[i];
            string p = $"operator_codes[{i}]";
            Check(d, p + ".code", e.Code, a.Code);
            Check(d, p + ".custom_code", e.CustomCode, a.CustomCode);
            Check(d, p + ".version", e.Version, a.Version);
        }

        // A model without buffers gets the sentinel buffer 0.
        Check(d, "buffers.count", Math.Max(expected.Buffers.Count, 1), actual.Buffers.Count);
        for (int i = 0; i < Math.Min(expected.Buffers.Count, actual.Buffers.Count); i++)
        {
            CheckBytes(d, $"buffers[{i}].data", expected.Buffers[i].Data, actual.Buffers[i].Data);
        }

        Check(d, "subgraphs.count", expected.Subgraphs.Count, actual.Subgraphs.Count);
        for (int s = 0; s < Math.Min(expected.Subgraphs.Count, actual.Subgraphs.Count); s++)
        {
            CompareSubgraph(d, $"subgraphs[{s}]", expected.Subgraphs[s], actual.Subgraphs[s]);
        }

        Check(d, "signature_defs.count", expected.SignatureDefs.Count, actual.SignatureDefs.Count);
        for (int i = 0; i < Math.Min(expected.SignatureDefs.Count, actual.SignatureDefs.Count); i++)
        {
            SignatureDef e = expected.SignatureDefs[i], a = actual.SignatureDefs[i];
            string p = $"signature_defs[{i}]";
            Check(d, p + ".signature_key", e.SignatureKey, a.SignatureKey);
            Check(d, p + ".subgraph_index", e.SubgraphIndex, a.SubgraphIndex);
            CheckSequence(d, p + ".inputs", e.Inputs, a.Inputs);
            CheckSequence(d, p + ".outputs", e.Outputs, a.Outputs);
        }

        CheckSequence(d, "metadata", expected.Metadata, actual.Metadata);
        return d;
    }

    private static void CompareSubgraph(List<string> d, string p, Subgraph e, Subgraph a)
    {
        Check(d, p + ".name", e.Name, a.Name);
        CheckSequence(d, p + ".inputs", e.Inputs, a.Inputs);
        CheckSequence(d, p + ".outputs", e.Outputs, a.Outputs);
        Check(d, p + ".tensors.count", e.Tensors.Count, a.Tensors.Count);
        for (int i = 0; i < Math.Min(e.Tensors.Count, a.Tensors.Count); i++)
        {
            CompareTensor(d, $"{p}.tensors[{i}]", e.Tensors[i], a.Tensors[i]);
        }
        Check(d, p + ".operators.count", e.Operators.Count, a.Operators.Count);
        for (int i = 0; i < Math.Min(e.Operators.Count, a.Operators.Count); i++)
        {
            CompareOperator(d, $"{p}.operators[{i}]", e.Operators[i], a.Operators[i]);
        }
    }

    private static void CompareTensor(List<string> d, string p, Tensor e, Tensor a)
    {
        Check(d, p + ".name", e.Name, a.Name);
        CheckSequence(d, p + ".shape", e.Shape, a.Shape);
        Check(d, p + ".shape_signature.present", e.ShapeSignature is not null, a.ShapeSignature is not null);
        if (e.ShapeSignature is not null && a.ShapeSignature is not null)
        {
            CheckSequence(d, p + ".shape_signature", e.ShapeSignature, a.ShapeSignature);
        }
        Check(d, p + ".type", e.Type, a.Type);
        Check(d, p + ".buffer", e.Buffer, a.Buffer);
        Check(d, p + ".is_variable", e.IsVariable, a.IsVariable);
        Check(d, p + ".is_sparse", e.IsSparse, a.IsSparse);
        Check(d, p + ".has_rank", e.HasRank, a.HasRank);
        Check(d, p + ".external_buffer", e.ExternalBuffer, a.ExternalBuffer);
        Check(d, p + ".quantization.present", e.Quantization is not null, a.Quantization is not null);
        if (e.Quantization is { } eq && a.Quantization is { } aq)
        {
            string q = p + ".quantization";
            CheckSequence(d, q + ".scale", eq.Scale, aq.Scale);
            CheckSequence(d, q + ".zero_point", eq.ZeroPoint, aq.ZeroPoint);
            CheckSequence(d, q + ".min", eq.Min, aq.Min);
            CheckSequence(d, q + ".max", eq.Max, aq.Max);
            Check(d, q + ".quantized_dimension", eq.QuantizedDimension, aq.QuantizedDimension);
            CheckValue(d, q + ".details", eq.Details, aq.Details);
        }
    }

    private static void CompareOperator(List<string> d, string p, Operator e, Operator a)
    {
        Check(d, p + ".opcode_index", e.OpcodeIndex, a.OpcodeIndex);
        CheckSequence(d, p + ".inputs", e.Inputs, a.Inputs);
        CheckSequence(d, p + ".outputs", e.Outputs, a.Outputs);
        CheckSequence(d, p + ".intermediates", e.Intermediates, a.Intermediates);
        Check(d, p + ".builtin_options_type", e.OptionsType, a.OptionsType);
        CheckValue(d, p + ".builtin_options", e.Options, a.Options);
        Check(d, p + ".builtin_options_2_type", e.Options2Type, a.Options2Type);
        CheckValue(d, p + ".builtin_options_2", e.Options2, a.Options2);
        Check(d, p + ".custom_options_length", e.CustomOptionsLength, a.CustomOptionsLength);
        CheckBytes(d, p + ".custom_options", e.CustomOptions, a.CustomOptions);
        Check(d, p + ".custom_options_format", e.CustomOptionsFormat, a.CustomOptionsFormat);
    }

    /// <summary>Structural equality of records (options, quantisation details, signature tensors): same
    /// runtime type, and every public property equal, lists element by element and byte memory by content.</summary>
    public static void CheckValue(List<string> d, string path, object? e, object? a)
    {
        if (e is null || a is null)
        {
            if (e is not null || a is not null)
            {
                d.Add($"{path}: expected {Show(e)}, got {Show(a)}");
            }
            return;
        }
        // Lists compare element by element whatever collection type holds them.
        if (e is IEnumerable list && e is not string && a is IEnumerable other && a is not string)
        {
            object?[] ee = list.Cast<object?>().ToArray(), aa = other.Cast<object?>().ToArray();
            Check(d, path + ".count", ee.Length, aa.Length);
            for (int i = 0; i < Math.Min(ee.Length, aa.Length); i++)
            {
                CheckValue(d, $"{path}[{i}]", ee[i], aa[i]);
            }
            return;
        }
        if (e.GetType() != a.GetType())
        {
            d.Add($"{path}: expected a {e.GetType().Name}, got a {a.GetType().Name}");
            return;
        }
        switch (e)
        {
            case ReadOnlyMemory<byte> bytes:
                CheckBytes(d, path, bytes, (ReadOnlyMemory<byte>)a);
                return;
            case string or ValueType:
                Check(d, path, e, a);
                return;
            default:
                foreach (PropertyInfo property in e.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    if (property.GetIndexParameters().Length == 0)
                    {
                        CheckValue(d, path + "." + property.Name, property.GetValue(e), property.GetValue(a));
                    }
                }
                return;
        }
    }

    private static void CheckSequence<T>(List<string> d, string path, IReadOnlyList<T> e, IReadOnlyList<T> a) =>
        CheckValue(d, path, e.ToArray(), a.ToArray());

    private static void Check<T>(List<string> d, string path, T e, T a)
    {
        if (!EqualityComparer<T>.Default.Equals(e, a))
        {
            d.Add($"{path}: expected {Show(e)}, got {Show(a)}");
        }
    }

    private static void CheckBytes(List<string> d, string path, ReadOnlyMemory<byte> e, ReadOnlyMemory<byte> a)
    {
        if (!e.Span.SequenceEqual(a.Span))
        {
            d.Add($"{path}: {e.Length} bytes expected, {a.Length} bytes differ in content or length");
        }
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        _ => value.ToString() ?? "?",
    };
}

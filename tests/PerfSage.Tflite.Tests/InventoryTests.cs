using System.Globalization;
using PerfSage.Tests.Common;

namespace PerfSage.Tflite.Tests;

/// <summary>
/// Every real model of <c>../shared/models</c> parses, and what the reader sees equals what flatc saw
/// (the inventory is an independent oracle, made with <c>flatc --json</c> on the official schema).
/// One test reports every mismatch, each naming its file.
/// </summary>
public sealed class InventoryTests
{
    [SkippableFact]
    public void Every_inventory_model_parses_and_matches_the_inventory()
    {
        string root = SharedData.Require("models/inventory.csv");
        string modelsDir = Path.GetDirectoryName(root)!;
        IReadOnlyList<InventoryRow> rows = InventoryRow.Load(root);
        Assert.True(rows.Count >= 330, $"inventory has only {rows.Count} rows");

        var problems = new List<string>();
        foreach (InventoryRow row in rows)
        {
            string path = Path.Combine(modelsDir, row.File);
            TfliteModel model;
            try
            {
                model = TfliteReader.ReadFile(path);
            }
            catch (TfliteFormatException e)
            {
                problems.Add($"{row.File}: rejected: {e.Message}");
                continue;
            }
            Compare(row, model, problems);
        }
        Assert.True(problems.Count == 0, $"{problems.Count} mismatches:\n" + string.Join("\n", problems));
    }

    private static void Compare(InventoryRow row, TfliteModel model, List<string> problems)
    {
        void Check<T>(string what, T expected, T actual)
        {
            if (!EqualityComparer<T>.Default.Equals(expected, actual))
            {
                problems.Add($"{row.File}: {what}: inventory {expected}, reader {actual}");
            }
        }

        Check("subgraphs", row.Subgraphs, model.Subgraphs.Count);
        Check("tensors", row.Tensors, model.Subgraphs.Sum(s => s.Tensors.Count));
        Check("operators", row.Operators, model.Subgraphs.Sum(s => s.Operators.Count));

        // op_types: distinct operator names in order of first use, subgraph by subgraph.
        var opTypes = new List<string>();
        foreach (Subgraph subgraph in model.Subgraphs)
        {
            foreach (Operator op in subgraph.Operators)
            {
                string name = model.OperatorCodes[(int)op.OpcodeIndex].Name;
                if (!opTypes.Contains(name))
                {
                    opTypes.Add(name);
                }
            }
        }
        Check("op_types", row.OpTypes, string.Join(", ", opTypes));

        // dtypes: "INT8:60, INT32:29", count per schema type name (order among equal counts varies).
        var expectedTypes = InventoryRow.Items(row.DTypes).Order(StringComparer.Ordinal).ToArray();
        var actualTypes = model.Subgraphs.SelectMany(s => s.Tensors)
            .GroupBy(t => SchemaName(t.Type))
            .Select(g => $"{g.Key}:{g.Count().ToString(CultureInfo.InvariantCulture)}")
            .Order(StringComparer.Ordinal).ToArray();
        Check("dtypes", string.Join(", ", expectedTypes), string.Join(", ", actualTypes));

        // quantized: "yes (88/89 tensors)" counts tensors with scales; other wordings are notes.
        if (row.Quantized == "no" || row.Quantized.EndsWith(" tensors)", StringComparison.Ordinal))
        {
            int total = model.Subgraphs.Sum(s => s.Tensors.Count);
            int quantized = model.Subgraphs.Sum(s => s.Tensors.Count(t => t.Quantization is { Scale.Count: > 0 }));
            Check("quantized", row.Quantized, quantized == 0 ? "no" : $"yes ({quantized}/{total} tensors)");
        }

        CompareNotes(row, model, problems);

        Check("signatures", row.Signatures, string.Join(", ", model.SignatureDefs.Select(s => s.SignatureKey)));
        Check("metadata", row.Metadata, string.Join(", ", model.Metadata.Select(m => m.Name)));
        Check("description", row.Description, model.Description ?? "");
    }

    /// <summary>The notes column: "; "-separated counts of what flatc saw, where the reader exposes the same thing.</summary>
    private static void CompareNotes(InventoryRow row, TfliteModel model, List<string> problems)
    {
        Tensor[] tensors = model.Subgraphs.SelectMany(s => s.Tensors).ToArray();
        Operator[] operators = model.Subgraphs.SelectMany(s => s.Operators).ToArray();
        foreach (string note in row.Notes.Split("; ", StringSplitOptions.RemoveEmptyEntries))
        {
            int space = note.IndexOf(' ', StringComparison.Ordinal);
            bool counted = int.TryParse(note.AsSpan(0, Math.Max(space, 0)), NumberStyles.None, CultureInfo.InvariantCulture, out int count);
            string what = counted ? note[(space + 1)..] : note;
            int? actual = what switch
            {
                "per-channel q tensors" => tensors.Count(t => t.Quantization is { IsPerChannel: true }),
                "sparse tensors" => tensors.Count(t => t.IsSparse),
                "ops with custom_options" => operators.Count(o => o.HasCustomOptions),
                "opcodes" => model.OperatorCodes.Count,
                "buffers outside flatbuffer (offset/size)" => model.Buffers.Count(b => b.IsStoredOutside),
                "signatures" => model.SignatureDefs.Count,
                "subgraphs" => model.Subgraphs.Count,
                _ => null,
            };
            if (counted && actual is { } n && n != count)
            {
                problems.Add($"{row.File}: notes \"{note}\": reader counts {n}");
            }
            if (note == "schema version 2" && model.Version != 2)
            {
                problems.Add($"{row.File}: notes \"{note}\": reader reads version {model.Version}");
            }
            if (note.StartsWith("quant details: ", StringComparison.Ordinal)
                && !tensors.Any(t => t.Quantization?.Details?.GetType().Name == note["quant details: ".Length..]))
            {
                problems.Add($"{row.File}: notes \"{note}\": no tensor has those details");
            }
        }
    }

    /// <summary>The schema's spelling of a tensor type (<c>FLOAT32</c>, <c>FLOAT8_E4M3FN</c>).</summary>
    public static string SchemaName(TensorType type) => type switch
    {
        TensorType.Float8E4M3FN => "FLOAT8_E4M3FN",
        TensorType.Float8E5M2 => "FLOAT8_E5M2",
        TensorType.BFloat16 => "BFLOAT16",
        _ => type.ToString().ToUpperInvariant(),
    };
}

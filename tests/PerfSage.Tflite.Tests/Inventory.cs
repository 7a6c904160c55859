using System.Text;

namespace PerfSage.Tflite.Tests;

/// <summary>One row of <c>../shared/models/inventory.csv</c>: what flatc saw in a real model file.</summary>
public sealed record InventoryRow(
    string File, int Subgraphs, int Tensors, int Operators, string OpTypes, string DTypes, string Quantized,
    string Notes, string Signatures, string Metadata, string Description)
{
    /// <summary>Reads the inventory (RFC 4180 CSV: quoted fields may hold commas).</summary>
    public static IReadOnlyList<InventoryRow> Load(string path)
    {
        List<string[]> records = ParseCsv(System.IO.File.ReadAllText(path));
        string[] header = records[0];
        int Col(string name) => Array.IndexOf(header, name) is var i and >= 0
            ? i : throw new InvalidDataException($"inventory has no column {name}");
        int file = Col("file"), subgraphs = Col("subgraphs"), tensors = Col("tensors"), operators = Col("operators"),
            opTypes = Col("op_types"), dtypes = Col("dtypes"), quantized = Col("quantized"), notes = Col("notes"),
            signatures = Col("signatures"), metadata = Col("metadata"), description = Col("description");
        var rows = new List<InventoryRow>();
        foreach (string[] r in records.Skip(1))
        {
            rows.Add(new InventoryRow(r[file], int.Parse(r[subgraphs]), int.Parse(r[tensors]), int.Parse(r[operators]),
                r[opTypes], r[dtypes], r[quantized], r[notes], r[signatures], r[metadata], r[description]));
        }
        return rows;
    }

    /// <summary>Splits a comma-separated inventory cell (<c>"ADD, SUB"</c>) into its items.</summary>
    public static string[] Items(string cell) =>
        cell.Length == 0 ? [] : cell.Split(", ");

    private static List<string[]> ParseCsv(string text)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') { quoted = false; }
                else { field.Append(c); }
            }
            else if (c == '"') { quoted = true; }
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else if (c == '\n')
            {
                fields.Add(field.ToString()); field.Clear();
                records.Add([.. fields]); fields.Clear();
            }
            else if (c != '\r') { field.Append(c); }
        }
        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            records.Add([.. fields]);
        }
        return records;
    }
}

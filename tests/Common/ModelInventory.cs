using System.Text;

namespace PerfSage.Tests.Common;

/// <summary>
/// The shared model inventory (<c>../shared/models/inventory.csv</c>, one row per model file with what flatc saw in
/// it) and the files the shared README lists as not models, which a reader must reject: the only model files a
/// test may leave out.
/// </summary>
public static class ModelInventory
{
    /// <summary>Folders (relative to <c>models/</c>) of files that are not readable TFLite models, with the reason
    /// the shared README gives; no other file may fail to read.</summary>
    public static IReadOnlyDictionary<string, string> RejectedFolders { get; } = new Dictionary<string, string>
    {
        ["litert/_negative/"] = "negative fixture (plain text or a corrupt flatbuffer): a parser must reject it",
        ["litert/_not_tflite/"] = "vendor-compiled or weight-only file, not a TFLite model: must be rejected",
    };

    /// <summary>Why <paramref name="relative"/> (a path under <c>models/</c>, '/' separated) is expected to be
    /// rejected by the reader, or null when it must read.</summary>
    public static string? RejectionReason(string relative) =>
        RejectedFolders.Where(kv => relative.StartsWith(kv.Key, StringComparison.Ordinal))
            .Select(kv => kv.Value).FirstOrDefault();

    /// <summary>The inventory's rows keyed by its header; skips the test when <c>../shared</c> is absent.</summary>
    public static List<Dictionary<string, string>> RequireRows()
    {
        string path = SharedData.Require(Path.Combine("models", "inventory.csv"));
        return ReadCsv(path);
    }

    /// <summary>RFC 4180 CSV (quoted fields may hold commas) into dictionaries keyed by the header.</summary>
    public static List<Dictionary<string, string>> ReadCsv(string path)
    {
        string[] lines = File.ReadAllLines(path);
        List<string> header = SplitCsv(lines[0]);
        var rows = new List<Dictionary<string, string>>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }
            List<string> cells = SplitCsv(lines[i]);
            var row = new Dictionary<string, string>();
            for (int c = 0; c < header.Count; c++)
            {
                row[header[c]] = c < cells.Count ? cells[c] : "";
            }
            rows.Add(row);
        }
        return rows;
    }

    private static List<string> SplitCsv(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (ch == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(ch);
                }
            }
            else if (ch == '"')
            {
                quoted = true;
            }
            else if (ch == ',')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(ch);
            }
        }
        cells.Add(cell.ToString());
        return cells;
    }
}

using System.Globalization;

namespace PerfSage.Dataset;

/// <summary>
/// A published latency table (NAS-Bench-201, FBNet): header <c>&lt;index column&gt;,arch,&lt;device&gt;…</c>,
/// one row per architecture, latency in milliseconds per device column (an empty cell: not measured). Read
/// whole from a regular file of at most <see cref="Limits.MaxTextBytes"/>; every error names the file and row.
/// </summary>
internal sealed class LatencyTable
{
    /// <summary>One architecture's row.</summary>
    public sealed record Row(long Order, long Line, int Index, string Arch, (string Device, double LatencyMs)[] Values);

    private LatencyTable(string path, byte[] bytes, string[] devices, Row[] rows)
    {
        Path = path;
        Bytes = bytes;
        Devices = devices;
        Rows = rows;
    }

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>Its bytes (for the build record's checksum).</summary>
    public byte[] Bytes { get; }

    /// <summary>Device columns in file order.</summary>
    public IReadOnlyList<string> Devices { get; }

    /// <summary>The rows read (the first <c>limit</c> of them).</summary>
    public IReadOnlyList<Row> Rows { get; }

    /// <summary>Reads <paramref name="path"/>: <paramref name="what"/> names the table in messages,
    /// <paramref name="indexColumn"/> is the first column's name and <paramref name="checkArch"/> throws
    /// <see cref="Spaces.SearchSpaceException"/> for an architecture it cannot read.</summary>
    public static LatencyTable Read(string path, string what, string indexColumn, int? limit, Action<string> checkArch)
    {
        byte[] bytes = DatasetInput.ReadAllBytes(path, Limits.MaxTextBytes, what);
        (string[] header, List<CsvRow> csvRows) = CsvFile.Read(path, bytes);
        if (header.Length < 3 || header[0] != indexColumn || header[1] != "arch")
        {
            throw new DatasetException($"{path}: header must be {indexColumn},arch,<device>... (at least one device column), found '{Limits.Echo(string.Join(',', header))}'");
        }
        string[] devices = header[2..];
        foreach (string device in devices)
        {
            if (!TargetName.IsValid(device))
            {
                throw new DatasetException($"{path}: device column '{Limits.Echo(device)}' is not a valid target name ({TargetName.Rule})");
            }
        }
        if (devices.Distinct(StringComparer.Ordinal).Count() != devices.Length)
        {
            throw new DatasetException($"{path}: a device column appears twice in the header");
        }
        if (csvRows.Count == 0)
        {
            throw new DatasetException($"{path}: no data rows under the header");
        }
        int take = Math.Min(limit ?? int.MaxValue, csvRows.Count);
        var rows = new Row[take];
        var seen = new Dictionary<int, long>();
        for (int k = 0; k < take; k++)
        {
            rows[k] = ParseRow(path, indexColumn, csvRows[k], k, devices, seen, checkArch);
        }
        return new LatencyTable(path, bytes, devices, rows);
    }

    private static Row ParseRow(string path, string indexColumn, CsvRow row, int order, string[] devices,
        Dictionary<int, long> seen, Action<string> checkArch)
    {
        string Where() => $"{path}: row {row.Line}";
        string[] f = row.Fields;
        if (row.Malformed)
        {
            throw new DatasetException($"{Where()}: malformed CSV quoting (an unclosed or stray quote; a quoted field ends at its line)");
        }
        if (f.Length != devices.Length + 2)
        {
            throw new DatasetException($"{Where()}: expected {devices.Length + 2} fields, found {f.Length}");
        }
        if (!int.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            throw new DatasetException($"{Where()}: {indexColumn} '{Limits.Echo(f[0])}' is not a whole number");
        }
        if (!seen.TryAdd(index, row.Line))
        {
            throw new DatasetException($"{Where()}: {indexColumn} {index} is also on row {seen[index]}");
        }
        try
        {
            checkArch(f[1]);
        }
        catch (Spaces.SearchSpaceException e)
        {
            throw new DatasetException($"{Where()}: {e.Message}", e);
        }
        var values = new List<(string, double)>(devices.Length);
        for (int d = 0; d < devices.Length; d++)
        {
            string text = f[d + 2];
            if (text.Length == 0)
            {
                continue;
            }
            if (!CsvFile.TryNumber(text, out double ms) || ms <= 0)
            {
                throw new DatasetException($"{Where()}: {devices[d]} latency '{Limits.Echo(text)}' is not a positive number of milliseconds");
            }
            values.Add((devices[d], ms));
        }
        if (values.Count == 0)
        {
            throw new DatasetException($"{Where()}: no device has a latency");
        }
        return new Row(order, row.Line, index, f[1], [.. values]);
    }
}

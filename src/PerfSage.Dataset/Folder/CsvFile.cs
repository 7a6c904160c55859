using System.Globalization;
using CsvHelper;

namespace PerfSage.Dataset;

/// <summary>One data row of a CSV file: its 1-based line in the file (the header is line 1) and its fields.
/// <see cref="Malformed"/> is set when its quoting is broken (a stray or unclosed quote).</summary>
internal sealed record CsvRow(long Line, string[] Fields, bool Malformed);

/// <summary>The CSV dialect of dataset files (RFC 4180, comma, header row, LF line ends, UTF-8, invariant
/// culture), read and written with CsvHelper. One departure from RFC 4180: <b>a field never holds a line
/// break</b>, quoted or not, so every record is one line. None of our files needs one (paths, ids, target names,
/// numbers), and it contains the damage of an unbalanced quote to its own line: the row is reported as malformed
/// and the next line is read as the next row, instead of one quote swallowing the rest of the file.</summary>
internal static class CsvFile
{
    /// <summary>Reads the whole of the CSV file <paramref name="path"/> (a regular file of at most
    /// <see cref="Limits.MaxTextBytes"/>; <paramref name="what"/> names it in the refusal) and its rows, as
    /// <see cref="Read(string, byte[])"/>.</summary>
    public static (string[] Header, List<CsvRow> Rows) ReadFile(string path, string what) =>
        Read(path, DatasetInput.ReadAllBytes(path, Limits.MaxTextBytes, what));

    /// <summary>Reads every row of <paramref name="bytes"/> (the content of <paramref name="path"/>, for
    /// messages). Fields are trimmed of surrounding spaces; empty lines are skipped; a line break always ends a
    /// row (a quote left open is malformed). Throws <see cref="DatasetException"/> for a file without a header.</summary>
    public static (string[] Header, List<CsvRow> Rows) Read(string path, byte[] bytes)
    {
        var malformed = new HashSet<long>();
        var options = new CsvReaderOptions
        {
            HasHeader = true,
            Separator = ',', // never guessed: a column of NB201 arch strings ('|') must not pass for the separator
            TrimWhitespace = true,
            TrackLineNumbers = true,
            SkipEmptyLines = true,
            MalformedData = CsvMalformedDataHandling.Recover,
            AllowLineBreaksInQuotes = false,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            OnMalformedRecord = record => malformed.Add(record.LineNumber),
        };
        var rows = new List<CsvRow>();
        string[] header;
        try
        {
            using CsvReader csv = CsvReader.Create(bytes, options);
            header = [.. csv.Headers];
            if (header.Length == 0 || (header.Length == 1 && header[0].Length == 0))
            {
                throw new DatasetException($"{path}: the file is empty; expected a header row");
            }
            if (header.Length > 0 && header[0].Length > 0 && header[0][0] == '\uFEFF')
            {
                header[0] = header[0][1..];
            }
            while (csv.Read())
            {
                var fields = new string[csv.FieldCount];
                for (int i = 0; i < fields.Length; i++)
                {
                    fields[i] = csv.GetString(i);
                }
                rows.Add(new CsvRow(csv.LineNumber, fields, false));
            }
        }
        catch (CsvFormatException e)
        {
            throw new DatasetException($"{path}: line {e.LineNumber}: malformed CSV ({Limits.Echo(e.Message)})", e);
        }
        if (malformed.Count > 0)
        {
            for (int i = 0; i < rows.Count; i++)
            {
                if (malformed.Contains(rows[i].Line))
                {
                    rows[i] = rows[i] with { Malformed = true };
                }
            }
        }
        return (header, rows);
    }

    /// <summary>Checks that <paramref name="header"/> is exactly <paramref name="expected"/>.</summary>
    public static void RequireHeader(string path, string[] header, IReadOnlyList<string> expected)
    {
        if (!header.SequenceEqual(expected, StringComparer.Ordinal))
        {
            throw new DatasetException(
                $"{path}: header is '{Limits.Echo(string.Join(',', header))}', expected '{string.Join(',', expected)}'");
        }
    }

    /// <summary>The bytes of a CSV file with <paramref name="header"/> and <paramref name="rows"/>
    /// (null fields are written empty). A line break in a field (only free text such as an origin can hold one:
    /// a file name) is written as a space, since the dialect has none.</summary>
    public static byte[] Write(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string?>> rows)
    {
        using var stream = new MemoryStream();
        var options = new CsvWriterOptions { NewLine = "\n" };
        using (CsvWriter csv = CsvWriter.Create(stream, options, leaveOpen: true))
        {
            csv.WriteHeader([.. header]);
            foreach (IReadOnlyList<string?> row in rows)
            {
                foreach (string? field in row)
                {
                    csv.WriteField(OneLine(field ?? ""));
                }
                csv.EndRecord();
            }
        }
        return stream.ToArray();
    }

    private static string OneLine(string field) =>
        field.AsSpan().IndexOfAny('\r', '\n') < 0 ? field : field.Replace("\r\n", " ", StringComparison.Ordinal).Replace('\r', ' ').Replace('\n', ' ');

    /// <summary>The shortest invariant text that reads back as the same double.</summary>
    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>An optional number: empty when null.</summary>
    public static string? Number(double? value) => value is double v ? Number(v) : null;

    /// <summary>Parses an invariant-culture number; false for anything else (also NaN and infinities).</summary>
    public static bool TryNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}

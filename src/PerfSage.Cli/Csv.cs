using CsvHelper;

namespace PerfSage.Cli;

/// <summary>CSV output through CsvHelper: RFC 4180 quoting, invariant culture, LF line ends.</summary>
internal static class Csv
{
    /// <summary>A writer on <paramref name="writer"/> (left open).</summary>
    /// <param name="writer">Where the CSV goes.</param>
    /// <param name="protectFormulas">Quote a text cell that starts with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a
    /// carriage return and put a single quote before it (the OWASP CSV-injection convention), so that a spreadsheet shows
    /// a hostile file name as text instead of running it as a formula. Numbers written as numbers (<c>-1.5</c>) are left
    /// alone.</param>
    public static CsvWriter Create(TextWriter writer, bool protectFormulas = false) =>
        CsvWriter.Create(writer, new CsvWriterOptions
        {
            NewLine = "\n",
            Injection = protectFormulas ? CsvInjection.Escape : CsvInjection.None,
        }, leaveOpen: true);

    public static void Header(CsvWriter csv, params string[] names)
    {
        foreach (string name in names)
        {
            csv.WriteField(name);
        }
        csv.EndRecord();
    }

    /// <summary>Writes a number as a number (never as text, so formula protection leaves a minus sign alone), or an
    /// empty cell for none.</summary>
    public static void Number(CsvWriter csv, double? value)
    {
        ArgumentNullException.ThrowIfNull(csv);
        if (value is double v)
        {
            csv.WriteField(v);
        }
        else
        {
            csv.WriteField("");
        }
    }
}

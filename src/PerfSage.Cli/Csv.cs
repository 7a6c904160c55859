using CsvHelper;

namespace PerfSage.Cli;

/// <summary>CSV output through CsvHelper: RFC 4180 quoting, invariant culture, LF line ends.</summary>
internal static class Csv
{
    public static CsvWriter Create(TextWriter writer) =>
        CsvWriter.Create(writer, new CsvWriterOptions { NewLine = "\n" }, leaveOpen: true);

    public static void Header(CsvWriter csv, params string[] names)
    {
        foreach (string name in names)
        {
            csv.WriteField(name);
        }
        csv.EndRecord();
    }
}

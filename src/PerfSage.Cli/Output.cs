using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace PerfSage.Cli;

/// <summary>Rendering helpers: Spectre.Console tables on a plain <see cref="TextWriter"/> (no colour,
/// no terminal probing, so the output is the same on a terminal, in a pipe and in tests) and
/// invariant-culture JSON.</summary>
internal static class Output
{
    public static IAnsiConsole Console(TextWriter writer)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 200;
        return console;
    }

    public static void Write(TextWriter writer, IRenderable renderable) => Console(writer).Write(renderable);

    public static Table NewTable(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (string column in columns)
        {
            bool numeric = column.EndsWith(']') || column.StartsWith('#') || column is "MACs" or "params";
            var tableColumn = new TableColumn(Markup.Escape(column));
            if (numeric)
            {
                tableColumn.RightAligned();
            }
            table.AddColumn(tableColumn);
        }
        return table;
    }

    public static void AddRow(Table table, params string[] cells) =>
        table.AddRow(cells.Select(c => (IRenderable)new Text(c)).ToArray());

    public static string Num(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Num(double value, int decimals) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);

    public static string Shape(IReadOnlyList<int> shape)
    {
        var sb = new StringBuilder("[");
        for (int i = 0; i < shape.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }
            sb.Append(shape[i].ToString(CultureInfo.InvariantCulture));
        }
        return sb.Append(']').ToString();
    }

    public static Utf8JsonWriter JsonWriter(Stream stream) => new(stream, new JsonWriterOptions
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>Writes JSON built by <paramref name="write"/> to <paramref name="writer"/>, followed by a newline.</summary>
    public static void WriteJson(TextWriter writer, Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (Utf8JsonWriter json = JsonWriter(stream))
        {
            write(json);
        }
        writer.WriteLine(Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length));
    }
}

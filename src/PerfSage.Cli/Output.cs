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

    /// <summary>Writes JSON built by <paramref name="write"/> to <paramref name="writer"/>, followed by a newline. The
    /// document is streamed: <paramref name="write"/> calls <see cref="FlushIfLarge"/> inside its long loops, so memory
    /// stays bounded by one chunk however many layers and targets the output holds (10,000 layers on 20 targets are tens
    /// of megabytes of JSON).</summary>
    public static void WriteJson(TextWriter writer, Action<Utf8JsonWriter> write)
    {
        using (var stream = new TextWriterStream(writer))
        using (Utf8JsonWriter json = JsonWriter(stream))
        {
            write(json);
        }
        writer.WriteLine();
    }

    /// <summary>The JSON written but not yet passed on that makes <see cref="FlushIfLarge"/> pass it on.</summary>
    internal const int JsonChunkBytes = 64 * 1024;

    /// <summary>Passes the JSON written so far on to the output once it reaches <see cref="JsonChunkBytes"/>.</summary>
    public static void FlushIfLarge(Utf8JsonWriter json)
    {
        if (json.BytesPending >= JsonChunkBytes)
        {
            json.Flush();
        }
    }

    /// <summary>A write-only stream of UTF-8 bytes onto a <see cref="TextWriter"/> (which it does not own): a multi-byte
    /// character split between two writes is carried over by the decoder.</summary>
    private sealed class TextWriterStream(TextWriter writer) : Stream
    {
        private readonly Decoder _decoder = new UTF8Encoding(false, true).GetDecoder();
        private char[] _chars = new char[4096];

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => writer.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            int needed = _decoder.GetCharCount(buffer, flush: false);
            if (needed > _chars.Length)
            {
                _chars = new char[Math.Max(needed, _chars.Length * 2)];
            }
            int written = _decoder.GetChars(buffer, _chars, flush: false);
            writer.Write(_chars, 0, written);
        }
    }
}

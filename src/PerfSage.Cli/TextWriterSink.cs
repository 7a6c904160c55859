using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace PerfSage.Cli;

/// <summary>A Serilog sink that renders events onto a <see cref="TextWriter"/> (the CLI's stderr, or a
/// captured writer in tests). Writes are serialised so parallel work cannot interleave lines.</summary>
internal sealed class TextWriterSink(TextWriter writer, ITextFormatter formatter) : ILogEventSink
{
    private readonly Lock _gate = new();

    public void Emit(LogEvent logEvent)
    {
        lock (_gate)
        {
            formatter.Format(logEvent, writer);
            writer.Flush();
        }
    }
}

namespace PerfSage.Tflite;

/// <summary>The one exception the reader throws for bad input. The message names the source,
/// the field path (<c>subgraphs[0].operators[12].inputs[1]</c>) and the byte offset.</summary>
public sealed class TfliteFormatException : PerfSageException
{
    public TfliteFormatException() { }

    public TfliteFormatException(string message) : base(message) { }

    public TfliteFormatException(string message, Exception inner) : base(message, inner) { }

    public TfliteFormatException(string sourceName, string fieldPath, long byteOffset, string reason, Exception? inner = null)
        : base($"{sourceName}: {reason} at {fieldPath} (byte offset {byteOffset})", inner)
    {
        SourceName = sourceName;
        FieldPath = fieldPath;
        ByteOffset = byteOffset;
        Reason = reason;
    }

    /// <summary>A refusal whose whole message is already written (it starts with the file), such as a file that is
    /// not a regular file or is over the size limit.</summary>
    internal TfliteFormatException(string sourceName, string fieldPath, string message, Exception? inner)
        : base(message, inner)
    {
        SourceName = sourceName;
        FieldPath = fieldPath;
        Reason = message;
    }

    /// <summary>The file or name given to the reader.</summary>
    public string? SourceName { get; }

    /// <summary>Where in the model the problem is, e.g. <c>subgraphs[0].operators[12].inputs[1]</c>.</summary>
    public string? FieldPath { get; }

    /// <summary>Byte offset in the file of the offending field (-1 when not applicable).</summary>
    public long ByteOffset { get; } = -1;

    /// <summary>The cause alone, without source and location.</summary>
    public string? Reason { get; }
}

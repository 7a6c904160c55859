namespace PerfSage.Tflite;

/// <summary>Reads and strictly validates <c>.tflite</c> files.</summary>
public static class TfliteReader
{
    /// <summary>Reads the file at <paramref name="path"/>. Throws <see cref="TfliteFormatException"/>
    /// for anything that is not a valid model (including I/O failure, wrapped, naming the file).</summary>
    public static TfliteModel ReadFile(string path) => throw new NotImplementedException();

    /// <summary>Parses <paramref name="bytes"/> (not copied: buffers are slices of it).</summary>
    public static TfliteModel Parse(ReadOnlyMemory<byte> bytes, string sourceName = "<memory>") =>
        throw new NotImplementedException();
}

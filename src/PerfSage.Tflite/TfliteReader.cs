using PerfSage.Tflite.Internal;

namespace PerfSage.Tflite;

/// <summary>
/// Reads and strictly validates <c>.tflite</c> files. Any input that is not a valid model (truncated,
/// corrupt, hostile, or not TFLite at all) raises <see cref="TfliteFormatException"/>, naming the source,
/// the field path and the byte offset; no input makes the reader throw another exception type, loop,
/// or allocate more than a small multiple of the input's size.
/// </summary>
public static class TfliteReader
{
    /// <summary>Reads the file at <paramref name="path"/>. Throws <see cref="TfliteFormatException"/>
    /// for anything that is not a valid model (including I/O failure, wrapped, naming the file).</summary>
    public static TfliteModel ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException
                                      or System.Security.SecurityException)
        {
            TfliteThrowHelper.ThrowUnreadable(path, e);
            throw; // not reached
        }
        return Parse(bytes, path);
    }

    /// <summary>Parses <paramref name="bytes"/> (not copied: buffers are slices of it).</summary>
    public static TfliteModel Parse(ReadOnlyMemory<byte> bytes, string sourceName = "<memory>")
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        return ModelDecoder.Decode(bytes, sourceName);
    }
}

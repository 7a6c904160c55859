using PerfSage.IO;
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
    /// for anything that is not a valid model, naming the file: what is not a regular file (a folder, a named pipe
    /// that would block forever, <c>/dev/zero</c> that never ends) and files over <see cref="Limits.MaxModelBytes"/>
    /// are refused before a byte is read; then the 8-byte header (root offset, <c>TFL3</c> identifier) is checked
    /// before the rest is read, so a large file that is no model fails at once; I/O failures are wrapped.</summary>
    public static TfliteModel ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            InputFile.Check(path, Limits.MaxModelBytes, "model");
        }
        catch (PerfSageException e)
        {
            throw new TfliteFormatException(path, "<file>", e.Message, e);
        }
        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            long length = stream.Length;
            if (length > Limits.MaxModelBytes)
            {
                // Grew past the limit since the check.
                throw new TfliteFormatException(path, "<file>",
                    $"{path}: is {length:N0} bytes, larger than the {Limits.MaxModelBytes:N0}-byte limit for a model", null);
            }
            Span<byte> header = stackalloc byte[8];
            int headerRead = ReadUpTo(stream, header);
            FlatBufferReader.CheckHeader(header[..headerRead], length, ModelDecoder.FileIdentifier, path);
            bytes = GC.AllocateUninitializedArray<byte>((int)length);
            header.CopyTo(bytes);
            int read = headerRead + ReadUpTo(stream, bytes.AsSpan(headerRead));
            if (read < bytes.Length)
            {
                bytes = bytes[..read]; // shrank while being read: the decoder reports what is missing
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException
                                      or System.Security.SecurityException)
        {
            TfliteThrowHelper.ThrowUnreadable(path, e);
            throw; // not reached
        }
        return Parse(bytes, path);
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns the bytes read.</summary>
    private static int ReadUpTo(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0)
            {
                break;
            }
            total += n;
        }
        return total;
    }

    /// <summary>Parses <paramref name="bytes"/> (not copied: buffers are slices of it).</summary>
    public static TfliteModel Parse(ReadOnlyMemory<byte> bytes, string sourceName = "<memory>")
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        return ModelDecoder.Decode(bytes, sourceName);
    }
}

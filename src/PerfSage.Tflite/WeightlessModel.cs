using System.Globalization;
using System.Text;

namespace PerfSage.Tflite;

/// <summary>
/// The marker of a PerfSage weightless model (<see cref="TfliteModel.WeightlessFileBytes"/>): two metadata
/// entries, <c>perfsage_weights</c> whose buffer holds the ASCII text <c>none</c>, and
/// <c>perfsage_file_bytes</c> whose buffer holds the file's size with its weights as ASCII decimal digits.
/// </summary>
public static class WeightlessModel
{
    /// <summary>Name of the entry that marks the model weightless.</summary>
    public const string WeightsEntry = "perfsage_weights";

    /// <summary>Name of the entry holding the size of the file with weights.</summary>
    public const string FileBytesEntry = "perfsage_file_bytes";

    /// <summary>The smallest declared size: a flatbuffer header (root offset and file identifier).</summary>
    public const long MinFileBytes = 8;

    /// <summary>Content of the <see cref="WeightsEntry"/> buffer.</summary>
    public const string Marker = "none";

    /// <summary>The size declared by a weightless model's metadata, or null when <paramref name="metadata"/> has
    /// no <see cref="WeightsEntry"/>. Throws <see cref="TfliteFormatException"/> naming the file when the marker is
    /// not <c>none</c> or the declared size is missing, not a whole number, below <see cref="MinFileBytes"/> or above
    /// <see cref="Limits.MaxModelBytes"/>.</summary>
    public static long? Read(string sourceName, IReadOnlyList<MetadataEntry> metadata, IReadOnlyList<TfliteBuffer> buffers)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(buffers);
        ReadOnlySpan<byte> Data(MetadataEntry m) =>
            m.BufferIndex < (uint)buffers.Count ? buffers[(int)m.BufferIndex].Data.Span : [];
        MetadataEntry? marker = metadata.FirstOrDefault(m => m.Name == WeightsEntry);
        if (marker is null)
        {
            return null;
        }
        if (!Data(marker).SequenceEqual(Encoding.ASCII.GetBytes(Marker)))
        {
            throw new TfliteFormatException($"{sourceName}: metadata '{WeightsEntry}' must hold '{Marker}'");
        }
        MetadataEntry? size = metadata.FirstOrDefault(m => m.Name == FileBytesEntry);
        ReadOnlySpan<byte> digits = size is null ? [] : Data(size);
        if (digits.Length is 0 or > 12 || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long bytes))
        {
            throw new TfliteFormatException($"{sourceName}: a weightless model needs metadata '{FileBytesEntry}' holding its size with weights in bytes");
        }
        // A tiny network's weights can take fewer bytes than this metadata, so the declared size may be below the
        // file's own; it is at least a flatbuffer header and at most a model PerfSage reads.
        if (bytes < MinFileBytes || bytes > Limits.MaxModelBytes)
        {
            throw new TfliteFormatException(string.Create(CultureInfo.InvariantCulture,
                $"{sourceName}: metadata '{FileBytesEntry}' declares {bytes} bytes with weights; it must lie between {MinFileBytes} and {Limits.MaxModelBytes}"));
        }
        return bytes;
    }
}

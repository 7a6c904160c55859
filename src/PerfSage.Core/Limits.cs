namespace PerfSage;

/// <summary>
/// The documented bounds on what PerfSage reads (README, "Limits and safety"). Inputs past them are refused with
/// a clear message instead of exhausting memory or time.
/// </summary>
public static class Limits
{
    /// <summary>Largest <c>.tflite</c> file read: 2 GiB − 1. FlatBuffers offsets are signed 32-bit, so a flatbuffer
    /// cannot be larger (TFLite's own limit; bigger models keep their buffers outside the flatbuffer, which
    /// PerfSage does not read).</summary>
    public const long MaxModelBytes = int.MaxValue;

    /// <summary>Most elements in one tensor: 2^31 − 1. TFLite keeps dimensions in <c>TfLiteIntArray</c> (int32) and its
    /// kernels index a tensor through <c>RuntimeShape::FlatSize()</c>, which returns an <c>int</c>
    /// (<c>tensorflow/lite/kernels/internal/runtime_shape.h</c>), so no TFLite runtime can run a bigger tensor. Bounding
    /// every tensor here also keeps all sizes, MACs and byte counts well inside 64 bits.</summary>
    public const long MaxTensorElements = int.MaxValue;

    /// <summary>Largest CSV, JSON or text input read whole (measurement CSVs, NB201 tables, manifests): 1 GiB.
    /// The NB201 table of 15,625 rows is about 4 MB; an assumption with a wide margin.</summary>
    public const long MaxTextBytes = 1L << 30;

    /// <summary>Largest model manifest or dataset JSON read: 64 MiB (an assumption; real ones are a few KB).</summary>
    public const long MaxJsonBytes = 64L << 20;

    /// <summary>Most operators in one graph: 1,000,000 (an assumption: the largest real models of
    /// <c>../shared/models</c> have under 1,000, and cost stays linear up to here).</summary>
    public const int MaxOperators = 1_000_000;

    /// <summary>Most characters of a field echoed back in an error message; the rest is cut with "…".</summary>
    public const int MaxEchoedChars = 80;

    /// <summary>Cuts <paramref name="text"/> to <see cref="MaxEchoedChars"/> for an error message, and makes control
    /// characters visible, so that a huge or binary field never floods the terminal.</summary>
    public static string Echo(string? text)
    {
        if (text is null)
        {
            return "";
        }
        var builder = new System.Text.StringBuilder(Math.Min(text.Length, MaxEchoedChars) + 1);
        foreach (char c in text)
        {
            if (builder.Length >= MaxEchoedChars)
            {
                builder.Append('…');
                break;
            }
            builder.Append(char.IsControl(c) ? '?' : c);
        }
        return builder.ToString();
    }
}

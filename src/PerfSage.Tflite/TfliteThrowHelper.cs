using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace PerfSage.Tflite;

/// <summary>Cold-path throws for the reader, kept out of line so the checks that call them stay small.</summary>
internal static class TfliteThrowHelper
{
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowFormat(string sourceName, string fieldPath, long byteOffset, string reason) =>
        throw new TfliteFormatException(sourceName, fieldPath, byteOffset, reason);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowUnreadable(string path, Exception inner) =>
        throw new TfliteFormatException(path, "<file>", -1, "cannot read the file: " + inner.Message, inner);
}

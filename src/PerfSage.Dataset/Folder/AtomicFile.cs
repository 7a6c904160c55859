namespace PerfSage.Dataset;

/// <summary>
/// The dataset folder's view of <see cref="PerfSage.IO.AtomicFile"/> (a temporary file beside the target, then one
/// <c>rename</c>): a reader, or a build resumed after <c>kill -9</c>, sees the old content or the whole new one.
/// </summary>
/// <remarks><c>durable</c> also flushes the data to the disk before the rename, so that after a power loss the file
/// is not renamed into place empty; per-model files skip that (a damaged one fails its checksum on resume and is
/// rebuilt), the files readers trust (labels, models, manifest) use it.</remarks>
internal static class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> bytes, bool durable) =>
        PerfSage.IO.AtomicFile.Write(path, bytes, durable);

    /// <summary>True for the temporary files <see cref="Write"/> makes.</summary>
    public static bool IsTemporary(string fileName) => PerfSage.IO.AtomicFile.IsTemporary(fileName);

    /// <summary>Removes every temporary file in <paramref name="directory"/>, those of live writers too: the caller
    /// holds the folder's lock, so any temporary file there is a killed writer's.</summary>
    public static int RemoveTemporaries(string directory) => PerfSage.IO.AtomicFile.RemoveLeftovers(directory, evenLive: true);
}

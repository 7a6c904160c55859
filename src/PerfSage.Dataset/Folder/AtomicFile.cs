namespace PerfSage.Dataset;

/// <summary>
/// Writes files so that a reader (or a process restarted after <c>kill -9</c>) sees either the old content
/// or the whole new content, never a part: the bytes go to a temporary file in the same folder, which then
/// replaces the target with one <c>rename</c> (<see cref="File.Move(string, string, bool)"/>).
/// </summary>
/// <remarks>A killed process leaves at most a temporary file behind (<see cref="IsTemporary"/>), which the
/// next run removes. <c>durable</c> also flushes the data to the disk before the rename, so that after a power
/// loss the file is not renamed into place empty; per-model files skip that (a damaged one fails its checksum
/// on resume and is rebuilt), the files readers trust (labels, models, manifest) use it.</remarks>
internal static class AtomicFile
{
    private const string TempPrefix = ".tmp-";

    public static void Write(string path, ReadOnlySpan<byte> bytes, bool durable)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        string temp = Path.Combine(directory, $"{TempPrefix}{Path.GetFileName(path)}.{Guid.NewGuid():N}");
        try
        {
            // FileShare.Read, not None: the name is unique anyway, and None costs an flock per file on Linux
            // (0.97 vs 0.41 ms per 94 KB file with the rename, measured on the build machine).
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1, FileOptions.None))
            {
                stream.Write(bytes);
                if (durable)
                {
                    stream.Flush(flushToDisk: true);
                }
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>True for the temporary files <see cref="Write"/> makes.</summary>
    public static bool IsTemporary(string fileName) => fileName.StartsWith(TempPrefix, StringComparison.Ordinal);

    /// <summary>Removes the temporary files a killed writer left in <paramref name="directory"/>.</summary>
    public static int RemoveTemporaries(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return 0;
        }
        int removed = 0;
        foreach (string file in Directory.EnumerateFiles(directory, TempPrefix + "*"))
        {
            if (TryDelete(file))
            {
                removed++;
            }
        }
        return removed;
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}

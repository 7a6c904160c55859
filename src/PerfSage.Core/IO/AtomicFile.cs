using System.Globalization;

namespace PerfSage.IO;

/// <summary>
/// Writes files so that a reader, or a process restarted after <c>kill -9</c>, sees either the old content or
/// the whole new content, never a part: the bytes go to a temporary file in the same folder, which then replaces
/// the target with one <c>rename</c>. This is the one place PerfSage writes a file it was asked to produce.
/// </summary>
/// <remarks>
/// <para>Temporary files are named <c>.tmp-NAME.PID.GUID</c>: a killed writer leaves at most one behind, and
/// <see cref="RemoveLeftovers"/> removes those whose process is gone (the next run of any command that writes
/// there calls it). <c>durable</c> also flushes the data to the disk before the rename, so that after a power loss
/// the file is not renamed into place empty.</para>
/// <para>The target must be a plain path in a folder that exists; <see cref="OutputFile"/> resolves what the user
/// named (links, devices, inputs) into one.</para>
/// </remarks>
public static class AtomicFile
{
    /// <summary>The prefix of every temporary file <see cref="Write(string, ReadOnlySpan{byte}, bool)"/> makes.</summary>
    public const string TempPrefix = ".tmp-";

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes, bool durable)
    {
        string temp = CreateTemp(path, out FileStream stream);
        try
        {
            using (stream)
            {
                stream.Write(bytes);
                if (durable)
                {
                    stream.Flush(flushToDisk: true);
                }
            }
            Commit(temp, path);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes what <paramref name="write"/> puts in the stream to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, Action<Stream> write, bool durable)
    {
        ArgumentNullException.ThrowIfNull(write);
        string temp = CreateTemp(path, out FileStream stream);
        try
        {
            using (stream)
            {
                write(stream);
                stream.Flush(flushToDisk: durable);
            }
            Commit(temp, path);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>True for the temporary files this class makes.</summary>
    public static bool IsTemporary(string fileName) => fileName.StartsWith(TempPrefix, StringComparison.Ordinal);

    /// <summary>Removes the temporary files left in <paramref name="directory"/> by writers that are gone. With
    /// <paramref name="evenLive"/> it removes every one (for callers that hold the folder's lock).</summary>
    /// <returns>How many were removed.</returns>
    public static int RemoveLeftovers(string directory, bool evenLive = false)
    {
        if (!Directory.Exists(directory))
        {
            return 0;
        }
        int removed = 0;
        foreach (string file in Directory.EnumerateFiles(directory, TempPrefix + "*"))
        {
            if ((evenLive || !WriterIsAlive(Path.GetFileName(file))) && TryDelete(file))
            {
                removed++;
            }
        }
        return removed;
    }

    /// <summary>True when the temporary file's name carries the id of a process that is still running.</summary>
    internal static bool WriterIsAlive(string tempName)
    {
        string[] parts = tempName.Split('.');
        // "", "tmp-NAME...", ..., "PID", "GUID"
        if (parts.Length < 3 || !int.TryParse(parts[^2], NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
        {
            return false; // an older name without a process id: its writer is long gone
        }
        return IsProcessAlive(pid);
    }

    /// <summary>True when a process with id <paramref name="pid"/> is running (this one included). A temporary file
    /// or folder whose name carries a live writer's id is left alone by the clean-ups.</summary>
    public static bool IsProcessAlive(int pid)
    {
        if (pid == Environment.ProcessId)
        {
            return true;
        }
        if (pid <= 0)
        {
            return false;
        }
        if (OperatingSystem.IsLinux())
        {
            return Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture));
        }
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string CreateTemp(string path, out FileStream stream)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? ".";
        string name = Path.GetFileName(full);
        // Keep the temporary name within NAME_MAX (255 bytes) whatever the target's name.
        if (name.Length > 150)
        {
            name = name[..150];
        }
        string temp = Path.Combine(directory, $"{TempPrefix}{name}.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.{Guid.NewGuid():N}");
        // FileShare.Read, not None: the name is unique anyway, and None costs an flock per file on Linux.
        stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1 << 16, FileOptions.None);
        if (!OperatingSystem.IsWindows() && File.Exists(full))
        {
            // Keep the permissions of the file being replaced.
            try
            {
                File.SetUnixFileMode(stream.SafeFileHandle, File.GetUnixFileMode(full));
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return temp;
    }

    private static void Commit(string temp, string path) => File.Move(temp, path, overwrite: true);

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

namespace PerfSage.IO;

/// <summary>
/// An exclusive hold on a lock file while a process writes the folder it guards, so that two processes never write
/// the same dataset or model folder at once. On Linux and macOS .NET backs <see cref="FileShare.None"/> with an
/// advisory <c>flock</c>, which the kernel drops when the process dies (also on <c>kill -9</c>), so a killed writer
/// never leaves a stale lock. The lock file itself stays (an empty file): removing it would let a third process lock
/// a new file of the same name while the second still holds the old one.
/// </summary>
public sealed class FolderLock : IDisposable
{
    private readonly FileStream _stream;

    private FolderLock(FileStream stream, string path)
    {
        _stream = stream;
        LockPath = path;
    }

    /// <summary>The lock file held.</summary>
    public string LockPath { get; }

    /// <summary>Takes the lock file at <paramref name="lockPath"/> (made if missing), or returns null when another
    /// process (or another handle in this one) holds it. Does not wait.</summary>
    /// <exception cref="PerfSageException">The lock file cannot be made or opened for another reason (the message
    /// names it), or is not a regular file.</exception>
    public static FolderLock? TryAcquire(string lockPath)
    {
        ArgumentNullException.ThrowIfNull(lockPath);
        FileKind kind = FileProbe.Stat(lockPath, followLinks: false).Kind;
        if (kind is not (FileKind.Missing or FileKind.Regular))
        {
            throw new PerfSageException($"{lockPath}: is {kind.Describe()}, not a lock file; remove it");
        }
        try
        {
            return new FolderLock(new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None), lockPath);
        }
        catch (IOException e) when (IsHeldElsewhere(e))
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PerfSageException($"{lockPath}: the lock file cannot be opened ({e.Message})", e);
        }
    }

    /// <summary>True when another process holds the lock file at <paramref name="lockPath"/> now; false when it is
    /// free or missing. Probing takes the lock for an instant, so callers use it only to explain a failure.</summary>
    public static bool IsHeld(string lockPath)
    {
        ArgumentNullException.ThrowIfNull(lockPath);
        if (FileProbe.Stat(lockPath, followLinks: false).Kind != FileKind.Regular)
        {
            return false;
        }
        try
        {
            using var probe = new FileStream(lockPath, FileMode.Open, FileAccess.Read, FileShare.None);
            return false;
        }
        catch (IOException e) when (IsHeldElsewhere(e))
        {
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Releases the lock (the file stays).</summary>
    public void Dispose() => _stream.Dispose();

    /// <summary>A sharing violation: <c>flock</c> said EWOULDBLOCK (errno 11 on Linux, 35 on macOS), or Windows said
    /// ERROR_SHARING_VIOLATION or ERROR_LOCK_VIOLATION.</summary>
    private static bool IsHeldElsewhere(IOException e) =>
        e is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException)
        && (e.HResult is 11 or 35 or unchecked((int)0x80070020) or unchecked((int)0x80070021));
}

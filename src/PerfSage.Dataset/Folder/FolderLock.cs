namespace PerfSage.Dataset;

/// <summary>
/// An exclusive hold on a dataset folder while a command writes it, so that two processes cannot build into
/// the same folder at once. On Linux and macOS .NET backs <see cref="FileShare.None"/> with an advisory
/// <c>flock</c>, which the kernel drops when the process dies (also on <c>kill -9</c>), so a killed build never
/// leaves a stale lock.
/// </summary>
internal sealed class FolderLock : IDisposable
{
    private readonly FileStream _stream;

    private FolderLock(FileStream stream) => _stream = stream;

    public static FolderLock Acquire(string directory)
    {
        string path = Path.Combine(directory, DatasetLayout.LockFile);
        try
        {
            return new FolderLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e)
        {
            throw new DatasetException($"{directory}: another PerfSage process is writing this dataset folder ({e.Message})", e);
        }
    }

    public void Dispose() => _stream.Dispose();
}

namespace PerfSage.Dataset;

/// <summary>
/// An exclusive hold on a dataset folder while a command (build, import, split) writes it, so that two processes
/// cannot write the same folder at once: the folder's <see cref="DatasetLayout.LockFile"/> held through
/// <see cref="PerfSage.IO.FolderLock"/> (an advisory <c>flock</c> the kernel drops when the process dies, also on
/// <c>kill -9</c>, so a killed build never leaves a stale lock).
/// </summary>
internal sealed class FolderLock : IDisposable
{
    private readonly PerfSage.IO.FolderLock _lock;

    private FolderLock(PerfSage.IO.FolderLock held) => _lock = held;

    /// <exception cref="DatasetException">Another process holds the folder (<see cref="HeldMessage"/>).</exception>
    public static FolderLock Acquire(string directory)
    {
        PerfSage.IO.FolderLock? held = PerfSage.IO.FolderLock.TryAcquire(LockPath(directory));
        return held is null ? throw new DatasetException(HeldMessage(directory)) : new FolderLock(held);
    }

    /// <summary>Explains a refusal that a concurrent writer caused: when another process holds
    /// <paramref name="directory"/>'s lock now, throws the lock's message instead of whatever the half-written folder
    /// looked like to a check made before taking the lock.</summary>
    public static void ThrowIfHeld(string directory)
    {
        if (PerfSage.IO.FolderLock.IsHeld(LockPath(directory)))
        {
            throw new DatasetException(HeldMessage(directory));
        }
    }

    /// <summary>The one line for a folder another process writes: the folder, who, and the lock file's name.</summary>
    public static string HeldMessage(string directory) =>
        $"{directory}: another PerfSage process (a dataset build or import) is writing this dataset folder "
        + $"(lock file {DatasetLayout.LockFile}); wait for it to finish, or write to another folder";

    public void Dispose() => _lock.Dispose();

    private static string LockPath(string directory) => Path.Combine(directory, DatasetLayout.LockFile);
}

using PerfSage.IO;
using Xunit;

namespace PerfSage.Tests.IO;

public sealed class FolderLockTests
{
    [Fact]
    public void A_held_lock_is_refused_to_a_second_taker_until_released_and_the_file_stays()
    {
        using var dir = new TempDir();
        string path = dir.File(".lock");
        Assert.False(FolderLock.IsHeld(path)); // no file yet

        using (FolderLock? first = FolderLock.TryAcquire(path))
        {
            Assert.NotNull(first);
            Assert.Equal(path, first.LockPath);
            Assert.Null(FolderLock.TryAcquire(path));
            Assert.True(FolderLock.IsHeld(path));
        }

        Assert.False(FolderLock.IsHeld(path));
        using FolderLock? again = FolderLock.TryAcquire(path);
        Assert.NotNull(again);
        Assert.True(File.Exists(path));
    }

    [SkippableFact]
    public void A_lock_path_that_is_a_named_pipe_or_a_link_is_refused_naming_it()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "mkfifo is Linux-only here");
        using var dir = new TempDir();
        string fifo = dir.File(".lock");
        FileProbeTests.MakeFifo(fifo);
        var e = Assert.Throws<PerfSageException>(() => FolderLock.TryAcquire(fifo));
        Assert.Equal($"{fifo}: is a named pipe (FIFO), not a lock file; remove it", e.Message);

        string link = dir.File(".other.lock");
        File.CreateSymbolicLink(link, "/dev/null");
        e = Assert.Throws<PerfSageException>(() => FolderLock.TryAcquire(link));
        Assert.Equal($"{link}: is a symbolic link, not a lock file; remove it", e.Message);
        Assert.Equal(FileKind.CharacterDevice, FileProbe.Stat("/dev/null").Kind);
    }
}

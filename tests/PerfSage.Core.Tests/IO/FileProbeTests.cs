using PerfSage.IO;
using Xunit;

namespace PerfSage.Tests.IO;

public sealed class FileProbeTests
{
    [Fact]
    public void Regular_file_reports_its_size_and_identity()
    {
        using var dir = new TempDir();
        string file = dir.File("a.bin");
        File.WriteAllBytes(file, new byte[1234]);
        FileStatus status = FileProbe.Stat(file);
        Assert.Equal(FileKind.Regular, status.Kind);
        Assert.Equal(1234, status.SizeBytes);
        Assert.True(status.HasIdentity);
    }

    [SkippableFact]
    public void Folder_missing_path_and_devices_are_told_apart()
    {
        using var dir = new TempDir();
        Assert.Equal(FileKind.Directory, FileProbe.Stat(dir.Path).Kind);
        Assert.Equal(FileKind.Missing, FileProbe.Stat(dir.File("nothing")).Kind);
        Assert.Equal(FileKind.Missing, FileProbe.Stat(dir.File("nothing/below")).Kind);
        Skip.IfNot(OperatingSystem.IsLinux(), "device files are checked on Linux");
        Assert.Equal(FileKind.CharacterDevice, FileProbe.Stat("/dev/zero").Kind);
        Assert.Equal(FileKind.CharacterDevice, FileProbe.Stat("/dev/null").Kind);
    }

    [SkippableFact]
    public void Fifo_is_recognised_without_opening_it()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "mkfifo is Linux-only here");
        using var dir = new TempDir();
        string fifo = dir.File("pipe");
        MakeFifo(fifo);
        // Opening a FIFO for reading would block until a writer comes: the probe must not.
        Assert.Equal(FileKind.Fifo, FileProbe.Stat(fifo).Kind);
    }

    [SkippableFact]
    public void Links_are_followed_or_not_as_asked()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "symbolic links are checked on Linux");
        using var dir = new TempDir();
        string file = dir.File("target.txt");
        File.WriteAllText(file, "x");
        string link = dir.File("link.txt");
        File.CreateSymbolicLink(link, file);
        Assert.Equal(FileKind.SymbolicLink, FileProbe.Stat(link, followLinks: false).Kind);
        FileStatus viaLink = FileProbe.Stat(link, followLinks: true);
        Assert.Equal(FileKind.Regular, viaLink.Kind);
        Assert.True(viaLink.IsSameFile(FileProbe.Stat(file)));
        string dangling = dir.File("dangling");
        File.CreateSymbolicLink(dangling, dir.File("gone"));
        Assert.Equal(FileKind.Missing, FileProbe.Stat(dangling, followLinks: true).Kind);
    }

    internal static void MakeFifo(string path)
    {
        using var process = System.Diagnostics.Process.Start("mkfifo", [path]);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}

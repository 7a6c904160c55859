using PerfSage.IO;
using Xunit;

namespace PerfSage.Tests.IO;

public sealed class OutputFileTests
{
    [Fact]
    public void Replaces_a_regular_file_and_leaves_no_temporary()
    {
        using var dir = new TempDir();
        string file = dir.File("out.csv");
        File.WriteAllText(file, "old");
        OutputFile.Write(file, "new"u8.ToArray());
        Assert.Equal("new", File.ReadAllText(file));
        Assert.Equal(["out.csv"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [SkippableFact]
    public void Writes_through_a_link_and_keeps_the_link()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "symbolic links are checked on Linux");
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("real"));
        string target = dir.File("real/scores.csv");
        File.WriteAllText(target, "old");
        string link = dir.File("scores.csv");
        File.CreateSymbolicLink(link, target);
        string written = OutputFile.Write(link, "new"u8.ToArray());
        Assert.Equal(target, written);
        Assert.Equal(FileKind.SymbolicLink, FileProbe.Stat(link, followLinks: false).Kind);
        Assert.Equal("new", File.ReadAllText(target));
    }

    [SkippableFact]
    public void Refuses_devices_fifos_folders_and_links_to_devices()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "devices and FIFOs are checked on Linux");
        using var dir = new TempDir();
        string fifo = dir.File("pipe");
        FileProbeTests.MakeFifo(fifo);
        Assert.StartsWith($"{fifo}: is a named pipe (FIFO); --out must name",
            Assert.Throws<PerfSageException>(() => OutputFile.Resolve(fifo)).Message, StringComparison.Ordinal);
        Assert.StartsWith("/dev/null: is a character device",
            Assert.Throws<PerfSageException>(() => OutputFile.Resolve("/dev/null")).Message, StringComparison.Ordinal);
        Assert.StartsWith($"{dir.Path}: is a folder",
            Assert.Throws<PerfSageException>(() => OutputFile.Resolve(dir.Path)).Message, StringComparison.Ordinal);
        string link = dir.File("null-link");
        File.CreateSymbolicLink(link, "/dev/null");
        Assert.StartsWith($"{link} (a link to /dev/null): is a character device",
            Assert.Throws<PerfSageException>(() => OutputFile.Resolve(link)).Message, StringComparison.Ordinal);
        Assert.Equal(FileKind.CharacterDevice, FileProbe.Stat("/dev/null").Kind);
    }

    [SkippableFact]
    public void Refuses_an_input_under_any_of_its_names()
    {
        using var dir = new TempDir();
        string model = dir.File("model.tflite");
        File.WriteAllBytes(model, [1, 2, 3]);
        Assert.Contains("is one of this command's inputs",
            Assert.Throws<PerfSageException>(() => OutputFile.Write(model, [9], [model])).Message, StringComparison.Ordinal);
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(model));
        Skip.IfNot(OperatingSystem.IsLinux(), "hard links are checked on Linux");
        string hard = dir.File("hard.tflite");
        using (var ln = System.Diagnostics.Process.Start("ln", [model, hard]))
        {
            ln.WaitForExit();
        }
        Assert.Throws<PerfSageException>(() => OutputFile.Write(hard, [9], [model]));
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(model));
    }

    [Fact]
    public void Refuses_a_file_in_a_missing_folder()
    {
        using var dir = new TempDir();
        Assert.Contains("does not exist", Assert.Throws<PerfSageException>(() => OutputFile.Resolve(dir.File("no/such/out.csv"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Leftovers_of_dead_writers_are_removed_and_live_ones_kept()
    {
        using var dir = new TempDir();
        string dead = dir.File(".tmp-out.csv.999999999.0123456789abcdef0123456789abcdef");
        string old = dir.File(".tmp-out.csv.0123456789abcdef0123456789abcdef");
        string live = dir.File($".tmp-out.csv.{Environment.ProcessId}.0123456789abcdef0123456789abcdef");
        foreach (string f in new[] { dead, old, live })
        {
            File.WriteAllText(f, "partial");
        }
        OutputFile.Write(dir.File("out.csv"), "x"u8.ToArray());
        Assert.False(File.Exists(dead));
        Assert.False(File.Exists(old));
        Assert.True(File.Exists(live));
    }
}

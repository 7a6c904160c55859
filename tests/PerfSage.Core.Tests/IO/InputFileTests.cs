using PerfSage.IO;
using Xunit;

namespace PerfSage.Tests.IO;

public sealed class InputFileTests
{
    [Fact]
    public void Reads_a_regular_file_whole()
    {
        using var dir = new TempDir();
        string file = dir.File("m.bin");
        File.WriteAllBytes(file, [1, 2, 3, 4, 5]);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, InputFile.ReadAllBytes(file, 100, "model"));
    }

    [Fact]
    public void Refuses_a_file_over_the_limit_before_reading_it()
    {
        using var dir = new TempDir();
        string file = dir.File("big.bin");
        using (var stream = File.Create(file))
        {
            stream.SetLength(1L << 32); // sparse: 4 GiB of zeros that take no disk
        }
        var e = Assert.Throws<PerfSageException>(() => InputFile.ReadAllBytes(file, 1000, "model"));
        Assert.Contains(file, e.Message, StringComparison.Ordinal);
        Assert.Contains("4,294,967,296 bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("1,000-byte limit", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Refuses_devices_fifos_and_folders_by_name()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "devices and FIFOs are checked on Linux");
        using var dir = new TempDir();
        string fifo = dir.File("pipe");
        FileProbeTests.MakeFifo(fifo);
        var task = Task.Run(() => Assert.Throws<PerfSageException>(() => InputFile.ReadAllBytes(fifo, 1000, "model")));
        Assert.True(task.Wait(TimeSpan.FromSeconds(20)), "reading a FIFO hung");
        Assert.Equal($"{fifo}: is a named pipe (FIFO), not a regular file; a model must be a regular file", task.Result.Message);

        var zero = Assert.Throws<PerfSageException>(() => InputFile.ReadAllBytes("/dev/zero", 1000, "model"));
        Assert.Equal("/dev/zero: is a character device, not a regular file; a model must be a regular file", zero.Message);

        var folder = Assert.Throws<PerfSageException>(() => InputFile.ReadAllBytes(dir.Path, 1000, "measurement CSV"));
        Assert.Equal($"{dir.Path}: is a folder, not a regular file; a measurement CSV must be a regular file", folder.Message);
    }

    [Fact]
    public void Missing_file_and_undecodable_name_are_told_apart()
    {
        using var dir = new TempDir();
        Assert.Equal($"{dir.File("x.tflite")}: no such file",
            Assert.Throws<PerfSageException>(() => InputFile.ReadAllBytes(dir.File("x.tflite"), 10, "model")).Message);
        string bad = dir.File("caf\uFFFD.tflite");
        Assert.Contains("not valid UTF-8", Assert.Throws<PerfSageException>(() => InputFile.ReadAllBytes(bad, 10, "model")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Echo_cuts_long_fields_and_hides_control_characters()
    {
        string echoed = Limits.Echo(new string('x', 10_000_000));
        Assert.Equal(Limits.MaxEchoedChars + 1, echoed.Length);
        Assert.EndsWith("…", echoed, StringComparison.Ordinal);
        Assert.Equal("a?b?c", Limits.Echo("a\u0000b\u001bc"));
    }

    [Fact]
    public void The_cause_of_a_missing_file_comes_without_the_path_too()
    {
        Assert.Equal("no such file", InputFile.MissingCause("/no/such/m.tflite"));
        Assert.Equal("/no/such/m.tflite: no such file", InputFile.MissingMessage("/no/such/m.tflite"));
        Assert.Equal("the file name is not valid UTF-8, which PerfSage cannot open; rename the file", InputFile.MissingCause("/x/\uFFFD.tflite"));
    }
}

using PerfSage.IO;
using Xunit;

namespace PerfSage.Tests.IO;

public sealed class FileWalkerTests
{
    [SkippableFact]
    public void A_link_to_the_parent_folder_is_reported_not_followed()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "symbolic links are checked on Linux");
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("a/b"));
        File.WriteAllText(dir.File("a/one.tflite"), "");
        File.WriteAllText(dir.File("a/b/two.tflite"), "");
        File.WriteAllText(dir.File("a/b/notes.txt"), "");
        Directory.CreateSymbolicLink(dir.File("a/b/loop"), dir.File("a"));
        File.CreateSymbolicLink(dir.File("a/three.tflite"), dir.File("a/b/two.tflite"));

        var walk = Task.Run(() => FileWalker.Walk(dir.File("a"), p => p.EndsWith(".tflite", StringComparison.Ordinal)));
        Assert.True(walk.Wait(TimeSpan.FromSeconds(20)), "the walk did not end");
        Assert.Equal([dir.File("a/one.tflite"), dir.File("a/three.tflite"), dir.File("a/b/two.tflite")], walk.Result.Files);
        Assert.Equal([dir.File("a/b/loop")], walk.Result.SkippedFolderLinks);
    }

    [Fact]
    public void Without_recursion_only_the_top_folder_is_listed()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("sub"));
        File.WriteAllText(dir.File("x.tflite"), "");
        File.WriteAllText(dir.File("sub/y.tflite"), "");
        Assert.Equal([dir.File("x.tflite")], FileWalker.Walk(dir.Path, _ => true, recurse: false).Files);
    }
}

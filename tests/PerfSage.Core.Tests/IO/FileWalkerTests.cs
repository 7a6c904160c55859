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

    [SkippableFact]
    public void A_depth_limit_stops_the_walk_and_links_below_it_are_not_reported()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "symbolic links are checked on Linux");
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("a/b/c"));
        File.WriteAllText(dir.File("top.tflite"), "");
        File.WriteAllText(dir.File("a/one.tflite"), "");
        File.WriteAllText(dir.File("a/b/two.tflite"), "");
        File.WriteAllText(dir.File("a/b/c/three.tflite"), "");
        Directory.CreateSymbolicLink(dir.File("loop"), dir.Path);
        Directory.CreateSymbolicLink(dir.File("a/up"), dir.Path);
        Directory.CreateSymbolicLink(dir.File("a/b/up"), dir.Path);

        // Depth 1: the root and a/ are listed; only a link the walk would have entered (loop, at the root) is
        // reported, not those in a/ and a/b/, whose targets would lie deeper than the walk goes.
        FileWalk walk = FileWalker.Walk(dir.Path, _ => true, maxDepth: 1, skipHidden: false);
        Assert.Equal([dir.File("top.tflite"), dir.File("a/one.tflite")], walk.Files);
        Assert.Equal([dir.File("loop")], walk.SkippedFolderLinks);
        walk = FileWalker.Walk(dir.Path, _ => true, maxDepth: 2, skipHidden: false);
        Assert.Equal([dir.File("top.tflite"), dir.File("a/one.tflite"), dir.File("a/b/two.tflite")], walk.Files);
        Assert.Equal([dir.File("loop"), dir.File("a/up")], walk.SkippedFolderLinks);
        Assert.Empty(FileWalker.Walk(dir.Path, _ => true, maxDepth: 0, skipHidden: false).SkippedFolderLinks);
    }

    [Fact]
    public void Hidden_files_and_folders_can_be_left_out()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File(".cache/sub"));
        Directory.CreateDirectory(dir.File("models"));
        File.WriteAllText(dir.File(".cache/sub/x.tflite"), "");
        File.WriteAllText(dir.File("models/.y.tflite"), "");
        File.WriteAllText(dir.File("models/z.tflite"), "");
        Assert.Equal([dir.File("models/z.tflite")], FileWalker.Walk(dir.Path, _ => true, int.MaxValue, skipHidden: true).Files);
        Assert.Equal([dir.File(".cache/sub/x.tflite"), dir.File("models/.y.tflite"), dir.File("models/z.tflite")],
            FileWalker.Walk(dir.Path, _ => true).Files);
    }
}

using Xunit;
namespace PerfSage.Dataset.Tests.Build;

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder(string tag = "ds")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"perfsage-{tag}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>A path under the folder (not created).</summary>
    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Every file of a dataset folder (relative path → bytes), to compare folders byte for byte.</summary>
internal static class FolderSnapshot
{
    public static SortedDictionary<string, byte[]> Of(string directory)
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            string rel = System.IO.Path.GetRelativePath(directory, file);
            if (rel != ".lock")
            {
                files[rel] = File.ReadAllBytes(file);
            }
        }
        return files;
    }

    /// <summary>Asserts both folders hold the same files with the same bytes, naming the first difference.</summary>
    public static void AssertSame(string expectedDir, string actualDir)
    {
        SortedDictionary<string, byte[]> a = Of(expectedDir);
        SortedDictionary<string, byte[]> b = Of(actualDir);
        Assert.Equal(a.Keys, b.Keys);
        foreach ((string rel, byte[] bytes) in a)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(b[rel]), $"{rel} differs between {expectedDir} and {actualDir}");
        }
    }
}

/// <summary>An <see cref="IProgress{T}"/> that calls back synchronously on the reporting thread.</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

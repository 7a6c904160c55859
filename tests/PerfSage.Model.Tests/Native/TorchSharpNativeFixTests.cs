using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using PerfSage.Model.Native;
using Xunit;

namespace PerfSage.Model.Tests.Native;

/// <summary>
/// Checks what build/TorchSharpNativeFix.targets did to the copy of libLibTorchSharp.so next to
/// this test assembly, against the untouched file in the NuGet cache.
/// </summary>
public sealed class TorchSharpNativeFixTests
{
    private const string Version = "GLIBCXX_3.4.32";

    /// <summary>The copy the runtime loads: runtimes/linux-x64/native/ without a RID, beside the assembly with one.</summary>
    private static string OutputCopy =>
        TorchRuntime.FindNativeLibrary(AppContext.BaseDirectory)
        ?? throw new FileNotFoundException("libLibTorchSharp.so is not in the test output folder " + AppContext.BaseDirectory);

    private static void RequireLinuxX64() =>
        Skip.IfNot(OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64,
            "libLibTorchSharp.so is only copied for linux-x64");

    /// <summary>The cache copy, found from this assembly's deps.json (package path) and NUGET_PACKAGES or ~/.nuget/packages.</summary>
    private static string CacheCopy()
    {
        string depsFile = Path.Combine(AppContext.BaseDirectory, "PerfSage.Model.Tests.deps.json");
        using JsonDocument deps = JsonDocument.Parse(File.ReadAllBytes(depsFile));
        string packagePath = deps.RootElement.GetProperty("libraries").EnumerateObject()
            .Single(p => p.Name.StartsWith("TorchSharp/", StringComparison.Ordinal))
            .Value.GetProperty("path").GetString()!;
        string? root = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrEmpty(root))
        {
            root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        }
        string path = Path.Combine(root, packagePath, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Skip.IfNot(File.Exists(path), $"the NuGet cache copy is not at {path} (custom globalPackagesFolder?)");
        return path;
    }

    /// <summary>Independent oracle: does the host's libstdc++ contain the version string at all?</summary>
    private static bool HostLibstdcxxMentions(string hostLibrary, string version)
    {
        byte[] bytes = File.ReadAllBytes(hostLibrary);
        byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
        return bytes.AsSpan().IndexOf(needle) >= 0;
    }

    [SkippableFact]
    public void Output_copy_is_weak_exactly_when_the_host_libstdcxx_lacks_the_version()
    {
        RequireLinuxX64();
        string cache = CacheCopy();
        byte[] cacheImage = File.ReadAllBytes(cache);
        byte[] outputImage = File.ReadAllBytes(OutputCopy);

        bool hostLacks = ElfVersionPatcher.HostLacksRequiredVersion(cacheImage, Version, out string? host);
        if (host is not null)
        {
            Assert.Equal(!hostLacks, HostLibstdcxxMentions(host, Version));
        }

        ElfVersionNeed outputNeed = ElfVersionPatcher.ReadVersionNeeds(outputImage)
            .Single(n => n.VersionName == Version);
        Assert.Equal("libstdc++.so.6", outputNeed.FileName);
        Assert.Equal(hostLacks, outputNeed.IsWeak);

        // Patched or not, the copy differs from the package in at most the one vna_flags byte.
        Assert.Equal(cacheImage.Length, outputImage.Length);
        int[] changed = Enumerable.Range(0, cacheImage.Length).Where(i => cacheImage[i] != outputImage[i]).ToArray();
        int[] expected = hostLacks ? [(int)outputNeed.FlagsOffset] : [];
        Assert.Equal(expected, changed);
        Assert.Null(new FileInfo(OutputCopy).LinkTarget);
    }

    [SkippableFact]
    public void NuGet_cache_copy_is_never_patched()
    {
        RequireLinuxX64();
        IReadOnlyList<ElfVersionNeed> needs = ElfVersionPatcher.ReadVersionNeeds(File.ReadAllBytes(CacheCopy()));

        ElfVersionNeed need = needs.Single(n => n.VersionName == Version);
        Assert.False(need.IsWeak);
        Assert.Equal(0, need.Flags);
        // As shipped, libLibTorchSharp.so 0.107.0 needs 20 versions from libstdc++.so.6 (readelf -V).
        Assert.Equal(20, needs.Count(n => n.FileName == "libstdc++.so.6"));
        Assert.All(needs, n => Assert.False(n.IsWeak));
    }

    [SkippableFact]
    public void Load_failure_message_names_the_unpatched_library_and_the_readme()
    {
        RequireLinuxX64();
        bool hostLacks = ElfVersionPatcher.HostLacksRequiredVersion(File.ReadAllBytes(CacheCopy()), Version, out _);
        string dir = Directory.CreateTempSubdirectory("perfsage-load-").FullName;
        try
        {
            string unpatched = Path.Combine(dir, "libLibTorchSharp.so");
            File.Copy(CacheCopy(), unpatched);
            var cause = new NotSupportedException("This application or script uses TorchSharp but doesn't contain a reference to libtorch-cpu-linux-x64\nTrace...");

            string message = TorchRuntime.DescribeLoadFailure(dir, cause);

            Assert.Contains("NotSupportedException: This application or script uses TorchSharp", message);
            Assert.DoesNotContain("Trace...", message);
            Assert.Contains("README.md, section \"TorchSharp on Debian 12 and Ubuntu 22.04\"", message);
            Assert.Equal(hostLacks, message.Contains($"{unpatched} requires {Version}"));

            ElfVersionPatcher.MarkVersionNeedWeak(unpatched, Version);
            Assert.DoesNotContain("requires " + Version, TorchRuntime.DescribeLoadFailure(dir, cause));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

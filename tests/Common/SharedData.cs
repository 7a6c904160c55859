namespace PerfSage.Tests.Common;

/// <summary>
/// Locates the read-only reference material in <c>../shared</c> beside the repository.
/// Tests that need it call <see cref="RequireRoot"/>, which skips the test with a visible reason
/// when the folder is absent (a user's fresh clone without it still passes).
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string?> Root = new(FindRoot);

    /// <summary>The <c>shared</c> folder, or null when it is not beside the repository.</summary>
    public static string? RootOrNull => Root.Value;

    /// <summary>The repository root (the folder holding <c>PerfSage.sln</c>).</summary>
    public static string RepoRoot => RepoRootLazy.Value;

    private static readonly Lazy<string> RepoRootLazy = new(FindRepoRoot);

    /// <summary>Returns the shared folder or skips the calling test.</summary>
    public static string RequireRoot()
    {
        Xunit.Skip.If(Root.Value is null,
            "../shared is not beside the repository (PERFSAGE_SHARED unset); test needs the reference models");
        return Root.Value!;
    }

    /// <summary>A path under the shared folder; skips the test when shared is absent.</summary>
    public static string Require(string relative)
    {
        string root = RequireRoot();
        string path = Path.Combine(root, relative);
        Xunit.Skip.IfNot(File.Exists(path) || Directory.Exists(path), $"{relative} is missing from {root}");
        return path;
    }

    private static string FindRepoRoot()
    {
        // 1. The root recorded at build time (Directory.Build.props), valid wherever the output folder is.
        foreach (System.Reflection.AssemblyMetadataAttribute a in
                 typeof(SharedData).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false))
        {
            if (a.Key == "PerfSageRepoRoot" && a.Value is not null && File.Exists(Path.Combine(a.Value, "PerfSage.sln")))
            {
                return Path.GetFullPath(a.Value);
            }
        }
        // 2. Walk up from the test assembly, then from the working directory.
        foreach (string? start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            string? dir = start;
            while (dir is not null)
            {
                if (File.Exists(Path.Combine(dir, "PerfSage.sln")))
                {
                    return dir;
                }
                dir = Path.GetDirectoryName(dir);
            }
        }
        throw new InvalidOperationException("PerfSage.sln not found above " + AppContext.BaseDirectory);
    }

    private static string? FindRoot()
    {
        string? env = Environment.GetEnvironmentVariable("PERFSAGE_SHARED");
        if (!string.IsNullOrEmpty(env))
        {
            return Directory.Exists(env) ? Path.GetFullPath(env) : null;
        }
        string candidate;
        try
        {
            candidate = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));
        }
        catch (InvalidOperationException)
        {
            return null;
        }
        return Directory.Exists(Path.Combine(candidate, "models")) ? candidate : null;
    }
}

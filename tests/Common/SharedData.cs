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
    public static string RepoRoot { get; } = FindRepoRoot();

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
        string? dir = AppContext.BaseDirectory;
        while (dir is not null)
        {
            if (File.Exists(Path.Combine(dir, "PerfSage.sln")))
            {
                return dir;
            }
            dir = Path.GetDirectoryName(dir);
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
        string candidate = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));
        return Directory.Exists(Path.Combine(candidate, "models")) ? candidate : null;
    }
}

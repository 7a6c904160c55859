using System.Diagnostics;

namespace PerfSage.Tests.Common;

/// <summary>
/// Builds the hostile inputs of issue #11 inside a test: named pipes, files whose names are not valid UTF-8, and
/// a guard that turns a hang into a failure. Linux only (tests that use it skip elsewhere).
/// </summary>
public static class HostileFiles
{
    /// <summary>How long a guarded call may take before it counts as a hang: far beyond any normal run, only a
    /// detector, not a timing assertion.</summary>
    public static readonly TimeSpan HangTimeout = TimeSpan.FromMinutes(3);

    /// <summary>Makes a named pipe at <paramref name="path"/> (with <c>mkfifo</c>). Opening it for reading would
    /// block until a writer comes, which none does.</summary>
    public static void MakeFifo(string path) => Run("mkfifo", path);

    /// <summary>Makes a file in <paramref name="folder"/> whose name is byte 0xFF followed by
    /// <paramref name="suffix"/>, holding <paramref name="bytes"/>, and returns the name as .NET decodes it
    /// (U+FFFD for the bad byte). .NET cannot make such a name itself, so the file is written under a plain name
    /// and renamed by <c>bash</c>.</summary>
    public static string MakeNonUtf8Name(string folder, string suffix, byte[] bytes)
    {
        string plain = Path.Combine(folder, "plain-" + Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(plain, bytes);
        Run("bash", "-c", "mv -- \"$1\" \"$2/$(printf '\\377')$3\"", "_", plain, folder, suffix);
        return Path.Combine(folder, "\uFFFD" + suffix);
    }

    /// <summary>Runs <paramref name="body"/> and returns its result; throws when it has not finished within
    /// <see cref="HangTimeout"/> (the old code blocked forever on a named pipe or read <c>/dev/zero</c> without
    /// end).</summary>
    public static T WithoutHang<T>(Func<T> body, string what)
    {
        Task<T> task = Task.Run(body);
        if (!task.Wait(HangTimeout))
        {
            throw new TimeoutException($"{what} did not finish within {HangTimeout.TotalMinutes} minutes: it hangs");
        }
        return task.Result;
    }

    private static void Run(string program, params string[] args)
    {
        using Process process = Process.Start(new ProcessStartInfo(program, args) { UseShellExecute = false })
            ?? throw new InvalidOperationException($"cannot start {program}");
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {process.ExitCode}");
        }
    }
}

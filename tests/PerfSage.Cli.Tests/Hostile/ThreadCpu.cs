using System.Globalization;
using System.Runtime.InteropServices;

namespace PerfSage.Cli.Tests.Hostile;

/// <summary>The CPU time one OS thread has used, from Linux's <c>/proc/self/task/TID/stat</c> (fields 14 and 15,
/// utime and stime, in clock ticks; proc(5)). Null where that is unavailable, so callers fall back to wall time.</summary>
internal static partial class ThreadCpu
{
    /// <summary>Clock ticks per second (<c>sysconf(_SC_CLK_TCK)</c>); 100 on every Linux architecture .NET runs on.</summary>
    private const double TicksPerSecond = 100;

    /// <summary>The calling thread's OS id (Linux <c>gettid</c>), or 0 elsewhere.</summary>
    public static int CurrentOsThreadId()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }
        try
        {
            return GetTid();
        }
        catch (EntryPointNotFoundException)
        {
            return 0;
        }
    }

    /// <summary>User plus system CPU time of thread <paramref name="tid"/> of this process, or null.</summary>
    public static TimeSpan? Of(int tid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/self/task/{tid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        // The command name (field 2) is in parentheses and may hold spaces: count fields after its last ')'.
        string[] rest = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        // rest[0] is field 3 (state), so utime (field 14) is rest[11] and stime (field 15) rest[12].
        if (rest.Length < 13 || !long.TryParse(rest[11], NumberStyles.None, CultureInfo.InvariantCulture, out long user)
            || !long.TryParse(rest[12], NumberStyles.None, CultureInfo.InvariantCulture, out long system))
        {
            return null;
        }
        return TimeSpan.FromSeconds((user + system) / TicksPerSecond);
    }

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();
}

using System.Diagnostics;

namespace PerfSage.Cli.Commands;

/// <summary>Milliseconds since this process started, for the start-up timings logged at debug level.</summary>
internal static class ProcessClock
{
    public static long SinceStartMs()
    {
        using Process self = Process.GetCurrentProcess();
        return (long)(DateTime.Now - self.StartTime).TotalMilliseconds;
    }
}

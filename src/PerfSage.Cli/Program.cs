using System.Runtime.InteropServices;
using PerfSage.Model;

namespace PerfSage.Cli;

/// <summary>Process entry point: everything else lives in <see cref="PerfSageApp"/> so tests can run
/// commands in-process with captured output.</summary>
public static partial class Program
{
    public static int Main(string[] args)
    {
        int code = PerfSageApp.Run(args, Console.Out, Console.Error);
        if (TorchRuntime.IsLoaded && OperatingSystem.IsLinux())
        {
            // Every output is written and closed by now (results, atomic files, the log). What is left is libtorch's
            // static destructors, about 90 ms of a 0.5 s `predict` (measured by scripts/bench-predict: "printed" to
            // "process end"), which change nothing: leave without running them.
            Console.Out.Flush();
            Console.Error.Flush();
            ExitNow(code);
        }
        return code;
    }

    /// <summary>libc's <c>_exit</c>: ends the process with <paramref name="status"/> without atexit handlers or static destructors.</summary>
    [LibraryImport("libc", EntryPoint = "_exit")]
    private static partial void ExitNow(int status);
}

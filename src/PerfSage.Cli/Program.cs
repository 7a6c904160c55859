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
        if (Environment.GetEnvironmentVariable(ReportLoadedVariable) == "1")
        {
            Console.Error.WriteLine(LoadedReport());
        }
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

    /// <summary>Set to 1, the process ends by printing <see cref="LoadedReport"/> on stderr: how tests (and anyone curious)
    /// check that a command ran without TorchSharp and libtorch.</summary>
    internal const string ReportLoadedVariable = "PERFSAGE_REPORT_LOADED";

    /// <summary><c>loaded: torchsharp=yes|no|native-build libtorch=yes|no</c>: whether the TorchSharp assembly is loaded in this
    /// process (native-build in the native build, where every assembly is compiled in) and
    /// whether a libtorch library (<c>libtorch*.so</c>, <c>libLibTorchSharp.so</c>) is mapped into it (<c>/proc/self/maps</c>,
    /// Linux only; elsewhere libtorch reads "unknown").</summary>
    internal static string LoadedReport()
    {
        bool torchSharp = AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "TorchSharp");
        string libtorch = "unknown";
        if (OperatingSystem.IsLinux() && File.Exists("/proc/self/maps"))
        {
            string maps = File.ReadAllText("/proc/self/maps");
            libtorch = maps.Contains("libtorch", StringComparison.Ordinal) || maps.Contains("libLibTorchSharp", StringComparison.Ordinal)
                ? "yes" : "no";
        }
        // The native build has every assembly it could use compiled in, so "loaded" means nothing there; libtorch still does.
        string torchSharpLoaded = NativeHandoff.IsNativeBuild ? "native-build" : torchSharp ? "yes" : "no";
        return $"loaded: torchsharp={torchSharpLoaded} libtorch={libtorch}";
    }

    /// <summary>libc's <c>_exit</c>: ends the process with <paramref name="status"/> without atexit handlers or static destructors.</summary>
    [LibraryImport("libc", EntryPoint = "_exit")]
    private static partial void ExitNow(int status);
}

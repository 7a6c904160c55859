namespace PerfSage.Cli;

/// <summary>Process entry point: everything else lives in <see cref="PerfSageApp"/> so tests can run
/// commands in-process with captured output.</summary>
public static class Program
{
    public static int Main(string[] args) => PerfSageApp.Run(args, Console.Out, Console.Error);
}

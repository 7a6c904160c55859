using System.CommandLine;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PerfSage.Model;

namespace PerfSage.Cli;

/// <summary>
/// The native build of the CLI (Native AOT, <c>perfsage</c> beside <c>perfsage.dll</c>; docs/PERFORMANCE.md "Start-up") runs
/// the commands people type and CI runs on every push itself: <c>inspect</c>, <c>estimate</c>, <c>targets</c>, and
/// <c>predict</c> and <c>score</c> with the managed engine. Everything else (training, few-shot fitting, the TorchSharp engine,
/// dataset builds, plots) needs the .NET runtime's JIT or libraries that are not AOT-safe (TorchSharp, ScottPlot), and is
/// handed, before anything runs, to the program's framework-dependent build <c>perfsage.dll</c> in the same folder: the
/// process becomes <c>dotnet perfsage.dll ARGS</c> (<c>execvp</c>), so exit codes, signals and output are that program's.
/// </summary>
internal static partial class NativeHandoff
{
    /// <summary>The commands the native build runs itself.</summary>
    internal static readonly IReadOnlySet<string> NativeCommands =
        new HashSet<string>(StringComparer.Ordinal) { "inspect", "estimate", "targets", "predict", "score" };

    /// <summary>Options that draw pictures (ScottPlot and SkiaSharp, not AOT-safe): handed over.</summary>
    private static readonly string[] HandedOverOptions = ["--plot"];

    /// <summary>True when this process runs without a JIT (the native build).</summary>
    internal static bool IsNativeBuild => !RuntimeFeature.IsDynamicCodeSupported;

    /// <summary>Whether the native build runs the parsed command line itself: the root command (help, version), or one of
    /// <see cref="NativeCommands"/> without a picture and with the managed engine (neither <c>--engine torch</c> nor
    /// <c>PERFSAGE_ENGINE=torch</c>; an unknown engine is left to the command, which reports it).</summary>
    internal static bool RunsNatively(ParseResult parse, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(environment);
        Command command = parse.CommandResult.Command;
        if (command.Parents.FirstOrDefault() is null)
        {
            return true; // the root: --help, --version, or an error the parser reports
        }
        if (!NativeCommands.Contains(command.Name) || command.Parents.FirstOrDefault() is not RootCommand)
        {
            return false;
        }
        if (parse.CommandResult.Children.OfType<System.CommandLine.Parsing.OptionResult>()
            .Any(r => !r.Implicit && HandedOverOptions.Contains(r.Option.Name, StringComparer.Ordinal)))
        {
            return false;
        }
        if (!command.Options.Any(o => o.Name == "--engine"))
        {
            return true; // runs no network
        }
        string? engine = parse.GetValue<string?>("--engine") ?? environment(PredictionEngines.EnvironmentVariable);
        return PredictionEngines.TryParse(engine) != PredictionEngine.Torch;
    }

    /// <summary>Replaces this process with <c>dotnet perfsage.dll <paramref name="args"/></c> from this program's folder.
    /// Returns only when that fails, with the exit code after a one-line error.</summary>
    internal static int Exec(string[] args, TextWriter stderr)
    {
        string program = Path.Combine(AppContext.BaseDirectory, "perfsage.dll");
        if (!File.Exists(program))
        {
            stderr.WriteLine($"perfsage: error: this command runs on the .NET runtime build of PerfSage, {program}, which is missing "
                + "(./perfsage and the tool package install it beside the native program)");
            return ExitCodes.BadInput;
        }
        Console.Out.Flush();
        Console.Error.Flush();
        var argv = new string?[args.Length + 3];
        argv[0] = "dotnet";
        argv[1] = program;
        args.CopyTo(argv, 2);
        argv[^1] = null;
        ExecVp("dotnet", argv);
        int errno = Marshal.GetLastPInvokeError();
        stderr.WriteLine($"perfsage: error: cannot start 'dotnet {program}' for this command ({Marshal.GetPInvokeErrorMessage(errno)}); "
            + "is the .NET runtime on PATH?");
        return ExitCodes.BadInput;
    }

    /// <summary>libc's <c>execvp</c>: replaces the process image; returns (-1, errno set) only on failure.</summary>
    [LibraryImport("libc", EntryPoint = "execvp", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int ExecVp(string file, string?[] argv);
}

using System.CommandLine;
using PerfSage.Cli.Commands;
using PerfSage.Targets;
using PerfSage.Tflite;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace PerfSage.Cli;

/// <summary>The composition root: builds the command tree, sets up logging from the global options,
/// runs the chosen command and maps failures to exit codes. Results go to <c>stdout</c>; logs,
/// progress and errors to <c>stderr</c>.</summary>
public static class PerfSageApp
{
    internal static readonly Option<bool> VerboseOption = new("--verbose", "-v")
    {
        Description = "Log debug details to stderr.",
        Recursive = true,
    };

    internal static readonly Option<bool> QuietOption = new("--quiet", "-q")
    {
        Description = "Log only errors to stderr.",
        Recursive = true,
    };

    internal static readonly Option<FileInfo?> LogFileOption = new("--log-file")
    {
        Description = "Also write a structured log (compact JSON, one event per line) to this file.",
        Recursive = true,
    };

    /// <summary>Runs the CLI with <paramref name="args"/>, writing results to <paramref name="stdout"/> and
    /// logs and errors to <paramref name="stderr"/>. Returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) =>
        Run(args, stdout, stderr, Environment.GetEnvironmentVariable);

    /// <summary>As <see cref="Run(string[], TextWriter, TextWriter)"/>, with the environment variables the commands read
    /// (<c>GITHUB_ACTIONS</c>, <c>GITHUB_STEP_SUMMARY</c>) taken from <paramref name="environment"/>, so a test can set
    /// them without changing the process's environment.</summary>
    internal static int Run(string[] args, TextWriter stdout, TextWriter stderr, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(environment);

        var context = new CliContext(stdout, stderr) { Environment = environment };
        RootCommand root = BuildRoot(context);
        ParseResult parse = root.Parse(args);
        if (NativeHandoff.IsNativeBuild && !NativeHandoff.RunsNatively(parse, environment))
        {
            context.Dispose();
            return NativeHandoff.Exec(args, stderr);
        }
        if (parse.Errors.Count > 0)
        {
            // One line: all parse errors, unrecognised tokens first (they name what the user typed).
            IEnumerable<string> messages = parse.Errors
                .Select(e => e.Message)
                .OrderBy(m => m.StartsWith("Unrecognized", StringComparison.Ordinal) ? 0 : 1)
                .Distinct(StringComparer.Ordinal);
            stderr.WriteLine($"perfsage: error: {string.Join("; ", messages)} (see 'perfsage --help')");
            return ExitCodes.BadInput;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        finally
        {
            context.Dispose();
        }
    }

    /// <summary>Whether the native build runs <paramref name="args"/> itself rather than handing them to the runtime build
    /// (<see cref="NativeHandoff.RunsNatively"/>), for tests: the command line is parsed exactly as <see cref="Run(string[],
    /// TextWriter, TextWriter)"/> parses it.</summary>
    internal static bool RunsNatively(string[] args, Func<string, string?> environment)
    {
        using var context = new CliContext(TextWriter.Null, TextWriter.Null) { Environment = environment };
        return NativeHandoff.RunsNatively(BuildRoot(context).Parse(args), environment);
    }

    private static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand(
            "PerfSage predicts the latency, energy and memory of TensorFlow Lite models on edge targets " +
            "(Cortex-M, Ethos-U, mobile GPU) without running them.");
        foreach (Option option in root.Options)
        {
            if (option is VersionOption version)
            {
                version.Action = new PrintVersionAction(context.Stdout);
            }
        }
        root.Options.Add(VerboseOption);
        root.Options.Add(QuietOption);
        root.Options.Add(LogFileOption);
        root.Subcommands.Add(InspectCommand.Create(context));
        root.Subcommands.Add(DatasetCommand.Create(context));
        root.Subcommands.Add(EstimateCommand.Create(context));
        root.Subcommands.Add(TargetsCommand.Create(context));
        root.Subcommands.Add(TrainCommand.Create(context));
        root.Subcommands.Add(PredictCommand.Create(context));
        root.Subcommands.Add(ScoreCommand.Create(context));
        root.Subcommands.Add(EvalCommand.Create(context));
        return root;
    }

    /// <summary>Runs a command body with logging configured from the global options and every failure
    /// mapped to one line on stderr and an exit code. Commands call this from their action.</summary>
    internal static int Execute(CliContext context, ParseResult parse, Func<int> body)
    {
        try
        {
            if (parse.GetValue(LogFileOption) is FileInfo log)
            {
                OutputPaths.CheckLogFile(log.ToString(), parse.Tokens.Select(t => t.Value)); // ToString: the path as typed
            }
            context.ConfigureLogging(parse.GetValue(VerboseOption), parse.GetValue(QuietOption), parse.GetValue(LogFileOption));
        }
        catch (PerfSageException e)
        {
            context.Stderr.WriteLine($"perfsage: error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Stderr.WriteLine($"perfsage: error: cannot open log file: {e.Message}");
            return ExitCodes.BadInput;
        }

        try
        {
            return body();
        }
        catch (PerfSageException e)
        {
            // Every library's bad-input exception derives from this one type: one line, exit 2.
            return context.Fail(ExitCodes.BadInput, e.Message, e);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException)
        {
            return context.Fail(ExitCodes.BadInput, e.Message, e);
        }
        catch (OperationCanceledException e)
        {
            return context.Fail(ExitCodes.Interrupted, "interrupted", e);
        }
#pragma warning disable CA1031 // the CLI boundary: any bug becomes a clear message and exit 3, never a stack dump on stdout
        catch (Exception e)
#pragma warning restore CA1031
        {
            return context.Fail(ExitCodes.InternalError, $"internal error ({e.GetType().Name}): {e.Message}", e);
        }
    }
}

/// <summary>Prints the PerfSage version (of this assembly, also when hosted in-process by tests).</summary>
internal sealed class PrintVersionAction(TextWriter stdout) : System.CommandLine.Invocation.SynchronousCommandLineAction
{
    public static string Version { get; } =
        typeof(PerfSageApp).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>()
            .FirstOrDefault()?.InformationalVersion ?? "unknown";

    public override int Invoke(ParseResult parseResult)
    {
        stdout.WriteLine(Version);
        return ExitCodes.Ok;
    }
}

/// <summary>Per-invocation state shared by commands: the output writers and the logger.</summary>
internal sealed class CliContext(TextWriter stdout, TextWriter stderr) : IDisposable
{
    private Logger? _logger;

    // What ConfigureLogging was given. The Serilog pipeline itself is built on first use (Log): building it (the
    // library's first use, the output template's parser) costs about as much CPU as starting an empty `dotnet`
    // program, which a command that logs nothing (estimate, inspect without --verbose) need not pay
    // (docs/PERFORMANCE.md, "Start-up").
    private LogEventLevel _consoleLevel = LogEventLevel.Information;
    private FileInfo? _logFile;
    private readonly Lock _gate = new();

    public TextWriter Stdout { get; } = stdout;

    public TextWriter Stderr { get; } = stderr;

    /// <summary>Reads an environment variable (null when unset): the process's, or a test's.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>The logger configured from the global options (built on first use); a silent one before
    /// <see cref="ConfigureLogging"/>.</summary>
    public ILogger Log
    {
        get
        {
            if (!_configured)
            {
                return Serilog.Core.Logger.None;
            }
            lock (_gate) // commands log from worker threads too: one pipeline (one open log file) per run
            {
                return _logger ??= CreateLogger();
            }
        }
    }

    /// <summary>True when a debug event reaches a sink (<c>--verbose</c>, or a <c>--log-file</c>): callers that log only at
    /// debug level check it first, so a run without either never builds the logger.</summary>
    public bool DebugEnabled => _configured && (_consoleLevel <= LogEventLevel.Debug || _logFile is not null);

    /// <summary>Where one-line notes for the user go (a target family resolved to a configuration): stderr, or
    /// nowhere under <c>--quiet</c>.</summary>
    public TextWriter Notes => _quiet ? TextWriter.Null : Stderr;

    private bool _quiet;
    private bool _configured;

    public void ConfigureLogging(bool verbose, bool quiet, FileInfo? logFile)
    {
        _quiet = quiet;
        _consoleLevel = verbose ? LogEventLevel.Debug : quiet ? LogEventLevel.Error : LogEventLevel.Information;
        if (logFile is not null)
        {
            // Open once up front so an unwritable path fails now, clearly, not silently inside the sink.
            using (new FileStream(logFile.FullName, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
            {
            }
        }
        lock (_gate)
        {
            _logFile = logFile;
            _logger?.Dispose();
            _logger = null;
            _configured = true;
        }
    }

    private Logger CreateLogger()
    {
        LoggerConfiguration config = new LoggerConfiguration()
            .MinimumLevel.Debug()
            .WriteTo.Sink(
                new TextWriterSink(Stderr, new MessageTemplateTextFormatter("[{Level:u3}] {Message:lj}{NewLine}", System.Globalization.CultureInfo.InvariantCulture)),
                _consoleLevel);
        if (_logFile is not null)
        {
            config = config.WriteTo.File(new CompactJsonFormatter(), _logFile.FullName, restrictedToMinimumLevel: LogEventLevel.Debug);
        }
        return config.CreateLogger();
    }

    /// <summary>Reports a failure as one line on stderr (plus the full exception in the log at debug level).</summary>
    public int Fail(int exitCode, string message, Exception? exception)
    {
        if (DebugEnabled)
        {
            Log.Debug(exception, "Command failed with exit code {ExitCode}", exitCode);
        }
        Stderr.WriteLine("perfsage: error: " + OneLine(message));
        return exitCode;
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    public void Dispose() => _logger?.Dispose();
}

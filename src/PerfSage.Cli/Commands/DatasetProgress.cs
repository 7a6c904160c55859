using System.Diagnostics;
using PerfSage.Dataset;
using Serilog;
using Spectre.Console;

namespace PerfSage.Cli.Commands;

/// <summary>
/// Runs a long dataset job with progress on stderr (a Spectre.Console bar when stderr is a terminal, else a log
/// line every few seconds; never on stdout) and Ctrl+C wired to a graceful stop: the finished models stay and a
/// re-run continues. A second Ctrl+C ends the process at once (which is safe too).
/// </summary>
internal static class DatasetProgress
{
    public static BuildResult Run(CliContext context, string what, Func<IProgress<BuildProgress>, CancellationToken, BuildResult> work)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = !cancel.IsCancellationRequested;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            if (ReferenceEquals(context.Stderr, Console.Error) && !Console.IsErrorRedirected)
            {
                IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
                return console.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                        new ElapsedTimeColumn(), new RemainingTimeColumn())
                    .Start(ctx =>
                    {
                        ProgressTask task = ctx.AddTask(what);
                        return work(new Callback(p =>
                        {
                            task.MaxValue = p.Total;
                            task.Value = p.Done;
                        }), cancel.Token);
                    });
            }
            return work(new LogLines(context.Log, what), cancel.Token);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private sealed class Callback(Action<BuildProgress> report) : IProgress<BuildProgress>
    {
        public void Report(BuildProgress value) => report(value);
    }

    /// <summary>One log line at the start, then at most one every <see cref="Interval"/>, and one at the end.</summary>
    private sealed class LogLines(ILogger log, string what) : IProgress<BuildProgress>
    {
        private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
        private readonly Lock _gate = new();
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _last = TimeSpan.MinValue;

        public void Report(BuildProgress value)
        {
            lock (_gate)
            {
                TimeSpan now = _clock.Elapsed;
                bool first = _last == TimeSpan.MinValue;
                if (!first && value.Done < value.Total && now - _last < Interval)
                {
                    return;
                }
                _last = now;
                if (first)
                {
                    log.Information("{What}: {Done}/{Total} models already done", what, value.Done, value.Total);
                    return;
                }
                double rate = now.TotalSeconds > 0 ? (value.Done - value.Resumed) / now.TotalSeconds : 0;
                log.Information("{What}: {Done}/{Total} models ({Rate:F1} models/s)", what, value.Done, value.Total, rate);
            }
        }
    }
}

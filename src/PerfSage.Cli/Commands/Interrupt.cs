namespace PerfSage.Cli.Commands;

/// <summary>Ctrl+C as a cancellation token for the duration of a command: the first press asks the work to stop at
/// its next safe point (a training run after its epoch's checkpoint); a second press ends the process at once.</summary>
internal sealed class Interrupt : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly ConsoleCancelEventHandler _handler;

    public Interrupt()
    {
        _handler = (_, e) =>
        {
            e.Cancel = !_source.IsCancellationRequested;
            _source.Cancel();
        };
        Console.CancelKeyPress += _handler;
    }

    public CancellationToken Token => _source.Token;

    public void Dispose()
    {
        Console.CancelKeyPress -= _handler;
        _source.Dispose();
    }
}

namespace PerfSage.Pipeline;

/// <summary>
/// Loads a model on a worker thread while the command reads and featurizes its inputs: the first load in a
/// process starts libtorch (about a third of a second), which would otherwise come on top of the parsing.
/// Disposing waits for the load to finish and disposes what it made, so no native model outlives the command.
/// </summary>
public sealed class BackgroundModel<T> : IDisposable
    where T : class, IDisposable
{
    private readonly Task<T> _task;

    /// <summary>Starts <paramref name="load"/> on a worker thread.</summary>
    public BackgroundModel(Func<T> load) => _task = Task.Run(load);

    /// <summary>The loaded model; rethrows the load's own exception (not wrapped).</summary>
    public T Get() => _task.GetAwaiter().GetResult();

    /// <summary>Waits for the load and disposes what it made.</summary>
    public void Dispose()
    {
        try
        {
            _task.Wait();
        }
        catch (AggregateException)
        {
            // The failure reaches the user through Get(), or the command already failed for another reason.
        }
        if (_task.IsCompletedSuccessfully)
        {
            _task.Result.Dispose();
        }
    }
}

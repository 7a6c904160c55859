namespace PerfSage.Dataset;

/// <summary>
/// The one exception the dataset code throws for bad input or a bad folder: a dataset folder that holds
/// another build, a shard that does not fit the others, a malformed CSV, a model file that is missing or
/// invalid. The message names the file (and row, for CSV input) and the cause; the CLI maps it to exit code 2.
/// </summary>
public sealed class DatasetException : PerfSageException
{
    public DatasetException() { }

    public DatasetException(string message) : base(message) { }

    public DatasetException(string message, Exception inner) : base(message, inner) { }
}

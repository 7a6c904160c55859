namespace PerfSage.Pipeline;

/// <summary>Bad input found by the pipeline (a dataset folder that is not there, a budget that does not parse, a
/// model file that is a folder). Like every <see cref="PerfSageException"/>, the CLI reports it as one line on stderr
/// with exit code 2.</summary>
public sealed class InputException : PerfSageException
{
    /// <summary>An exception without a message.</summary>
    public InputException() { }

    /// <summary>An exception whose message names what is wrong.</summary>
    public InputException(string message) : base(message) { }

    /// <summary>An exception whose message names what is wrong, caused by <paramref name="inner"/>.</summary>
    public InputException(string message, Exception inner) : base(message, inner) { }
}

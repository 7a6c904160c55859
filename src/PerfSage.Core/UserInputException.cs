namespace PerfSage;

/// <summary>Bad input that no more specific exception describes: an option value that does not parse, a folder or
/// file that is not there or is the wrong kind, a budget that names no metric. Like every
/// <see cref="PerfSageException"/>, the CLI reports it as one line on stderr with exit code 2.</summary>
public sealed class UserInputException : PerfSageException
{
    /// <summary>An exception without a message.</summary>
    public UserInputException() { }

    /// <summary>An exception whose message names what is wrong.</summary>
    public UserInputException(string message) : base(message) { }

    /// <summary>An exception whose message names what is wrong, caused by <paramref name="inner"/>.</summary>
    public UserInputException(string message, Exception inner) : base(message, inner) { }
}

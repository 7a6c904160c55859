namespace PerfSage.Cli;

/// <summary>Bad input detected by the CLI itself (a missing file, an unknown format name).
/// Reported as one line on stderr, exit code <see cref="ExitCodes.BadInput"/>.</summary>
public sealed class UserInputException : PerfSageException
{
    public UserInputException() { }

    public UserInputException(string message) : base(message) { }

    public UserInputException(string message, Exception inner) : base(message, inner) { }
}

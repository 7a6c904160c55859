namespace PerfSage;

/// <summary>
/// The base of every exception PerfSage throws for bad input: an invalid model, file, folder, CSV row, manifest
/// or option value. Its message is one line that names the file (or option) and the cause. The command line maps
/// this one type to exit code 2; anything else that escapes a command is a bug (exit 3).
/// </summary>
public class PerfSageException : Exception
{
    public PerfSageException() { }

    public PerfSageException(string message) : base(message) { }

    public PerfSageException(string message, Exception? inner) : base(message, inner) { }
}

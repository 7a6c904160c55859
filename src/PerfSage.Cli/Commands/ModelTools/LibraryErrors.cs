using PerfSage.Dataset;

namespace PerfSage.Cli.Commands.ModelTools;

/// <summary>Turns the library exceptions that mean bad user input, where only the command knows it, into
/// <see cref="UserInputException"/> (exit 2, one line naming the file and the cause).</summary>
internal static class LibraryErrors
{
    /// <summary>Runs <paramref name="body"/>, mapping <see cref="DatasetException"/> (a bad dataset folder).</summary>
    public static T Dataset<T>(Func<T> body)
    {
        try
        {
            return body();
        }
        catch (DatasetException e)
        {
            throw new UserInputException(e.Message, e);
        }
    }
}

namespace PerfSage.Dataset.Spaces;

/// <summary>A search space was asked for something it does not have: an unknown space name, a malformed
/// architecture string, an unsupported element type, or a draw that never fits the memory budget.</summary>
public sealed class SearchSpaceException : PerfSageException
{
    public SearchSpaceException()
    {
    }

    public SearchSpaceException(string message)
        : base(message)
    {
    }

    public SearchSpaceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

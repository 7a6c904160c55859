namespace PerfSage.Targets;

/// <summary>
/// The one exception <c>PerfSage.Targets</c> throws for bad input: an unknown target id (the message lists
/// the valid ids), a catalog file that is missing, malformed or has a number without a source, an option
/// that does not apply to the target (a stack on a GPU), or a clock that is not positive.
/// </summary>
public sealed class TargetException : PerfSageException
{
    public TargetException() { }

    public TargetException(string message) : base(message) { }

    public TargetException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The valid target ids, when the error is an unknown id; empty otherwise.</summary>
    public IReadOnlyList<string> ValidIds { get; init; } = [];
}

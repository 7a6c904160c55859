namespace PerfSage.Graph;

/// <summary>
/// The one exception <c>PerfSage.Graph</c> throws for a graph it cannot represent or cost: a model
/// with no subgraph, a tensor index out of range, shapes an operator cannot accept. The message names
/// the graph and the place (<c>operators[12].inputs[1]</c>) when there is one.
/// </summary>
public sealed class OpGraphException : PerfSageException
{
    public OpGraphException() { }

    public OpGraphException(string message) : base(message) { }

    public OpGraphException(string message, Exception inner) : base(message, inner) { }
}

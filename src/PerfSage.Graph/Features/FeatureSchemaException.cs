namespace PerfSage.Graph.Features;

/// <summary>
/// Features do not fit the schema the caller expects: another <see cref="FeatureSchema.Version"/>, or
/// arrays whose lengths disagree with the declared column counts. The message names the source and both
/// versions or lengths.
/// </summary>
public sealed class FeatureSchemaException : PerfSageException
{
    public FeatureSchemaException() { }

    public FeatureSchemaException(string message) : base(message) { }

    public FeatureSchemaException(string message, Exception inner) : base(message, inner) { }
}

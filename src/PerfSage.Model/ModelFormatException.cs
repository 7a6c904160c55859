namespace PerfSage.Model;

/// <summary>
/// The one domain exception of PerfSage.Model for data it cannot use: a model folder whose manifest or
/// weights are missing or corrupt, features or a feature cache of another schema version, a truncated
/// cache, a checkpoint made for other data. The message names the file (or the source) and the cause.
/// </summary>
public sealed class ModelFormatException : PerfSageException
{
    public ModelFormatException() { }

    public ModelFormatException(string message) : base(message) { }

    public ModelFormatException(string message, Exception inner) : base(message, inner) { }
}
